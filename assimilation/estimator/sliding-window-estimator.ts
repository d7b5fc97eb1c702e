import type { CompiledModel } from '../model/compile';
import { compositionRoles } from '../model/composition-roles';
import type { WindowProblem } from '../problem/window-problem';
import { createEngineWorkspace, type EngineWorkspace, solveWindow } from '../window-engine';
import { defaultEstimatorSettings } from './default-settings';
import { defaultForecastInputs } from './fit-trajectories';
import { fitWindow, implausibleLoss } from './fit-window';
import { longHorizonDue, longHorizonRefit } from './long-horizon-refit';
import { mergePlantData, type PlantData } from './plant-data';
import {
  arrivalPrior,
  type BeliefAgeing,
  broadPrior,
  driftVariancePerHour,
  parameterPriorSdLog,
} from './prior';
import type { EstimatorSettings, GaussianPrior, WindowFitOutcome, WindowOptimum } from './types';
import { clampToBounds, toUnknowns, type UnknownLayout, unknownLayout } from './unknowns';
import { describeWindowEstimate } from './window-estimate';
import { buildWindowProblem, coldStartState } from './window-problem-builder';

/** Where a window starts the chain: its prior and warm start. */
export interface Checkpoint {
  start: number;
  prior: GaussianPrior;
  warmStart: Float64Array;
  /** Parameter values for the constants and the natural start (x0) of this window. */
  params: Float64Array;
  /** The prior is the broad cold-start one. */
  cold: boolean;
  /** When the prior comes from a long-horizon refit: the chain's own belief at the same start. */
  withoutRefit?: Checkpoint;
}

/** The chain of windows for one reactor: fitted in order, each prior from the one before. */
export interface SlidingWindowEstimator {
  model: CompiledModel;
  settings: EstimatorSettings;
  layout: UnknownLayout;
  /** Each free parameter's prior width (sd of log), u order. */
  parameterSdLog: Float64Array;
  /** How beliefs age between windows; its fixed prior is set when the chain starts. */
  ageing: BeliefAgeing;
  ws: EngineWorkspace;
  /** Checkpoints of recent windows, oldest first; the last is where the next window starts. */
  checkpoints: Checkpoint[];
  lastGood: { checkpoint: Checkpoint; fit: WindowOptimum } | null;
  /**
   * The readings of the windows fitted lately, kept as long as a long-horizon refit needs them: the
   * caller passes each window its own readings, the refit reads this. Not kept across restarts (the
   * refits then wait until enough windows have passed).
   */
  recentReadings: PlantData;
}

/**
 * A chain not yet started. `initialParams` (all parameters, natural units) centre the cold-start
 * prior, which is also where the parameters' belief reverts to; they can be given later, at the cold start.
 */
export function createSlidingWindowEstimator(
  model: CompiledModel,
  settings: EstimatorSettings = defaultEstimatorSettings,
  initialParams?: Float64Array,
): SlidingWindowEstimator {
  if (!compositionRoles(model.definition))
    throw new Error(
      `model ${model.definition.name}: the estimator needs a substrate, a main organism and satellites (S, X, Y… or a community)`,
    );
  const layout = unknownLayout(model, settings.freeParams);
  const est: SlidingWindowEstimator = {
    model,
    settings,
    layout,
    parameterSdLog: parameterPriorSdLog(model, layout, settings.coldParameterSdLog),
    ageing: {
      driftVariance: driftVariancePerHour(layout, model.parameterNames, settings.drift),
      revertTo: null,
    },
    ws: createEngineWorkspace(model),
    checkpoints: [],
    lastGood: null,
    recentReadings: { signals: new Map() },
  };
  if (initialParams) setFixedPrior(est, initialParams);
  return est;
}

/** Starts the chain cold at `start`, from `initialParams` (all parameters, natural units). */
export function startCold(
  est: SlidingWindowEstimator,
  data: PlantData,
  start: number,
  initialParams: Float64Array,
): void {
  const x0 = coldStartState(est.model, data, start);
  setFixedPrior(est, initialParams);
  const prior = broadPrior(est.layout, initialParams, x0, est.parameterSdLog, est.settings.coldStateSdLog);
  est.checkpoints = [
    { start, prior, warmStart: prior.mean.slice(), params: initialParams.slice(), cold: true },
  ];
  est.lastGood = null;
}

/** The cold-start prior of the free parameters, where their belief reverts to (when the settings say so). */
function setFixedPrior(est: SlidingWindowEstimator, initialParams: Float64Array): void {
  if (!est.settings.drift.revertToPrior) return;
  est.ageing.revertTo = {
    mean: Float64Array.from(est.layout.freeParams, (i) => Math.log(initialParams[i])),
    variance: Float64Array.from(est.parameterSdLog, (sd) => sd * sd),
  };
}

/** Start of the window the chain fits next. */
export function nextWindowStart(est: SlidingWindowEstimator): number {
  const last = est.checkpoints[est.checkpoints.length - 1];
  if (!last) throw new Error('the estimator has not been started');
  return last.start;
}

/**
 * Fits the next window of the chain, [start, start + windowHours], on the data given (the caller
 * passes only what had arrived by then), and moves the chain one step on.
 */
export function fitNextWindow(est: SlidingWindowEstimator, data: PlantData): WindowFitOutcome {
  const { model, settings, layout } = est;
  const checkpoint = est.checkpoints[est.checkpoints.length - 1];
  const start = checkpoint.start;
  const end = start + settings.windowHours;
  const nextStart = start + settings.stepHours;
  if (settings.longHorizon) {
    // The refit after this window reads back to nextStart − horizon, and one input sample before; the
    // forecast's band reads the inputs' course as far back as its lookback.
    const back = Math.max(settings.longHorizon.horizonHours, defaultForecastInputs.lookbackHours);
    const keepFrom = nextStart - back - 2 * settings.stepHours - 1;
    est.recentReadings = mergePlantData(est.recentReadings, data, keepFrom);
  }
  const built = nextWindowProblem(est, data);
  let outcome: WindowFitOutcome;
  let next: Checkpoint | null = null;
  if ('error' in built) {
    outcome = {
      status: 'failed',
      windowStartH: start,
      windowEndH: end,
      reason: 'no-data',
      detail: built.error,
      iterations: 0,
    };
  } else {
    const maxIterations = checkpoint.cold ? settings.coldMaxIterations : settings.maxIterations;
    const fitFrom = (from: Checkpoint) =>
      fitWindow(built, layout, from.prior, from.warmStart, end, { ...settings, maxIterations }, est.ws);
    let used = checkpoint;
    let fit = fitFrom(checkpoint);
    // A fit that explains its readings far worse than their noise stopped at a local optimum (a
    // satellite washed out, say): it is started again from the prior's centre, and from there with
    // the state read off the readings, and the best kept.
    if (!fit.ok || implausibleLoss(fit)) {
      const fresh = toUnknowns(layout, checkpoint.params, coldStartState(model, data, start));
      for (let i = 0; i < layout.freeParams.length; i++) fresh[i] = checkpoint.prior.mean[i];
      for (const warmStart of [checkpoint.prior.mean, fresh]) {
        const again = fitFrom({ ...checkpoint, warmStart });
        if (again.ok && (!fit.ok || again.objective < fit.objective)) fit = again;
      }
    }
    // A refit's prior that this window's readings pull far away from lags behind a change of the
    // plant (its parameters were held constant over its span): the chain's own belief is used instead.
    let refitOverruled = false;
    const overrule = settings.longHorizon?.overrulePriorTerm ?? Number.POSITIVE_INFINITY;
    if (fit.ok && checkpoint.withoutRefit && fit.objective - fit.loss > overrule) {
      const again = fitFrom(checkpoint.withoutRefit);
      if (again.ok) {
        fit = again;
        used = checkpoint.withoutRefit;
        refitOverruled = true;
      }
    }
    if (fit.ok) {
      const estimate = describeWindowEstimate(model, layout, fit, settings, est.parameterSdLog);
      outcome = {
        status: 'ok',
        windowStartH: start,
        windowEndH: end,
        fit,
        estimate,
        iterations: fit.iterations,
        ...(refitOverruled ? { refitOverruled } : {}),
      };
      est.lastGood = { checkpoint: used, fit };
      next = carryForward(est, used.prior, fit, nextStart);
      const longHorizon = settings.longHorizon;
      if (longHorizon && longHorizonDue(longHorizon, nextStart)) {
        const refit = longHorizonRefit(
          model,
          layout,
          settings,
          longHorizon,
          est.ageing,
          est.recentReadings,
          fit,
          nextStart,
          est.ws,
        );
        if (refit) {
          next = {
            start: nextStart,
            prior: refit.prior,
            warmStart: refit.prior.mean.slice(),
            params: refit.fit.problem.params.slice(),
            cold: false,
            ...(next ? { withoutRefit: next } : {}),
          };
          outcome.longHorizonRefit = {
            fromH: refit.fromH,
            toH: nextStart,
            iterations: refit.fit.iterations,
            lossPerReading: refit.fit.loss / refit.fit.residuals.length,
          };
        }
      }
    } else {
      outcome = {
        status: 'failed',
        windowStartH: start,
        windowEndH: end,
        reason: fit.reason,
        detail: fit.detail,
        iterations: fit.iterations,
      };
    }
  }
  // After a failure, carry the last good fit forward over the gap; with none, hold the prior.
  next ??= est.lastGood
    ? carryForward(est, est.lastGood.checkpoint.prior, est.lastGood.fit, nextStart)
    : { ...checkpoint, start: nextStart };
  next ??= { ...checkpoint, start: nextStart };
  est.checkpoints.push(next);
  const keep = Math.ceil(settings.windowHours / settings.stepHours) + 2;
  if (est.checkpoints.length > keep) est.checkpoints.splice(0, est.checkpoints.length - keep);
  return outcome;
}

/**
 * The next window as a window problem, cut from `data` at the chain's warm start (its parameters and
 * start state); a reason instead when the data cannot make one.
 */
export function nextWindowProblem(
  est: SlidingWindowEstimator,
  data: PlantData,
): WindowProblem | { error: string } {
  const checkpoint = est.checkpoints[est.checkpoints.length - 1];
  const x0 = Float64Array.from(checkpoint.warmStart.subarray(est.layout.freeParams.length), Math.exp);
  return buildWindowProblem(
    est.model,
    data,
    checkpoint.start,
    checkpoint.start + est.settings.windowHours,
    est.settings.noise,
    checkpoint.params,
    x0,
    est.settings.freeParams,
  );
}

/** Steps over the next window without fitting it (after an exception in its fit): its prior holds. */
export function skipWindow(est: SlidingWindowEstimator): void {
  const checkpoint = est.checkpoints[est.checkpoints.length - 1];
  est.checkpoints.push({ ...checkpoint, start: checkpoint.start + est.settings.stepHours });
}

/**
 * The next window's prior. The chain is a filter: a small MAP fit of the prior and only the data
 * before `nextStart` (started from the window's optimum), whose posterior moves to `nextStart`.
 * The next window then sees each reading once; a prior taken from the whole window would count
 * the overlap twice and make the bands too narrow. When that fit fails, the window's optimum with
 * only the early data's information stands in.
 */
function carryForward(
  est: SlidingWindowEstimator,
  prior: GaussianPrior,
  fit: WindowOptimum,
  nextStart: number,
): Checkpoint | null {
  const filtered = filterToStart(est, prior, fit, nextStart) ?? fit;
  const carried = arrivalPrior(
    est.layout,
    prior,
    filtered,
    nextStart,
    est.ageing,
    est.settings.solver,
    est.ws,
  );
  if (!carried) return null;
  return {
    start: nextStart,
    prior: carried,
    warmStart: smoothedStart(est, fit, nextStart) ?? carried.mean.slice(),
    params: fit.problem.params.slice(),
    cold: false,
  };
}

/**
 * Where the next window's fit starts: the window's own optimum moved to `nextStart` along its
 * trajectory. The prior's centre (the filtered belief, from the data before nextStart only) can lie
 * far along a sloppy direction from what the overlapping readings need, and a fit started there has
 * been seen to settle in a local optimum with the satellite washed out.
 */
function smoothedStart(
  est: SlidingWindowEstimator,
  fit: WindowOptimum,
  nextStart: number,
): Float64Array | null {
  const task = { ...fit.problem, obsTime: new Float64Array(0), tEnd: nextStart };
  const solved = solveWindow(task, est.settings.solver, est.ws);
  if (!solved.ok) return null;
  const n = est.layout.stateCount;
  const p = est.layout.freeParams.length;
  const node = solved.record.stepCount * n;
  const start = fit.u.slice();
  for (let s = 0; s < n; s++) start[p + s] = Math.log(Math.max(solved.record.nodeStates[node + s], 1e-9));
  return clampToBounds(est.layout, start);
}

function filterToStart(
  est: SlidingWindowEstimator,
  prior: GaussianPrior,
  fit: WindowOptimum,
  nextStart: number,
): WindowOptimum | null {
  const early = fit.problem.obsTime.findIndex((t) => t >= nextStart);
  const count = early < 0 ? fit.problem.obsTime.length : early;
  if (count === fit.problem.obsTime.length) return fit;
  const problem = {
    ...fit.problem,
    obsTime: fit.problem.obsTime.slice(0, count),
    obsSignal: fit.problem.obsSignal.slice(0, count),
    obsValue: fit.problem.obsValue.slice(0, count),
    obsSigma: fit.problem.obsSigma.slice(0, count),
  };
  const filtered = fitWindow(problem, est.layout, prior, fit.u, nextStart, est.settings, est.ws);
  return filtered.ok ? filtered : null;
}

/**
 * Late data at plant hour `sampleTimeH`: rewinds the chain to the earliest window still held that
 * contains it, so the windows from there on are fitted again with it. Returns how many windows
 * must be refitted (0 when the sample is newer than every fitted window).
 */
export function rewindForLateData(est: SlidingWindowEstimator, sampleTimeH: number): number {
  const index = est.checkpoints.findIndex((c) => sampleTimeH <= c.start + est.settings.windowHours);
  if (index < 0 || index === est.checkpoints.length - 1) return 0;
  const rewound = est.checkpoints.length - 1 - index;
  est.checkpoints.splice(index + 1);
  est.lastGood = null;
  return rewound;
}
