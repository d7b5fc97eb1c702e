import { type ScheduledFit, windowsDue } from './assimilation-schedule';
import { plantDataFrom, type Reading } from './plant-data';
import type { SlidingWindowEstimator } from './sliding-window-estimator';

export interface ArrivedReading extends Reading {
  /** Plant hour at which the reading became available (assays arrive late). */
  arrivedH: number;
}

/**
 * Runs the sliding-window estimator over a recorded history as the live assimilator would have:
 * every step of plant time it sees only what had arrived, and late data rewinds the windows they
 * fall in. Readings must be in arrival order. Yields each fit with the plant hour it was made at.
 */
export function* replayHistory(
  est: SlidingWindowEstimator,
  readings: readonly ArrivedReading[],
  initialParams: Float64Array,
): Generator<ScheduledFit & { atH: number }> {
  if (readings.length === 0) return;
  const { windowHours, stepHours } = est.settings;
  let first = Number.POSITIVE_INFINITY;
  for (const r of readings) first = Math.min(first, r.timeH);
  const last = readings[readings.length - 1].arrivedH;
  let arrived = 0;
  let fittedUntil = Number.NEGATIVE_INFINITY;
  for (let now = first + windowHours; now <= last + 1e-9; now += stepHours) {
    let earliestLate = Number.POSITIVE_INFINITY;
    while (arrived < readings.length && readings[arrived].arrivedH <= now) {
      const r = readings[arrived++];
      if (r.timeH < fittedUntil) earliestLate = Math.min(earliestLate, r.timeH);
    }
    // Only the readings a window can use: its span, with room for the input sample before it (a
    // long-horizon refit keeps its own). A rewind for late data reaches back to the oldest checkpoint.
    const oldestStart = est.checkpoints.length ? est.checkpoints[0].start : now - windowHours;
    const horizon = Math.min(now - windowHours, oldestStart) - 2 * stepHours - 1;
    const recent: Reading[] = [];
    for (let i = 0; i < arrived; i++) if (readings[i].timeH >= horizon) recent.push(readings[i]);
    for (const fit of windowsDue(est, plantDataFrom(recent), now, initialParams, earliestLate))
      yield { ...fit, atH: now };
    fittedUntil = now;
  }
}

/** Arrival times for readings listed in arrival order: each arrives at the latest plant time seen so far. */
export function arrivalsFromOrder(readings: readonly Reading[]): ArrivedReading[] {
  let clock = Number.NEGATIVE_INFINITY;
  return readings.map((r) => {
    clock = Math.max(clock, r.timeH);
    return { timeH: r.timeH, signal: r.signal, value: r.value, arrivedH: clock };
  });
}
