/**
 * The fitted model over its window and a forecast past it, on a regular grid, with 95 % bands: one
 * forward solve with sensitivities from the optimum gives the posterior's part (parameters and
 * start state); the forecast adds the inputs' part. Past the window nobody knows the inputs: they
 * are held at their last sample for the central line, and their band comes from how they moved in
 * the recent past (hours of the recent past as analogues: the forecast is solved again with
 * the inputs scaled as they were scaled over the same span after that hour), over the last four days.
 */
import type { CompiledModel } from '../model/compile';
import type { InputSeries, WindowProblem } from '../problem/window-problem';
import type { SolverOptions } from '../solvers/types';
import { type EngineWorkspace, residualSensitivities, sampleTrajectory, solveWindow } from '../window-engine';
import { lowerBound, type PlantData, type SignalSeries } from './plant-data';
import type { WindowOptimum } from './types';
import { toLogSpaceColumns, type UnknownLayout } from './unknowns';

/** Model quantities on a time grid, with their standard deviations and 95 % bands. */
export interface TrajectoryBands {
  timeH: number[];
  /** Every state by name, then every signal that is not a state (od, substrate). */
  series: Record<string, number[]>;
  /** Linearized sd in natural units. */
  sd: Record<string, number[]>;
  /** The 95 % band; for a positive quantity in log space, so never below zero. */
  lower: Record<string, number[]>;
  upper: Record<string, number[]>;
}

export interface FitTrajectories {
  trajectory: TrajectoryBands;
  forecast: TrajectoryBands;
}

/** How the forecast learns how much the inputs may move: the recent readings of each input. */
export interface ForecastInputs {
  history: PlantData;
  /** Hours of history read back from the window end. */
  lookbackHours: number;
  /** At most this many analogues. */
  analogues: number;
}

/** Four days: the dilution's slow swings (periods of 6 h to 3 days) are then in the analogues (48 h held the truth in 89 % of windows). */
export const defaultForecastInputs = { lookbackHours: 96, analogues: 32 };

const z95 = 1.959963984540054;

/** What a trajectory reports: the states, then the signals that are not states, each as a signal. */
function reportedQuantities(model: CompiledModel): string[] {
  const states = model.stateNames.filter((s) => model.signalNames.includes(s));
  const others = model.signalNames.filter((s) => !model.stateNames.includes(s));
  return [...states, ...others];
}

export function fitTrajectories(
  model: CompiledModel,
  layout: UnknownLayout,
  ws: EngineWorkspace,
  fit: WindowOptimum,
  windowEndH: number,
  stepHours: number,
  forecastHours: number,
  solver: SolverOptions,
  inputs: ForecastInputs | null = null,
): FitTrajectories | null {
  const t0 = fit.problem.t0;
  const grid: number[] = [];
  for (let k = 0; ; k++) {
    const t = t0 + k * stepHours;
    if (t > windowEndH + forecastHours + 1e-9) break;
    grid.push(t);
  }
  if (grid[grid.length - 1] < windowEndH - 1e-9) grid.push(windowEndH);
  grid.sort((a, b) => a - b);
  const reported = reportedQuantities(model);
  const signalIndex = reported.map((r) => model.signalNames.indexOf(r));
  const rows = grid.length * reported.length;
  const obsTime = new Float64Array(rows);
  const obsSignal = new Int32Array(rows);
  grid.forEach((t, g) => {
    for (let s = 0; s < reported.length; s++) {
      obsTime[g * reported.length + s] = t;
      obsSignal[g * reported.length + s] = signalIndex[s];
    }
  });
  // Values 0 and σ 1: each "residual" is the signal itself, each Jacobian row its sensitivity.
  const problem = {
    ...fit.problem,
    params: fit.problem.params.slice(),
    x0: fit.problem.x0.slice(),
    obsTime,
    obsSignal,
    obsValue: new Float64Array(rows),
    obsSigma: new Float64Array(rows).fill(1),
  };
  const sens = residualSensitivities(problem, ws, solver, grid[grid.length - 1], layout.freeParams);
  if (!sens.ok) return null;
  const q = layout.size;
  const jacobian = toLogSpaceColumns(layout, sens.jacobian, rows, problem);
  const value = (row: number) => sens.residuals[row];
  const posteriorVariance = (row: number) => {
    let variance = 0;
    for (let i = 0; i < q; i++) {
      const ji = jacobian[row * q + i];
      if (ji === 0) continue;
      let s = 0;
      for (let j = 0; j < q; j++) s += fit.covariance[i * q + j] * jacobian[row * q + j];
      variance += ji * s;
    }
    return Math.max(variance, 0);
  };
  const split = grid.findIndex((t) => t > windowEndH + 1e-9);
  const end = split < 0 ? grid.length : split;
  const forecastGrid = grid.slice(end);
  const inputLogVariance =
    inputs && forecastGrid.length
      ? forecastInputVariance(model, ws, fit, windowEndH, forecastGrid, signalIndex, solver, inputs)
      : null;

  const part = (from: number, to: number, extra: Float64Array | null): TrajectoryBands => {
    const bands: TrajectoryBands = { timeH: grid.slice(from, to), series: {}, sd: {}, lower: {}, upper: {} };
    reported.forEach((key, s) => {
      const series: number[] = [];
      const sds: number[] = [];
      const lower: number[] = [];
      const upper: number[] = [];
      for (let g = from; g < to; g++) {
        const row = g * reported.length + s;
        const v = value(row);
        const added = extra ? extra[(g - from) * reported.length + s] : 0;
        if (v > 0) {
          const sdLog = Math.sqrt(posteriorVariance(row) / (v * v) + added);
          sds.push(v * sdLog);
          lower.push(v * Math.exp(-z95 * sdLog));
          upper.push(v * Math.exp(z95 * sdLog));
        } else {
          const sd = Math.sqrt(posteriorVariance(row));
          sds.push(sd);
          lower.push(v - z95 * sd);
          upper.push(v + z95 * sd);
        }
        series.push(v);
      }
      bands.series[key] = series;
      bands.sd[key] = sds;
      bands.lower[key] = lower;
      bands.upper[key] = upper;
    });
    return bands;
  };
  const result = { trajectory: part(0, end, null), forecast: part(end, grid.length, inputLogVariance) };
  const finite = (t: TrajectoryBands) =>
    [t.series, t.sd, t.lower, t.upper].every((m) => Object.values(m).every((a) => a.every(Number.isFinite)));
  return finite(result.trajectory) && finite(result.forecast) ? result : null;
}

/**
 * The variance of log(quantity) on the forecast grid that the inputs' unknown future adds, row
 * order (grid point, quantity). Each analogue is the inputs' relative course over the same span after
 * a time in the recent past, applied to their value at the window end; the spread of the forecasts
 * about the one with the inputs held is the inputs' part of the band. Null when no input has enough
 * history.
 */
function forecastInputVariance(
  model: CompiledModel,
  ws: EngineWorkspace,
  fit: WindowOptimum,
  windowEndH: number,
  forecastGrid: number[],
  signalIndex: number[],
  solver: SolverOptions,
  inputs: ForecastInputs,
): Float64Array | null {
  const horizon = forecastGrid[forecastGrid.length - 1] - windowEndH;
  const offsets = forecastGrid.map((t) => t - windowEndH);
  const held = fit.problem.inputs.map((series) => valueAt(series, windowEndH));
  const paths = model.inputNames.map((name) => {
    const series = inputs.history.signals.get(name);
    return series ? analoguePaths(series, windowEndH, horizon, inputs) : [];
  });
  const count = Math.min(...paths.map((p) => p.length));
  if (!(count > 0)) return null;
  const times = Float64Array.from(forecastGrid);
  const solveWith = (ratios: ((tau: number) => number)[]): Float64Array | null => {
    const task: WindowProblem = {
      ...fit.problem,
      t0: windowEndH,
      x0: fit.finalState.slice(),
      inputs: held.map((v, k) => ({
        t: Float64Array.from([0, ...offsets], (tau) => windowEndH + tau),
        v: Float64Array.from([0, ...offsets], (tau) => v * ratios[k](tau)),
      })),
      obsTime: times,
      obsSignal: new Int32Array(times.length),
      obsValue: new Float64Array(times.length),
      obsSigma: new Float64Array(times.length).fill(1),
    };
    const solved = solveWindow(task, solver, ws);
    if (!solved.ok) return null;
    const states = sampleTrajectory(ws, times);
    const n = model.stateNames.length;
    const out = new Float64Array(times.length * signalIndex.length);
    for (let g = 0; g < times.length; g++) {
      const x = states.subarray(g * n, (g + 1) * n);
      signalIndex.forEach((s, r) => {
        out[g * signalIndex.length + r] = model.measure[s](x, fit.problem.params);
      });
    }
    return out;
  };
  const reference = solveWith(held.map(() => () => 1));
  if (!reference) return null;
  const variance = new Float64Array(reference.length);
  let used = 0;
  for (let a = 0; a < count; a++) {
    const ratios = paths.map((p) => p[a]);
    const scenario = solveWith(ratios);
    if (!scenario) continue;
    used++;
    for (let i = 0; i < variance.length; i++) {
      const d = reference[i] > 0 && scenario[i] > 0 ? Math.log(scenario[i] / reference[i]) : 0;
      variance[i] += d * d;
    }
  }
  if (used === 0) return null;
  for (let i = 0; i < variance.length; i++) variance[i] /= used;
  return variance;
}

/** Relative courses τ ↦ u(a + τ)/u(a) over [0, horizon] for analogue times a in the lookback. */
function analoguePaths(
  series: SignalSeries,
  windowEndH: number,
  horizon: number,
  inputs: ForecastInputs,
): ((tau: number) => number)[] {
  const from = windowEndH - inputs.lookbackHours;
  const latest = windowEndH - horizon;
  if (series.t.length < 2 || latest <= Math.max(from, series.t[0])) return [];
  const first = Math.max(from, series.t[0]);
  const step = (latest - first) / Math.max(1, inputs.analogues - 1);
  const paths: ((tau: number) => number)[] = [];
  for (let a = first; a <= latest + 1e-9; a += step) {
    const base = valueAt(series, a);
    if (!(base > 0)) continue;
    paths.push((tau) => valueAt(series, a + tau) / base);
    if (step <= 0) break;
  }
  return paths;
}

/** A piecewise-linear series at t, held beyond its ends. */
function valueAt(series: InputSeries | SignalSeries, t: number): number {
  const { t: ts, v } = series;
  if (t <= ts[0]) return v[0];
  if (t >= ts[ts.length - 1]) return v[ts.length - 1];
  const i = lowerBound(ts, t);
  const w = (t - ts[i - 1]) / (ts[i] - ts[i - 1]);
  return v[i - 1] + w * (v[i] - v[i - 1]);
}
