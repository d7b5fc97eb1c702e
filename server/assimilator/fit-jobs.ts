/**
 * Fits as jobs on pg-boss (a queue in PostgreSQL), for assimilators in several processes: a job is
 * "fit reactor R's due windows". Every assimilator scans, each `scanMs`, for reactors that may
 * have a window due and queues a job for each; pg-boss's `short` policy keeps one queued job per
 * reactor (singleton key), and any process's worker takes it. A job that used up its budget with
 * windows still due queues its reactor again, at the back, without waiting for a scan.
 *
 * One chain per reactor at a time: the job holds a PostgreSQL advisory lock on the reactor for as
 * long as it fits, on the connection it fits with. A job that finds the lock held ends at once (the
 * holder fits all that is due before it lets go). When a process dies, PostgreSQL drops its
 * connection and the lock with it, so the next job, from any process, continues the chain from
 * the state stored with its last fit (pg-reactor-fit.ts). pg-boss's own singleton policies were not
 * enough: in 10.x a queued job whose key is active makes the fetch fail for the whole batch, so one
 * busy reactor would stall every other's jobs.
 */

import type pg from 'pg';
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { type CompiledModel, compileModel } from '../../assimilation';
import type { FitRecord } from '../../contract/api';
import { reactorsMaybeDue } from '../../db/pg/assimilation-store';
import { storedFit } from '../../db/pg/fit-reads';
import { builtInModel } from '../../simulator/model-files';
import { fitRecord } from '../api/fit-records';
import { type Job, JobStatus } from '../lifecycle';
import { type AssimilatorSettings, chainOptionsOf } from './assimilator-settings';
import { PgReactorFit } from './pg-reactor-fit';
import type { StoredWindow } from './reactor-chain';
import { builtInModelRow } from './reactor-models';
import { type FitNotice, fitNoticeOf } from './worker-protocol';

export const fitQueue = 'fit-reactor';
/** pg_advisory_lock's first key for reactor locks (the second is the hash of the reactor id). */
export const reactorLockClass = 0x6377;

export interface FitJobsOptions {
  pool: pg.Pool;
  /** The same database, for pg-boss's own pool and schema (`pgboss`). */
  databaseUrl: string;
  settings: AssimilatorSettings;
  logger: Logger;
  /** How often this process looks for reactors with work. */
  scanMs: number;
  /** A job longer than this is given up by pg-boss (and retried): a stuck fit, not a dead process. */
  expireSeconds: number;
  /** Longest one job fits before it hands the reactor to the next job (others get their turn). */
  jobBudgetMs: number;
  /** Each stored fit, as the API delivers it: for the browsers (socket.io emitter) and MQTT. */
  onFit?: (fit: FitNotice, record: FitRecord | undefined) => void;
}

export interface FitJobMetrics {
  fitsOk: number;
  fitsFailed: number;
  refits: number;
  jobs: number;
  /** Jobs that found another process fitting the reactor. */
  jobsBusy: number;
  jobsFailed: number;
  scans: number;
  jobsQueued: number;
}

export class FitJobs implements Job<FitJobMetrics> {
  readonly name = 'fit-jobs';
  private readonly status = new JobStatus();
  private readonly log: Logger;
  private readonly boss: PgBoss;
  private readonly model: CompiledModel;
  private readonly fits: PgReactorFit;
  private scanTimer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  private readonly counters: FitJobMetrics = {
    fitsOk: 0,
    fitsFailed: 0,
    refits: 0,
    jobs: 0,
    jobsBusy: 0,
    jobsFailed: 0,
    scans: 0,
    jobsQueued: 0,
  };

  constructor(private readonly options: FitJobsOptions) {
    this.log = options.logger.child({ job: this.name });
    this.model = compileModel(builtInModel());
    // The scaled deployment runs the built-in model for every reactor (a model per reactor is the
    // one-process service's, db `reactor_models`).
    this.fits = new PgReactorFit(
      this.model,
      chainOptionsOf(this.model, options.settings),
      builtInModelRow(Date.now()).version,
    );
    this.boss = new PgBoss({
      connectionString: options.databaseUrl,
      max: 2,
      application_name: 'pg-boss',
      // Expired jobs (a fit stuck past expireSeconds) are found by pg-boss's maintenance.
      maintenanceIntervalSeconds: Math.max(1, Math.round(options.expireSeconds / 2)),
    });
    this.boss.on('error', (error) => this.log.warn({ err: error }, 'pg-boss error'));
  }

  async start(): Promise<void> {
    await this.boss.start();
    await this.ensureQueue();
    await this.boss.work<{ reactorId: string }>(
      fitQueue,
      { batchSize: 1, pollingIntervalSeconds: 0.5 },
      async ([job]) => this.runJob(job.data.reactorId),
    );
    this.scanTimer = setInterval(() => void this.scan(), this.options.scanMs);
    await this.scan();
    this.status.set('ready');
  }

  health() {
    return this.status.health();
  }

  metrics(): FitJobMetrics {
    return { ...this.counters };
  }

  /** Stops scanning, lets the job in hand finish (its fit is stored or abandoned), then disconnects. */
  async stop(): Promise<void> {
    if (this.status.state === 'stopped') return;
    this.status.set('stopped');
    clearInterval(this.scanTimer);
    await this.scanning;
    await this.boss.stop({ graceful: true, wait: true, timeout: this.options.settings.stopTimeoutMs });
  }

  /** Queues a job for every reactor that may have work (one queued per reactor: the rest are dropped). */
  async scan(): Promise<void> {
    if (this.scanning || this.status.state === 'stopped') return this.scanning;
    this.scanning = (async () => {
      try {
        const due = await reactorsMaybeDue(this.options.pool, this.options.settings.stepHours);
        this.counters.scans++;
        if (due.length === 0) return;
        await this.queue(due);
      } catch (error) {
        if (this.status.state !== 'stopped') this.log.warn({ err: error }, 'scan for due reactors failed');
      } finally {
        this.scanning = undefined;
      }
    })();
    return this.scanning;
  }

  /** One job: the reactor's due windows, one after another, while this process holds its lock. */
  private async runJob(reactorId: string): Promise<void> {
    this.counters.jobs++;
    const client = await this.options.pool.connect();
    let broken = false;
    let more = false;
    try {
      const locked = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked',
        [reactorLockClass, reactorId],
      );
      if (!locked.rows[0].locked) {
        this.counters.jobsBusy++;
        return;
      }
      try {
        const deadline = Date.now() + this.options.jobBudgetMs;
        for (;;) {
          if (this.status.state === 'stopped') return;
          const result = await this.fits.fitNext(client, reactorId);
          if (!result) return;
          await this.fitStored(client, result.fitted, result.fitId);
          if (Date.now() > deadline) {
            // Others' turn: this reactor goes to the back of the queue (once its lock is let go).
            more = true;
            return;
          }
        }
      } finally {
        await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [reactorLockClass, reactorId]);
      }
    } catch (error) {
      broken = true;
      this.counters.jobsFailed++;
      this.log.error({ err: error, reactorId }, 'fit job failed');
      throw error;
    } finally {
      // A connection whose query failed may still hold the lock: drop it, and the lock with it.
      client.release(broken);
    }
    if (more) await this.queue([reactorId]);
  }

  /** A job for each reactor, unless one is queued for it already (pg-boss's `short` policy). */
  private async queue(reactorIds: string[]): Promise<void> {
    await this.boss.insert(
      reactorIds.map((reactorId) => ({ name: fitQueue, data: { reactorId }, singletonKey: reactorId })),
    );
    this.counters.jobsQueued += reactorIds.length;
  }

  private async fitStored(client: pg.ClientBase, fitted: StoredWindow, fitId: number): Promise<void> {
    const { outcome } = fitted;
    if (outcome.status === 'ok') this.counters.fitsOk++;
    else this.counters.fitsFailed++;
    if (fitted.refit) this.counters.refits++;
    const notice = fitNoticeOf(fitted, fitId);
    if (outcome.status === 'failed')
      this.log.warn({ reactorId: fitted.reactorId, fitId, reason: outcome.reason }, 'fit failed');
    if (!this.options.onFit) return;
    const stored = await storedFit(client, fitId);
    this.options.onFit(notice, stored && fitRecord(stored.row, stored, true));
  }

  /** pg-boss 10 wants its queue made before work; several processes may try at once. */
  private async ensureQueue(): Promise<void> {
    if (await this.boss.getQueue(fitQueue)) return;
    try {
      await this.boss.createQueue(fitQueue, {
        name: fitQueue,
        policy: 'short',
        retryLimit: 3,
        retryDelay: 1,
        expireInSeconds: this.options.expireSeconds,
        // Finished jobs are of no use to keep for long.
        retentionMinutes: 60,
      });
    } catch (error) {
      if (!(await this.boss.getQueue(fitQueue))) throw error;
    }
  }
}
