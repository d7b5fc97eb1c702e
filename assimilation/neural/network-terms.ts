import type { CompiledModel } from '../model/compile';
import type { InputSeries } from '../problem/window-problem';
import { hybridPartsOf } from './hybrid-model';
import { outputLabel } from './weights-file';

/**
 * What a hybrid's network added to each rate along a fitted trajectory, against what the mechanism
 * gives for the same rate there: both the root mean square over the trajectory's points, in the
 * rate's unit. By output label (`Y per Y`), in the network's output order.
 */
export type NetworkTerms = Record<string, { rate: string; network: number; mechanistic: number }>;

/**
 * The network's terms along a trajectory (states by name on a time grid, plant hours), with the
 * fit's parameters and the window's input series (linear between samples, as the solver reads
 * them). Null for a model without a neural term.
 */
export function networkTermsAlong(
  model: CompiledModel,
  params: Float64Array,
  inputs: readonly InputSeries[],
  timeH: readonly number[],
  states: Readonly<Record<string, readonly number[]>>,
): NetworkTerms | null {
  const hybrid = hybridPartsOf(model);
  const neural = model.definition.neural;
  if (!hybrid || !neural) return null;
  const n = model.stateNames.length;
  const r = hybrid.outputRate.length;
  const x = new Float64Array(n);
  const u = new Float64Array(model.inputNames.length);
  const f = new Float64Array(n);
  const terms = new Float64Array(r);
  const networkSq = new Float64Array(r);
  const mechanisticSq = new Float64Array(r);
  let count = 0;
  for (let g = 0; g < timeH.length; g++) {
    const t = timeH[g];
    for (let i = 0; i < n; i++) x[i] = states[model.stateNames[i]]?.[g] ?? Number.NaN;
    inputs.forEach((series, j) => {
      u[j] = inputAt(series, t);
    });
    if (model.timeInput >= 0) u[model.timeInput] = t;
    model.rhs(x, params, u, f);
    hybrid.terms(x, params, u, terms);
    if (!f.every(Number.isFinite) || !terms.every(Number.isFinite)) continue;
    // The mechanistic rate: the whole rate less every network term placed in its row.
    for (let j = 0; j < r; j++) {
      let mechanistic = f[hybrid.outputRate[j]];
      for (let k = 0; k < r; k++) if (hybrid.outputRate[k] === hybrid.outputRate[j]) mechanistic -= terms[k];
      networkSq[j] += terms[j] ** 2;
      mechanisticSq[j] += mechanistic ** 2;
    }
    count++;
  }
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

/** A series at t: linear between samples, its end values beyond them. */
function inputAt(series: InputSeries, t: number): number {
  const { t: ts, v } = series;
  if (ts.length === 0) return Number.NaN;
  if (t <= ts[0]) return v[0];
  if (t >= ts[ts.length - 1]) return v[ts.length - 1];
  let hi = 1;
  while (ts[hi] < t) hi++;
  const w = (t - ts[hi - 1]) / (ts[hi] - ts[hi - 1]);
  return v[hi - 1] + w * (v[hi] - v[hi - 1]);
}
