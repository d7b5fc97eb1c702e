import type { CommunitySpec } from './community';

/**
 * A culture model written once, as data (read from a model file by `parseModelFile`). Everything
 * numeric (right-hand side, Jacobians, second-order contractions, measurement maps and their
 * gradients) is generated from this by `compileModel`.
 *
 * Units are written over `conc` (concentration), `h` (hours) and `1` (dimensionless): see units.ts.
 */
export interface ParameterDefinition {
  name: string;
  description: string;
  /** The default value; the plant simulator's true value. Positive: fits work in log space. */
  plantValue: number;
  /** A deliberately poor starting guess, for convergence tests; defaults to plantValue. */
  farGuess?: number;
  /** Usually a known constant (fixed unless freed). */
  usuallyFixed?: boolean;
  unit: string;
  /** Where a fit may move it, natural units. */
  bounds?: { lower: number; upper: number };
  /** A log-normal prior: log p ~ N(log median, sdLog²). */
  prior?: { median: number; sdLog: number };
}

export interface StateDefinition {
  description: string;
  /** Defaults to `conc`: states are concentrations, never negative. */
  unit: string;
}

export interface InputDefinition {
  name: string;
  description: string;
  unit: string;
  nominal: number;
}

export interface ModelDefinition {
  name: string;
  description: string;
  /** State names, in order; never negative. */
  states: readonly string[];
  /** Each state's meaning and unit; a state left out is a concentration. */
  stateInfo?: Readonly<Record<string, StateDefinition>>;
  parameters: readonly ParameterDefinition[];
  /** Measured inputs, linear between their samples. */
  inputs: readonly InputDefinition[];
  /**
   * Named intermediate quantities, in order; each may use states, parameters, inputs, the time `t`
   * and earlier ones.
   */
  intermediates: readonly (readonly [name: string, formula: string])[];
  /** d(state)/dt for every state, in hours. */
  rates: Readonly<Record<string, string>>;
  /** What each observable signal measures, as a formula over states (and parameters). */
  signals: Readonly<Record<string, string>>;
  /**
   * Products of powers of parameters that mean something to a process engineer, reported with
   * their bands whether or not the data determine them (single parameters often are not; some of
   * these are).
   */
  combinations?: readonly CombinationDefinition[];
  /** For a model generated from a community's links (community.ts): the links, kept and off. */
  community?: CommunitySpec;
}

export interface CombinationDefinition {
  /** Short name, e.g. `gB/vB`. */
  name: string;
  exponents: Readonly<Record<string, number>>;
  /** What it means for the process, in a sentence. */
  meaning: string;
}

/** The model's clock, in hours: a name every formula but a signal's may read. */
export const timeName = 't';

export function stateUnit(def: ModelDefinition, state: string): string {
  return def.stateInfo?.[state]?.unit ?? 'conc';
}
