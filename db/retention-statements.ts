/**
 * Deletes for the retention sweep. Every statement names reactor and signal, so it walks one range of
 * the primary key instead of scanning; deletes are bounded per call so a sweep never holds the writer long.
 */
import type Database from 'better-sqlite3';

export interface RetentionStatements {
  /** () → every reactor id. */
  reactorIds: Database.Statement<[], { id: string }>;
  /** (reactorId, signal) → the newest reading time of that series, or null. */
  newestReadingMs: Database.Statement<[string, string], { newestMs: number | null }>;
  /** (reactorId, signal, beforeMs, limit) */
  deleteReadingsBefore: Database.Statement<[string, string, number, number]>;
  /** (reactorId, signal, bucketWidthMs, beforeMs, limit) */
  deleteRollupsBefore: Database.Statement<[string, string, number, number, number]>;
}

export function prepareRetentionStatements(sqlite: Database.Database): RetentionStatements {
  return {
    reactorIds: sqlite.prepare('SELECT id FROM reactors ORDER BY id'),
    newestReadingMs: sqlite.prepare(
      'SELECT max(ts_ms) AS newestMs FROM readings WHERE reactor_id = ? AND signal = ?',
    ),
    deleteReadingsBefore: sqlite.prepare(
      `DELETE FROM readings WHERE rowid IN (
         SELECT rowid FROM readings WHERE reactor_id = ? AND signal = ? AND ts_ms < ? LIMIT ?)`,
    ),
    deleteRollupsBefore: sqlite.prepare(
      `DELETE FROM reading_rollups WHERE rowid IN (
         SELECT rowid FROM reading_rollups
         WHERE reactor_id = ? AND signal = ? AND bucket_width_ms = ? AND bucket_start_ms < ? LIMIT ?)`,
    ),
  };
}

/**
 * Deletes for the retention of the service's own records: fit documents (trajectories, forecasts,
 * residuals, window files: the bulk of a fit), whole fits, the webhook delivery log and the alarm
 * history. Bounded per call, like the readings'.
 */
export function prepareRecordRetentionStatements(sqlite: Database.Database) {
  return {
    reactorIds: sqlite.prepare<[], { id: string }>('SELECT id FROM reactors ORDER BY id'),
    /** (reactorId) → the newest fit's window end, epoch ms. */
    newestFitEndMs: sqlite.prepare<[string], { newestMs: number | null }>(
      'SELECT max(window_end_ms) AS newestMs FROM fits WHERE reactor_id = ?',
    ),
    /** (reactorId, beforeMs, limit) */
    deleteFitDocumentsBefore: sqlite.prepare<[string, number, number]>(
      `DELETE FROM fit_documents WHERE fit_id IN (
         SELECT d.fit_id FROM fit_documents d JOIN fits f ON f.id = d.fit_id
         WHERE f.reactor_id = ? AND f.window_end_ms < ? LIMIT ?)`,
    ),
    /** (reactorId, beforeMs, limit); parameters, combinations, composition and documents cascade. */
    deleteFitsBefore: sqlite.prepare<[string, number, number]>(
      `DELETE FROM fits WHERE id IN (
         SELECT id FROM fits WHERE reactor_id = ? AND window_end_ms < ? LIMIT ?)`,
    ),
    /** (beforeMs, limit) → finished notifications (delivered or cancelled) made before, oldest first. */
    finishedNotificationsBefore: sqlite.prepare<[number, number], { id: number }>(
      `SELECT id FROM webhook_outbox WHERE state != 'pending' AND created_at_ms < ? ORDER BY id LIMIT ?`,
    ),
    /** (outboxId) */
    deleteDeliveriesOf: sqlite.prepare<[number]>('DELETE FROM webhook_deliveries WHERE outbox_id = ?'),
    /** (outboxId) */
    deleteNotification: sqlite.prepare<[number]>('DELETE FROM webhook_outbox WHERE id = ?'),
    /** (beforeMs, limit): alarm events older than that which no notification still refers to. */
    deleteAlarmEventsBefore: sqlite.prepare<[number, number]>(
      `DELETE FROM alarm_events WHERE id IN (
         SELECT e.id FROM alarm_events e
         WHERE e.at_ms < ? AND NOT EXISTS (SELECT 1 FROM webhook_outbox o WHERE o.alarm_event_id = e.id)
         LIMIT ?)`,
    ),
  };
}

export type RecordRetentionStatements = ReturnType<typeof prepareRecordRetentionStatements>;
