/**
 * What the compare page can put side by side: a signal the reactors measure, or an estimate the fits
 * make (the community composition, a parameter), each with its display unit; and how to read it out
 * of the API's answers as points with their 95 % bands.
 */
import type { Composition, FitRecord, PlantSignal, ReadingSeries } from '../../contract/api';
import {
  concentration,
  type DisplayUnit,
  modelUnit,
  satelliteFraction,
  shownValue,
  signalUnits,
} from '../../contract/display-units';
import { model } from './model-info';

export type CompareQuantity =
  | { key: string; label: string; group: 'Readings'; unit: DisplayUnit; signal: PlantSignal }
  | { key: string; label: string; group: 'Estimates'; unit: DisplayUnit; part: keyof Composition }
  | { key: string; label: string; group: 'Parameters'; unit: DisplayUnit; parameter: string };

const readings: CompareQuantity[] = (
  [
    ['od', 'OD'],
    ['substrate', 'substrate S'],
    ['dilution', 'dilution rate D'],
  ] as const
).map(([signal, label]) => ({ key: signal, label, group: 'Readings', unit: signalUnits[signal], signal }));

const estimates: CompareQuantity[] = (
  [
    ['satellite_fraction', 'satellite fraction Y/(X+Y)', satelliteFraction],
    ['X', 'X, main organism', concentration],
    ['Y', 'Y, satellite', concentration],
    ['A', 'metabolite A', concentration],
    ['B', 'metabolite B', concentration],
  ] as const
).map(([part, label, unit]) => ({
  key: part === 'satellite_fraction' ? 'satellite-fraction' : part,
  label,
  group: 'Estimates',
  unit,
  part,
}));

const parameters: CompareQuantity[] = model.parameters.map((p) => ({
  key: `param-${p.name}`,
  label: `${p.name} — ${p.description}`,
  group: 'Parameters',
  unit: modelUnit(p.unit),
  parameter: p.name,
}));

export const compareQuantities: readonly CompareQuantity[] = [...readings, ...estimates, ...parameters];

export const defaultQuantity = 'satellite-fraction';

export interface ComparePoint {
  t: number;
  value: number;
  /** The 95 % band, where the quantity has one (estimates). */
  lower?: number;
  upper?: number;
}

/** Points of a signal's readings, in the display unit. */
export function readingPoints(quantity: CompareQuantity, series: ReadingSeries): ComparePoint[] {
  return series.tMs.map((t, i) => ({ t, value: shownValue(quantity.unit, series.value[i]) }));
}

/** Points of an estimate, one per successful fit at its window's end, with its 95 % band. */
export function estimatePoints(quantity: CompareQuantity, fits: readonly FitRecord[]): ComparePoint[] {
  const shown = (x: number) => shownValue(quantity.unit, x);
  // One fit per window: a refit after late data replaces the fit it redoes.
  const byWindow = new Map<number, FitRecord>();
  for (const fit of fits) {
    if (fit.status !== 'ok') continue;
    const kept = byWindow.get(fit.windowEndMs);
    if (!kept || kept.fittedAtMs <= fit.fittedAtMs) byWindow.set(fit.windowEndMs, fit);
  }
  const points: ComparePoint[] = [];
  for (const fit of [...byWindow.values()].sort((a, b) => a.windowEndMs - b.windowEndMs)) {
    if ('part' in quantity) {
      const c = fit.composition?.[quantity.part];
      if (!c || !Number.isFinite(c.value)) continue;
      points.push({
        t: fit.windowEndMs,
        value: shown(c.value),
        lower: shown(c.lower95),
        upper: shown(c.upper95),
      });
    } else if ('parameter' in quantity) {
      const p = fit.params?.[quantity.parameter];
      if (!p || !(p.value > 0)) continue;
      points.push({
        t: fit.windowEndMs,
        value: shown(p.value),
        lower: shown(p.lower95),
        upper: shown(p.upper95),
      });
    }
  }
  return points;
}
