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
import { deleteInChunks, PeriodicSweep } from '../periodic-sweep';

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

export class RecordRetention extends PeriodicSweep<RecordSweepResult> {
  private readonly statements: RecordRetentionStatements;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly settings: RecordRetentionSettings,
    logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    super('record-retention', logger, settings.sweepMinutes, () => ({
      fitDocumentsDeleted: 0,
      fitsDeleted: 0,
      notificationsDeleted: 0,
      alarmEventsDeleted: 0,
    }));
    this.statements = prepareRecordRetentionStatements(sqlite);
  }

  protected async sweepInto(result: RecordSweepResult): Promise<void> {
    const s = this.statements;
    for (const { id } of s.reactorIds.all()) {
      if (this.stopping) break;
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
  }
}
