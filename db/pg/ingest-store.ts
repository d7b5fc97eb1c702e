/**
 * The ingester's hot path on PostgreSQL: every statement writes a whole batch, its rows passed as
 * arrays and spread by unnest (one round trip per table instead of one per row). Run inside one
 * transaction by the caller (server/ingest/pg-batch-commit.ts). Rows that other ingesters also
 * update (rollup buckets, reactor clocks) are written last and in key order: the locks are then held
 * only until the commit, and two ingesters take them in the same order (no deadlock).
 */
import type pg from 'pg';
import type { RollupDelta } from '../ingest-statements';

export interface PgReadingRow {
  reactorId: string;
  signal: string;
  tsMs: number;
  value: number;
  receivedAtMs: number;
}

export interface PgRejectionRow {
  receivedAtMs: number;
  topic: string;
  payloadExcerpt: string;
  payloadBytes: number;
  reason: string;
  detail: string;
}

/** One reactor's part of a batch: the oldest reading in it, and its newest online one (or null). */
export interface PgArrivalRow {
  reactorId: string;
  oldestTsMs: number;
  newestOnlineMs: number | null;
}

const column = <T, K extends keyof T>(rows: readonly T[], key: K): T[K][] => rows.map((r) => r[key]);

/** Makes sure the week partitions holding these times exist (a no-op for known ones, via the cache). */
export async function ensureReadingPartitions(
  pool: pg.Pool,
  tsMs: Iterable<number>,
  known: Set<number>,
): Promise<void> {
  const weeks = new Set<number>();
  for (const t of tsMs) {
    const week = Math.floor(t / readingPartitionWidthMs);
    if (!known.has(week)) weeks.add(week);
  }
  for (const week of weeks) {
    await pool.query('SELECT readings_partition_for($1)', [week * readingPartitionWidthMs]);
    known.add(week);
  }
}

/** The width of a `readings` partition (migration 0001's `readings_partition_for`). */
export const readingPartitionWidthMs = 7 * 24 * 3_600_000;

export async function registerReactors(client: pg.ClientBase, ids: string[], nowMs: number): Promise<void> {
  if (ids.length === 0) return;
  await client.query(
    `INSERT INTO reactors (id, first_seen_at_ms) SELECT id, $2 FROM unnest($1::text[]) AS u(id)
     ORDER BY id ON CONFLICT DO NOTHING`,
    [ids, nowMs],
  );
}

/** Inserts the readings whose key is new; returns the keys inserted (a duplicate's first value stays). */
export async function insertReadingsIfNew(
  client: pg.ClientBase,
  rows: readonly PgReadingRow[],
): Promise<{ reactorId: string; signal: string; tsMs: number }[]> {
  if (rows.length === 0) return [];
  // DISTINCT ON: a key twice in one batch would otherwise be an error ("cannot affect row a second time").
  const result = await client.query<{ reactorId: string; signal: string; tsMs: number }>(
    `INSERT INTO readings (reactor_id, signal, ts_ms, value, received_at_ms)
     SELECT DISTINCT ON (r, s, t) r, s, t, v, a
     FROM unnest($1::text[], $2::text[], $3::bigint[], $4::float8[], $5::bigint[]) WITH ORDINALITY AS u(r, s, t, v, a, n)
     ORDER BY r, s, t, n
     ON CONFLICT DO NOTHING
     RETURNING reactor_id AS "reactorId", signal, ts_ms AS "tsMs"`,
    [
      column(rows, 'reactorId'),
      column(rows, 'signal'),
      column(rows, 'tsMs'),
      column(rows, 'value'),
      column(rows, 'receivedAtMs'),
    ],
  );
  return result.rows;
}

export async function addToRollups(client: pg.ClientBase, rows: readonly RollupDelta[]): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO reading_rollups AS o
       (reactor_id, signal, bucket_width_ms, bucket_start_ms, count, value_sum, value_min, value_max)
     SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::float8[],
       $7::float8[], $8::float8[]) ORDER BY 1, 2, 3, 4
     ON CONFLICT (reactor_id, signal, bucket_width_ms, bucket_start_ms) DO UPDATE SET
       count = o.count + excluded.count,
       value_sum = o.value_sum + excluded.value_sum,
       value_min = least(o.value_min, excluded.value_min),
       value_max = greatest(o.value_max, excluded.value_max)`,
    [
      column(rows, 'reactorId'),
      column(rows, 'signal'),
      column(rows, 'bucketWidthMs'),
      column(rows, 'bucketStartMs'),
      column(rows, 'count'),
      column(rows, 'valueSum'),
      column(rows, 'valueMin'),
      column(rows, 'valueMax'),
    ],
  );
}

/** Raises each reactor's arrival count (in key order) and logs the batch's oldest reading under the new count. */
export async function recordArrivals(client: pg.ClientBase, rows: readonly PgArrivalRow[]): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `WITH counted AS (
       INSERT INTO reactor_clocks AS c (reactor_id, arrivals, newest_online_ms)
       SELECT r, 1, n FROM unnest($1::text[], $3::bigint[]) AS u(r, n) ORDER BY r
       ON CONFLICT (reactor_id) DO UPDATE SET
         arrivals = c.arrivals + 1,
         newest_online_ms = greatest(c.newest_online_ms, excluded.newest_online_ms)
       RETURNING reactor_id, arrivals)
     INSERT INTO reading_arrivals (reactor_id, arrival, oldest_ts_ms)
     SELECT counted.reactor_id, counted.arrivals, u.o
     FROM counted JOIN unnest($1::text[], $2::bigint[]) AS u(r, o) ON u.r = counted.reactor_id`,
    [column(rows, 'reactorId'), column(rows, 'oldestTsMs'), column(rows, 'newestOnlineMs')],
  );
}

/** Stores the rejections, counts them by reason, and keeps only the newest `keep` examples. */
export async function recordRejections(
  client: pg.ClientBase,
  rows: readonly PgRejectionRow[],
  nowMs: number,
  keep: number,
): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO rejected_messages (received_at_ms, topic, payload_excerpt, payload_bytes, reason, detail)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[])`,
    [
      column(rows, 'receivedAtMs'),
      column(rows, 'topic'),
      column(rows, 'payloadExcerpt'),
      column(rows, 'payloadBytes'),
      column(rows, 'reason'),
      column(rows, 'detail'),
    ],
  );
  await client.query(
    `INSERT INTO rejection_counts AS o (reason, count, last_rejected_at_ms)
     SELECT reason, count(*), $2 FROM unnest($1::text[]) AS u(reason) GROUP BY reason ORDER BY reason
     ON CONFLICT (reason) DO UPDATE SET count = o.count + excluded.count, last_rejected_at_ms = excluded.last_rejected_at_ms`,
    [column(rows, 'reason'), nowMs],
  );
  await client.query(
    'DELETE FROM rejected_messages WHERE id <= (SELECT max(id) FROM rejected_messages) - $1',
    [keep],
  );
}

/**
 * The oldest of the reactors' newest online readings (epoch ms), or null when a reactor has none
 * yet: retention counts back from it, so that no reactor loses what its own count would keep.
 */
export async function oldestNewestOnlineMs(pool: pg.Pool): Promise<number | null> {
  const row = (
    await pool.query<{ oldest: number | null; unknown: number }>(
      `SELECT min(newest_online_ms) AS oldest, count(*) FILTER (WHERE newest_online_ms IS NULL)::int AS unknown
       FROM reactor_clocks`,
    )
  ).rows[0];
  return row.unknown > 0 ? null : row.oldest;
}

/** The week partitions of `readings` that end at or before `cutoffMs`, dropped; returns their names. */
export async function dropReadingPartitionsBefore(pool: pg.Pool, cutoffMs: number): Promise<string[]> {
  const parts = await pool.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'readings'::regclass`,
  );
  const dropped: string[] = [];
  for (const { name } of parts.rows) {
    const startMs = Number(/^readings_(\d+)$/.exec(name)?.[1]);
    if (!Number.isFinite(startMs) || startMs + readingPartitionWidthMs > cutoffMs) continue;
    await pool.query(`DROP TABLE IF EXISTS "${name}"`);
    dropped.push(name);
  }
  return dropped;
}

/** (bucketWidthMs, cutoffMs) → rollup buckets of that width starting before the cutoff, deleted; their count. */
export async function deleteRollupsBefore(
  pool: pg.Pool,
  bucketWidthMs: number,
  cutoffMs: number,
): Promise<number> {
  const result = await pool.query(
    'DELETE FROM reading_rollups WHERE bucket_width_ms = $1 AND bucket_start_ms < $2',
    [bucketWidthMs, cutoffMs],
  );
  return result.rowCount ?? 0;
}
