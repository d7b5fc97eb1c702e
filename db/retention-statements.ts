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
