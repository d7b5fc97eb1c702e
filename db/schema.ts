/**
 * The plant data as stored. Times are integer epoch milliseconds (`…_at_ms`, `ts_ms`); values are
 * finite float64 (the ingester never lets NaN or ±Infinity through, and `NOT NULL` catches a NaN,
 * which SQLite would otherwise store as NULL).
 */
import { sql } from 'drizzle-orm';
import { check, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** A reactor registers itself with its first reading. */
export const reactors = sqliteTable('reactors', {
  id: text('id').primaryKey(),
  firstSeenAtMs: integer('first_seen_at_ms').notNull(),
});

/**
 * One raw reading. The key (reactor, signal, ts) makes a redelivered duplicate or an out-of-order
 * arrival harmless: the first value stored for a key wins.
 */
export const readings = sqliteTable(
  'readings',
  {
    reactorId: text('reactor_id')
      .notNull()
      .references(() => reactors.id),
    /** `od`, `substrate`, `dilution`, `feed`, or `assay/X|Y|A|B`. */
    signal: text('signal').notNull(),
    /** Measurement time (for a simulator, plant time on its virtual calendar). */
    tsMs: integer('ts_ms').notNull(),
    value: real('value').notNull(),
    /** Arrival time at the ingester: tells late data from on-time data. */
    receivedAtMs: integer('received_at_ms').notNull(),
  },
  (t) => [primaryKey({ columns: [t.reactorId, t.signal, t.tsMs] })],
);

/**
 * Mean (value_sum / count), min and max of a signal over fixed buckets, so that long ranges chart
 * cheaply. Sums rather than means are stored, so a late reading is added in without re-reading the bucket.
 */
export const readingRollups = sqliteTable(
  'reading_rollups',
  {
    reactorId: text('reactor_id')
      .notNull()
      .references(() => reactors.id),
    signal: text('signal').notNull(),
    bucketWidthMs: integer('bucket_width_ms').notNull(),
    bucketStartMs: integer('bucket_start_ms').notNull(),
    count: integer('count').notNull(),
    valueSum: real('value_sum').notNull(),
    valueMin: real('value_min').notNull(),
    valueMax: real('value_max').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.reactorId, t.signal, t.bucketWidthMs, t.bucketStartMs] }),
    check('reading_rollups_count_positive', sql`${t.count} > 0`),
  ],
);

/** The most recent rejected messages (the ingester trims it to a bound), for an operator to see why. */
export const rejectedMessages = sqliteTable('rejected_messages', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  receivedAtMs: integer('received_at_ms').notNull(),
  /** Truncated topic as received. */
  topic: text('topic').notNull(),
  /** The first bytes of the payload (or of the offending batch element), decoded as UTF-8. */
  payloadExcerpt: text('payload_excerpt').notNull(),
  payloadBytes: integer('payload_bytes').notNull(),
  reason: text('reason').notNull(),
  /** A short human explanation, e.g. "-0.3 is below 0 for od". */
  detail: text('detail').notNull(),
});

/** Every rejection ever, counted by reason (the stored examples above are bounded; these counts are not). */
export const rejectionCounts = sqliteTable('rejection_counts', {
  reason: text('reason').primaryKey(),
  count: integer('count').notNull(),
  lastRejectedAtMs: integer('last_rejected_at_ms').notNull(),
});
