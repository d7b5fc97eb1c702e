import { and, asc, eq, gte, lt, sql } from 'drizzle-orm';
import type { CulturewatchDb } from '../open-database';
import { readingRollups } from '../schema';
import type { SeriesRange } from './readings';

export interface RollupPoint {
  bucketStartMs: number;
  count: number;
  mean: number;
  min: number;
  max: number;
}

/** Mean, min, max and count per bucket of one signal, for buckets starting in the range, oldest first. */
export function rollupsInRange(
  db: CulturewatchDb,
  range: SeriesRange & { bucketWidthMs: number },
): RollupPoint[] {
  return db
    .select({
      bucketStartMs: readingRollups.bucketStartMs,
      count: readingRollups.count,
      mean: sql<number>`${readingRollups.valueSum} / ${readingRollups.count}`,
      min: readingRollups.valueMin,
      max: readingRollups.valueMax,
    })
    .from(readingRollups)
    .where(
      and(
        eq(readingRollups.reactorId, range.reactorId),
        eq(readingRollups.signal, range.signal),
        eq(readingRollups.bucketWidthMs, range.bucketWidthMs),
        gte(readingRollups.bucketStartMs, range.fromMs),
        lt(readingRollups.bucketStartMs, range.toMs),
      ),
    )
    .orderBy(asc(readingRollups.bucketStartMs))
    .all();
}
