import type { CompiledModel } from '../model/compile';
import { EstimatorChain, type FittedWindow, sameInstantH } from './estimator-chain';
import { plantDataFrom, type Reading } from './plant-data';
import type { EstimatorSettings } from './types';

export interface ArrivedReading extends Reading {
  /** Plant hour at which the reading became available (assays arrive late). */
  arrivedH: number;
}

/** A chain for a replay: cold from the first reading, no trajectories or window files. */
export function replayChain(
  model: CompiledModel,
  settings: EstimatorSettings,
  initialParams: Float64Array,
): EstimatorChain {
  return new EstimatorChain(model, {
    settings,
    initialParams,
    catchUpHours: Number.POSITIVE_INFINITY,
    trajectories: null,
    windowFiles: false,
  });
}

/**
 * Runs an estimator chain over a recorded history as the live assimilator would have: every step of
 * plant time it sees only what had arrived, and late data rewinds the windows they fall in. Readings
 * must be in arrival order. Yields each fit with the plant hour it was made at.
 */
export function* replayHistory(
  chain: EstimatorChain,
  readings: readonly ArrivedReading[],
  /** Times each fit (ms, the caller's clock). */
  clock?: () => number,
): Generator<FittedWindow & { atH: number }> {
  if (readings.length === 0) return;
  const { windowHours, stepHours } = chain.settings;
  let first = Number.POSITIVE_INFINITY;
  for (const r of readings) first = Math.min(first, r.timeH);
  const last = readings[readings.length - 1].arrivedH;
  let arrived = 0;
  for (let now = first + windowHours; now <= last + 1e-9; now += stepHours) {
    while (arrived < readings.length && readings[arrived].arrivedH <= now)
      chain.noteReadings(readings[arrived++].timeH, true);
    // Every reading stamped up to `now` is in: the clock stands just past it.
    chain.noteClock(now + 2 * sameInstantH);
    // Only the readings a window can use: its span, with room for the input sample before it (a
    // long-horizon refit keeps its own). A rewind for late data reaches back to the oldest window held.
    const horizon = Math.min(now - windowHours, chain.heldFromH ?? now - windowHours) - 2 * stepHours - 1;
    const recent: Reading[] = [];
    for (let i = 0; i < arrived; i++) if (readings[i].timeH >= horizon) recent.push(readings[i]);
    const data = plantDataFrom(recent);
    for (let fit = chain.fitNext(() => data, clock); fit; fit = chain.fitNext(() => data, clock))
      yield { ...fit, atH: now };
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
