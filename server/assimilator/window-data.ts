/**
 * Cuts one window's plant data out of the database: every observation inside [start, end], the
 * input samples inside plus one neighbour on each side (inputs are interpolated), and the latest value
 * of a measured constant (the feed) at or before the end. Plant hours are epoch ms / 3.6e6.
 */
import { type PlantData, plantDataFrom, type Reading } from '../../assimilation';
import { plantHoursFromMs } from '../../contract/time';
import type { AssimilationStatements } from '../../db/assimilation-statements';
import { constantSignals, estimatorNameOf, inputSignals, plantSignals } from './plant-signals';

const msPerHour = 3_600_000;

export function loadWindowData(
  statements: AssimilationStatements,
  reactorId: string,
  startH: number,
  endH: number,
): PlantData {
  // A millisecond of slack each side: the estimator cuts the window exactly, in hours.
  const fromMs = Math.floor(startH * msPerHour) - 1;
  const toMs = Math.ceil(endH * msPerHour) + 1;
  const readings: Reading[] = [];
  const add = (signal: string, row: { tsMs: number; value: number } | undefined) => {
    if (row) readings.push({ timeH: plantHoursFromMs(row.tsMs), signal, value: row.value });
  };
  for (const signal of plantSignals) {
    const name = estimatorNameOf[signal];
    for (const row of statements.readingsBetween.iterate(reactorId, signal, fromMs, toMs)) add(name, row);
    if (inputSignals.includes(signal) || constantSignals.includes(signal)) {
      add(name, statements.readingBefore.get(reactorId, signal, fromMs));
    }
    if (inputSignals.includes(signal)) add(name, statements.readingAfter.get(reactorId, signal, toMs));
  }
  return plantDataFrom(readings);
}

/** The newest reading of the online sensors, plant hours (−∞ when there is none). */
export function newestReadingH(
  statements: AssimilationStatements,
  reactorId: string,
  signals: readonly string[],
): number {
  let newest = Number.NEGATIVE_INFINITY;
  for (const signal of signals) {
    const ts = statements.newestReadingMs.get(reactorId, signal)?.tsMs;
    if (ts !== null && ts !== undefined) newest = Math.max(newest, plantHoursFromMs(ts));
  }
  return newest;
}

/** The oldest reading of the given signals, plant hours (+∞ when there is none). */
export function oldestReadingH(
  statements: AssimilationStatements,
  reactorId: string,
  signals: readonly string[],
): number {
  let oldest = Number.POSITIVE_INFINITY;
  for (const signal of signals) {
    const ts = statements.oldestReadingMs.get(reactorId, signal)?.tsMs;
    if (ts !== null && ts !== undefined) oldest = Math.min(oldest, plantHoursFromMs(ts));
  }
  return oldest;
}
