/**
 * Deletes raw readings and rollups older than their retention. Ages count back from each reactor's
 * newest reading, not from the wall clock: a simulator's plant calendar lies years in the past, and a
 * reactor that has stopped reporting keeps its last runs instead of silently losing them.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { prepareRetentionStatements, type RetentionStatements } from '../../db/retention-statements';
import type { RetentionSettings } from '../config';
import { type Job, JobStatus } from '../lifecycle';
import { rollupWidthsMs } from './rollups';
import { signals } from './topics';

const dayMs = 24 * 3600_000;
/** Rows per DELETE: short enough that ingest commits slip in between. */
const deleteChunkRows = 5000;

export interface SweepResult {
  readingsDeleted: number;
  rollupsDeleted: number;
}

export interface RetentionMetrics {
  sweeps: number;
  readingsDeleted: number;
  rollupsDeleted: number;
  lastSweepMs: number;
}

export class RetentionSweeper implements Job<RetentionMetrics> {
  readonly name = 'retention';
  private readonly status = new JobStatus();
  private readonly statements: RetentionStatements;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SweepResult> | undefined;
  private readonly totals: RetentionMetrics = {
    sweeps: 0,
    readingsDeleted: 0,
    rollupsDeleted: 0,
    lastSweepMs: 0,
  };

  constructor(
    sqlite: Database.Database,
    private readonly settings: RetentionSettings,
    logger: Logger,
  ) {
    this.statements = prepareRetentionStatements(sqlite);
    this.log = logger.child({ job: this.name });
  }

  async start(): Promise<void> {
    this.status.set('sleeping');
    this.timer = setInterval(() => void this.sweepOnce(), this.settings.sweepMinutes * 60_000);
    this.timer.unref();
    void this.sweepOnce();
  }

  health() {
    return this.status.health();
  }

  metrics(): RetentionMetrics {
    return { ...this.totals };
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.status.set('stopped');
    await this.running;
  }

  /** One pass over every reactor; a pass already running is joined rather than doubled. */
  sweepOnce(): Promise<SweepResult> {
    this.running ??= this.sweep().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async sweep(): Promise<SweepResult> {
    const started = Date.now();
    const result: SweepResult = { readingsDeleted: 0, rollupsDeleted: 0 };
    if (this.status.state !== 'stopped') this.status.set('ready');
    try {
      for (const { id } of this.statements.reactorIds.all()) {
        if (this.status.state === 'stopped') break;
        await this.sweepReactor(id, result);
      }
      this.totals.sweeps++;
      this.totals.readingsDeleted += result.readingsDeleted;
      this.totals.rollupsDeleted += result.rollupsDeleted;
      this.totals.lastSweepMs = Date.now() - started;
      if (result.readingsDeleted + result.rollupsDeleted > 0) this.log.info(result, 'retention sweep');
      if (this.status.state !== 'stopped') this.status.set('sleeping');
    } catch (error) {
      // A locked or failing database: try again next interval rather than take the process down.
      this.log.error({ err: error }, 'retention sweep failed');
      if (this.status.state !== 'stopped')
        this.status.set('lost', `sweep failed: ${(error as Error).message}`);
    }
    return result;
  }

  private async sweepReactor(reactorId: string, result: SweepResult): Promise<void> {
    const s = this.statements;
    let newestMs = Number.NEGATIVE_INFINITY;
    for (const signal of signals) {
      const row = s.newestReadingMs.get(reactorId, signal);
      if (row?.newestMs != null && row.newestMs > newestMs) newestMs = row.newestMs;
    }
    if (!Number.isFinite(newestMs)) return;
    const rollupCutoffs: [number, number][] = [
      [rollupWidthsMs.oneMinute, newestMs - this.settings.rollup1MinDays * dayMs],
      [rollupWidthsMs.fifteenMinutes, newestMs - this.settings.rollup15MinDays * dayMs],
    ];
    for (const signal of signals) {
      const rawCutoff = newestMs - this.settings.rawDays * dayMs;
      result.readingsDeleted += await deleteInChunks(() =>
        s.deleteReadingsBefore.run(reactorId, signal, rawCutoff, deleteChunkRows),
      );
      for (const [width, cutoff] of rollupCutoffs) {
        result.rollupsDeleted += await deleteInChunks(() =>
          s.deleteRollupsBefore.run(reactorId, signal, width, cutoff, deleteChunkRows),
        );
      }
    }
  }
}

/** Repeats a bounded DELETE until it takes less than a full chunk, yielding between chunks. */
export async function deleteInChunks(
  deleteChunk: () => Database.RunResult,
  chunkRows = deleteChunkRows,
): Promise<number> {
  let total = 0;
  for (;;) {
    const { changes } = deleteChunk();
    total += changes;
    if (changes < chunkRows) return total;
    await yieldToEventLoop();
  }
}
