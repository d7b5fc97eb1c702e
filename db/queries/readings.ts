import { and, asc, eq, gte, lt, sql } from 'drizzle-orm';
import type { CulturewatchDb } from '../open-database';
import { readings } from '../schema';

export interface SeriesRange {
  reactorId: string;
  signal: string;
  /** Inclusive. */
  fromMs: number;
  /** Exclusive. */
  toMs: number;
}

/** The raw readings of one signal in a time range, oldest first. */
export function readingsInRange(db: CulturewatchDb, range: SeriesRange): { tsMs: number; value: number }[] {
  return db
    .select({ tsMs: readings.tsMs, value: readings.value })
    .from(readings)
    .where(
      and(
        eq(readings.reactorId, range.reactorId),
        eq(readings.signal, range.signal),
        gte(readings.tsMs, range.fromMs),
        lt(readings.tsMs, range.toMs),
      ),
    )
    .orderBy(asc(readings.tsMs))
    .all();
}

/** The newest reading of each signal of a reactor. */
export function latestReadingPerSignal(
  db: CulturewatchDb,
  reactorId: string,
): { signal: string; tsMs: number; value: number }[] {
  // SQLite's bare-column rule: with max(), the other columns come from the row holding the max.
  return db
    .select({ signal: readings.signal, tsMs: sql<number>`max(${readings.tsMs})`, value: readings.value })
    .from(readings)
    .where(eq(readings.reactorId, reactorId))
    .groupBy(readings.signal)
    .orderBy(asc(readings.signal))
    .all();
}

/** How many raw readings a reactor has (all signals), e.g. for a health page or a test. */
export function readingCount(db: CulturewatchDb, reactorId: string): number {
  const row = db
    .select({ n: sql<number>`count(*)` })
    .from(readings)
    .where(eq(readings.reactorId, reactorId))
    .get();
  return row?.n ?? 0;
}
