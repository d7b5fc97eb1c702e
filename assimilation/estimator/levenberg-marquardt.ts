import { choleskyInPlace, choleskySolveInPlace } from './dense-matrix';

/**
 * The Levenberg–Marquardt iteration both fits share (a window, fit-window.ts; a span of segments,
 * structure/span-fit.ts): bound-active unknowns held, the Newton decrement with the undamped
 * curvature as the stopping test, a step accepted when the objective falls by more than 1e-4 of
 * what the quadratic model predicts, and the damping adapted by Nielsen's rule. The caller says how
 * an objective and a curvature are made; `E` is what an evaluation carries, `C` a curvature.
 */
export interface LmCurvature {
  gradient: Float64Array;
  hessian: Float64Array;
}

export interface LmProblem<E extends { objective: number }, C extends LmCurvature> {
  q: number;
  lower: ArrayLike<number>;
  upper: ArrayLike<number>;
  clamp(u: Float64Array): Float64Array;
  /** The objective at a trial point; undefined when it cannot be evaluated (the step is refused). */
  evaluate(u: Float64Array): E | undefined;
  /** The gradient and curvature at an accepted point (and its evaluation); null when that fails. */
  curvature(u: Float64Array, at: E): C | null;
  /** When the undamped curvature is not positive definite, try this damping first (else fail). */
  undampedFallback?: number;
}

export interface LmSettings {
  maxIterations: number;
  decrementTolerance: number;
}

export interface LmEnd<E, C> {
  u: Float64Array;
  at: E;
  curvature: C;
  iterations: number;
  converged: boolean;
  /** Trial evaluations and curvatures made (the start's not counted). */
  evaluations: number;
  curvatures: number;
}

export type LmFailure = {
  failure: 'not-positive-definite' | 'curvature-failed';
  iterations: number;
};

export function levenbergMarquardt<E extends { objective: number }, C extends LmCurvature>(
  p: LmProblem<E, C>,
  start: { u: Float64Array; at: E; curvature: C },
  settings: LmSettings,
): LmEnd<E, C> | LmFailure {
  const { q } = p;
  let { u, at, curvature } = start;
  let lambda = 1e-3;
  let growth = 2;
  let converged = false;
  let iterations = 0;
  let evaluations = 0;
  let curvatures = 0;
  const system = new Float64Array(q * q);
  const step = new Float64Array(q);
  for (; iterations < settings.maxIterations && !converged; iterations++) {
    const { gradient, hessian } = curvature;
    // Bound-active unknowns pushed outward stay where they are this iteration.
    const active = Array.from(
      u,
      (ui, i) => (ui <= p.lower[i] && gradient[i] > 0) || (ui >= p.upper[i] && gradient[i] < 0),
    );
    // Newton decrement ½ gᵀH⁻¹g with the undamped curvature: the objective decrease still to come,
    // invariant to how the unknowns are scaled.
    if (
      !dampedStep(hessian, gradient, active, 0, system, step, q) &&
      !(
        p.undampedFallback !== undefined &&
        dampedStep(hessian, gradient, active, p.undampedFallback, system, step, q)
      )
    )
      return { failure: 'not-positive-definite', iterations };
    if (newtonDecrement(gradient, step, active) < settings.decrementTolerance) {
      converged = true;
      break;
    }
    if (!dampedStep(hessian, gradient, active, lambda, system, step, q)) {
      lambda = Math.max(lambda * 10, 1e-6);
      continue;
    }
    const trial = p.clamp(Float64Array.from(u, (ui, i) => ui + step[i]));
    const predicted = predictedDecrease(gradient, hessian, u, trial, q);
    const trialAt = p.evaluate(trial);
    evaluations++;
    const ratio =
      trialAt && Number.isFinite(trialAt.objective) && predicted > 0
        ? (at.objective - trialAt.objective) / predicted
        : -1;
    if (trialAt && ratio > 1e-4) {
      const improvement = at.objective - trialAt.objective;
      const next = p.curvature(trial, trialAt);
      curvatures++;
      if (!next) return { failure: 'curvature-failed', iterations };
      u = trial;
      at = trialAt;
      curvature = next;
      lambda *= Math.max(1 / 3, 1 - (2 * ratio - 1) ** 3);
      growth = 2;
      if (improvement < 1e-10 * Math.max(1, Math.abs(at.objective))) converged = true;
    } else {
      lambda = Math.max(lambda * growth, 1e-6);
      growth *= 2;
      if (lambda > 1e12) converged = true; // no step improves: this is the minimum to rounding.
    }
  }
  return { u, at, curvature, iterations, converged, evaluations, curvatures };
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
