import type { ParameterRamp } from './parameter-schedule';
import type { SensorFault } from './sensor-faults';

/** The plant's truth at one reading time. `params` hold on [timeH, timeH + one reading interval). */
export interface PlantTruthRow {
  timeH: number;
  dilutionPerHour: number;
  /** Model state order (S, X, Y, A, B). */
  states: Float64Array;
  /** Model parameter order, all 14. */
  params: Float64Array;
  satelliteFraction: number;
}

/** Something that happened to the plant or its sensors, for the truth file. */
export type PlantEvent =
  | ({ kind: 'parameter-ramp' } & ParameterRamp)
  | { kind: 'sensor-fault'; fault: SensorFault['kind']; startH: number; endH: number }
  | { kind: 'nominal-dilution'; atH: number; perHour: number }
  | { kind: 'dilution-program'; startH: number; endH: number };

export interface AssayArrival {
  timeH: number;
  signal: string;
  availableAtH: number;
}

/** A whole history's truth, column by column (index i belongs to timeH[i]). */
export interface PlantTruth {
  model: string;
  scenario: string;
  seed: number;
  days: number;
  readingIntervalH: number;
  stateNames: readonly string[];
  parameterNames: readonly string[];
  timeH: number[];
  dilutionPerHour: number[];
  states: Record<string, number[]>;
  params: Record<string, number[]>;
  satelliteFraction: number[];
  events: PlantEvent[];
  assayArrivals: AssayArrival[];
}

/** Collects truth rows into columns. */
export class TruthRecorder {
  readonly timeH: number[] = [];
  readonly dilutionPerHour: number[] = [];
  readonly states: Record<string, number[]>;
  readonly params: Record<string, number[]>;
  readonly satelliteFraction: number[] = [];

  constructor(
    readonly stateNames: readonly string[],
    readonly parameterNames: readonly string[],
  ) {
    this.states = Object.fromEntries(stateNames.map((s) => [s, []]));
    this.params = Object.fromEntries(parameterNames.map((p) => [p, []]));
  }

  record(row: PlantTruthRow): void {
    this.timeH.push(row.timeH);
    this.dilutionPerHour.push(row.dilutionPerHour);
    for (const [i, s] of this.stateNames.entries()) this.states[s].push(row.states[i]);
    for (const [i, p] of this.parameterNames.entries()) this.params[p].push(row.params[i]);
    this.satelliteFraction.push(row.satelliteFraction);
  }
}
