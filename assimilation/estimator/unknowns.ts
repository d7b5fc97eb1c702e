import type { CompiledModel } from '../model/compile';
import type { WindowProblem } from '../problem/window-problem';

/**
 * The unknowns of a window fit, in log space: u = (log p for each free parameter, log x0 for every
 * state). Log space makes the fit indifferent to the parameters' units and keeps everything positive.
 */
export interface UnknownLayout {
  /** Model indices of the free parameters, in u order. */
  freeParams: Int32Array;
  stateCount: number;
  /** Total unknowns: free parameters then states. */
  size: number;
  /** Bounds on u (log units). */
  lower: Float64Array;
  upper: Float64Array;
}

/** Parameters may move this factor from their plant value at most; states stay in a physical range. */
const parameterRange = 1e3;
const stateFloor = 1e-9;
const stateCeiling = 1e5;

export function unknownLayout(model: CompiledModel, freeParamNames: readonly string[]): UnknownLayout {
  const freeParams = Int32Array.from(freeParamNames, (name) => {
    const i = model.parameterNames.indexOf(name);
    if (i < 0) throw new Error(`unknown parameter "${name}"`);
    return i;
  });
  const n = model.stateNames.length;
  const size = freeParams.length + n;
  const lower = new Float64Array(size);
  const upper = new Float64Array(size);
  freeParams.forEach((pi, j) => {
    const plant = model.definition.parameters[pi].plantValue;
    lower[j] = Math.log(plant / parameterRange);
    upper[j] = Math.log(plant * parameterRange);
  });
  for (let s = 0; s < n; s++) {
    lower[freeParams.length + s] = Math.log(stateFloor);
    upper[freeParams.length + s] = Math.log(stateCeiling);
  }
  return { freeParams, stateCount: n, size, lower, upper };
}

/** Reads u from natural values (free parameters of `params`, and x0), clamped into the bounds. */
export function toUnknowns(layout: UnknownLayout, params: Float64Array, x0: Float64Array): Float64Array {
  const u = new Float64Array(layout.size);
  const p = layout.freeParams.length;
  layout.freeParams.forEach((pi, j) => {
    u[j] = Math.log(params[pi]);
  });
  for (let s = 0; s < layout.stateCount; s++) u[p + s] = Math.log(Math.max(x0[s], stateFloor));
  return clampToBounds(layout, u);
}

export function clampToBounds(layout: UnknownLayout, u: Float64Array): Float64Array {
  for (let i = 0; i < u.length; i++) u[i] = Math.min(layout.upper[i], Math.max(layout.lower[i], u[i]));
  return u;
}

/** Writes the natural values of u into a problem's params and x0 (which it owns). */
export function applyUnknowns(layout: UnknownLayout, u: Float64Array, problem: WindowProblem): void {
  const p = layout.freeParams.length;
  layout.freeParams.forEach((pi, j) => {
    problem.params[pi] = Math.exp(u[j]);
  });
  for (let s = 0; s < layout.stateCount; s++) problem.x0[s] = Math.exp(u[p + s]);
}

/**
 * Converts a Jacobian block with natural-unit columns in u's order (free parameters, then x0) into
 * log-space columns: ∂r/∂log θ = θ ∂r/∂θ. Rows × size, in place.
 */
export function toLogSpaceColumns(
  layout: UnknownLayout,
  jacobian: Float64Array,
  rows: number,
  problem: WindowProblem,
): Float64Array {
  const q = layout.size;
  const p = layout.freeParams.length;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < p; j++) jacobian[r * q + j] *= problem.params[layout.freeParams[j]];
    for (let s = 0; s < layout.stateCount; s++) jacobian[r * q + p + s] *= problem.x0[s];
  }
  return jacobian;
}
