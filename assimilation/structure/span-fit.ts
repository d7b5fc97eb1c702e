import { inverseSpd } from '../estimator/dense-matrix';
import { levenbergMarquardt } from '../estimator/levenberg-marquardt';
import { firstTime, lastTime, type PlantData } from '../estimator/plant-data';
import type { ObservationNoise } from '../estimator/types';
import { buildWindowProblem, coldStartState } from '../estimator/window-problem-builder';
import { type ResidualLoss, residualLossSlope, residualLossWeight } from '../gradient/residual-loss';
import type { CompiledModel } from '../model/compile';
import type { WindowProblem } from '../problem/window-problem';
import type { SolverOptions } from '../solvers/types';
import {
  createEngineWorkspace,
  type EngineWorkspace,
  lossAndGradient,
  residualSensitivities,
  sampleTrajectory,
  solveWindow,
} from '../window-engine';

/**
 * A model fitted over a long span of readings (days), for structure refinement. The span is cut into
 * segments, each with its own start state (multiple shooting, as the hybrid training does), the
 * parameters shared by all. A segment's end is held softly to the next one's start (continuity, in
 * log units), so the unobserved states carry their information from day to day while an error early
 * on does not have to be carried through every later reading.
 *
 * The objective, minimized by Levenberg–Marquardt in log space (Gauss–Newton curvature from forward
 * sensitivities, IRLS weights for a robust loss):
 *   Σ ρ(r)                                 the readings
 *   + ½ Σ ((log x_end,k − log x0,k+1)/σc)²  continuity (with a floor, so a washed-out state is no cliff)
 *   + ½ Σ ((log p − log median)/sd)²        the model file's prior of each free parameter
 *   + ½ Σ ((log x0,1 − log guess)/sd)²      the first segment's start, weakly
 */
export interface SpanFitSettings {
  segmentHours: number;
  noise: ObservationNoise;
  loss: ResidualLoss;
  solver: SolverOptions;
  maxIterations: number;
  /** Stop when the Newton decrement ½ gᵀH⁻¹g falls below this. */
  decrementTolerance: number;
  /** The first segment's start state around its guess from the readings (sd of log). */
  stateSdLog: number;
  /** How far (sd of log) a segment's end may stand from the next one's start. */
  continuitySdLog: number;
  /** Continuity compares log(x + floor): a state near zero is compared in absolute terms. */
  continuityFloor: number;
}

/** The prior of each free parameter: log median and sd of log. */
export interface ParameterPrior {
  logMedian: Float64Array;
  sdLog: Float64Array;
}

export interface SpanFit {
  /** Free parameters, in u order. */
  freeNames: string[];
  /** Every parameter, model order, natural units. */
  params: Float64Array;
  segments: { startH: number; endH: number; x0: Float64Array; xEnd: Float64Array }[];
  /** Σρ(r) over the readings, and how many. */
  dataLoss: number;
  readings: number;
  continuityLoss: number;
  priorLoss: number;
  objective: number;
  iterations: number;
  converged: boolean;
  /** Posterior covariance of the log free parameters (P × P), and the data's alone (no parameter prior). */
  covariance: Float64Array;
  dataCovariance: Float64Array;
}

/** A span's readings cut into segment problems for one model, ready to be fitted again and again. */
export class SpanProblem {
  readonly segments: { startH: number; endH: number; problem: WindowProblem; guess: Float64Array }[] = [];
  readonly readings: number;
  private readonly ws: EngineWorkspace;

  constructor(
    readonly model: CompiledModel,
    data: PlantData,
    readonly settings: SpanFitSettings,
    span: { fromH: number; toH: number } = { fromH: firstTime(data), toH: lastTime(data) },
  ) {
    this.ws = createEngineWorkspace(model);
    const { fromH, toH } = span;
    const all = model.parameterNames.map(() => 1);
    for (let start = fromH; start < toH - 1e-9; start += settings.segmentHours) {
      const end = Math.min(toH, start + settings.segmentHours);
      const guess = coldStartState(model, data, start);
      const built = buildWindowProblem(
        model,
        data,
        start,
        end,
        settings.noise,
        Float64Array.from(all),
        guess,
        model.parameterNames,
      );
      if ('error' in built) throw new Error(`cannot fit ${start}–${end} h: ${built.error}`);
      // A reading at a segment's end belongs to the next segment.
      const keep = end < toH - 1e-9 ? built.obsTime.findIndex((t) => t >= end) : -1;
      const count = keep < 0 ? built.obsTime.length : keep;
      this.segments.push({
        startH: start,
        endH: end,
        guess,
        problem: {
          ...built,
          obsTime: built.obsTime.slice(0, count),
          obsSignal: built.obsSignal.slice(0, count),
          obsValue: built.obsValue.slice(0, count),
          obsSigma: built.obsSigma.slice(0, count),
        },
      });
    }
    if (this.segments.length === 0) throw new Error(`no readings to fit in ${fromH}–${toH} h`);
    this.readings = this.segments.reduce((sum, s) => sum + s.problem.obsTime.length, 0);
  }

  /**
   * The MAP fit of the free parameters and every segment's start, from `params` (every parameter,
   * natural units: the fixed ones stay at these values) and the segments' starts (default: their
   * guesses from the readings).
   */
  fit(
    freeNames: readonly string[],
    params: Float64Array,
    prior: ParameterPrior,
    starts?: readonly Float64Array[],
  ): SpanFit | { error: string } {
    return new SpanObjective(this, this.ws, freeNames, params, prior).minimize(starts);
  }

  /** Data loss and continuity at these parameters and starts, without fitting; null when a solve fails. */
  evaluate(
    params: Float64Array,
    starts: readonly Float64Array[],
  ): { dataLoss: number; continuityLoss: number } | null {
    const objective = new SpanObjective(this, this.ws, [], params, {
      logMedian: new Float64Array(0),
      sdLog: new Float64Array(0),
    });
    const value = objective.evaluateAt(starts);
    return value && { dataLoss: value.data, continuityLoss: value.continuity };
  }

  /** The signals along a fit, every `stepHours` of each segment (segments solved from their own starts). */
  signalsAlong(
    fit: Pick<SpanFit, 'params' | 'segments'>,
    signals: readonly string[],
    stepHours: number,
  ): { timeH: number[]; series: Record<string, number[]> } {
    const { model } = this;
    const index = signals.map((name) => model.signalNames.indexOf(name));
    const timeH: number[] = [];
    const series: Record<string, number[]> = Object.fromEntries(signals.map((name) => [name, []]));
    const n = model.stateNames.length;
    for (const [s, segment] of this.segments.entries()) {
      const times: number[] = [];
      for (let t = segment.startH; t < segment.endH - 1e-9; t += stepHours) times.push(t);
      if (s === this.segments.length - 1) times.push(segment.endH);
      const grid = Float64Array.from(times);
      const task = {
        ...segment.problem,
        params: fit.params,
        x0: fit.segments[s].x0,
        obsTime: new Float64Array(0),
        tEnd: segment.endH,
      };
      if (!solveWindow(task, this.settings.solver, this.ws).ok) continue;
      const states = sampleTrajectory(this.ws, grid);
      times.forEach((t, g) => {
        timeH.push(t);
        const x = states.subarray(g * n, (g + 1) * n);
        signals.forEach((name, k) => {
          series[name].push(index[k] >= 0 ? model.measure[index[k]](x, fit.params) : Number.NaN);
        });
      });
    }
    return { timeH, series };
  }
}

/** The unknowns u = (log free parameters, log x0 of each segment) and the objective over them. */
class SpanObjective {
  private readonly free: Int32Array;
  private readonly P: number;
  private readonly n: number;
  private readonly q: number;
  private readonly problems: WindowProblem[];
  private readonly lower: Float64Array;
  private readonly upper: Float64Array;

  constructor(
    private readonly span: SpanProblem,
    private readonly ws: EngineWorkspace,
    private readonly freeNames: readonly string[],
    private readonly baseParams: Float64Array,
    private readonly prior: ParameterPrior,
  ) {
    const { model } = span;
    this.free = Int32Array.from(freeNames, (name) => {
      const i = model.parameterNames.indexOf(name);
      if (i < 0) throw new Error(`unknown parameter "${name}"`);
      return i;
    });
    this.P = this.free.length;
    this.n = model.stateNames.length;
    this.q = this.P + span.segments.length * this.n;
    this.problems = span.segments.map((s) => ({
      ...s.problem,
      params: baseParams.slice(),
      x0: s.guess.slice(),
    }));
    this.lower = new Float64Array(this.q);
    this.upper = new Float64Array(this.q);
    this.free.forEach((pi, j) => {
      const value = model.definition.parameters[pi].plantValue;
      this.lower[j] = Math.log(value / parameterRange);
      this.upper[j] = Math.log(value * parameterRange);
    });
    for (let i = this.P; i < this.q; i++) {
      this.lower[i] = Math.log(stateFloor);
      this.upper[i] = Math.log(stateCeiling);
    }
  }

  private clamp(u: Float64Array): Float64Array {
    for (let i = 0; i < u.length; i++) u[i] = Math.min(this.upper[i], Math.max(this.lower[i], u[i]));
    return u;
  }

  private apply(u: Float64Array): void {
    const { P, n } = this;
    this.problems.forEach((problem, s) => {
      for (let j = 0; j < P; j++) problem.params[this.free[j]] = Math.exp(u[j]);
      for (let i = 0; i < n; i++) problem.x0[i] = Math.exp(u[P + s * n + i]);
    });
  }

  private logState(x: number): number {
    return Math.log(Math.max(x, 0) + this.span.settings.continuityFloor);
  }

  /** The prior terms (parameters, first start) and their gradient and curvature, added in. */
  private priorTerms(u: Float64Array, gradient?: Float64Array, hessian?: Float64Array): number {
    const { P, n, q } = this;
    const { stateSdLog } = this.span.settings;
    let total = 0;
    for (let j = 0; j < P; j++) {
      const sd = this.prior.sdLog[j];
      const d = (u[j] - this.prior.logMedian[j]) / sd;
      total += 0.5 * d * d;
      if (gradient) gradient[j] += d / sd;
      if (hessian) hessian[j * q + j] += 1 / (sd * sd);
    }
    const guess = this.span.segments[0].guess;
    for (let i = 0; i < n; i++) {
      const d = (u[P + i] - Math.log(Math.max(guess[i], stateFloor))) / stateSdLog;
      total += 0.5 * d * d;
      if (gradient) gradient[P + i] += d / stateSdLog;
      if (hessian) hessian[(P + i) * q + P + i] += 1 / (stateSdLog * stateSdLog);
    }
    return total;
  }

  /** Data loss, continuity and end states at u; null when a solve fails. */
  private evaluate(u: Float64Array): { data: number; continuity: number; ends: Float64Array[] } | null {
    this.apply(u);
    const { settings } = this.span;
    let data = 0;
    const ends: Float64Array[] = [];
    for (const [s, problem] of this.problems.entries()) {
      const result = lossAndGradient(
        { ...problem, tEnd: this.span.segments[s].endH } as WindowProblem,
        this.ws,
        settings.solver,
        settings.loss,
      );
      if (!result.ok) return null;
      data += result.loss;
      const record = this.ws.record;
      ends.push(record.nodeStates.slice(record.stepCount * this.n, (record.stepCount + 1) * this.n));
    }
    return { data, continuity: this.continuity(ends), ends };
  }

  private continuity(ends: Float64Array[]): number {
    const sigma = this.span.settings.continuitySdLog;
    let total = 0;
    for (let s = 0; s + 1 < this.problems.length; s++) {
      for (let i = 0; i < this.n; i++) {
        const c = (this.logState(ends[s][i]) - this.logState(this.problems[s + 1].x0[i])) / sigma;
        total += 0.5 * c * c;
      }
    }
    return total;
  }

  /**
   * Gradient and Gauss–Newton curvature at u (readings and continuity; the priors are added by the
   * caller), from forward sensitivities of each segment.
   */
  private linearize(u: Float64Array): { gradient: Float64Array; information: Float64Array } | null {
    this.apply(u);
    const { P, n, q } = this;
    const { settings } = this.span;
    const sigma = settings.continuitySdLog;
    const gradient = new Float64Array(q);
    const information = new Float64Array(q * q);
    const cols = P + n;
    const global = new Int32Array(cols);
    const scale = new Float64Array(cols);
    const row = new Float64Array(q);
    let previousEnd: { state: Float64Array; sensitivity: Float64Array; segment: number } | null = null;
    for (const [s, problem] of this.problems.entries()) {
      const sens = residualSensitivities(
        problem,
        this.ws,
        settings.solver,
        this.span.segments[s].endH,
        this.free,
      );
      if (!sens.ok) return null;
      for (let c = 0; c < cols; c++) {
        global[c] = c < P ? c : P + s * n + (c - P);
        scale[c] = c < P ? problem.params[this.free[c]] : problem.x0[c - P];
      }
      for (let r = 0; r < sens.residuals.length; r++) {
        const residual = sens.residuals[r];
        const slope = residualLossSlope(settings.loss, residual);
        const weight = residualLossWeight(settings.loss, residual);
        for (let a = 0; a < cols; a++) {
          const ja = sens.jacobian[r * cols + a] * scale[a];
          if (ja === 0) continue;
          gradient[global[a]] += slope * ja;
          const wa = weight * ja;
          const ga = global[a] * q;
          for (let b = 0; b < cols; b++)
            information[ga + global[b]] += wa * sens.jacobian[r * cols + b] * scale[b];
        }
      }
      // Continuity between the previous segment's end and this start.
      if (previousEnd) {
        const prev = previousEnd;
        for (let i = 0; i < n; i++) {
          row.fill(0);
          const end = prev.state[i];
          const c = (this.logState(end) - this.logState(problem.x0[i])) / sigma;
          const dEnd = 1 / ((Math.max(end, 0) + settings.continuityFloor) * sigma);
          const prevProblem = this.problems[prev.segment];
          for (let a = 0; a < cols; a++) {
            const at = a < P ? a : P + prev.segment * n + (a - P);
            const sc = a < P ? prevProblem.params[this.free[a]] : prevProblem.x0[a - P];
            row[at] += prev.sensitivity[i * cols + a] * sc * dEnd;
          }
          row[P + s * n + i] -= problem.x0[i] / ((problem.x0[i] + settings.continuityFloor) * sigma);
          for (let a = 0; a < q; a++) {
            if (row[a] === 0) continue;
            gradient[a] += c * row[a];
            for (let b = 0; b < q; b++) information[a * q + b] += row[a] * row[b];
          }
        }
      }
      previousEnd = { state: sens.finalState, sensitivity: sens.finalSensitivity, segment: s };
    }
    return { gradient, information };
  }

  private unknownsOf(params: Float64Array, starts: readonly Float64Array[]): Float64Array {
    const { P, n } = this;
    const u = new Float64Array(this.q);
    for (let j = 0; j < P; j++) u[j] = Math.log(params[this.free[j]]);
    starts.forEach((x0, s) => {
      for (let i = 0; i < n; i++) u[P + s * n + i] = Math.log(Math.max(x0[i], stateFloor));
    });
    return this.clamp(u);
  }

  /** The objective's parts at the base parameters and these starts. */
  evaluateAt(starts: readonly Float64Array[]) {
    return this.evaluate(this.unknownsOf(this.baseParams, starts));
  }

  minimize(starts?: readonly Float64Array[]): SpanFit | { error: string } {
    const { q, P } = this;
    const { settings } = this.span;
    let u = this.unknownsOf(this.baseParams, starts ?? this.span.segments.map((s) => s.guess));
    let value = this.evaluate(u);
    if (!value) return { error: 'the solve failed at the start' };
    let objective = value.data + value.continuity + this.priorTerms(u);
    const lin = this.linearize(u);
    if (!lin) return { error: 'sensitivities failed at the start' };
    const hessianOf = (at: Float64Array, l: { gradient: Float64Array; information: Float64Array }) => {
      const gradient = l.gradient.slice();
      const hessian = l.information.slice();
      this.priorTerms(at, gradient, hessian);
      return { gradient, hessian };
    };
    const end = levenbergMarquardt(
      {
        q,
        lower: this.lower,
        upper: this.upper,
        clamp: (trial) => this.clamp(trial),
        evaluate: (trial) => {
          const trialValue = this.evaluate(trial);
          return trialValue
            ? {
                objective: trialValue.data + trialValue.continuity + this.priorTerms(trial),
                value: trialValue,
              }
            : undefined;
        },
        curvature: (at) => {
          const next = this.linearize(at);
          return next && hessianOf(at, next);
        },
        undampedFallback: 1e-9,
      },
      { u, at: { objective, value }, curvature: hessianOf(u, lin) },
      settings,
    );
    if ('failure' in end)
      return {
        error:
          end.failure === 'not-positive-definite'
            ? 'the curvature is not positive definite'
            : 'sensitivities failed at an accepted point',
      };
    const { iterations, converged } = end;
    u = end.u;
    value = end.at.value;
    objective = end.at.objective;
    const { hessian } = end.curvature;
    this.apply(u);
    const covariance = inverseSpd(hessian, q);
    const dataHessian = hessian.slice();
    for (let j = 0; j < P; j++) dataHessian[j * q + j] -= 1 / this.prior.sdLog[j] ** 2;
    for (let j = 0; j < P; j++) dataHessian[j * q + j] += 1e-6;
    const dataFull = inverseSpd(dataHessian, q);
    const block = (m: Float64Array | null) => {
      const out = new Float64Array(P * P).fill(Number.POSITIVE_INFINITY);
      if (!m) return out;
      for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) out[a * P + b] = m[a * q + b];
      return out;
    };
    const priorLoss = this.priorTerms(u);
    return {
      freeNames: [...this.freeNames],
      params: this.problems[0].params.slice(),
      segments: this.problems.map((problem, s) => ({
        startH: this.span.segments[s].startH,
        endH: this.span.segments[s].endH,
        x0: problem.x0.slice(),
        xEnd: value.ends[s].slice(),
      })),
      dataLoss: value.data,
      readings: this.span.readings,
      continuityLoss: value.continuity,
      priorLoss,
      objective,
      iterations,
      converged,
      covariance: block(covariance),
      dataCovariance: block(dataFull),
    };
  }
}

/** As the window fit's bounds: a parameter within a factor 1000 of its value; states in a physical range. */
const parameterRange = 1e3;
const stateFloor = 1e-9;
const stateCeiling = 1e5;
