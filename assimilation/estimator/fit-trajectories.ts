/**
 * The fitted model over its window and a forecast past it, on a regular grid, with standard
 * deviations from the fit's posterior: one forward solve with sensitivities from the optimum, the
 * inputs held at their last sample after the window (the window problem's own rule).
 */
import type { CompiledModel } from '../model/compile';
import type { SolverOptions } from '../solvers/types';
import { type EngineWorkspace, residualSensitivities } from '../window-engine';
import type { WindowOptimum } from './types';
import { toLogSpaceColumns, type UnknownLayout } from './unknowns';

/** Model quantities on a time grid, with their standard deviations. */
export interface TrajectoryBands {
  timeH: number[];
  /** Every state by name, then every signal that is not a state (od, substrate). */
  series: Record<string, number[]>;
  sd: Record<string, number[]>;
}

export interface FitTrajectories {
  trajectory: TrajectoryBands;
  forecast: TrajectoryBands;
}

/** What a trajectory reports: the states, then the signals that are not states, each as a signal. */
function reportedQuantities(model: CompiledModel): { key: string; signal: string }[] {
  const states = model.stateNames.filter((s) => model.signalNames.includes(s));
  const others = model.signalNames.filter((s) => !model.stateNames.includes(s));
  return [...states, ...others].map((key) => ({ key, signal: key }));
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
  const signalIndex = reported.map((r) => model.signalNames.indexOf(r.signal));
  if (signalIndex.some((i) => i < 0)) return null;
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
  const covariance = fit.covariance;
  const value = (row: number) => sens.residuals[row];
  const sd = (row: number) => {
    let variance = 0;
    for (let i = 0; i < q; i++) {
      const ji = jacobian[row * q + i];
      if (ji === 0) continue;
      let s = 0;
      for (let j = 0; j < q; j++) s += covariance[i * q + j] * jacobian[row * q + j];
      variance += ji * s;
    }
    return Math.sqrt(Math.max(variance, 0));
  };
  const part = (from: number, to: number): TrajectoryBands => {
    const series: Record<string, number[]> = {};
    const sds: Record<string, number[]> = {};
    reported.forEach((r, s) => {
      series[r.key] = [];
      sds[r.key] = [];
      for (let g = from; g < to; g++) {
        series[r.key].push(value(g * reported.length + s));
        sds[r.key].push(sd(g * reported.length + s));
      }
    });
    return { timeH: grid.slice(from, to), series, sd: sds };
  };
  const split = grid.findIndex((t) => t > windowEndH + 1e-9);
  const end = split < 0 ? grid.length : split;
  const result = { trajectory: part(0, end), forecast: part(end, grid.length) };
  const finite = (t: TrajectoryBands) =>
    Object.values(t.series).every((a) => a.every(Number.isFinite)) &&
    Object.values(t.sd).every((a) => a.every(Number.isFinite));
  return finite(result.trajectory) && finite(result.forecast) ? result : null;
}
