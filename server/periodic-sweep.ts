/**
 * The shape both retention jobs share (readings, and the service's own records): a sweep now and
 * every few minutes, never two at once (asking during one joins it), a failing sweep logged and tried
 * again next interval, and what each sweep deletes added to the totals its metrics report.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { type Job, JobStatus } from './lifecycle';

export type SweepTotals<Counts> = Counts & { sweeps: number; lastSweepMs: number };

export abstract class PeriodicSweep<Counts extends { [K in keyof Counts]: number }>
  implements Job<SweepTotals<Counts>>
{
  protected readonly log: Logger;
  private readonly status = new JobStatus();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<Counts> | undefined;
  private readonly totals: Record<string, number>;

  constructor(
    readonly name: string,
    logger: Logger,
    private readonly intervalMinutes: number,
    private readonly noCounts: () => Counts,
  ) {
    this.log = logger.child({ job: name });
    this.totals = { ...noCounts(), sweeps: 0, lastSweepMs: 0 };
  }

  /** One pass, adding what it deletes to `counts`; it looks at `stopping` between units of work. */
  protected abstract sweepInto(counts: Counts): Promise<void>;

  protected get stopping(): boolean {
    return this.status.state === 'stopped';
  }

  async start(): Promise<void> {
    this.status.set('sleeping');
    this.timer = setInterval(() => void this.sweepOnce(), this.intervalMinutes * 60_000);
    this.timer.unref();
    void this.sweepOnce();
  }

  health() {
    return this.status.health();
  }

  metrics(): SweepTotals<Counts> {
    return { ...this.totals } as SweepTotals<Counts>;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.status.set('stopped');
    await this.running;
  }

  /** One sweep; one already running is joined rather than doubled. */
  sweepOnce(): Promise<Counts> {
    this.running ??= this.sweep().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async sweep(): Promise<Counts> {
    const started = Date.now();
    const counts = this.noCounts();
    if (!this.stopping) this.status.set('ready');
    try {
      await this.sweepInto(counts);
      this.totals.sweeps++;
      const deletedByKind: Record<string, number> = counts;
      for (const [kind, deleted] of Object.entries(deletedByKind)) this.totals[kind] += deleted;
      this.totals.lastSweepMs = Date.now() - started;
      if (Object.values(deletedByKind).some((deleted) => deleted > 0))
        this.log.info(deletedByKind, `${this.name} sweep`);
      if (!this.stopping) this.status.set('sleeping');
    } catch (error) {
      // A locked or failing database: try again next interval rather than take the process down.
      this.log.error({ err: error }, `${this.name} sweep failed`);
      if (!this.stopping) this.status.set('lost', `sweep failed: ${(error as Error).message}`);
    }
    return counts;
  }
}

/** Repeats a bounded DELETE until it takes less than a full chunk, yielding between chunks. */
export async function deleteInChunks(
  deleteChunk: () => Database.RunResult,
  chunkRows: number,
): Promise<number> {
  let total = 0;
  for (;;) {
    const { changes } = deleteChunk();
    total += changes;
    if (changes < chunkRows) return total;
    await yieldToEventLoop();
  }
}
