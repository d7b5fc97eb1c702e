/**
 * The ingester's hot path as raw prepared statements over the drizzle-defined tables: a
 * prepared statement is ~15× faster per row than a drizzle call. Positional parameters, in the
 * order given in each comment.
 */
import type Database from 'better-sqlite3';

/** What one batch adds to one rollup bucket (SQLite's `addToRollup`, PostgreSQL's `addToRollups`). */
export interface RollupDelta {
  reactorId: string;
  signal: string;
  bucketWidthMs: number;
  bucketStartMs: number;
  count: number;
  valueSum: number;
  valueMin: number;
  valueMax: number;
}

export interface IngestStatements {
  /** (reactorId, signal, tsMs, value, receivedAtMs); `changes` is 0 when the key was already stored. */
  insertReadingIfNew: Database.Statement<[string, string, number, number, number]>;
  /** (reactorId, firstSeenAtMs) */
  registerReactor: Database.Statement<[string, number]>;
  /** (reactorId, signal, bucketWidthMs, bucketStartMs, count, valueSum, valueMin, valueMax) */
  addToRollup: Database.Statement<[string, string, number, number, number, number, number, number]>;
  /** (receivedAtMs, topic, payloadExcerpt, payloadBytes, reason, detail) */
  recordRejection: Database.Statement<[number, string, string, number, string, string]>;
  /** (reason, count, lastRejectedAtMs) */
  countRejections: Database.Statement<[string, number, number]>;
  /** (keepNewest): deletes all but the newest stored rejections. */
  trimRejections: Database.Statement<[number]>;
}

export function prepareIngestStatements(sqlite: Database.Database): IngestStatements {
  return {
    insertReadingIfNew: sqlite.prepare(
      'INSERT INTO readings (reactor_id, signal, ts_ms, value, received_at_ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    registerReactor: sqlite.prepare(
      'INSERT INTO reactors (id, first_seen_at_ms) VALUES (?, ?) ON CONFLICT DO NOTHING',
    ),
    addToRollup: sqlite.prepare(
      `INSERT INTO reading_rollups
         (reactor_id, signal, bucket_width_ms, bucket_start_ms, count, value_sum, value_min, value_max)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET
         count = count + excluded.count,
         value_sum = value_sum + excluded.value_sum,
         value_min = min(value_min, excluded.value_min),
         value_max = max(value_max, excluded.value_max)`,
    ),
    recordRejection: sqlite.prepare(
      'INSERT INTO rejected_messages (received_at_ms, topic, payload_excerpt, payload_bytes, reason, detail) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    countRejections: sqlite.prepare(
      `INSERT INTO rejection_counts (reason, count, last_rejected_at_ms) VALUES (?, ?, ?)
       ON CONFLICT DO UPDATE SET count = count + excluded.count, last_rejected_at_ms = excluded.last_rejected_at_ms`,
    ),
    trimRejections: sqlite.prepare(
      'DELETE FROM rejected_messages WHERE id <= (SELECT max(id) FROM rejected_messages) - ?',
    ),
  };
}
