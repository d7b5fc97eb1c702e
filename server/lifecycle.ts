/**
 * The one shape every long-running part shares (ingester, assimilator, simulator publisher, webhook
 * sender), after Pioreactor's jobs: start it, ask its health and metrics, stop it; and the runner
 * that starts the service's parts in order and stops them in reverse.
 */

/**
 * - `init`: created or starting;
 * - `ready`: doing its work;
 * - `sleeping`: healthy and idle by design (e.g. a publisher whose history is spent);
 * - `disconnected`: waiting for something external (the broker) and retrying on its own;
 * - `lost`: failing in a way it cannot recover from alone;
 * - `stopped`: after `stop()`.
 */
export type JobState = 'init' | 'ready' | 'sleeping' | 'disconnected' | 'lost' | 'stopped';

export interface JobHealth {
  state: JobState;
  /** Epoch ms of the last state change. */
  sinceMs: number;
  /** Why, when the state is not `ready`. */
  detail?: string;
}

export interface Job<Metrics extends object = Record<string, number>> {
  readonly name: string;
  /** Resolves once the job is running (not when its work is finished). */
  start(): Promise<void>;
  health(): JobHealth;
  /** A snapshot: counters since start and current gauges. */
  metrics(): Metrics;
  /** Graceful: finishes or hands back in-flight work, then releases its resources. Idempotent. */
  stop(): Promise<void>;
}

/** Tracks a job's state and when it last changed; listeners hear every change (e.g. to publish it on MQTT). */
export class JobStatus {
  private current: JobHealth;
  private readonly listeners = new Set<(health: JobHealth) => void>();

  constructor(private readonly now: () => number = Date.now) {
    this.current = { state: 'init', sinceMs: now() };
  }

  set(state: JobState, detail?: string): void {
    if (state === this.current.state && detail === this.current.detail) return;
    this.current =
      detail === undefined ? { state, sinceMs: this.now() } : { state, sinceMs: this.now(), detail };
    for (const listener of this.listeners) listener(this.current);
  }

  get state(): JobState {
    return this.current.state;
  }

  health(): JobHealth {
    return { ...this.current };
  }

  onChange(listener: (health: JobHealth) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** The least a part of the service needs to be run by `JobRunner`: a name, a start and a stop. */
export interface Startable {
  readonly name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

/**
 * Starts parts in order and stops them in reverse, so that what a part needs is up before it starts
 * and still up until it has stopped. A start that fails stops what had started, then throws.
 */
export class JobRunner {
  private readonly running: { name: string; stop: () => Promise<void> | void }[] = [];

  constructor(private readonly onStopError: (name: string, error: unknown) => void) {}

  /** Starts `part` and returns it, once it is running. */
  async start<T extends Startable>(part: T): Promise<T> {
    await this.open(
      part.name,
      () => part.start(),
      () => part.stop(),
    );
    return part;
  }

  /** Opens a resource made by a function (the database, a listener) and closes it in its turn. */
  async open<T>(
    name: string,
    open: () => T | Promise<T>,
    close: (value: T) => Promise<void> | void,
  ): Promise<T> {
    let value: T;
    try {
      value = await open();
    } catch (error) {
      await this.stopAll();
      throw error;
    }
    this.running.push({ name, stop: () => close(value) });
    return value;
  }

  /** Stops every started part, newest first; a failing stop is reported and the others still run. */
  async stopAll(): Promise<void> {
    while (this.running.length > 0) {
      const part = this.running.pop()!;
      try {
        await part.stop();
      } catch (error) {
        this.onStopError(part.name, error);
      }
    }
  }
}
