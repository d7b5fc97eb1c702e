import {
  quadraticLoss,
  type ResidualLoss,
  residualLossSlope,
  residualLossValue,
} from './gradient/residual-loss';
import { createMethodKit, type MethodKit } from './methods';
import type { CompiledModel } from './model/compile';
import type { WindowProblem } from './problem/window-problem';
import {
  createDriverScratch,
  type DriverScratch,
  type IntegrationTask,
  integrate,
} from './solvers/integrate';
import { createIntegrationRecord, type IntegrationRecord, stepHeader } from './solvers/integration-record';
import {
  defaultSolverOptions,
  type MethodName,
  type SolveFailure,
  type SolverOptions,
} from './solvers/types';

/**
 * The engine's one entry point for a window: solve, loss, adjoint gradient and forward sensitivities,
 * composed from a method kit, the step driver and the observation model. A workspace holds every
 * buffer, so repeated evaluations of the same window size allocate nothing.
 */
export interface EngineWorkspace {
  model: CompiledModel;
  record: IntegrationRecord;
  driver: DriverScratch;
  kits: Partial<Record<MethodName, MethodKit>>;
  lambda: Float64Array;
  mu: Float64Array;
  measureX: Float64Array;
  measureP: Float64Array;
  residuals: Float64Array;
  sens: Float64Array;
}

export function createEngineWorkspace(model: CompiledModel): EngineWorkspace {
  const n = model.stateNames.length;
  const m = model.parameterNames.length;
  const k = model.inputNames.length;
  return {
    model,
    record: createIntegrationRecord(n, k),
    driver: createDriverScratch(n, k),
    kits: {},
    lambda: new Float64Array(n),
    mu: new Float64Array(m),
    measureX: new Float64Array(n),
    measureP: new Float64Array(m),
    residuals: new Float64Array(0),
    sens: new Float64Array(n * (m + n)),
  };
}

function kitFor(ws: EngineWorkspace, method: MethodName): MethodKit {
  let kit = ws.kits[method];
  if (!kit) {
    kit = createMethodKit(ws.model, method);
    ws.kits[method] = kit;
  }
  return kit;
}

export type SolveOutcome = { ok: true; record: IntegrationRecord } | { ok: false; failure: SolveFailure };

/**
 * Forward solve into ws.record. In 'auto' mode the explicit method runs first; when it detects
 * stiffness or cannot finish, the L-stable Rosenbrock method takes over.
 */
export function solveWindow(
  task: IntegrationTask,
  options: SolverOptions,
  ws: EngineWorkspace,
): SolveOutcome {
  if (options.method !== 'auto') {
    const result = integrate(kitFor(ws, options.method).stepper, task, options, ws.record, ws.driver);
    return result.ok ? { ok: true, record: ws.record } : result;
  }
  // The explicit method stops at the first sign of stiffness: its gradient would follow steps held
  // at the stability limit, and the rest of its run would be wasted.
  const explicit = integrate(kitFor(ws, 'dopri5').stepper, task, options, ws.record, ws.driver, true);
  if (explicit.ok) return { ok: true, record: ws.record };
  const implicit = integrate(kitFor(ws, 'rodas4').stepper, task, options, ws.record, ws.driver);
  return implicit.ok ? { ok: true, record: ws.record } : implicit;
}

export interface LossAndGradient {
  ok: true;
  loss: number;
  /** dL/dp for every parameter, natural units, model order. */
  gradParams: Float64Array;
  /** dL/dx0, model state order. */
  gradX0: Float64Array;
  /** Standardized residuals (h(x) − v)/σ, in the problem's observation order. */
  residuals: Float64Array;
  stats: SolveStats;
}

export interface SolveStats {
  method: MethodName;
  steps: number;
  rejectedSteps: number;
  rhsEvaluations: number;
  jacobianEvaluations: number;
}

function statsOf(record: IntegrationRecord): SolveStats {
  return {
    method: record.method,
    steps: record.stepCount,
    rejectedSteps: record.rejectedSteps,
    rhsEvaluations: record.rhsEvaluations,
    jacobianEvaluations: record.jacobianEvaluations,
  };
}

/** Residuals at the observation nodes of the last solve; returns the loss. */
function evaluateResiduals(problem: WindowProblem, ws: EngineWorkspace, loss: ResidualLoss): number {
  const { model, record } = ws;
  const n = record.n;
  const count = problem.obsTime.length;
  if (ws.residuals.length !== count) ws.residuals = new Float64Array(count);
  const x = ws.measureX;
  let total = 0;
  for (let i = 0; i < count; i++) {
    const node = record.obsNode[i];
    for (let q = 0; q < n; q++) x[q] = record.nodeStates[node * n + q];
    const r =
      (model.measure[problem.obsSignal[i]](x, problem.params) - problem.obsValue[i]) / problem.obsSigma[i];
    ws.residuals[i] = r;
    total += residualLossValue(loss, r);
  }
  return total;
}

/**
 * The window loss (spec §2) and its exact gradient with respect to all parameters and x0, by the
 * discrete adjoint over the stored forward steps. Observations add their jumps to the adjoint at
 * their nodes while the sweep runs backward.
 */
export function lossAndGradient(
  problem: WindowProblem,
  ws: EngineWorkspace,
  options: SolverOptions = defaultSolverOptions,
  loss: ResidualLoss = quadraticLoss,
): LossAndGradient | { ok: false; failure: SolveFailure } {
  const solved = solveWindow(problem, options, ws);
  if (!solved.ok) return solved;
  const { model, record, lambda, mu } = ws;
  const n = record.n;
  const m = mu.length;
  const value = evaluateResiduals(problem, ws, loss);
  const kit = kitFor(ws, record.method);
  lambda.fill(0);
  mu.fill(0);
  const x = ws.measureX;
  let obs = problem.obsTime.length - 1;
  for (let node = record.stepCount; node >= 0; node--) {
    while (obs >= 0 && record.obsNode[obs] === node) {
      for (let q = 0; q < n; q++) x[q] = record.nodeStates[node * n + q];
      const sigma = problem.obsSigma[obs];
      const weight = residualLossSlope(loss, ws.residuals[obs]) / sigma;
      model.measureGradient[problem.obsSignal[obs]](x, problem.params, ws.measureX, ws.measureP);
      for (let q = 0; q < n; q++) lambda[q] += weight * ws.measureX[q];
      for (let q = 0; q < m; q++) mu[q] += weight * ws.measureP[q];
      obs--;
    }
    if (node > 0) kit.stepAdjoint(problem.params, record, node - 1, lambda, mu);
  }
  return {
    ok: true,
    loss: value,
    gradParams: Float64Array.from(mu),
    gradX0: Float64Array.from(lambda),
    residuals: ws.residuals.slice(),
    stats: statsOf(record),
  };
}

export interface ResidualSensitivities {
  ok: true;
  residuals: Float64Array;
  /** Model indices of the parameter columns. */
  paramColumns: Int32Array;
  /** nObs × (P + n), row-major: ∂rᵢ/∂θ for θ = (parameters in paramColumns, x0), natural units. */
  jacobian: Float64Array;
  /** Final state and its sensitivity (n × (P+n)) at the end of the solve. */
  finalState: Float64Array;
  finalSensitivity: Float64Array;
  stats: SolveStats;
}

/**
 * Forward sensitivities of every standardized residual, from the same recorded steps the adjoint
 * uses. The estimator builds its Gauss–Newton matrix and posterior covariance from these.
 */
export function residualSensitivities(
  problem: WindowProblem,
  ws: EngineWorkspace,
  options: SolverOptions = defaultSolverOptions,
  tEnd?: number,
  paramColumns: Int32Array = allParameterColumns(ws.model),
): ResidualSensitivities | { ok: false; failure: SolveFailure } {
  const solved = solveWindow(tEnd === undefined ? problem : { ...problem, tEnd }, options, ws);
  if (!solved.ok) return solved;
  const { model, record } = ws;
  const n = record.n;
  const P = paramColumns.length;
  const cols = P + n;
  evaluateResiduals(problem, ws, quadraticLoss);
  const kit = kitFor(ws, record.method);
  const sens = ws.sens.subarray(0, n * cols);
  sens.fill(0);
  for (let q = 0; q < n; q++) sens[q * cols + P + q] = 1;
  const count = problem.obsTime.length;
  const jacobian = new Float64Array(count * cols);
  const x = ws.measureX;
  let obs = 0;
  for (let node = 0; node <= record.stepCount; node++) {
    if (node > 0) kit.stepTangent(problem.params, record, node - 1, sens, paramColumns);
    while (obs < count && record.obsNode[obs] === node) {
      for (let q = 0; q < n; q++) x[q] = record.nodeStates[node * n + q];
      model.measureGradient[problem.obsSignal[obs]](x, problem.params, ws.measureX, ws.measureP);
      const sigma = problem.obsSigma[obs];
      for (let col = 0; col < cols; col++) {
        let acc = col < P ? ws.measureP[paramColumns[col]] : 0;
        for (let q = 0; q < n; q++) acc += ws.measureX[q] * sens[q * cols + col];
        jacobian[obs * cols + col] = acc / sigma;
      }
      obs++;
    }
  }
  return {
    ok: true,
    residuals: ws.residuals.slice(),
    paramColumns,
    jacobian,
    finalState: record.nodeStates.slice(record.stepCount * n, (record.stepCount + 1) * n),
    finalSensitivity: sens.slice(),
    stats: statsOf(record),
  };
}

export function allParameterColumns(model: CompiledModel): Int32Array {
  return Int32Array.from(model.parameterNames, (_, i) => i);
}

/** States at the given times (inside the last solve's span) by the method's dense output. */
export function sampleTrajectory(ws: EngineWorkspace, times: Float64Array): Float64Array {
  const { record } = ws;
  const n = record.n;
  const out = new Float64Array(times.length * n);
  const kit = kitFor(ws, record.method);
  const state = new Float64Array(n);
  let step = 0;
  for (let i = 0; i < times.length; i++) {
    const t = times[i];
    while (step < record.stepCount - 1 && record.steps[(step + 1) * record.stride + stepHeader.time] <= t)
      step++;
    if (record.stepCount === 0) {
      out.set(record.nodeStates.subarray(0, n), i * n);
      continue;
    }
    const t0 = record.steps[step * record.stride + stepHeader.time];
    const h = record.steps[step * record.stride + stepHeader.size];
    const theta = Math.min(1, Math.max(0, (t - t0) / h));
    kit.interpolate(record, step, theta, state);
    out.set(state, i * n);
  }
  return out;
}
