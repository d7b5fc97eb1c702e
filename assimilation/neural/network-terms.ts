import type { CompiledModel } from '../model/compile';
import type { InputSeries, WindowProblem } from '../problem/window-problem';
import type { IntegrationRecord } from '../solvers/integration-record';
import type { SolverOptions } from '../solvers/types';
import { type EngineWorkspace, solveWindow } from '../window-engine';
import { hybridPartsOf } from './hybrid-model';
import { outputLabel } from './weights-file';

/**
 * What a hybrid's network added to each rate along a fitted window, against what the mechanism gives
 * for the same rate there: both the root mean square over the window's observation times, in the
 * rate's unit. By output label (`Y per Y`), in the network's output order.
 */
export type NetworkTerms = Record<string, { rate: string; network: number; mechanistic: number }>;

/**
 * The network's terms along a window fit: the problem with the fit applied (its parameters and
 * initial state) solved forward, and the terms read at each observation time. Null for a model
 * without a neural term, or when the solve fails.
 */
export function networkTermsOfFit(
  model: CompiledModel,
  problem: WindowProblem,
  ws: EngineWorkspace,
  solver: SolverOptions,
): NetworkTerms | null {
  const hybrid = hybridPartsOf(model);
  const neural = model.definition.neural;
  if (!hybrid || !neural || problem.obsTime.length === 0) return null;
  const solved = solveWindow(problem, solver, ws);
  if (!solved.ok) return null;
  const { record } = solved;
  const n = model.stateNames.length;
  const r = hybrid.outputRate.length;
  const x = new Float64Array(n);
  const u = new Float64Array(model.inputNames.length);
  const f = new Float64Array(n);
  const terms = new Float64Array(r);
  const networkSq = new Float64Array(r);
  const mechanisticSq = new Float64Array(r);
  let count = 0;
  forEachObservedNode(model, problem, record, x, u, () => {
    model.rhs(x, problem.params, u, f);
    hybrid.terms(x, problem.params, u, terms);
    if (!f.every(Number.isFinite) || !terms.every(Number.isFinite)) return;
    for (let j = 0; j < r; j++) {
      // The mechanistic rate: the whole rate less every network term placed in its row.
      let mechanistic = f[hybrid.outputRate[j]];
      for (let k = 0; k < r; k++) if (hybrid.outputRate[k] === hybrid.outputRate[j]) mechanistic -= terms[k];
      networkSq[j] += terms[j] ** 2;
      mechanisticSq[j] += mechanistic ** 2;
    }
    count++;
  });
  if (count === 0) return null;
  return Object.fromEntries(
    neural.outputs.map((output, j) => [
      outputLabel(output),
      {
        rate: output.rate,
        network: Math.sqrt(networkSq[j] / count),
        mechanistic: Math.sqrt(mechanisticSq[j] / count),
      },
    ]),
  );
}

/**
 * Calls `visit` once per step node that holds an observation of a solved problem, with x the state
 * there and u the inputs (x and u are the caller's, filled in place).
 */
export function forEachObservedNode(
  model: CompiledModel,
  problem: WindowProblem,
  record: IntegrationRecord,
  x: Float64Array,
  u: Float64Array,
  visit: () => void,
): void {
  const n = model.stateNames.length;
  let last = -1;
  for (let i = 0; i < problem.obsTime.length; i++) {
    const node = record.obsNode[i];
    if (node === last) continue;
    last = node;
    for (let q = 0; q < n; q++) x[q] = record.nodeStates[node * n + q];
    inputsAt(problem.inputs, problem.obsTime[i], u, model.timeInput);
    visit();
  }
}

/** out = the inputs at t (each series linear between samples, its end values beyond), then the time. */
export function inputsAt(series: InputSeries[], t: number, out: Float64Array, timeInput: number): void {
  series.forEach((s, j) => {
    let i = 0;
    while (i < s.t.length - 1 && s.t[i + 1] <= t) i++;
    if (i >= s.t.length - 1 || s.t[i] > t) out[j] = s.v[Math.min(i, s.v.length - 1)];
    else out[j] = s.v[i] + ((s.v[i + 1] - s.v[i]) * (t - s.t[i])) / (s.t[i + 1] - s.t[i]);
  });
  if (timeInput >= 0) out[timeInput] = t;
}
