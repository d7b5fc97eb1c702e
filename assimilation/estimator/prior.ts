import type { CompiledModel } from '../model/compile';
import type { SolverOptions } from '../solvers/types';
import { type EngineWorkspace, residualSensitivities } from '../window-engine';
import { congruence, inverseSpd } from './dense-matrix';
import type { DriftSettings, GaussianPrior, WindowOptimum } from './types';
import { applyUnknowns, toLogSpaceColumns, toUnknowns, type UnknownLayout } from './unknowns';

/** The drift's variance per hour of each unknown (free parameters by name, then states). */
export function driftVariancePerHour(
  layout: UnknownLayout,
  parameterNames: readonly string[],
  drift: DriftSettings,
): Float64Array {
  const p = layout.freeParams.length;
  return Float64Array.from({ length: layout.size }, (_, i) => {
    if (i >= p) return drift.stateSdLogPerSqrtHour ** 2;
    const rate = drift.byParameter?.[parameterNames[layout.freeParams[i]]];
    return (rate ?? drift.parameterSdLogPerSqrtHour) ** 2;
  });
}

/**
 * Where the prior of every parameter is centred, model order: the model's `prior.median` where it
 * gives one, else its value. Callers may override single ones (a plant's own knowledge).
 */
export function priorMedians(
  model: CompiledModel,
  overrides: Readonly<Record<string, number>> = {},
): Float64Array {
  const values = Float64Array.from(model.definition.parameters, (q) => q.prior?.median ?? q.plantValue);
  for (const [name, value] of Object.entries(overrides)) {
    const i = model.parameterNames.indexOf(name);
    if (i < 0) throw new RangeError(`unknown parameter "${name}"`);
    if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`${name} must be a positive number`);
    values[i] = value;
  }
  return values;
}

/**
 * Each free parameter's prior width (sd of log), u order: the model's own (`prior.sdLog`) where it
 * gives one, else the settings' cold-start width.
 */
export function parameterPriorSdLog(
  model: CompiledModel,
  layout: UnknownLayout,
  fallbackSdLog: number,
): Float64Array {
  return Float64Array.from(
    layout.freeParams,
    (i) => model.definition.parameters[i].prior?.sdLog ?? fallbackSdLog,
  );
}

/** A broad, independent prior around starting values: nothing is claimed to be known. */
export function broadPrior(
  layout: UnknownLayout,
  params: Float64Array,
  x0: Float64Array,
  /** One width for every free parameter, or one each (u order). */
  parameterSdLog: number | Float64Array,
  stateSdLog: number,
): GaussianPrior {
  const q = layout.size;
  const covariance = new Float64Array(q * q);
  const p = layout.freeParams.length;
  const sdOf = (i: number) =>
    i >= p ? stateSdLog : typeof parameterSdLog === 'number' ? parameterSdLog : parameterSdLog[i];
  for (let i = 0; i < q; i++) covariance[i * q + i] = sdOf(i) ** 2;
  return { mean: toUnknowns(layout, params, x0), covariance };
}

/**
 * The arrival cost for the window that starts at `nextStart`: what the previous prior and the data
 * before `nextStart` say, carried forward. Data after nextStart are left out, from the covariance,
 * because the next window fits them itself: counted twice they would make its bands too narrow.
 * The mean is the window's optimum (the smoothed-update arrival cost). The state moves with the model, and the
 * parameter and state covariances grow by the drift rates.
 */
export function arrivalPrior(
  layout: UnknownLayout,
  previousPrior: GaussianPrior,
  fit: WindowOptimum,
  nextStart: number,
  ageing: BeliefAgeing,
  solver: SolverOptions,
  ws: EngineWorkspace,
  /** Hours of drift to add; by default the time from the fit's start to nextStart. */
  driftHours = nextStart - fit.problem.t0,
): GaussianPrior | null {
  const q = layout.size;
  const p = layout.freeParams.length;
  const n = layout.stateCount;
  const precision = inverseSpd(previousPrior.covariance, q);
  if (!precision) return null;
  const rows = fit.residuals.length;
  for (let r = 0; r < rows; r++) {
    const w = fit.weights[r];
    if (fit.problem.obsTime[r] >= nextStart) continue;
    for (let i = 0; i < q; i++) {
      const ji = fit.jacobian[r * q + i] * w;
      if (ji === 0) continue;
      for (let j = 0; j < q; j++) precision[i * q + j] += ji * fit.jacobian[r * q + j];
    }
  }
  const early = inverseSpd(precision, q);
  if (!early) return null;
  // The mean stays the window's (smoothed) optimum: a Newton step back to the filtered mean moves
  // far along sloppy directions, where the linearization does not hold (measured: it made bands worse).
  const filtered = fit.u;

  // Move the filtered state to nextStart with the filtered parameters, and its sensitivities with it.
  const start = { ...fit.problem, params: fit.problem.params.slice(), x0: fit.problem.x0.slice() };
  applyUnknowns(layout, filtered, start);
  const task = {
    ...start,
    obsTime: new Float64Array(0),
    obsSignal: new Int32Array(0),
    obsValue: new Float64Array(0),
    obsSigma: new Float64Array(0),
  };
  const moved = residualSensitivities(task, ws, solver, nextStart, layout.freeParams);
  if (!moved.ok) return null;
  const sensitivity = toLogSpaceColumns(layout, moved.finalSensitivity, n, start);
  // T maps (u_p, log x(t0)) to (u_p, log x(nextStart)).
  const transform = new Float64Array(q * q);
  for (let i = 0; i < p; i++) transform[i * q + i] = 1;
  for (let s = 0; s < n; s++) {
    const x = Math.max(moved.finalState[s], 1e-12);
    for (let j = 0; j < q; j++) transform[(p + s) * q + j] = sensitivity[s * q + j] / x;
  }
  const covariance = congruence(transform, q, q, early);
  const mean = new Float64Array(q);
  for (let i = 0; i < p; i++) mean[i] = filtered[i];
  for (let s = 0; s < n; s++) mean[p + s] = Math.log(Math.max(moved.finalState[s], 1e-9));
  const aged = ageBelief({ mean, covariance }, ageing, p, driftHours);
  if (![...aged.mean, ...aged.covariance].every(Number.isFinite)) return null;
  return aged;
}

/**
 * How a belief ages between windows. States random-walk at their drift rates. Parameters either
 * random-walk too (`revertTo` null: their variance grows without bound where no data constrain
 * them) or, with `revertTo` the fixed prior, follow the Ornstein–Uhlenbeck process whose stationary
 * law is that prior and whose short-term diffusion is the drift rate: where the data determine a
 * direction it ages as before; where they do not, the belief stays the prior, neither drifting
 * away from it nor growing sure.
 */
export interface BeliefAgeing {
  /** The drift's variance per hour of each unknown (free parameters, then states). */
  driftVariance: Float64Array;
  /** The fixed prior of the free parameters (log mean, variance of log), or null. */
  revertTo: { mean: Float64Array; variance: Float64Array } | null;
}

/** Ages a belief by `hours` (see BeliefAgeing). */
export function ageBelief(
  belief: GaussianPrior,
  ageing: BeliefAgeing,
  p: number,
  hours: number,
): GaussianPrior {
  const q = belief.mean.length;
  const mean = belief.mean.slice();
  const covariance = belief.covariance.slice();
  const revert = ageing.revertTo;
  if (revert) {
    // x' = m0 + φ (x − m0) + w, w ~ N(0, (1 − φ²) σ0²), φ = exp(−rate²·h / 2σ0²).
    const phi = Float64Array.from({ length: q }, (_, i) =>
      i < p ? Math.exp((-ageing.driftVariance[i] * hours) / (2 * revert.variance[i])) : 1,
    );
    for (let i = 0; i < p; i++) mean[i] = revert.mean[i] + phi[i] * (mean[i] - revert.mean[i]);
    for (let i = 0; i < q; i++) for (let j = 0; j < q; j++) covariance[i * q + j] *= phi[i] * phi[j];
    for (let i = 0; i < p; i++) covariance[i * q + i] += (1 - phi[i] * phi[i]) * revert.variance[i];
  }
  for (let i = revert ? p : 0; i < q; i++) covariance[i * q + i] += ageing.driftVariance[i] * hours;
  return { mean, covariance };
}
