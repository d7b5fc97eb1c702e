import type { CompiledModel } from '../model/compile';
import type { EngineWorkspace } from '../window-engine';
import { fitWindow, implausibleLoss } from './fit-window';
import { firstTime, type PlantData } from './plant-data';
import { arrivalPrior, type BeliefAgeing, broadPrior } from './prior';
import type { EstimatorSettings, GaussianPrior, LongHorizonSettings, WindowOptimum } from './types';
import type { UnknownLayout } from './unknowns';
import { toUnknowns } from './unknowns';
import { buildWindowProblem, coldStartState } from './window-problem-builder';

export function longHorizonDue(settings: LongHorizonSettings, nextStart: number): boolean {
  const k = nextStart / settings.everyHours;
  return Math.abs(k - Math.round(k)) < 1e-9;
}

export interface LongHorizonFit {
  /** The prior for the window starting at nextStart. */
  prior: GaussianPrior;
  fit: WindowOptimum;
  fromH: number;
}

/**
 * Fits [nextStart − horizon, nextStart) from the window just fitted (its parameters, and its start
 * state as the guess for the span's start: a chemostat's state moves slowly) and carries the result
 * to nextStart. Null when the readings do not reach back far enough or the fit fails; the chain then goes on as usual.
 */
export function longHorizonRefit(
  model: CompiledModel,
  layout: UnknownLayout,
  settings: EstimatorSettings,
  longHorizon: LongHorizonSettings,
  ageing: BeliefAgeing,
  data: PlantData,
  window: WindowOptimum,
  nextStart: number,
  ws: EngineWorkspace,
): LongHorizonFit | null {
  const fromH = Math.max(firstTime(data), nextStart - longHorizon.horizonHours);
  if (!(nextStart - fromH >= longHorizon.minimumHours)) return null;
  const x0 = window.problem.x0;
  const built = buildWindowProblem(
    model,
    data,
    fromH,
    nextStart,
    settings.noise,
    window.problem.params,
    x0,
    settings.freeParams,
  );
  if ('error' in built) return null;
  // A reading at nextStart belongs to the next window.
  const keep = built.obsTime.findIndex((t) => t >= nextStart);
  const count = keep < 0 ? built.obsTime.length : keep;
  const obsTime = built.obsTime.slice(0, count);
  const problem = {
    ...built,
    obsTime,
    obsSignal: built.obsSignal.slice(0, count),
    obsValue: built.obsValue.slice(0, count),
    obsSigma: Float64Array.from(built.obsSigma.subarray(0, count), (sigma, i) =>
      Number.isFinite(longHorizon.ageHours)
        ? sigma * Math.exp((nextStart - obsTime[i]) / (2 * longHorizon.ageHours))
        : sigma,
    ),
  };
  const widths = ageing.revertTo
    ? Float64Array.from(ageing.revertTo.variance, Math.sqrt)
    : settings.coldParameterSdLog;
  const current = broadPrior(layout, window.problem.params, x0, widths, settings.coldStateSdLog);
  // With a fixed prior, the refit starts from it afresh (the chain's own wandering is forgotten),
  // from two points: the current estimate and the prior's centre; the better optimum is taken.
  const fixed = ageing.revertTo;
  const prior = fixed ? withParameterPrior(current, fixed) : current;
  const fitSettings = { ...settings, maxIterations: longHorizon.maxIterations };
  // The draws start from a state read off the readings (with a satellite present): a chain caught with
  // the satellite washed out carries a state no parameters can regrow it from within the span.
  const fresh = toUnknowns(layout, window.problem.params, coldStartState(model, data, fromH));
  for (let i = 0; i < (fixed?.mean.length ?? 0); i++) fresh[i] = prior.mean[i];
  const starts = fixed
    ? [
        current.mean,
        prior.mean,
        fresh,
        ...priorDraws(fresh, fixed.variance, longHorizon.extraStarts, nextStart),
      ]
    : [prior.mean];
  let fit: WindowOptimum | null = null;
  for (const start of starts) {
    const trial = fitWindow(problem, layout, prior, start, nextStart, fitSettings, ws);
    if (trial.ok && (!fit || trial.objective < fit.objective)) fit = trial;
  }
  if (!fit) return null;
  // A fit that explains its readings worse than noise would (a local optimum, say the satellite washed
  // out) is not taken: Σρ(r) ≤ Σ½r², whose mean is n/2 and sd √(n/2).
  if (implausibleLoss(fit)) return null;
  const carried = arrivalPrior(
    layout,
    prior,
    fit,
    nextStart,
    ageing,
    settings.solver,
    ws,
    (nextStart - fromH) * longHorizon.driftSpanFraction,
  );
  return carried ? { prior: carried, fit, fromH } : null;
}

/** `belief` with its parameter block replaced by an independent prior (log mean, variance). */
function withParameterPrior(
  belief: GaussianPrior,
  parameters: { mean: Float64Array; variance: Float64Array },
): GaussianPrior {
  const q = belief.mean.length;
  const p = parameters.mean.length;
  const mean = belief.mean.slice();
  const covariance = belief.covariance.slice();
  for (let i = 0; i < p; i++) {
    mean[i] = parameters.mean[i];
    for (let j = 0; j < q; j++) covariance[i * q + j] = covariance[j * q + i] = 0;
    covariance[i * q + i] = parameters.variance[i];
  }
  return { mean, covariance };
}

/**
 * `count` starting points spread over the fixed prior (parameters drawn from it, the start state
 * kept), deterministic for a refit time: along curved ridges a posterior has several optima (a
 * satellite living on A instead of B, or washed out), and a window's fit only looks near the last.
 */
function priorDraws(
  mean: Float64Array,
  variance: Float64Array,
  count: number,
  seedH: number,
): Float64Array[] {
  let state = (Math.floor(seedH * 4) * 2654435761) >>> 0 || 1;
  const uniform = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) + 0.5) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return Array.from({ length: count }, () => {
    const u = mean.slice();
    for (let i = 0; i < variance.length; i++) u[i] += Math.sqrt(variance[i]) * normal();
    return u;
  });
}
