import { residualLossValue, residualLossWeight } from '../gradient/residual-loss';
import type { WindowProblem } from '../problem/window-problem';
import { describeFailure } from '../solvers/types';
import { type EngineWorkspace, lossAndGradient, residualSensitivities } from '../window-engine';
import { choleskyInPlace, choleskySolveInPlace, inverseSpd } from './dense-matrix';
import type { FitFailure, FitSettings, GaussianPrior, WindowOptimum } from './types';
import { applyUnknowns, clampToBounds, toLogSpaceColumns, type UnknownLayout } from './unknowns';

interface Linearization {
  residuals: Float64Array;
  jacobian: Float64Array;
  weights: Float64Array;
  finalState: Float64Array;
  finalSensitivity: Float64Array;
  loss: number;
}

/**
 * MAP fit of one window by Levenberg–Marquardt in log space: curvature from forward sensitivities
 * (Gauss–Newton, IRLS-weighted for a robust loss, plus the prior's precision), trial points judged
 * by the adjoint's loss and gradient. In log space a change of units is a shift, so neither the
 * steps nor the damping depend on the unknowns' scales.
 */
export function fitWindow(
  base: WindowProblem,
  layout: UnknownLayout,
  prior: GaussianPrior,
  start: Float64Array,
  windowEnd: number,
  settings: FitSettings,
  ws: EngineWorkspace,
): WindowOptimum | ({ ok: false } & FitFailure) {
  const q = layout.size;
  const problem: WindowProblem = { ...base, params: base.params.slice(), x0: base.x0.slice() };
  const priorPrecision = inverseSpd(prior.covariance, q);
  if (!priorPrecision)
    return {
      ok: false,
      reason: 'non-finite',
      detail: 'the prior covariance is not positive definite',
      iterations: 0,
    };

  const priorTerm = (u: Float64Array, gradientOut?: Float64Array): number => {
    let value = 0;
    for (let i = 0; i < q; i++) {
      let s = 0;
      for (let j = 0; j < q; j++) s += priorPrecision[i * q + j] * (u[j] - prior.mean[j]);
      if (gradientOut) gradientOut[i] += s;
      value += 0.5 * (u[i] - prior.mean[i]) * s;
    }
    return value;
  };

  const linearize = (u: Float64Array): Linearization | null => {
    applyUnknowns(layout, u, problem);
    const sens = residualSensitivities(problem, ws, settings.solver, windowEnd, layout.freeParams);
    if (!sens.ok) return null;
    const rows = sens.residuals.length;
    const weights = Float64Array.from(sens.residuals, (r) => residualLossWeight(settings.loss, r));
    let loss = 0;
    for (const r of sens.residuals) loss += residualLossValue(settings.loss, r);
    return {
      residuals: sens.residuals,
      jacobian: toLogSpaceColumns(layout, sens.jacobian, rows, problem),
      weights,
      finalState: sens.finalState,
      finalSensitivity: toLogSpaceColumns(layout, sens.finalSensitivity, layout.stateCount, problem),
      loss,
    };
  };

  /** Objective and its log-space gradient at u from the adjoint. */
  const objectiveAt = (u: Float64Array, gradientOut: Float64Array): number | string => {
    applyUnknowns(layout, u, problem);
    const result = lossAndGradient(problem, ws, settings.solver, settings.loss);
    if (!result.ok) return describeFailure(result.failure);
    const p = layout.freeParams.length;
    for (let j = 0; j < p; j++)
      gradientOut[j] = result.gradParams[layout.freeParams[j]] * problem.params[layout.freeParams[j]];
    for (let s = 0; s < layout.stateCount; s++) gradientOut[p + s] = result.gradX0[s] * problem.x0[s];
    return result.loss + priorTerm(u, gradientOut);
  };

  const curvature = (lin: Linearization): Float64Array => {
    const h = priorPrecision.slice();
    const rows = lin.residuals.length;
    for (let r = 0; r < rows; r++) {
      const w = lin.weights[r];
      for (let i = 0; i < q; i++) {
        const ji = lin.jacobian[r * q + i] * w;
        if (ji === 0) continue;
        for (let j = 0; j < q; j++) h[i * q + j] += ji * lin.jacobian[r * q + j];
      }
    }
    return h;
  };

  let u = clampToBounds(layout, start.slice());
  const gradient = new Float64Array(q);
  let objective = objectiveAt(u, gradient);
  let lossEvaluations = 1;
  let sensitivityEvaluations = 1;
  if (typeof objective === 'string')
    return { ok: false, reason: 'solver-failure', detail: objective, iterations: 0 };
  let lin = linearize(u);
  if (!lin)
    return {
      ok: false,
      reason: 'solver-failure',
      detail: 'sensitivities failed at the start',
      iterations: 0,
    };
  let hessian = curvature(lin);

  let lambda = 1e-3;
  let growth = 2;
  let converged = false;
  let iterations = 0;
  const system = new Float64Array(q * q);
  const step = new Float64Array(q);
  const trialGradient = new Float64Array(q);
  for (; iterations < settings.maxIterations && !converged; iterations++) {
    // Bound-active unknowns pushed outward stay where they are this iteration.
    const active = Array.from(
      u,
      (ui, i) => (ui <= layout.lower[i] && gradient[i] > 0) || (ui >= layout.upper[i] && gradient[i] < 0),
    );
    // Newton decrement ½ gᵀH⁻¹g with the undamped curvature: the objective decrease still to come,
    // invariant to how the unknowns are scaled.
    if (!dampedStep(hessian, gradient, active, 0, system, step, q)) {
      return {
        ok: false,
        reason: 'non-finite',
        detail: 'the curvature is not positive definite',
        iterations,
      };
    }
    if (newtonDecrement(gradient, step, active) < settings.decrementTolerance) {
      converged = true;
      break;
    }
    if (!dampedStep(hessian, gradient, active, lambda, system, step, q)) {
      lambda = Math.max(lambda * 10, 1e-6);
      continue;
    }
    const trial = clampToBounds(
      layout,
      Float64Array.from(u, (ui, i) => ui + step[i]),
    );
    const predicted = predictedDecrease(gradient, hessian, u, trial, q);
    const trialObjective = objectiveAt(trial, trialGradient);
    lossEvaluations++;
    const ratio =
      typeof trialObjective === 'number' && predicted > 0 ? (objective - trialObjective) / predicted : -1;
    if (typeof trialObjective === 'number' && ratio > 1e-4) {
      const improvement = objective - trialObjective;
      u = trial;
      objective = trialObjective;
      gradient.set(trialGradient);
      const next = linearize(u);
      sensitivityEvaluations++;
      if (!next)
        return {
          ok: false,
          reason: 'solver-failure',
          detail: 'sensitivities failed at an accepted point',
          iterations,
        };
      lin = next;
      hessian = curvature(lin);
      lambda *= Math.max(1 / 3, 1 - (2 * ratio - 1) ** 3);
      growth = 2;
      if (improvement < 1e-10 * Math.max(1, Math.abs(objective))) converged = true;
    } else {
      lambda = Math.max(lambda * growth, 1e-6);
      growth *= 2;
      if (lambda > 1e12) converged = true; // no step improves: this is the minimum to rounding.
    }
  }
  if (!converged) {
    return {
      ok: false,
      reason: 'iteration-limit',
      detail: `not converged after ${iterations} iterations`,
      iterations,
    };
  }

  const dataInformation = curvature(lin);
  for (let i = 0; i < q * q; i++) dataInformation[i] -= priorPrecision[i];
  const covariance = inverseSpd(hessian, q);
  if (!covariance)
    return { ok: false, reason: 'non-finite', detail: 'the posterior precision is singular', iterations };
  const values = [objective, lin.loss, ...u, ...covariance, ...lin.finalState, ...lin.finalSensitivity];
  if (!values.every(Number.isFinite))
    return { ok: false, reason: 'non-finite', detail: 'a non-finite value at the optimum', iterations };
  applyUnknowns(layout, u, problem);
  return {
    ok: true,
    u,
    covariance,
    dataInformation,
    jacobian: lin.jacobian,
    weights: lin.weights,
    residuals: lin.residuals,
    loss: lin.loss,
    objective,
    iterations,
    lossEvaluations,
    sensitivityEvaluations,
    problem,
    finalState: lin.finalState,
    finalSensitivity: lin.finalSensitivity,
  };
}

/**
 * Solves (H + λI) s = −g with bound-active unknowns held; false if not positive definite. In log
 * space the identity is already unit-free, and measured here it beats Marquardt's diag(H), which
 * stalls along sloppy directions.
 */
export function dampedStep(
  hessian: Float64Array,
  gradient: Float64Array,
  active: boolean[],
  lambda: number,
  system: Float64Array,
  step: Float64Array,
  q: number,
): boolean {
  system.set(hessian);
  for (let i = 0; i < q; i++) {
    system[i * q + i] += lambda;
    if (active[i]) {
      for (let j = 0; j < q; j++) system[i * q + j] = system[j * q + i] = i === j ? 1 : 0;
    }
  }
  if (!choleskyInPlace(system, q)) return false;
  for (let i = 0; i < q; i++) step[i] = active[i] ? 0 : -gradient[i];
  choleskySolveInPlace(system, q, step);
  return true;
}

/** −(gᵀd + ½ dᵀHd) for the step d = trial − u: the decrease the quadratic model predicts. */
export function predictedDecrease(
  gradient: Float64Array,
  hessian: Float64Array,
  u: Float64Array,
  trial: Float64Array,
  q: number,
): number {
  let predicted = 0;
  for (let i = 0; i < q; i++) {
    const d = trial[i] - u[i];
    let hd = 0;
    for (let j = 0; j < q; j++) hd += hessian[i * q + j] * (trial[j] - u[j]);
    predicted -= gradient[i] * d + 0.5 * d * hd;
  }
  return predicted;
}

/** ½ gᵀH⁻¹g from the step s = −H⁻¹g: ½ |gᵀs|. */
export function newtonDecrement(gradient: Float64Array, step: Float64Array, active: boolean[]): number {
  let s = 0;
  for (let i = 0; i < gradient.length; i++) if (!active[i]) s -= gradient[i] * step[i];
  return 0.5 * Math.abs(s);
}

/**
 * The optimum explains its readings worse than their noise would: Σρ(r) ≤ Σ½r², whose mean is n/2
 * and sd √(n/2), and this is 4 sd beyond. A local optimum, or a plant the model does not describe.
 */
export function implausibleLoss(fit: WindowOptimum): boolean {
  const n = fit.residuals.length;
  return fit.loss > n / 2 + 4 * Math.sqrt(n / 2);
}
