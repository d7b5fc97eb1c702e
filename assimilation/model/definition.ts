/**
 * A culture model written once, as data. Everything numeric (right-hand side, Jacobians, second-order
 * contractions, measurement maps and their gradients) is generated from this by `compileModel`.
 */
export interface ParameterDefinition {
  name: string;
  description: string;
  /** Value used by the plant simulator. */
  plantValue: number;
  /** A deliberately poor starting guess, for convergence tests; defaults to plantValue. */
  farGuess?: number;
  /** Usually a known constant (fixed unless freed). */
  usuallyFixed?: boolean;
  unit: string;
}

export interface ModelDefinition {
  name: string;
  description: string;
  /** State names; all are concentrations and never negative. */
  states: readonly string[];
  parameters: readonly ParameterDefinition[];
  /** Measured inputs, linear between their samples. */
  inputs: readonly { name: string; description: string; unit: string; nominal: number }[];
  /** Named intermediate quantities, in order; each may use states, parameters, inputs and earlier ones. */
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
}

export interface CombinationDefinition {
  /** Short name, e.g. `gB/vB`. */
  name: string;
  exponents: Readonly<Record<string, number>>;
  /** What it means for the process, in a sentence. */
  meaning: string;
}
