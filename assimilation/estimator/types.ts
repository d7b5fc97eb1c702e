/**
 * The estimator's shared types: settings, beliefs and results. One place, so that the modules that
 * produce and consume them (fit, prior, chain, report) need not import each other for a type.
 */
import type { ResidualLoss } from '../gradient/residual-loss';
import type { WindowProblem } from '../problem/window-problem';
import type { SolverOptions } from '../solvers/types';

/** A Gaussian belief about the unknowns u (log free parameters, then log states at the window start). */
export interface GaussianPrior {
  mean: Float64Array;
  /** size × size, row-major. */
  covariance: Float64Array;
}

/** How quickly beliefs age between windows: random-walk rates in log units per √hour. */
export interface DriftSettings {
  /** Every free parameter's rate, unless `byParameter` names it. */
  parameterSdLogPerSqrtHour: number;
  /** Rates of single parameters by name. */
  byParameter?: Readonly<Record<string, number>>;
  stateSdLogPerSqrtHour: number;
  /**
   * Parameters age towards the cold-start prior (an Ornstein–Uhlenbeck process whose stationary law
   * is that prior) instead of random-walking away from it: see prior.ts `BeliefAgeing`.
   */
  revertToPrior: boolean;
}

/** Measurement noise (σ) by signal; signals without one are not fitted. */
export type ObservationNoise = Readonly<Record<string, number>>;

export interface FitSettings {
  loss: ResidualLoss;
  solver: SolverOptions;
  maxIterations: number;
  /** Stop when the Newton decrement ½ gᵀH⁻¹g (scale-free) falls below this. */
  decrementTolerance: number;
}

/** Why a window fit could not finish. A fit never returns a NaN instead. */
export type FitFailure =
  | { reason: 'solver-failure'; detail: string; iterations: number }
  | { reason: 'iteration-limit'; detail: string; iterations: number }
  | { reason: 'non-finite'; detail: string; iterations: number };

/** The MAP point and what the data and prior say about it, in log space. */
export interface WindowOptimum {
  ok: true;
  /** Optimal unknowns u (log free parameters, then log x0). */
  u: Float64Array;
  /** Posterior covariance of u: (JᵀWJ + P⁻¹)⁻¹ at the optimum. */
  covariance: Float64Array;
  /** The data's information JᵀWJ alone (no prior), for identifiability. */
  dataInformation: Float64Array;
  /** Log-space residual Jacobian rows (nObs × size) and IRLS weights, for the next window's arrival cost. */
  jacobian: Float64Array;
  weights: Float64Array;
  residuals: Float64Array;
  /** Σρ(r): the data part of the objective. */
  loss: number;
  /** Data loss plus the prior's ½(u−m)ᵀP⁻¹(u−m). */
  objective: number;
  iterations: number;
  lossEvaluations: number;
  sensitivityEvaluations: number;
  /** Problem with the optimum applied (params and x0 natural). */
  problem: WindowProblem;
  /** State and its log-space sensitivity (n × size) at the window end. */
  finalState: Float64Array;
  finalSensitivity: Float64Array;
}

/**
 * The chain carries what it learnt as a Gaussian, relinearized every hour. Where the parameters lie
 * on a curved ridge (from od and substrate alone, how the satellite's growth splits between A and B),
 * information gathered at points along the ridge adds up in directions the data never determined:
 * the chain grows sure of a wrong point and its bands stop covering the truth. A refit over a longer
 * span linearizes all of that span's readings at one point, under a prior that only regularizes
 * (broad, centred on the current estimate, so the cold start's guess no longer pulls); the chain
 * goes on from its posterior. What is older than the span is forgotten.
 */
export interface LongHorizonSettings {
  /** Refit when the next window's start is a multiple of this many plant hours. */
  everyHours: number;
  /** Hours of readings before the next window's start that the refit covers. */
  horizonHours: number;
  /** No refit with fewer hours of readings than this before the next window's start. */
  minimumHours: number;
  maxIterations: number;
  /**
   * Readings this many hours older count e⁻¹ as much (their σ grows by e^(age/2τ)), so that a
   * parameter that moved within the span is fitted closer to where it is now.
   */
  ageHours: number;
  /**
   * The parameters were held constant over the span while the plant's may drift: the refit's
   * posterior ages by this fraction of the span's drift (a third: a random walk's end value against
   * its average over the span).
   */
  driftSpanFraction: number;
  /**
   * The window after a refit is fitted again from the chain's own prior when it moved further than
   * this from the refit's (½(u−m)ᵀP⁻¹(u−m) at its optimum). At 0.3, about 3 refits in 10 are overruled in
   * the steady bench histories and 4 in 10 in the satellite-shift ones; a refit lags a changing plant.
   */
  overrulePriorTerm: number;
  /** With a fixed prior: this many more starting points drawn from it (the refit keeps the best optimum). */
  extraStarts: number;
}

export interface EstimateReportSettings {
  /** A parameter or combination counts as determined when the window's own data give it an sd of log at most this. */
  determinedSdLog: number;
}

export interface EstimatorSettings extends EstimateReportSettings {
  freeParams: readonly string[];
  windowHours: number;
  stepHours: number;
  noise: ObservationNoise;
  loss: ResidualLoss;
  solver: SolverOptions;
  maxIterations: number;
  /** A cold start, far from the answer, may crawl along sloppy valleys for longer. */
  coldMaxIterations: number;
  decrementTolerance: number;
  /**
   * The parameters' prior width (sd of log) where the model file gives none, around the chain's
   * initial values; with `drift.revertToPrior` this prior stands for good where the data say nothing.
   */
  coldParameterSdLog: number;
  coldStateSdLog: number;
  drift: DriftSettings;
  /**
   * Every so often the parameters are fitted again over a longer span (one linearization over all of
   * it) and the chain goes on from that fit. Null: never.
   */
  longHorizon: LongHorizonSettings | null;
}

export interface ParameterEstimate {
  name: string;
  value: number;
  /** Posterior standard deviation of log(value): 0.05 means about ±5 %. */
  sdLog: number;
  lower95: number;
  upper95: number;
  /** sd of log(value) from this window's data alone, with every other unknown free. */
  sdLogData: number;
  /** The prior's own sd of log: where sdLog stays near it, the data have said nothing. */
  priorSdLog: number;
  /**
   * The data pin it to ±determinedSdLog (sd of log), far inside its prior: only then is the value
   * worth reading alone; otherwise the band is what the prior and the data allow together.
   */
  determined: boolean;
}

/** A product of powers of parameters whose log the data determine well. */
/** A product of powers of parameters the model names (its `combinations`), with its band. */
export interface ParameterCombination {
  name: string;
  meaning: string;
  exponents: Record<string, number>;
  /** The product written out, `gB · vB^-1`. */
  label: string;
  value: number;
  /** Posterior sd of the combination's log. */
  sdLog: number;
  lower95: number;
  upper95: number;
  /** sd from this window's data alone. */
  sdLogData: number;
  /** The data pin it to ±determinedSdLog (in sd of log), far inside what the prior alone allows. */
  determined: boolean;
}

export interface ValueWithSd {
  value: number;
  sd: number;
}

/**
 * An estimate with its 95 % band. `sd` is the linearized standard deviation in natural units; the
 * band is drawn where the quantity lives: a concentration's in log space (never negative, and as
 * wide as a factor where it is only known to a factor), a fraction's in logit space (inside 0–1).
 */
export interface BandedEstimate extends ValueWithSd {
  lower95: number;
  upper95: number;
}

/**
 * The community at a window's end: X the main organism, Y the satellites together, their fraction
 * Y/(X + Y), and every metabolite by name (A, B, …); with several satellites, each one by name too.
 */
export interface Composition {
  X: BandedEstimate;
  Y: BandedEstimate;
  satellite_fraction: BandedEstimate;
  readonly [quantity: string]: BandedEstimate;
}

export interface WindowEstimate {
  params: ParameterEstimate[];
  fixed: { name: string; value: number }[];
  combinations: ParameterCombination[];
  /** None for a model without a main organism and satellites. */
  composition?: Composition;
  /** States at the window end, model order. */
  finalState: number[];
}

/** One window's fit in the chain: the optimum and what it says, or why there is none. */
export type WindowFitOutcome =
  | {
      status: 'ok';
      windowStartH: number;
      windowEndH: number;
      fit: WindowOptimum;
      estimate: WindowEstimate;
      iterations: number;
      /** Set when the chain goes on from a refit over [fromH, toH) after this window. */
      longHorizonRefit?: { fromH: number; toH: number; iterations: number; lossPerReading: number };
      /** This window was fitted from the chain's own prior, not from the refit before it. */
      refitOverruled?: boolean;
    }
  | {
      status: 'failed';
      windowStartH: number;
      windowEndH: number;
      reason: string;
      detail: string;
      iterations: number;
    };
