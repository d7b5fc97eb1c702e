/**
 * Experiment design's vocabulary: the posterior it starts from, the operator's limits, the
 * candidate actions and what the advisor says of each. Plain data (numbers and arrays), so that a
 * posterior can be stored and an advice sent as JSON.
 */

/**
 * What a reactor's estimator believes at the end of its newest window: a Gaussian over
 * v = (log of each free parameter, log of each state at `atH`). Built from a window optimum by
 * `posteriorAtWindowEnd`.
 */
export interface DesignPosterior {
  model: string;
  /** Plant hour the belief is about (the window's end). */
  atH: number;
  /** Free parameters, in v order. */
  freeParams: string[];
  /** Every parameter at the posterior mean, model order, natural units. */
  params: number[];
  /** Mean of v. */
  mean: number[];
  /** Covariance of v, size × size, row-major. */
  covariance: number[];
  /** The dilution rate at `atH` (1/h): where a program starts. */
  dilutionPerHour: number;
}

/**
 * The fixed prior each parameter's belief reverts to as it ages, and the ageing rates: what the
 * estimator chain forgets per hour (prior.ts `BeliefAgeing`), so a prediction ages the same way.
 */
export interface DesignAgeing {
  /** Drift variance per hour of each unknown of v (free parameters, then states). */
  driftVariance: number[];
  /** The fixed prior of the free parameters (log median, variance of log); null: random walk. */
  revertTo: { mean: number[]; variance: number[] } | null;
  /**
   * The chain's long-horizon refit (estimator types `LongHorizonSettings`), which sets how long the
   * chain remembers: the fixed prior and the span's readings, older ones weighted down, then aged
   * by a fraction of the span's drift. Null: the chain has none (it only filters and ages).
   */
  refit: {
    spanH: number;
    minimumH: number;
    /** Readings this many hours older count e⁻¹ as much. */
    ageH: number;
    driftSpanFraction: number;
    /** Its prior: each free parameter's variance of log (the fixed prior's), the state's sd of log at the span's start. */
    parameterVariance: number[];
    stateSdLog: number;
  } | null;
}

/** What the operator allows a dilution program to do. */
export interface DilutionLimits {
  minPerHour: number;
  maxPerHour: number;
  /** Largest change of the dilution rate per hour (1/h per h). */
  maxChangePerHour: number;
  /** Longest a program may run, hours (it ends back at the dilution it started from). */
  maxDurationH: number;
}

/** An offline assay the lab can run: which state, how accurately, how soon the result comes. */
export interface AssayOption {
  signal: string;
  /** Standard deviation of one result, in the state's unit. */
  sigma: number;
  /** Hours from sampling to the result. */
  delayH: number;
}

export type ProgramShape = 'hold' | 'steps' | 'ramps' | 'pulses';

/**
 * A dilution program: set points every `gridH` hours from `startH` (piecewise linear between, as the
 * plant's dilution samples are read), then held at the last one.
 */
export interface DilutionProgram {
  shape: ProgramShape;
  /** Period of the repeated pattern, hours (0 for hold). */
  periodH: number;
  /** The pattern swings between these (before the rate limit). */
  lowPerHour: number;
  highPerHour: number;
  startH: number;
  gridH: number;
  /** Set points, 1/h, at startH + k·gridH. */
  perHour: number[];
  /** Hours until the program is back at its start value and ends. */
  durationH: number;
}

/** One target's band today and after the horizon (95 %, where the quantity lives: log, or logit for a fraction). */
export interface TargetBand {
  target: string;
  /** What the band is of, for a reader. */
  label: string;
  today: { value: number; lower95: number; upper95: number; sd: number };
  afterHorizon: { value: number; lower95: number; upper95: number; sd: number };
  /** Predicted variance after the horizon over today's (of the log, or the logit). */
  varianceRatio: number;
}

/** How far a candidate moves the plant from where it is, on the predicted course. */
export interface PredictedCost {
  odMaxDeviation: number;
  substrateMaxDeviation: number;
  /** Dilution's range and steepest change over the program (1/h, 1/h per h). */
  dilutionMinPerHour: number;
  dilutionMaxPerHour: number;
  dilutionMaxChangePerHour: number;
  withinLimits: boolean;
}

export type DesignAction =
  | { kind: 'hold'; program: DilutionProgram }
  | { kind: 'dilution-program'; program: DilutionProgram }
  | { kind: 'assay'; assay: AssayOption; sampleAtH: number; resultAtH: number; program: DilutionProgram };

export interface RankedAction {
  rank: number;
  /** One line for an operator. */
  summary: string;
  action: DesignAction;
  /** The criterion's value: lower is better (see `Advice.criterion`). */
  score: number;
  /** log det of the targets' covariance after over today's (D-optimality, reported beside). */
  logDetRatio: number;
  bands: TargetBand[];
  cost: PredictedCost;
}

export interface Advice {
  model: string;
  atH: number;
  horizonH: number;
  targets: string[];
  criterion: string;
  limits: DilutionLimits;
  /** Why no dilution program is proposed (the plant is outside the limits), else null. */
  programsRefused: string | null;
  /** Best first. The action "hold" (nothing done) is always listed, so every gain reads against it. */
  ranked: RankedAction[];
  /**
   * What limits every action, in words: how long the chain remembers, and each target that no
   * action narrows (its band after the horizon is set by what the chain forgets, not by the plant).
   */
  notes: string[];
}
