/**
 * Limited-memory BFGS with a backtracking (Armijo) line search, for smooth deterministic objectives
 * whose every gradient costs a whole solve: it builds curvature from the last `memory` steps, so it
 * needs far fewer gradients than a first-order method with a hand-set learning rate. An objective
 * that cannot be evaluated at a trial point (a solve failed) returns null: the step is shortened.
 */
export interface LbfgsSettings {
  maxIterations: number;
  memory: number;
  /** Stop when the objective improved by less than this, relatively, over the last 5 iterations. */
  relativeTolerance: number;
  /** Length of the first step, in the unknowns' units (no curvature is known yet). */
  firstStep: number;
}

export interface LbfgsOutcome {
  u: Float64Array;
  value: number;
  iterations: number;
  evaluations: number;
  /** The objective after each iteration. */
  history: number[];
  stopped: 'converged' | 'iteration-limit' | 'no-descent';
}

export type Objective = (u: Float64Array, gradientOut: Float64Array) => number | null;

export function minimizeLbfgs(
  objective: Objective,
  start: Float64Array,
  settings: LbfgsSettings,
): LbfgsOutcome {
  const size = start.length;
  let u = start.slice();
  let gradient = new Float64Array(size);
  const first = objective(u, gradient);
  if (first === null || !Number.isFinite(first))
    throw new Error('the objective cannot be evaluated at the start');
  let value = first;
  let evaluations = 1;
  const history: number[] = [];
  const sList: Float64Array[] = [];
  const yList: Float64Array[] = [];
  const rho: number[] = [];
  const direction = new Float64Array(size);
  const alpha = new Float64Array(settings.memory);
  let trialGradient = new Float64Array(size);
  let stopped: LbfgsOutcome['stopped'] = 'iteration-limit';
  let iterations = 0;
  for (; iterations < settings.maxIterations; iterations++) {
    // Two-loop recursion: direction = −H g.
    for (let i = 0; i < size; i++) direction[i] = -gradient[i];
    for (let j = sList.length - 1; j >= 0; j--) {
      alpha[j] = rho[j] * dot(sList[j], direction);
      axpy(-alpha[j], yList[j], direction);
    }
    if (sList.length > 0) {
      const last = sList.length - 1;
      const gamma = dot(sList[last], yList[last]) / dot(yList[last], yList[last]);
      for (let i = 0; i < size; i++) direction[i] *= gamma;
    } else {
      const norm = Math.sqrt(dot(direction, direction));
      if (norm === 0) {
        stopped = 'converged';
        break;
      }
      for (let i = 0; i < size; i++) direction[i] *= settings.firstStep / norm;
    }
    for (let j = 0; j < sList.length; j++) {
      const beta = rho[j] * dot(yList[j], direction);
      axpy(alpha[j] - beta, sList[j], direction);
    }
    let slope = dot(gradient, direction);
    if (!(slope < 0)) {
      // Not a descent direction (curvature pairs gone stale): start again from the gradient.
      sList.length = yList.length = rho.length = 0;
      for (let i = 0; i < size; i++)
        direction[i] = -gradient[i] * (settings.firstStep / Math.sqrt(dot(gradient, gradient)));
      slope = dot(gradient, direction);
    }
    let step = 1;
    let accepted = false;
    const trial = new Float64Array(size);
    for (let tries = 0; tries < 30; tries++) {
      for (let i = 0; i < size; i++) trial[i] = u[i] + step * direction[i];
      const trialValue = objective(trial, trialGradient);
      evaluations++;
      if (trialValue !== null && Number.isFinite(trialValue) && trialValue <= value + 1e-4 * step * slope) {
        const s = new Float64Array(size);
        const y = new Float64Array(size);
        for (let i = 0; i < size; i++) {
          s[i] = trial[i] - u[i];
          y[i] = trialGradient[i] - gradient[i];
        }
        const sy = dot(s, y);
        if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
          sList.push(s);
          yList.push(y);
          rho.push(1 / sy);
          if (sList.length > settings.memory) {
            sList.shift();
            yList.shift();
            rho.shift();
          }
        }
        u = trial;
        value = trialValue;
        [gradient, trialGradient] = [trialGradient, gradient];
        accepted = true;
        break;
      }
      step *= trialValue === null ? 0.1 : 0.5;
    }
    if (!accepted) {
      stopped = 'no-descent';
      break;
    }
    history.push(value);
    const back = history.length - 6;
    if (back >= 0 && history[back] - value < settings.relativeTolerance * Math.abs(value)) {
      stopped = 'converged';
      iterations++;
      break;
    }
  }
  return { u, value, iterations, evaluations, history, stopped };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] += a * x[i];
}
