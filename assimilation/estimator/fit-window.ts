import { residualLossValue, residualLossWeight } from '../gradient/residual-loss';
import type { WindowProblem } from '../problem/window-problem';
import { describeFailure } from '../solvers/types';
import { type EngineWorkspace, lossAndGradient, residualSensitivities } from '../window-engine';
import { inverseSpd } from './dense-matrix';
import { levenbergMarquardt } from './levenberg-marquardt';
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

  const u0 = clampToBounds(layout, start.slice());
  const startGradient = new Float64Array(q);
  const startObjective = objectiveAt(u0, startGradient);
  if (typeof startObjective === 'string')
    return { ok: false, reason: 'solver-failure', detail: startObjective, iterations: 0 };
  const startLin = linearize(u0);
  if (!startLin)
    return {
      ok: false,
      reason: 'solver-failure',
      detail: 'sensitivities failed at the start',
      iterations: 0,
    };
  const end = levenbergMarquardt(
    {
      q,
      lower: layout.lower,
      upper: layout.upper,
      clamp: (trial) => clampToBounds(layout, trial),
      evaluate: (trial) => {
        const gradient = new Float64Array(q);
        const objective = objectiveAt(trial, gradient);
        return typeof objective === 'number' ? { objective, gradient } : undefined;
      },
      curvature: (at, evaluation) => {
        const next = linearize(at);
        return next && { gradient: evaluation.gradient, hessian: curvature(next), lin: next };
      },
    },
    {
      u: u0,
      at: { objective: startObjective, gradient: startGradient },
      curvature: { gradient: startGradient, hessian: curvature(startLin), lin: startLin },
    },
    settings,
  );
  if ('failure' in end)
    return end.failure === 'not-positive-definite'
      ? {
          ok: false,
          reason: 'non-finite',
          detail: 'the curvature is not positive definite',
          iterations: end.iterations,
        }
      : {
          ok: false,
          reason: 'solver-failure',
          detail: 'sensitivities failed at an accepted point',
          iterations: end.iterations,
        };
  const { u, iterations } = end;
  const { objective } = end.at;
  const { hessian, lin } = end.curvature;
  const lossEvaluations = 1 + end.evaluations;
  const sensitivityEvaluations = 1 + end.curvatures;
  if (!end.converged) {
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
 * The optimum explains its readings worse than their noise would: Σρ(r) ≤ Σ½r², whose mean is n/2
 * and sd √(n/2), and this is 4 sd beyond. A local optimum, or a plant the model does not describe.
 */
export function implausibleLoss(fit: WindowOptimum): boolean {
  const n = fit.residuals.length;
  return fit.loss > n / 2 + 4 * Math.sqrt(n / 2);
}
