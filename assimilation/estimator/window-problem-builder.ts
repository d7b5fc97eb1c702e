import type { CommunitySpec } from '../model/community';
import type { CompiledModel } from '../model/compile';
import type { InputSeries, WindowProblem } from '../problem/window-problem';
import { lowerBound, type PlantData, samplesBetween, samplesCovering } from './plant-data';
import type { ObservationNoise } from './types';

export const defaultObservationNoise: ObservationNoise = {
  od: 0.5,
  substrate: 0.2,
  X: 0.5,
  Y: 0.05,
  A: 0.005,
  B: 0.005,
};

/**
 * Cuts the window [start, end] out of the plant data as a window problem. Inputs cover the window
 * (with a neighbour sample each side for interpolation); a fixed parameter that the plant measures
 * (e.g. the feed S0) takes its latest reading. Returns a reason instead when the window cannot be fitted.
 */
export function buildWindowProblem(
  model: CompiledModel,
  data: PlantData,
  start: number,
  end: number,
  noise: ObservationNoise,
  params: Float64Array,
  x0: Float64Array,
  freeParams: readonly string[],
): WindowProblem | { error: string } {
  const inputs: InputSeries[] = [];
  for (const name of model.measuredInputNames) {
    const series = data.signals.get(name);
    const covering = series ? samplesCovering(series, start, end) : undefined;
    if (!covering || covering.t.length === 0) return { error: `no ${name} readings cover ${start}–${end} h` };
    inputs.push({ t: covering.t.slice(), v: covering.v.slice() });
  }

  const windowParams = params.slice();
  model.parameterNames.forEach((name, i) => {
    if (freeParams.includes(name)) return;
    const series = data.signals.get(name);
    if (!series || series.t.length === 0) return;
    const at = Math.max(0, Math.min(series.t.length - 1, lowerBound(series.t, end + 1e-9) - 1));
    if (series.v[at] > 0) windowParams[i] = series.v[at];
  });

  const rows: { t: number; s: number; v: number; sigma: number }[] = [];
  for (const [signal, series] of data.signals) {
    const s = model.signalNames.indexOf(signal);
    const sigma = noise[signal];
    if (s < 0 || !(sigma > 0)) continue;
    const inside = samplesBetween(series, start, end);
    for (let i = 0; i < inside.t.length; i++) {
      if (stuckAt(inside.v, i)) continue;
      rows.push({ t: inside.t[i], s, v: inside.v[i], sigma });
    }
  }
  if (rows.length === 0) return { error: `no observations in ${start}–${end} h` };
  rows.sort((a, b) => a.t - b.t || a.s - b.s);
  return {
    modelName: model.definition.name,
    params: windowParams,
    freeParams: model.parameterNames.map((name) => freeParams.includes(name)),
    t0: start,
    x0: x0.slice(),
    inputs,
    obsTime: Float64Array.from(rows, (r) => r.t),
    obsSignal: Int32Array.from(rows, (r) => r.s),
    obsValue: Float64Array.from(rows, (r) => r.v),
    obsSigma: Float64Array.from(rows, (r) => r.sigma),
  };
}

/**
 * A reading that repeats the two before it exactly comes from a stuck sensor, not a noisy one: a
 * working sensor with noise σ > 0 and a resolution finer than σ repeats itself rarely, and three
 * times in a row almost never. A stuck substrate sensor otherwise pins the fit to a flat S for hours
 * (the sensor-faults bench: the fraction's band missed in a fifth of its windows).
 */
function stuckAt(values: Float64Array, i: number): boolean {
  return i >= 2 && values[i] === values[i - 1] && values[i - 1] === values[i - 2];
}

/**
 * A cold-start state for the chemostat from the first readings: S from the substrate sensor, X + Y
 * from OD with a small satellite share, and small metabolite levels. The prior around it is broad.
 */
export function coldStartState(model: CompiledModel, data: PlantData, start: number): Float64Array {
  const near = (signal: string, fallback: number): number => {
    const series = data.signals.get(signal);
    if (!series || series.t.length === 0) return fallback;
    const i = Math.min(series.t.length - 1, lowerBound(series.t, start));
    return series.v[i] > 0 ? series.v[i] : fallback;
  };
  const od = near('od', 90);
  const community = model.definition.community;
  const guess: Record<string, number> = community
    ? communityGuess(community, near('substrate', 5), od)
    : { S: near('substrate', 5), X: 0.98 * od, Y: 0.02 * od, A: 0.05, B: 0.05 };
  return Float64Array.from(model.stateNames, (s) => guess[s] ?? 0.1);
}

/**
 * The same guess for a community's states: the satellites share the 2 % of od, unevenly (halving
 * from the first), so that satellites with the same links and values do not start as twins (a fit
 * cannot tell twins apart: their gradients stay equal).
 */
function communityGuess(community: CommunitySpec, substrate: number, od: number): Record<string, number> {
  const guess: Record<string, number> = { [community.substrate]: substrate, [community.main]: 0.98 * od };
  const shares = community.satellites.map((_, i) => 2 ** -i);
  const total = shares.reduce((a, b) => a + b, 0);
  community.satellites.forEach((y, i) => {
    guess[y] = (0.02 * od * shares[i]) / total;
  });
  for (const m of community.metabolites) guess[m] = 0.05;
  return guess;
}
