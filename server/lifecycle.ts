/**
 * The one shape every long-running part shares (ingester, assimilator, simulator publisher, webhook
 * sender), after Pioreactor's jobs: start it, ask its health and metrics, stop it.
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
