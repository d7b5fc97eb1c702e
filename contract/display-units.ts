/**
 * The unit each quantity is shown and typed in, once for the whole product: the dashboard's cards,
 * charts, tooltips and rule editor format and parse through here. The API keeps model units
 * (fractions 0–1, concentrations in the plant's unit, rates per hour); `scale` turns one into the other.
 */
import { type PlantSignal, plantSignals } from './api';
import { storedSignalUnits } from './plant-protocols';

export interface DisplayUnit {
  /** Written after a number: `%`, `1/h`; empty for a pure number. */
  symbol: string;
  /** The unit in words (legends, screen readers, the equations' table). */
  words: string;
  /** shown = stored × scale. */
  scale: number;
  /** Fixed decimals when shown, for quantities read against each other (percentages); else significant figures. */
  decimals?: number;
}

/**
 * The model's concentrations (S, X, Y, A, B, the feed S0 and the affinity constants) are in the
 * plant's own unit: the model does not fix one, the sensors are calibrated in it.
 */
export const concentration: DisplayUnit = {
  symbol: 'conc. units',
  words: 'concentration units (the plant’s calibration)',
  scale: 1,
};

/** OD is optical density calibrated to the biomass concentration X + Y (the spec's measurement map). */
export const opticalDensity: DisplayUnit = {
  symbol: 'biomass conc.',
  words: 'optical density calibrated to the biomass concentration X + Y, in concentration units',
  scale: 1,
};

/** The satellite fraction Y/(X+Y): stored 0–1, shown and typed in percent, as on the card. */
export const satelliteFraction: DisplayUnit = {
  symbol: '%',
  words: 'percent of the biomass',
  scale: 100,
  decimals: 2,
};

export const perHour: DisplayUnit = { symbol: '1/h', words: 'per hour', scale: 1 };

export const dimensionless: DisplayUnit = { symbol: '', words: 'dimensionless', scale: 1 };

/** Standardized residuals: (model − reading) in units of the reading's σ. */
export const standardDeviations: DisplayUnit = { symbol: 'σ', words: 'standard deviations', scale: 1 };

export const plantHours: DisplayUnit = { symbol: 'h', words: 'plant hours', scale: 1 };

export const milliseconds: DisplayUnit = { symbol: 'ms', words: 'milliseconds', scale: 1 };

/** Each signal in the unit it is stored in (contract/plant-protocols.ts); OD named as what it measures. */
export const signalUnits = Object.fromEntries(
  plantSignals.map((s) => [s, s === 'od' ? opticalDensity : modelUnit(storedSignalUnits[s])]),
) as Record<PlantSignal, DisplayUnit>;

/** The model definition's unit names (`conc`, `1/h`, `1`) as display units. */
export function modelUnit(unit: string): DisplayUnit {
  if (unit === 'conc') return concentration;
  if (unit === '1/h') return perHour;
  if (unit === '1') return dimensionless;
  return { symbol: unit, words: unit, scale: 1 };
}

/** Twelve significant digits: 0.017 × 100 is 1.7, not 1.7000000000000002. */
const clean = (x: number) => Number(x.toPrecision(12));

/** A stored value (API, model units) as shown on screen. */
export function shownValue(unit: DisplayUnit, stored: number): number {
  return clean(stored * unit.scale);
}

/** A stored value written in its display unit to three significant figures: `2.31 %`, `90.1 biomass conc.`. */
export function formatInUnit(unit: DisplayUnit, stored: number): string {
  const shown = shownValue(unit, stored);
  const text = shown === 0 || !Number.isFinite(shown) ? String(shown) : String(Number(shown.toPrecision(3)));
  return unit.symbol ? `${text} ${unit.symbol}` : text;
}

/** A value typed on screen as the API stores it. */
export function storedValue(unit: DisplayUnit, shown: number): number {
  return clean(shown / unit.scale);
}
