/**
 * The assimilator job in the main thread: starts the worker, tells it of every commit of new readings
 * (one small notice per reactor), and hands its fits on to whoever listens (realtime, MQTT, metrics).
 * A fit never runs here, so it never blocks ingest or the web server.
 */
import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { AcceptedReading } from '../ingest/message-validator';
import { type Job, JobStatus } from '../lifecycle';
import { tsWorker } from '../ts-worker';
import type { AssimilatorSettings } from './assimilator-settings';
import { clockSignals } from './plant-signals';
import type {
  FitNotice,
  HostToWorker,
  ReadingsNotice,
  WorkerInit,
  WorkerStatus,
  WorkerToHost,
} from './worker-protocol';

export interface AssimilatorHostOptions {
  databasePath: string;
  settings: AssimilatorSettings;
  logger: Logger;
}

export interface AssimilatorMetrics {
  fitsOk: number;
  fitsFailed: number;
  failuresByReason: Record<string, number>;
  refits: number;
  queueDepth: number;
  reactorsDue: number;
  restoredChains: number;
  workerRestarts: number;
}

const workerEntry = new URL('./assimilator-worker.ts', import.meta.url);

const initialRestartDelayMs = 1000;
const maxRestartDelayMs = 60_000;

export class AssimilatorHost implements Job<AssimilatorMetrics> {
  readonly name = 'assimilator';
  private readonly status = new JobStatus();
  private readonly log: Logger;
  private worker: Worker | undefined;
  private workerStatus: WorkerStatus = {
    queueDepth: 0,
    reactorsDue: 0,
    dueByReactor: {},
    reactors: 0,
    fitting: null,
  };
  private readonly fitListeners = new Set<(fit: FitNotice) => void>();
  private readonly counters = { fitsOk: 0, fitsFailed: 0, refits: 0, restoredChains: 0, workerRestarts: 0 };
  private readonly failuresByReason: Record<string, number> = {};
  private stopped: Promise<void> | undefined;
  private resolveStopped: () => void = () => {};
  private restartTimer: NodeJS.Timeout | undefined;
  private restartDelayMs = initialRestartDelayMs;
  private settings: AssimilatorSettings;
  private reconfiguring: Promise<void> = Promise.resolve();

  constructor(private readonly options: AssimilatorHostOptions) {
    this.log = options.logger.child({ job: this.name });
    this.settings = options.settings;
  }

  /** Resolves once the worker has restored the chains and is fitting. */
  start(): Promise<void> {
    if (this.worker) throw new Error('assimilator already started');
    return this.launch();
  }

  /**
   * Starts a worker. One that dies unexpectedly is started again after a growing pause: everything it
   * needs (chains, readings) is in the database, so nothing is lost but the fit in hand.
   */
  private launch(): Promise<void> {
    const init: WorkerInit = { databasePath: this.options.databasePath, settings: this.settings };
    const worker = tsWorker(workerEntry, { workerData: init, name: 'assimilator' });
    this.worker = worker;
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve));
    return new Promise((resolve, reject) => {
      let ready = false;
      worker.on('message', (message: WorkerToHost) => {
        if (message.type === 'ready') {
          ready = true;
          this.restartDelayMs = initialRestartDelayMs;
          this.counters.restoredChains = message.restoredChains;
          this.workerStatus = message.status;
          this.status.set('ready');
          this.log.info({ restoredChains: message.restoredChains, ...message.status }, 'assimilator ready');
          resolve();
        } else this.onMessage(message);
      });
      worker.on('error', (error) => {
        this.log.error({ err: error }, 'assimilator worker failed');
        this.status.set('lost', `worker failed: ${error.message}`);
        if (!ready) reject(error);
      });
      worker.on('exit', (code) => {
        this.resolveStopped();
        if (this.status.state === 'stopped' || this.worker !== worker) return;
        this.status.set('lost', `worker exited (${code}); restarting in ${this.restartDelayMs} ms`);
        this.log.error({ code, restartInMs: this.restartDelayMs }, 'assimilator worker exited');
        if (!ready) return;
        this.restartTimer = setTimeout(() => {
          this.restartTimer = undefined;
          if (this.status.state === 'stopped') return;
          this.counters.workerRestarts++;
          this.launch().catch((error: unknown) =>
            this.log.error({ err: error }, 'assimilator restart failed'),
          );
        }, this.restartDelayMs);
        this.restartDelayMs = Math.min(maxRestartDelayMs, this.restartDelayMs * 2);
      });
    });
  }

  /**
   * New settings from an operator: the worker finishes its fit in hand and a new one starts with
   * them. Everything a worker needs is in the database, so nothing is lost; readings stored during
   * the switch are read by the new worker at its start.
   */
  reconfigure(settings: AssimilatorSettings): Promise<void> {
    this.reconfiguring = this.reconfiguring.then(async () => {
      this.settings = settings;
      if (!this.worker || this.isStopped()) return;
      await this.stopWorker();
      if (this.isStopped()) return;
      this.log.info(
        {
          windowHours: settings.windowHours,
          stepHours: settings.stepHours,
          forecastHours: settings.forecastHours,
        },
        'restarting the assimilator with new settings',
      );
      await this.launch();
    });
    return this.reconfiguring;
  }

  private isStopped(): boolean {
    return this.status.state === 'stopped';
  }

  health() {
    return this.status.health();
  }

  metrics(): AssimilatorMetrics {
    return {
      ...this.counters,
      failuresByReason: { ...this.failuresByReason },
      queueDepth: this.workerStatus.queueDepth,
      reactorsDue: this.workerStatus.reactorsDue,
    };
  }

  get queueDepth(): number {
    return this.workerStatus.queueDepth;
  }

  /** The window a fit needs, plant hours (the settings in force). */
  get windowHours(): number {
    return this.settings.windowHours;
  }

  /** What the worker said last: queue depth, windows due by reactor, the reactor being fitted. */
  get currentStatus(): WorkerStatus {
    return { ...this.workerStatus };
  }

  onFit(listener: (fit: FitNotice) => void): () => void {
    this.fitListeners.add(listener);
    return () => this.fitListeners.delete(listener);
  }

  /** Tells the worker of newly stored readings (wire to the ingester's `onReadingsStored`). */
  readingsStored(readings: readonly AcceptedReading[], highestRowid: number): void {
    if (!this.worker || this.status.state === 'stopped') return;
    const byReactor = new Map<string, ReadingsNotice>();
    for (const r of readings) {
      const online = clockSignals.includes(r.signal);
      const notice = byReactor.get(r.reactorId);
      if (!notice) {
        byReactor.set(r.reactorId, {
          reactorId: r.reactorId,
          oldestTsMs: r.tsMs,
          newestTsMs: r.tsMs,
          online,
          highestRowid,
        });
        continue;
      }
      if (r.tsMs < notice.oldestTsMs) notice.oldestTsMs = r.tsMs;
      if (online && (!notice.online || r.tsMs > notice.newestTsMs)) notice.newestTsMs = r.tsMs;
      notice.online ||= online;
    }
    this.post({ type: 'readings', notices: [...byReactor.values()] });
  }

  /** Asks the worker to finish the fit in hand and stop; abandons it (terminates) after `stopTimeoutMs`. */
  async stop(): Promise<void> {
    if (this.status.state === 'stopped') return;
    this.status.set('stopped');
    clearTimeout(this.restartTimer);
    await this.stopWorker();
  }

  /** Lets the worker finish its fit and exit; terminates it after `stopTimeoutMs`. */
  private async stopWorker(): Promise<void> {
    const worker = this.worker;
    const stopped = this.stopped;
    if (!worker || !stopped) return;
    // Detached first, so that its exit is not taken for a crash to recover from.
    this.worker = undefined;
    worker.postMessage({ type: 'stop' } satisfies HostToWorker);
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      stopped.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), this.settings.stopTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (!finished) {
      this.log.warn({ fitting: this.workerStatus.fitting }, 'abandoning the running fit');
      await worker.terminate();
    }
  }

  private post(message: HostToWorker): void {
    this.worker?.postMessage(message);
  }

  private onMessage(message: WorkerToHost): void {
    switch (message.type) {
      case 'fit': {
        const { fit } = message;
        this.workerStatus = message.status;
        if (fit.status === 'ok') {
          this.counters.fitsOk++;
        } else {
          this.counters.fitsFailed++;
          const reason = fit.reason ?? 'unknown';
          this.failuresByReason[reason] = (this.failuresByReason[reason] ?? 0) + 1;
        }
        if (fit.refit) this.counters.refits++;
        for (const listener of this.fitListeners) {
          try {
            listener(fit);
          } catch (error) {
            this.log.error({ err: error }, 'a fit listener threw');
          }
        }
        return;
      }
      case 'status':
        this.workerStatus = message.status;
        return;
      case 'log':
        this.log[message.level](message.data ?? {}, message.msg);
        return;
      case 'stopped':
        this.log.info('assimilator stopped');
        return;
      case 'ready':
        return;
    }
  }
}
