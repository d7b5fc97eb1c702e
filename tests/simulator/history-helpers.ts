import type { PlantHistory } from '../../simulator/plant-history';
import type { PlantSample } from '../../simulator/plant-sample';

/** Samples of one signal, in time order. */
export function signalSamples(history: PlantHistory, signal: string): PlantSample[] {
  return history.samples.filter((s) => s.signal === signal).sort((a, b) => a.timeH - b.timeH);
}

/** The truth index of a reading time (one row per 15 minutes from t = 0). */
export function truthIndex(history: PlantHistory, timeH: number): number {
  return Math.round(timeH / history.truth.readingIntervalH);
}

export function meanOf(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

export function sdOf(values: readonly number[]): number {
  const m = meanOf(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1));
}

/** Mean satellite fraction over [fromH, toH). */
export function meanSatelliteFraction(history: PlantHistory, fromH: number, toH: number): number {
  const { timeH, satelliteFraction } = history.truth;
  return meanOf(satelliteFraction.filter((_, i) => timeH[i] >= fromH && timeH[i] < toH));
}
