/**
 * Retention of the service's own records, beside the readings' (server/ingest/retention-sweeper.ts):
 * a fit's bulky documents go first (the parameter and composition history stays, for drift over
 * months), whole fits much later; ages count back from each reactor's newest fit, as readings count
 * from the newest reading. Finished webhook notifications and their attempt log go by wall clock, and
 * so do alarm events (the alarm history), once no notification still refers to them.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import {
  prepareRecordRetentionStatements,
  type RecordRetentionStatements,
} from '../../db/retention-statements';
import { deleteInChunks } from '../ingest/retention-sweeper';
import { type Job, JobStatus } from '../lifecycle';

const dayMs = 24 * 3600_000;
const deleteChunkRows = 2000;

export interface RecordRetentionSettings {
  fitDocumentsDays: number;
  fitsDays: number;
  webhookLogDays: number;
  alarmEventsDays: number;
  sweepMinutes: number;
}

export interface RecordSweepResult {
  fitDocumentsDeleted: number;
  fitsDeleted: number;
  notificationsDeleted: number;
  alarmEventsDeleted: number;
}

export class RecordRetention implements Job<RecordSweepResult & { sweeps: number }> {
  readonly name = 'record-retention';
  private readonly status = new JobStatus();
  private readonly statements: RecordRetentionStatements;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<RecordSweepResult> | undefined;
  private readonly totals = {
    sweeps: 0,
    fitDocumentsDeleted: 0,
    fitsDeleted: 0,
    notificationsDeleted: 0,
    alarmEventsDeleted: 0,
  };

  constructor(
    private readonly sqlite: Database.Database,
    private readonly settings: RecordRetentionSettings,
    logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.statements = prepareRecordRetentionStatements(sqlite);
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

  metrics() {
    return { ...this.totals };
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.status.set('stopped');
    await this.running;
  }

  sweepOnce(): Promise<RecordSweepResult> {
    this.running ??= this.sweep().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async sweep(): Promise<RecordSweepResult> {
    const result: RecordSweepResult = {
      fitDocumentsDeleted: 0,
      fitsDeleted: 0,
      notificationsDeleted: 0,
      alarmEventsDeleted: 0,
    };
    const s = this.statements;
    try {
      for (const { id } of s.reactorIds.all()) {
        if (this.status.state === 'stopped') break;
        const newestMs = s.newestFitEndMs.get(id)?.newestMs;
        if (newestMs == null) continue;
        const documentsCutoff = newestMs - this.settings.fitDocumentsDays * dayMs;
        const fitsCutoff = newestMs - this.settings.fitsDays * dayMs;
        result.fitDocumentsDeleted += await deleteInChunks(
          () => s.deleteFitDocumentsBefore.run(id, documentsCutoff, deleteChunkRows),
          deleteChunkRows,
        );
        result.fitsDeleted += await deleteInChunks(
          () => s.deleteFitsBefore.run(id, fitsCutoff, deleteChunkRows),
          deleteChunkRows,
        );
      }
      const cutoff = this.now() - this.settings.webhookLogDays * dayMs;
      const deleteNotifications = this.sqlite.transaction((ids: number[]) => {
        for (const id of ids) {
          s.deleteDeliveriesOf.run(id);
          s.deleteNotification.run(id);
        }
      });
      for (;;) {
        const ids = s.finishedNotificationsBefore.all(cutoff, deleteChunkRows).map((r) => r.id);
        deleteNotifications(ids);
        result.notificationsDeleted += ids.length;
        if (ids.length < deleteChunkRows) break;
        await yieldToEventLoop();
      }
      // After the notifications: an event goes only once none refers to it.
      const eventsCutoff = this.now() - this.settings.alarmEventsDays * dayMs;
      result.alarmEventsDeleted += await deleteInChunks(
        () => s.deleteAlarmEventsBefore.run(eventsCutoff, deleteChunkRows),
        deleteChunkRows,
      );
      this.totals.sweeps++;
      this.totals.fitDocumentsDeleted += result.fitDocumentsDeleted;
      this.totals.fitsDeleted += result.fitsDeleted;
      this.totals.notificationsDeleted += result.notificationsDeleted;
      this.totals.alarmEventsDeleted += result.alarmEventsDeleted;
      if (Object.values(result).some((deleted) => deleted > 0))
        this.log.info(result, 'record retention sweep');
      if (this.status.state !== 'stopped') this.status.set('sleeping');
    } catch (error) {
      this.log.error({ err: error }, 'record retention sweep failed');
      if (this.status.state !== 'stopped')
        this.status.set('lost', `sweep failed: ${(error as Error).message}`);
    }
    return result;
  }
}
