/**
 * The assimilator job in the main thread: starts the worker, tells it of every commit of new readings
 * (one small notice per reactor), and hands its fits on to whoever listens (realtime, MQTT, metrics).
 * A fit never runs here, so it never blocks ingest or the web server.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { AcceptedReading } from '../ingest/message-validator';
import { type Job, JobStatus } from '../lifecycle';
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

const workerEntry = new URL('./assimilator-worker.ts', import.meta.url).href;
/** The worker loads TypeScript through tsx, as the main thread does (workers do not inherit loader hooks). */
const tsxApi = import.meta.resolve('tsx/esm/api');
const bootstrap = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(workerEntry)}); });`;

export class AssimilatorHost implements Job<AssimilatorMetrics> {
  readonly name = 'assimilator';
  private readonly status = new JobStatus();
  private readonly log: Logger;
  private worker: Worker | undefined;
  private workerStatus: WorkerStatus = { queueDepth: 0, reactorsDue: 0, reactors: 0, fitting: null };
  private readonly fitListeners = new Set<(fit: FitNotice) => void>();
  private readonly counters = { fitsOk: 0, fitsFailed: 0, refits: 0, restoredChains: 0, workerRestarts: 0 };
  private readonly failuresByReason: Record<string, number> = {};
  /** Wall ms of each reactor's last successful fit. */
  readonly lastGoodFitAtMs = new Map<string, number>();
  private stopped: Promise<void> | undefined;
  private resolveStopped: () => void = () => {};

  constructor(private readonly options: AssimilatorHostOptions) {
    this.log = options.logger.child({ job: this.name });
  }

  start(): Promise<void> {
    if (this.worker) throw new Error('assimilator already started');
    const init: WorkerInit = { databasePath: this.options.databasePath, settings: this.options.settings };
    const worker = new Worker(bootstrap, { eval: true, workerData: init, name: 'assimilator' });
    this.worker = worker;
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve));
    return new Promise((resolve, reject) => {
      worker.on('message', (message: WorkerToHost) => {
        if (message.type === 'ready') {
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
        reject(error);
      });
      worker.on('exit', (code) => {
        if (this.status.state !== 'stopped') {
          this.status.set('lost', `worker exited (${code})`);
          this.log.error({ code }, 'assimilator worker exited');
        }
        this.resolveStopped();
      });
    });
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

  /** What the worker said last: queue depth and the reactor being fitted. */
  get currentStatus(): WorkerStatus {
    return { ...this.workerStatus };
  }

  onFit(listener: (fit: FitNotice) => void): () => void {
    this.fitListeners.add(listener);
    return () => this.fitListeners.delete(listener);
  }

  /** Tells the worker of newly stored readings (wire to the ingester's `onReadingsStored`). */
  readingsStored(readings: readonly AcceptedReading[]): void {
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
    const worker = this.worker;
    if (!worker || !this.stopped) return;
    this.post({ type: 'stop' });
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      this.stopped.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), this.options.settings.stopTimeoutMs);
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
          this.lastGoodFitAtMs.set(fit.reactorId, Date.now());
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
