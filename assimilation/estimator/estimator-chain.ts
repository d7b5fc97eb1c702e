/**
 * One reactor's estimator, as one object: which window is due on the plant's clock, the rewind when
 * late data lands in a fitted window, the fit of exactly one window at a time (so that a caller can
 * take reactors in turn, time, store or interrupt each fit), its bands and forecast, the window file,
 * and a snapshot to survive a restart. The live assimilator and `replay` drive the same object; what
 * they differ in (where readings come from, what the clock is) stays with them.
 */
import type { CompiledModel } from '../model/compile';
import { type NetworkTerms, networkTermsOfFit } from '../neural/network-terms';
import { restoreCheckpoints, snapshotCheckpoints } from './chain-snapshot';
import { defaultForecastInputs, type FitTrajectories, fitTrajectories } from './fit-trajectories';
import type { PlantData } from './plant-data';
import {
  createSlidingWindowEstimator,
  fitNextWindow,
  nextWindowProblem,
  nextWindowStart,
  rewindForLateData,
  type SlidingWindowEstimator,
  skipWindow,
  startCold,
} from './sliding-window-estimator';
import type { EstimatorSettings, WindowEstimate, WindowFitOutcome } from './types';
import { type WindowFile, windowFileOf } from './window-file-writer';

export interface ChainOptions {
  settings: EstimatorSettings;
  /** Cold-start values of every parameter, model order, natural units. */
  initialParams: Float64Array;
  /** A chain starts at the first reading, or this many plant hours before the clock (∞: the first). */
  catchUpHours: number;
  /** Bands over the window and a forecast past it, on a grid; null: none (replay). */
  trajectories: { stepHours: number; forecastHours: number } | null;
  /** Write each window as a window-problem file. */
  windowFiles: boolean;
}

/** The data a window [startH, endH] needs (its readings, and one input sample beyond each side). */
export type WindowLoader = (startH: number, endH: number) => PlantData;

/** One window's fit, with everything a caller shows or stores. */
export interface FittedWindow {
  windowStartH: number;
  windowEndH: number;
  outcome: WindowFitOutcome;
  /** Fitted before, and again because late data arrived in it. */
  refit: boolean;
  /** The chain's first window since it started cold. */
  coldStart: boolean;
  /** The fit itself, in the caller's clock (trajectories and the window file not counted). */
  fitMs: number;
  estimate: WindowEstimate | null;
  trajectories: FitTrajectories | null;
  residuals: { timeH: number[]; signal: string[]; value: number[] } | null;
  windowFile: WindowFile | null;
  /** A hybrid's network terms against the mechanistic rates along the fitted window; null otherwise. */
  networkTerms: NetworkTerms | null;
}

/** What a chain keeps across a restart. */
export interface ChainSnapshot {
  /** Settings the chain was built with: a snapshot from other settings is not restored. */
  settingsKey: string;
  stateJson: string;
  fittedUpToH: number;
}

/** Plant times closer than this (hours) count as the same instant: float sums of steps. */
export const sameInstantH = 1e-7;

export class EstimatorChain {
  private readonly est: SlidingWindowEstimator;
  /** The newest reading heard of: the plant's clock. */
  private clockH = Number.NEGATIVE_INFINITY;
  /** End of the newest window ever fitted: a reading at or before it is late. */
  private fittedUpToHour = Number.NEGATIVE_INFINITY;
  /** The earliest late reading not yet acted on. */
  private pendingLateH = Number.POSITIVE_INFINITY;
  /** The oldest online reading heard of: where a cold chain starts. */
  private oldestH = Number.POSITIVE_INFINITY;

  constructor(
    readonly model: CompiledModel,
    private readonly options: ChainOptions,
  ) {
    this.est = createSlidingWindowEstimator(model, options.settings, options.initialParams);
  }

  get settings(): EstimatorSettings {
    return this.options.settings;
  }

  /** Identifies the model and settings a snapshot belongs to. */
  get settingsKey(): string {
    const s = this.options.settings;
    return JSON.stringify({
      model: this.model.definition.name,
      freeParams: s.freeParams,
      windowHours: s.windowHours,
      stepHours: s.stepHours,
      ...(s.drift.revertToPrior && {
        prior: {
          median: Array.from(this.options.initialParams),
          sdLog: s.coldParameterSdLog,
        },
      }),
    });
  }

  get fittedUpToH(): number {
    return this.fittedUpToHour;
  }

  /** The window the chain fits next (before any rewind for late data); null before it has started. */
  get nextWindow(): { startH: number; cold: boolean } | null {
    const last = this.est.checkpoints[this.est.checkpoints.length - 1];
    return last ? { startH: last.start, cold: last.cold } : null;
  }

  /** Start of the oldest window the chain still holds (a rewind reaches no further); null before the first fit. */
  get heldFromH(): number | null {
    return this.est.checkpoints[0]?.start ?? null;
  }

  /**
   * The plant's clock: the newest reading heard of. Readings stamped before it have all arrived (one
   * stamped at it may still be on its way), so a window is due once its end is behind the clock. It
   * only moves forward.
   */
  noteClock(newestH: number): void {
    if (newestH > this.clockH) this.clockH = newestH;
  }

  /**
   * Readings arrived, the oldest stamped at `oldestH`; `online`: from the plant's online sensors (not
   * late assays). One at or before a fitted window's end is late: the windows it falls in are fitted again.
   */
  noteReadings(oldestH: number, online: boolean): void {
    if (online && oldestH < this.oldestH) this.oldestH = oldestH;
    if (oldestH <= this.fittedUpToHour + sameInstantH)
      this.pendingLateH = Math.min(this.pendingLateH, oldestH);
  }

  /** How many windows are due now (an estimate for a chain not yet started). */
  dueCount(): number {
    const start = this.nextStartH();
    if (!Number.isFinite(start)) return 0;
    const { windowHours, stepHours } = this.options.settings;
    const lateWork = this.hasLateWork() ? 1 : 0;
    const span = this.clockH - (start + windowHours);
    return span > sameInstantH ? Math.floor((span - sameInstantH) / stepHours) + 1 : lateWork;
  }

  isDue(): boolean {
    return this.dueCount() > 0;
  }

  /**
   * Fits the next due window, after any rewind for late data; null when none is due. `clock` times
   * the fit (milliseconds, the caller's clock).
   */
  fitNext(load: WindowLoader, clock: () => number = () => 0): FittedWindow | null {
    const { est, options } = this;
    const { windowHours } = options.settings;
    if (this.hasLateWork() && est.checkpoints.length > 0) rewindForLateData(est, this.pendingLateH);
    this.pendingLateH = Number.POSITIVE_INFINITY;
    const cold = est.checkpoints.length === 0;
    const startH = cold ? this.coldStartH() : nextWindowStart(est);
    const endH = startH + windowHours;
    if (!(endH < this.clockH - sameInstantH)) return null;
    const data = load(startH, endH);
    if (cold) startCold(est, data, startH, options.initialParams);
    const checkpoint = est.checkpoints[est.checkpoints.length - 1];
    let windowFile: WindowFile | null = null;
    if (options.windowFiles) {
      const problem = nextWindowProblem(est, data);
      if (!('error' in problem)) windowFile = windowFileOf(est.model, est.layout, problem, checkpoint.prior);
    }
    const started = clock();
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
      if (nextWindowStart(est) === startH) skipWindow(est);
    }
    const fitMs = clock() - started;
    const refit = endH <= this.fittedUpToHour + sameInstantH;
    this.fittedUpToHour = Math.max(this.fittedUpToHour, endH);
    let trajectories: FitTrajectories | null = null;
    let residuals: FittedWindow['residuals'] = null;
    let networkTerms: NetworkTerms | null = null;
    if (outcome.status === 'ok') {
      const { fit } = outcome;
      if (options.trajectories) {
        trajectories = fitTrajectories(
          est.model,
          est.layout,
          est.ws,
          fit,
          endH,
          options.trajectories.stepHours,
          options.trajectories.forecastHours,
          options.settings.solver,
          // The inputs' recent course, for the forecast's band: the readings the chain keeps for its
          // long-horizon refits, or this window's own.
          {
            history: est.recentReadings.signals.size > 0 ? est.recentReadings : data,
            ...defaultForecastInputs,
          },
        );
      }
      residuals = {
        timeH: Array.from(fit.problem.obsTime),
        signal: Array.from(fit.problem.obsSignal, (s) => est.model.signalNames[s]),
        value: Array.from(fit.residuals),
      };
      networkTerms = networkTermsOfFit(est.model, fit.problem, est.ws, options.settings.solver);
    }
    return {
      windowStartH: startH,
      windowEndH: endH,
      outcome,
      refit,
      coldStart: checkpoint.cold,
      fitMs,
      estimate: outcome.status === 'ok' ? outcome.estimate : null,
      trajectories,
      residuals,
      windowFile,
      networkTerms,
    };
  }

  snapshot(): ChainSnapshot {
    return {
      settingsKey: this.settingsKey,
      stateJson: snapshotCheckpoints(this.est),
      fittedUpToH: this.fittedUpToHour,
    };
  }

  /**
   * Takes up a stored chain. False (the chain stays unstarted) when it was stored with other settings
   * or does not fit this model: other sizes, or a value not finite.
   */
  restore(snapshot: ChainSnapshot): boolean {
    if (snapshot.settingsKey !== this.settingsKey) return false;
    if (!restoreCheckpoints(this.est, snapshot.stateJson)) return false;
    this.fittedUpToHour = snapshot.fittedUpToH;
    return true;
  }

  private hasLateWork(): boolean {
    return this.pendingLateH <= this.fittedUpToHour + sameInstantH;
  }

  /** Where the next window starts; for a chain not yet started, where its first one will. */
  private nextStartH(): number {
    if (this.est.checkpoints.length > 0) {
      if (this.hasLateWork()) return this.pendingLateH - this.options.settings.windowHours;
      return nextWindowStart(this.est);
    }
    return this.coldStartH();
  }

  /** A chain starts at the oldest reading, or `catchUpHours` before the clock. */
  private coldStartH(): number {
    return Math.max(this.oldestH, this.clockH - this.options.catchUpHours);
  }
}
