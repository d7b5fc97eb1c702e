/** Fixed-width buckets of readings (count, sum, min, max), added to batch by batch. */
import type { RollupDelta } from '../../db/ingest-statements';
import type { AcceptedReading } from './message-validator';

export const rollupWidthsMs = { oneMinute: 60_000, fifteenMinutes: 15 * 60_000 } as const;
const widths = Object.values(rollupWidthsMs);

/** Sums one batch's new readings per bucket, so that a batch costs one upsert per bucket, not per reading. */
export class RollupAccumulator {
  private readonly deltas = new Map<string, RollupDelta>();
  /** The bucket each width last added to: consecutive readings mostly share it, sparing the map lookup. */
  private readonly recent: (RollupDelta | undefined)[] = widths.map(() => undefined);

  add(reading: AcceptedReading): void {
    const { reactorId, signal, tsMs, value } = reading;
    for (let w = 0; w < widths.length; w++) {
      const bucketWidthMs = widths[w];
      const bucketStartMs = tsMs - (tsMs % bucketWidthMs);
      let delta = this.recent[w];
      if (
        delta === undefined ||
        delta.bucketStartMs !== bucketStartMs ||
        delta.signal !== signal ||
        delta.reactorId !== reactorId
      ) {
        const key = `${reactorId}\u0000${signal}\u0000${bucketWidthMs}\u0000${bucketStartMs}`;
        delta = this.deltas.get(key);
        if (delta === undefined) {
          delta = {
            reactorId,
            signal,
            bucketWidthMs,
            bucketStartMs,
            count: 0,
            valueSum: 0,
            valueMin: Number.POSITIVE_INFINITY,
            valueMax: Number.NEGATIVE_INFINITY,
          };
          this.deltas.set(key, delta);
        }
        this.recent[w] = delta;
      }
      delta.count++;
      delta.valueSum += value;
      if (value < delta.valueMin) delta.valueMin = value;
      if (value > delta.valueMax) delta.valueMax = value;
    }
  }

  values(): IterableIterator<RollupDelta> {
    return this.deltas.values();
  }
}
