/** When each reactor's signals last arrived (wall clock), to tell a stale sensor. */
import { and, desc, eq } from 'drizzle-orm';
import type { CulturewatchDb } from '../open-database';
import { reactors, readings } from '../schema';

/**
 * For every reactor and each of the given signals, the arrival time of its newest reading (by
 * measurement time): one indexed look-up per pair, never a scan of the readings.
 */
export function newestArrivalPerSignal(
  db: CulturewatchDb,
  signals: readonly string[],
): { reactorId: string; signal: string; receivedAtMs: number }[] {
  const out: { reactorId: string; signal: string; receivedAtMs: number }[] = [];
  for (const { id } of db.select({ id: reactors.id }).from(reactors).all()) {
    for (const signal of signals) {
      const row = db
        .select({ receivedAtMs: readings.receivedAtMs })
        .from(readings)
        .where(and(eq(readings.reactorId, id), eq(readings.signal, signal)))
        .orderBy(desc(readings.tsMs))
        .limit(1)
        .get();
      if (row) out.push({ reactorId: id, signal, receivedAtMs: row.receivedAtMs });
    }
  }
  return out;
}
