import type { CompiledModel } from '../model/compile';
import type { EngineWorkspace } from '../window-engine';
import { fitWindow } from './fit-window';
import { firstTime, type PlantData } from './plant-data';
import { arrivalPrior, broadPrior } from './prior';
import type { EstimatorSettings, GaussianPrior, LongHorizonSettings, WindowOptimum } from './types';
import type { UnknownLayout } from './unknowns';
import { buildWindowProblem } from './window-problem-builder';

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
  driftVariance: Float64Array,
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
  const prior = broadPrior(
    layout,
    window.problem.params,
    x0,
    settings.coldParameterSdLog,
    settings.coldStateSdLog,
  );
  const fit = fitWindow(
    problem,
    layout,
    prior,
    prior.mean,
    nextStart,
    { ...settings, maxIterations: longHorizon.maxIterations },
    ws,
  );
  if (!fit.ok) return null;
  // A fit that explains its readings worse than noise would (a local optimum, say the satellite washed
  // out) is not taken: Σρ(r) ≤ Σ½r², whose mean is n/2 and sd √(n/2).
  const n = fit.residuals.length;
  if (fit.loss > n / 2 + 4 * Math.sqrt(n / 2)) return null;
  const carried = arrivalPrior(
    layout,
    prior,
    fit,
    nextStart,
    driftVariance,
    settings.solver,
    ws,
    (nextStart - fromH) * longHorizon.driftSpanFraction,
  );
  return carried ? { prior: carried, fit, fromH } : null;
}
