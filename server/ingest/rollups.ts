/** Fixed-width buckets of readings (count, sum, min, max), added to batch by batch. */
import type { AcceptedReading } from './message-validator';

export const rollupWidthsMs = { oneMinute: 60_000, fifteenMinutes: 15 * 60_000 } as const;
const widths = Object.values(rollupWidthsMs);

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

/** Sums one batch's new readings per bucket, so that a batch costs one upsert per bucket, not per reading. */
export class RollupAccumulator {
  private readonly deltas = new Map<string, RollupDelta>();

  add(reading: AcceptedReading): void {
    for (const width of widths) {
      const bucketStartMs = reading.tsMs - (reading.tsMs % width);
      const key = `${reading.reactorId}\u0000${reading.signal}\u0000${width}\u0000${bucketStartMs}`;
      const delta = this.deltas.get(key);
      if (delta) {
        delta.count++;
        delta.valueSum += reading.value;
        if (reading.value < delta.valueMin) delta.valueMin = reading.value;
        if (reading.value > delta.valueMax) delta.valueMax = reading.value;
      } else {
        this.deltas.set(key, {
          reactorId: reading.reactorId,
          signal: reading.signal,
          bucketWidthMs: width,
          bucketStartMs,
          count: 1,
          valueSum: reading.value,
          valueMin: reading.value,
          valueMax: reading.value,
        });
      }
    }
  }

  values(): IterableIterator<RollupDelta> {
    return this.deltas.values();
  }
}
