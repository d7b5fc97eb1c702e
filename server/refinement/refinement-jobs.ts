/**
 * Structure refinements as background jobs: each runs in a worker thread of its own
 * (refinement-worker.ts) over the reactor's stored readings, one at a time per reactor (the database
 * holds that rule too), its progress and result stored in `refinements` as they come. None survives
 * its process: at start any still marked running is marked interrupted, and at stop the running ones
 * are ended and marked so, with why in words.
 */
import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { RefinementRow, RefinementStatements } from '../../db/refinement-statements';
import { type Job, JobStatus } from '../lifecycle';
import { tsWorker } from '../ts-worker';
import type { RefinementJob, RefinementWorkerMessage } from './refinement-worker';

const workerEntry = new URL('./refinement-worker.ts', import.meta.url);

/** Log lines kept in a running refinement's progress. */
const progressNotes = 30;

export interface RefinementMetrics {
  running: number;
  done: number;
  failed: number;
  interrupted: number;
  /** Requests refused, by reason. */
  refused: Record<string, number>;
}

export interface RefinementStart {
  reactorId: string;
  requestedBy: string;
  source: 'current' | 'community' | 'file';
  modelName: string;
  modelVersion: string;
  fileText: string;
  hours: number;
  alpha: number;
  /** Links the model has on: what progress counts towards. */
  linksTotal: number;
}

export interface RefinementJobsOptions {
  statements: RefinementStatements;
  databasePath: string;
  logger: Logger;
  /** A refinement that runs longer is ended and marked failed. */
  maxRunMs?: number;
}

export class RefinementJobs implements Job<RefinementMetrics> {
  readonly name = 'refinements';
  private readonly status = new JobStatus();
  private readonly log: Logger;
  private readonly running = new Map<number, Worker>();
  private readonly counts = { done: 0, failed: 0, interrupted: 0 };
  private readonly refusedBy = new Map<string, number>();

  constructor(private readonly options: RefinementJobsOptions) {
    this.log = options.logger.child({ job: 'refinements' });
  }

  async start(): Promise<void> {
    const left = this.options.statements.interruptRunning(
      Date.now(),
      'interrupted: the service restarted while it ran; start it again',
    );
    if (left > 0) {
      this.counts.interrupted += left;
      this.log.warn({ refinements: left }, 'refinements left running by the last run marked interrupted');
    }
    this.status.set('ready');
  }

  health() {
    return this.status.health();
  }

  metrics(): RefinementMetrics {
    return { running: this.running.size, ...this.counts, refused: Object.fromEntries(this.refusedBy) };
  }

  /** Counts and logs a refused request (the API answers it). */
  refused(reason: string, data: Record<string, unknown>): void {
    this.refusedBy.set(reason, (this.refusedBy.get(reason) ?? 0) + 1);
    this.log.warn({ reason, ...data }, 'refinement refused');
  }

  /** The reactor's running refinement, if any. */
  runningFor(reactorId: string): RefinementRow | undefined {
    return this.options.statements.running(reactorId);
  }

  /**
   * Stores the refinement as running and starts its thread. Throws the database's unique-constraint
   * error when one already runs for the reactor (the API checks first; this is the guarantee).
   */
  begin(start: RefinementStart): number {
    const s = this.options.statements;
    const progress = { linksTested: 0, linksTotal: start.linksTotal, notes: [] as string[] };
    const id = s.insertRunning({
      reactorId: start.reactorId,
      requestedAtMs: Date.now(),
      requestedBy: start.requestedBy,
      source: start.source,
      modelName: start.modelName,
      modelVersion: start.modelVersion,
      modelFileText: start.fileText,
      settingsJson: JSON.stringify({ hours: start.hours, alpha: start.alpha }),
      progressJson: JSON.stringify(progress),
    });
    const job: RefinementJob = {
      databasePath: this.options.databasePath,
      refinementId: id,
      reactorId: start.reactorId,
      fileText: start.fileText,
      hours: start.hours,
      alpha: start.alpha,
    };
    const worker = tsWorker(workerEntry, { workerData: job, name: `refinement-${id}` });
    this.running.set(id, worker);
    const log = this.log.child({ refinementId: id, reactorId: start.reactorId });
    log.info({ model: start.modelName, by: start.requestedBy, hours: start.hours }, 'refinement started');
    const maxRunMs = this.options.maxRunMs ?? 30 * 60_000;
    let ended = false;
    const end = (status: 'done' | 'failed', error: string | null, resultJson: string | null) => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      this.running.delete(id);
      if (s.finish({ id, status, finishedAtMs: Date.now(), error, resultJson })) this.counts[status]++;
      if (status === 'done') log.info('refinement done');
      else log.warn({ error }, 'refinement failed');
      void worker.terminate();
    };
    const timer = setTimeout(
      () => end('failed', `ended: it ran longer than ${Math.round(maxRunMs / 60_000)} min`, null),
      maxRunMs,
    );
    worker.on('message', (message: RefinementWorkerMessage) => {
      if (message.type === 'note') {
        progress.linksTested = message.linksTested;
        progress.notes = [...progress.notes, message.note].slice(-progressNotes);
        s.setProgress(id, JSON.stringify(progress));
      } else if (message.type === 'done') end('done', null, JSON.stringify(message.result));
      else end('failed', message.error, null);
    });
    worker.once('error', (error) => end('failed', `its thread failed: ${error.message}`, null));
    worker.once('exit', (code) => {
      if (this.running.get(id) === worker) end('failed', `its thread ended (exit code ${code})`, null);
    });
    return id;
  }

  async stop(): Promise<void> {
    const now = Date.now();
    for (const [id, worker] of this.running) {
      this.running.delete(id);
      await worker.terminate();
      this.options.statements.finish({
        id,
        status: 'interrupted',
        finishedAtMs: now,
        error: 'interrupted: the service stopped while it ran; start it again',
        resultJson: null,
      });
      this.counts.interrupted++;
      this.log.warn({ refinementId: id }, 'refinement interrupted by the service stopping');
    }
    this.status.set('stopped');
  }
}
