import type { CompiledModel } from '../model/compile';
import { type IntegrationRecord, stepHeader } from '../solvers/integration-record';
import { luSolveMatrix, rodas4, rodas4Record } from '../solvers/rodas4';

/**
 * Scratch for forward sensitivities, owned by one workspace. θ = (the parameters listed in
 * paramColumns, x0): nθ = P + n ≤ m + n; buffers are sized for all m parameters.
 */
export interface Rodas4TangentScratch {
  /** K̇ᵢ = ∂Kᵢ/∂θ, n × nθ each. */
  stageTangent: Float64Array[];
  /** Ẏᵢ, then Ẏ₆ at the end. */
  stateTangent: Float64Array;
  rhsTangent: Float64Array;
  /** ḟₜ = d(J_u u̇)/dθ. */
  timeDerivativeTangent: Float64Array;
  jp: Float64Array;
  /** ∂(J v)/∂x (n × n) and ∂(J v)/∂p (n × m) for the J̇ v terms. */
  gx: Float64Array;
  gp: Float64Array;
  x: Float64Array;
  stageState: Float64Array;
  stageSolution: Float64Array;
  u: Float64Array;
  u0: Float64Array;
  slope: Float64Array;
  /** 0..m−1: every parameter, the default columns. */
  allParameters: Int32Array;
}

export function createRodas4TangentScratch(n: number, m: number, k: number): Rodas4TangentScratch {
  const maxCols = m + n;
  return {
    stageTangent: Array.from({ length: rodas4.stages }, () => new Float64Array(n * maxCols)),
    stateTangent: new Float64Array(n * maxCols),
    rhsTangent: new Float64Array(n * maxCols),
    timeDerivativeTangent: new Float64Array(n * maxCols),
    jp: new Float64Array(n * m),
    gx: new Float64Array(n * n),
    gp: new Float64Array(n * m),
    x: new Float64Array(n),
    stageState: new Float64Array(n),
    stageSolution: new Float64Array(n),
    u: new Float64Array(k),
    u0: new Float64Array(k),
    slope: new Float64Array(k),
    allParameters: Int32Array.from({ length: m }, (_, i) => i),
  };
}

/**
 * out (n × nθ) (+)= d(G(x_n, p))/dθ for G = J_x(x_n, p) v (`input` false) or G = J_u(x_n, p) v (`input`
 * true): the generated Jacobian of G (∂G/∂x, ∂G/∂p), chained with sens = ∂x_n/∂θ and ∂p/∂θ (the unit
 * columns of paramColumns).
 */
function contractionTangent(
  model: CompiledModel,
  p: Float64Array,
  input: boolean,
  v: Float64Array,
  sens: Float64Array,
  paramColumns: Int32Array,
  s: Rodas4TangentScratch,
  out: Float64Array,
  accumulate: boolean,
): void {
  const n = s.x.length;
  const m = p.length;
  const P = paramColumns.length;
  const cols = P + n;
  const { gx, gp, x, u0 } = s;
  if (input) model.inputJacobianDirectionalDerivative(x, p, u0, v, gx, gp);
  else model.stateJacobianDirectionalDerivative(x, p, u0, v, gx, gp);
  for (let r = 0; r < n; r++) {
    const row = r * cols;
    if (!accumulate) for (let col = 0; col < cols; col++) out[row + col] = 0;
    for (let col = 0; col < P; col++) out[row + col] += gp[r * m + paramColumns[col]];
    for (let q = 0; q < n; q++) {
      const g = gx[r * n + q];
      if (g === 0) continue;
      const from = q * cols;
      for (let col = 0; col < cols; col++) out[row + col] += g * sens[from + col];
    }
  }
}

/**
 * out = start + Σ_{j<count} (weights[j] / divisor) K̇ⱼ in one pass (out may be start), adding the
 * terms in j order as separate passes would, so the sums are the same to the last bit.
 */
function addStageSum(
  start: Float64Array,
  weights: readonly number[],
  divisor: number,
  count: number,
  stageTangent: Float64Array[],
  size: number,
  out: Float64Array,
): void {
  if (count === 0) {
    if (out !== start) for (let q = 0; q < size; q++) out[q] = start[q];
    return;
  }
  const w0 = weights[0] / divisor;
  const k0 = stageTangent[0];
  if (count === 1) {
    for (let q = 0; q < size; q++) out[q] = start[q] + w0 * k0[q];
    return;
  }
  const w1 = weights[1] / divisor;
  const k1 = stageTangent[1];
  for (let q = 0; q < size; q++) out[q] = start[q] + w0 * k0[q] + w1 * k1[q];
  for (let j = 2; j < count; j++) {
    const w = weights[j] / divisor;
    const kDot = stageTangent[j];
    for (let q = 0; q < size; q++) out[q] += w * kDot[q];
  }
}

/**
 * Forward sensitivities over one accepted Rodas4 step: the tangent of the same discrete map the
 * adjoint differentiates (see rodas4StepAdjoint), so both give the same gradient to rounding.
 * W K̇ᵢ = ṙᵢ + J̇ Kᵢ, where J̇ Kᵢ and ḟₜ come from the generated Jacobians of J Kᵢ and J_u u̇.
 * sens (n × nθ, row-major, nθ = paramColumns.length + n) holds ∂x_n/∂θ on entry and ∂x_{n+1}/∂θ on
 * exit, for θ = (the parameters listed in paramColumns, then x0).
 */
export function rodas4StepTangent(
  model: CompiledModel,
  p: Float64Array,
  record: IntegrationRecord,
  step: number,
  sens: Float64Array,
  paramColumns: Int32Array,
  s: Rodas4TangentScratch,
): void {
  const { n, k } = record;
  const m = model.parameterNames.length;
  const P = paramColumns.length;
  const cols = P + n;
  const size = n * cols;
  const { a, C, c, d, stages } = rodas4;
  const steps = record.steps;
  const base = step * record.stride;
  const h = steps[base + stepHeader.size];
  const methodBase = base + stepHeader.methodRecord(k);
  const luOff = methodBase + rodas4Record.lu(n);
  const pivOff = methodBase + rodas4Record.pivots(n);
  let moving = false;
  for (let q = 0; q < k; q++) {
    s.u0[q] = steps[base + stepHeader.inputBase + q];
    s.slope[q] = steps[base + stepHeader.inputSlope(k) + q];
    if (s.slope[q] !== 0) moving = true;
  }
  const x = s.x;
  const xOffset = methodBase + rodas4Record.stageState(n, 0);
  for (let q = 0; q < n; q++) x[q] = steps[xOffset + q];

  const ftDot = s.timeDerivativeTangent;
  if (moving) contractionTangent(model, p, true, s.slope, sens, paramColumns, s, ftDot, false);
  else for (let q = 0; q < size; q++) ftDot[q] = 0;

  const yDot = s.stateTangent;
  const rDot = s.rhsTangent;
  const Kvec = s.stageSolution;
  const jp = s.jp;
  const solveMatrix = luSolveMatrix;
  for (let i = 0; i < stages; i++) {
    // Ẏᵢ = Sₙ + Σ_{j<i} aᵢⱼ K̇ⱼ
    addStageSum(sens, a[i], 1, i, s.stageTangent, size, yDot);
    const yOffset = methodBase + rodas4Record.stageState(n, i);
    for (let q = 0; q < n; q++) s.stageState[q] = steps[yOffset + q];
    for (let q = 0; q < k; q++) s.u[q] = s.u0[q] + s.slope[q] * c[i] * h;
    model.jacobianParams(s.stageState, p, s.u, jp);
    // ṙᵢ = h dᵢ ḟₜ + J_p(Yᵢ) ∂p/∂θ + J(Yᵢ) Ẏᵢ + (1/h) Σ Cᵢⱼ K̇ⱼ
    const hd = h * d[i];
    for (let q = 0; q < size; q++) rDot[q] = hd * ftDot[q];
    for (let r = 0; r < n; r++) {
      const row = r * cols;
      for (let col = 0; col < P; col++) rDot[row + col] += jp[r * m + paramColumns[col]];
    }
    model.jacobianStatesTimesAdd(s.stageState, p, s.u, yDot, cols, rDot);
    addStageSum(rDot, C[i], h, i, s.stageTangent, size, rDot);
    // + J̇ Kᵢ, since W = I/(γh) − J(x_n, p)
    const kOffset = methodBase + rodas4Record.stageSolution(n, i);
    for (let q = 0; q < n; q++) Kvec[q] = steps[kOffset + q];
    contractionTangent(model, p, false, Kvec, sens, paramColumns, s, rDot, true);
    // K̇ᵢ = W⁻¹ (ṙᵢ + J̇ Kᵢ), all columns at once
    const kDot = s.stageTangent[i];
    for (let q = 0; q < size; q++) kDot[q] = rDot[q];
    solveMatrix(steps, luOff, n, steps, pivOff, kDot, 0, cols);
  }
  // x_{n+1} = Y₆ + K₆; yDot holds Ẏ₆.
  const k6Dot = s.stageTangent[stages - 1];
  for (let q = 0; q < size; q++) sens[q] = yDot[q] + k6Dot[q];
}

/**
 * Forward sensitivities of one Rodas4 step with their own scratch, for a method kit. paramColumns
 * (model indices) selects the parameter columns of θ; all parameters when omitted.
 */
export function createRodas4StepTangent(
  model: CompiledModel,
): (
  p: Float64Array,
  record: IntegrationRecord,
  step: number,
  sens: Float64Array,
  paramColumns?: Int32Array,
) => void {
  const n = model.stateNames.length;
  const scratch = createRodas4TangentScratch(n, model.parameterNames.length, model.inputNames.length);
  return (p, record, step, sens, paramColumns = scratch.allParameters) =>
    rodas4StepTangent(model, p, record, step, sens, paramColumns, scratch);
}
