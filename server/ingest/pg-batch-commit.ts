/**
 * The ingester's commit on PostgreSQL (a `BatchStore` for batched-writer.ts): the batch's week
 * partitions made if new, then in one transaction the new reactors, the readings (a duplicate key
 * is a no-op, so a redelivered message stores nothing twice), the rejections, the rollups of the
 * new readings and each reactor's arrival (tables.ts `reactor_clocks`), written last because other
 * ingesters update the same rows.
 */
import type pg from 'pg';
import { onlineSignals } from '../../contract/api';
import {
  addToRollups,
  ensureReadingPartitions,
  insertReadingsIfNew,
  type PgArrivalRow,
  recordArrivals,
  recordRejections,
  registerReactors,
} from '../../db/pg/ingest-store';
import type { BatchResult, BatchStore } from './batched-writer';
import type { AcceptedReading } from './message-validator';
import type { Rejection } from './rejection-reasons';
import { RollupAccumulator } from './rollups';

const online: ReadonlySet<string> = new Set(onlineSignals);
const keyOf = (r: { reactorId: string; signal: string; tsMs: number }) =>
  `${r.reactorId}\u0000${r.signal}\u0000${r.tsMs}`;
/** PostgreSQL text cannot hold U+0000; a rejected payload may. */
const storable = (text: string) => text.replaceAll('\u0000', '\ufffd');

export interface PgBatchStoreOptions {
  maxStoredRejections: number;
  now: () => number;
}

export function pgBatchStore(pool: pg.Pool, options: PgBatchStoreOptions): BatchStore {
  const knownWeeks = new Set<number>();
  return {
    async commit(readings, rejections, known): Promise<BatchResult> {
      try {
        return await commitOnce(readings, rejections, known);
      } catch (error) {
        // No partition for a reading: retention dropped its week since this process made it. Again.
        if ((error as { code?: string }).code !== '23514') throw error;
        knownWeeks.clear();
        return commitOnce(readings, rejections, known);
      }
    },
  };

  async function commitOnce(
    readings: AcceptedReading[],
    rejections: Rejection[],
    known: ReadonlySet<string>,
  ): Promise<BatchResult> {
    await ensureReadingPartitions(
      pool,
      readings.map((r) => r.tsMs),
      knownWeeks,
    );
    const nowMs = options.now();
    const registered = new Set<string>();
    for (const r of readings) if (!known.has(r.reactorId)) registered.add(r.reactorId);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await registerReactors(client, [...registered], nowMs);
      const inserted = new Set((await insertReadingsIfNew(client, readings)).map(keyOf));
      const stored: AcceptedReading[] = [];
      const rollups = new RollupAccumulator();
      for (const r of readings) {
        const key = keyOf(r);
        if (!inserted.delete(key)) continue; // a duplicate, or the key's second reading in this batch
        stored.push(r);
        rollups.add(r);
      }
      await recordRejections(
        client,
        rejections.map((j) => ({
          ...j,
          topic: storable(j.topic),
          payloadExcerpt: storable(j.payloadExcerpt),
          detail: storable(j.detail),
        })),
        nowMs,
        options.maxStoredRejections,
      );
      await addToRollups(client, [...rollups.values()]);
      await recordArrivals(client, arrivalsOf(readings));
      await client.query('COMMIT');
      return { stored, highestRowid: 0, registered };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }
}

/** Per reactor of the batch (duplicates too: a redelivered late reading must still be looked at). */
function arrivalsOf(readings: readonly AcceptedReading[]): PgArrivalRow[] {
  const by = new Map<string, PgArrivalRow>();
  for (const r of readings) {
    let row = by.get(r.reactorId);
    if (!row) {
      row = { reactorId: r.reactorId, oldestTsMs: r.tsMs, newestOnlineMs: null };
      by.set(r.reactorId, row);
    }
    if (r.tsMs < row.oldestTsMs) row.oldestTsMs = r.tsMs;
    if (online.has(r.signal) && (row.newestOnlineMs === null || r.tsMs > row.newestOnlineMs))
      row.newestOnlineMs = r.tsMs;
  }
  return [...by.values()];
}
