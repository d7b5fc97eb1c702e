/**
 * A window as fitted, written as a window-problem file (shared/spec/culture-model.md §2) with the
 * optional `prior` block the `fit` command reads: replayable with `culturewatch fit`. The arrival
 * cost is a full covariance; the file carries its diagonal (each unknown's sd of log), so a replay
 * lands near, not exactly on, the live fit.
 */
import type { CompiledModel } from '../model/compile';
import type { WindowProblem } from '../problem/window-problem';
import type { GaussianPrior } from './types';
import type { UnknownLayout } from './unknowns';

export interface WindowFile {
  model: string;
  constants: Record<string, number>;
  params: Record<string, number>;
  t0: number;
  x0: Record<string, number>;
  inputs: Record<string, { t: number[]; v: number[] }>;
  observations: { signal: string; t: number[]; v: number[]; sigma: number | number[] }[];
  prior: {
    params: Record<string, { mean: number; sd_log: number }>;
    x0: Record<string, { mean: number; sd_log: number }>;
  };
}

export function windowFileOf(
  model: CompiledModel,
  layout: UnknownLayout,
  problem: WindowProblem,
  prior: GaussianPrior,
): WindowFile {
  const q = layout.size;
  const p = layout.freeParams.length;
  const free = new Set(Array.from(layout.freeParams));
  const constants: Record<string, number> = {};
  const params: Record<string, number> = {};
  model.parameterNames.forEach((name, i) => {
    (free.has(i) ? params : constants)[name] = problem.params[i];
  });
  const x0 = Object.fromEntries(model.stateNames.map((s, i) => [s, problem.x0[i]]));
  const inputs = Object.fromEntries(
    model.measuredInputNames.map((name, k) => [
      name,
      { t: Array.from(problem.inputs[k].t), v: Array.from(problem.inputs[k].v) },
    ]),
  );
  const bySignal = new Map<number, { t: number[]; v: number[]; sigma: number[] }>();
  for (let i = 0; i < problem.obsTime.length; i++) {
    const s = problem.obsSignal[i];
    let group = bySignal.get(s);
    if (!group) {
      group = { t: [], v: [], sigma: [] };
      bySignal.set(s, group);
    }
    group.t.push(problem.obsTime[i]);
    group.v.push(problem.obsValue[i]);
    group.sigma.push(problem.obsSigma[i]);
  }
  const observations = [...bySignal].map(([s, g]) => ({
    signal: model.signalNames[s],
    t: g.t,
    v: g.v,
    sigma: g.sigma.every((x) => x === g.sigma[0]) ? g.sigma[0] : g.sigma,
  }));
  const entry = (index: number) => ({
    mean: Math.exp(prior.mean[index]),
    sd_log: Math.sqrt(prior.covariance[index * q + index]),
  });
  return {
    model: model.definition.name,
    constants,
    params,
    t0: problem.t0,
    x0,
    inputs,
    observations,
    prior: {
      params: Object.fromEntries(
        Array.from(layout.freeParams, (pi, j) => [model.parameterNames[pi], entry(j)]),
      ),
      x0: Object.fromEntries(model.stateNames.map((s, i) => [s, entry(p + i)])),
    },
  };
}
