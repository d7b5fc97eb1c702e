/**
 * One reactor's estimator chain and its schedule: which window is due (every step of plant time, once
 * a reading past the window's end has arrived), the rewind when late data lands in a fitted window,
 * and the fit of exactly one window at a time, so that the worker can take reactors in turn.
 * Plant time is the reactor's own newest reading, not the wall clock.
 */

import type { PlantData } from '../../assimilation/estimator/plant-data';
import {
  fitNextWindow,
  nextWindowStart,
  rewindForLateData,
  type SlidingWindowEstimator,
  startCold,
  type WindowFitOutcome,
} from '../../assimilation/estimator/sliding-window-estimator';
import type { WindowEstimate } from '../../assimilation/estimator/window-estimate';
import { buildWindowProblem } from '../../assimilation/estimator/window-problem-builder';
import { type FitTrajectories, fitTrajectories } from './fit-trajectories';
import { type WindowFile, windowFileOf } from './window-file';

export interface WindowSource {
  /** The plant data a window [start, end] needs. */
  window(reactorId: string, startH: number, endH: number): PlantData;
  /** A mark that grows with every reading stored (the highest rowid), read before a window. */
  readingsHighWater(): number;
  /** The oldest reading of the reactor stamped in [fromH, toH] with a mark in (afterRowid, upToRowid]; null if none. */
  oldestStoredBetween(
    reactorId: string,
    afterRowid: number,
    upToRowid: number,
    fromH: number,
    toH: number,
  ): number | null;
  /** The oldest online reading, plant hours (+∞ if none). */
  oldestH(reactorId: string): number;
}

export interface ChainOptions {
  initialParams: Float64Array;
  catchUpHours: number;
  forecastHours: number;
  trajectoryStepHours: number;
  now?: () => number;
}

/** One window's fit, ready to store. */
export interface FittedWindow {
  reactorId: string;
  windowStartH: number;
  windowEndH: number;
  fittedAtMs: number;
  /** `readingsHighWater()` just before the window's readings were read: a reading stored later is not in this fit. */
  readingsSeenRowid: number;
  outcome: WindowFitOutcome;
  refit: boolean;
  coldStart: boolean;
  durationMs: number;
  estimate: WindowEstimate | null;
  trajectories: FitTrajectories | null;
  residuals: { tH: number[]; signal: string[]; value: number[] } | null;
  windowFile: WindowFile | null;
}

/** Windows closer than this (hours) count as the same instant: float sums of steps. */
const epsilonH = 1e-7;

export class ReactorChain {
  /** The newest online reading: the plant's clock for this reactor. */
  newestH = Number.NEGATIVE_INFINITY;
  /** End of the newest window ever fitted. A reading at or before it is late. */
  fittedUpToH = Number.NEGATIVE_INFINITY;
  /** `readingsHighWater()` when the newest fit read its data; null before the first. */
  readingsSeenRowid: number | null = null;
  /** The earliest late reading not yet acted on. */
  private pendingLateH = Number.POSITIVE_INFINITY;
  /** The reactor's oldest online reading, read once. */
  private oldestH = Number.POSITIVE_INFINITY;
  private readonly now: () => number;

  constructor(
    readonly reactorId: string,
    readonly est: SlidingWindowEstimator,
    private readonly options: ChainOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /**
   * New readings were stored, spanning plant hours [oldestH, newestH], up to rowid `highestRowid`.
   * Late ones that a fit's database check has already seen (its mark at or above their rowids) are
   * not acted on again.
   */
  noteReadings(
    oldestH: number,
    newestH: number,
    online: boolean,
    highestRowid = Number.POSITIVE_INFINITY,
  ): void {
    if (online && newestH > this.newestH) this.newestH = newestH;
    const seen = this.readingsSeenRowid !== null && highestRowid <= this.readingsSeenRowid;
    if (!seen && oldestH <= this.fittedUpToH + epsilonH)
      this.pendingLateH = Math.min(this.pendingLateH, oldestH);
  }

  /**
   * Looks in the database for late readings stored since the newest fit read its data, up to
   * `highWater`, and notes the oldest. Notices make refits prompt; this makes them certain, also when a
   * notice went to a worker that stopped before acting on it. Returns the oldest such reading, or null.
   */
  noteStoredSince(source: WindowSource, highWater: number): number | null {
    const firstStartH = this.est.checkpoints[0]?.start;
    if (this.readingsSeenRowid === null || firstStartH === undefined) return null;
    const oldestH = source.oldestStoredBetween(
      this.reactorId,
      this.readingsSeenRowid,
      highWater,
      firstStartH,
      this.fittedUpToH,
    );
    if (oldestH !== null) this.noteReadings(oldestH, oldestH, false);
    return oldestH;
  }

  /** How many windows are due now (an estimate for a cold chain). */
  dueCount(source: WindowSource): number {
    const start = this.nextStartH(source);
    if (!Number.isFinite(start)) return 0;
    const { windowHours, stepHours } = this.est.settings;
    const lateWork = this.pendingLateH <= this.fittedUpToH + epsilonH ? 1 : 0;
    const span = this.newestH - (start + windowHours);
    return span > epsilonH ? Math.floor((span - epsilonH) / stepHours) + 1 : lateWork;
  }

  isDue(source: WindowSource): boolean {
    return this.dueCount(source) > 0;
  }

  /** Fits the next due window, after any rewind for late data; null when none is due. */
  fitNext(source: WindowSource): FittedWindow | null {
    const { est, options } = this;
    const { windowHours, stepHours } = est.settings;
    const readingsSeenRowid = source.readingsHighWater();
    this.noteStoredSince(source, readingsSeenRowid);
    if (this.pendingLateH <= this.fittedUpToH + epsilonH && est.checkpoints.length > 0) {
      rewindForLateData(est, this.pendingLateH);
    }
    this.pendingLateH = Number.POSITIVE_INFINITY;
    this.readingsSeenRowid = readingsSeenRowid;
    const cold = est.checkpoints.length === 0;
    const startH = cold ? this.coldStartH(source) : nextWindowStart(est);
    const endH = startH + windowHours;
    // Due once a reading past the window's end has arrived: then all of the window's data has.
    if (!(endH < this.newestH - epsilonH)) return null;
    const data = source.window(this.reactorId, startH, endH);
    if (cold) startCold(est, data, startH, options.initialParams);
    const checkpoint = est.checkpoints[est.checkpoints.length - 1];
    const x0 = Float64Array.from(checkpoint.warmStart.subarray(est.layout.freeParams.length), Math.exp);
    const built = buildWindowProblem(
      est.model,
      data,
      startH,
      endH,
      est.settings.noise,
      checkpoint.params,
      x0,
      est.settings.freeParams,
    );
    const windowFile = 'error' in built ? null : windowFileOf(est.model, est.layout, built, checkpoint.prior);
    const started = performance.now();
    let outcome: WindowFitOutcome;
    try {
      outcome = fitNextWindow(est, data);
    } catch (error) {
      // A bug or a numerical trap in one window must not stop the chain: record it and step over.
      outcome = {
        status: 'failed',
        windowStartH: startH,
        windowEndH: endH,
        reason: 'exception',
        detail: String((error as Error)?.message ?? error).slice(0, 500),
        iterations: 0,
      };
      if (nextWindowStart(est) === startH) est.checkpoints.push({ ...checkpoint, start: startH + stepHours });
    }
    const durationMs = performance.now() - started;
    const refit = endH <= this.fittedUpToH + epsilonH;
    this.fittedUpToH = Math.max(this.fittedUpToH, endH);
    let trajectories: FitTrajectories | null = null;
    let residuals: FittedWindow['residuals'] = null;
    if (outcome.status === 'ok') {
      const { fit } = outcome;
      trajectories = fitTrajectories(
        est.model,
        est.layout,
        est.ws,
        fit,
        endH,
        options.trajectoryStepHours,
        options.forecastHours,
        est.settings.solver,
      );
      residuals = {
        tH: Array.from(fit.problem.obsTime),
        signal: Array.from(fit.problem.obsSignal, (s) => est.model.signalNames[s]),
        value: Array.from(fit.residuals),
      };
    }
    return {
      reactorId: this.reactorId,
      windowStartH: startH,
      windowEndH: endH,
      fittedAtMs: this.now(),
      readingsSeenRowid,
      outcome,
      refit,
      coldStart: checkpoint.cold,
      durationMs,
      estimate: outcome.status === 'ok' ? outcome.estimate : null,
      trajectories,
      residuals,
      windowFile,
    };
  }

  /** Where the next window starts; for a chain not yet started, where its first one will. */
  private nextStartH(source: WindowSource): number {
    if (this.est.checkpoints.length > 0) {
      if (this.pendingLateH <= this.fittedUpToH + epsilonH)
        return this.pendingLateH - this.est.settings.windowHours;
      return nextWindowStart(this.est);
    }
    return this.coldStartH(source);
  }

  /** A chain starts at the reactor's first reading, or `catchUpHours` before its newest. */
  private coldStartH(source: WindowSource): number {
    if (!Number.isFinite(this.oldestH)) this.oldestH = source.oldestH(this.reactorId);
    return Math.max(this.oldestH, this.newestH - this.options.catchUpHours);
  }
}
