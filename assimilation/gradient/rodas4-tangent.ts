import type { CompiledModel } from '../model/compile';
import { type IntegrationRecord, stepHeader } from '../solvers/integration-record';
import { luSolve, rodas4, rodas4Record } from '../solvers/rodas4';

/** Scratch for forward sensitivities, owned by one workspace. θ = (all parameters, x0): nθ = m + n. */
export interface Rodas4TangentScratch {
  /** K̇ᵢ = ∂Kᵢ/∂θ, n × nθ each. */
  stageTangent: Float64Array[];
  /** Ẏᵢ, then Ẏ₆ at the end. */
  stateTangent: Float64Array;
  rhsTangent: Float64Array;
  /** ḟₜ = d(J_u u̇)/dθ. */
  timeDerivativeTangent: Float64Array;
  jx: Float64Array;
  jp: Float64Array;
  unit: Float64Array;
  rowX: Float64Array;
  rowP: Float64Array;
  column: Float64Array;
  x: Float64Array;
  stageState: Float64Array;
  stageSolution: Float64Array;
  u: Float64Array;
  u0: Float64Array;
  slope: Float64Array;
}

export function createRodas4TangentScratch(n: number, m: number, k: number): Rodas4TangentScratch {
  const cols = m + n;
  return {
    stageTangent: Array.from({ length: rodas4.stages }, () => new Float64Array(n * cols)),
    stateTangent: new Float64Array(n * cols),
    rhsTangent: new Float64Array(n * cols),
    timeDerivativeTangent: new Float64Array(n * cols),
    jx: new Float64Array(n * n),
    jp: new Float64Array(n * m),
    unit: new Float64Array(n),
    rowX: new Float64Array(n),
    rowP: new Float64Array(m),
    column: new Float64Array(n),
    x: new Float64Array(n),
    stageState: new Float64Array(n),
    stageSolution: new Float64Array(n),
    u: new Float64Array(k),
    u0: new Float64Array(k),
    slope: new Float64Array(k),
  };
}

/**
 * out (n × nθ) (+)= d(G(x_n, p))/dθ for G = J_x(x_n, p) v (`input` false) or G = J_u(x_n, p) v (`input`
 * true), row by row from the generated contraction gradients with unit weights (row r: ∇ₓ G_r and
 * ∇ₚ G_r), chained with sens = ∂x_n/∂θ and ∂p/∂θ = [I | 0].
 */
function contractionTangent(
  model: CompiledModel,
  p: Float64Array,
  input: boolean,
  v: Float64Array,
  sens: Float64Array,
  s: Rodas4TangentScratch,
  out: Float64Array,
  accumulate: boolean,
): void {
  const n = s.x.length;
  const m = s.rowP.length;
  const cols = m + n;
  const { unit, rowX, rowP, x, u0 } = s;
  for (let r = 0; r < n; r++) {
    unit.fill(0);
    unit[r] = 1;
    rowP.fill(0);
    if (input) model.inputJacobianContractionGradient(x, p, u0, unit, v, rowX, rowP);
    else model.stateJacobianContractionGradient(x, p, u0, unit, v, rowX, rowP);
    for (let col = 0; col < cols; col++) {
      let acc = col < m ? rowP[col] : 0;
      for (let q = 0; q < n; q++) acc += rowX[q] * sens[q * cols + col];
      if (accumulate) out[r * cols + col] += acc;
      else out[r * cols + col] = acc;
    }
  }
}

/**
 * Forward sensitivities over one accepted Rodas4 step: the tangent of the same discrete map the
 * adjoint differentiates (see rodas4StepAdjoint), so both give the same gradient to rounding.
 * W K̇ᵢ = ṙᵢ + J̇ Kᵢ, where J̇ Kᵢ and ḟₜ come row by row from the generated contraction gradients with
 * unit weights. sens (n × nθ, row-major) holds ∂x_n/∂θ on entry and ∂x_{n+1}/∂θ on exit.
 */
export function rodas4StepTangent(
  model: CompiledModel,
  p: Float64Array,
  record: IntegrationRecord,
  step: number,
  sens: Float64Array,
  s: Rodas4TangentScratch,
): void {
  const { n, k } = record;
  const m = model.parameterNames.length;
  const cols = m + n;
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
  if (moving) {
    contractionTangent(model, p, true, s.slope, sens, s, ftDot, false);
  } else {
    ftDot.fill(0);
  }

  const yDot = s.stateTangent;
  const rDot = s.rhsTangent;
  const Kvec = s.stageSolution;
  for (let i = 0; i < stages; i++) {
    // Ẏᵢ = Sₙ + Σ_{j<i} aᵢⱼ K̇ⱼ
    yDot.set(sens);
    for (let j = 0; j < i; j++) {
      const w = a[i][j];
      const kDot = s.stageTangent[j];
      for (let q = 0; q < n * cols; q++) yDot[q] += w * kDot[q];
    }
    const yOffset = methodBase + rodas4Record.stageState(n, i);
    for (let q = 0; q < n; q++) s.stageState[q] = steps[yOffset + q];
    for (let q = 0; q < k; q++) s.u[q] = s.u0[q] + s.slope[q] * c[i] * h;
    model.jacobianStates(s.stageState, p, s.u, s.jx);
    model.jacobianParams(s.stageState, p, s.u, s.jp);
    // ṙᵢ = J(Yᵢ) Ẏᵢ + [J_p(Yᵢ) | 0] + h dᵢ ḟₜ + (1/h) Σ Cᵢⱼ K̇ⱼ
    const hd = h * d[i];
    for (let r = 0; r < n; r++) {
      for (let col = 0; col < cols; col++) {
        let acc = col < m ? s.jp[r * m + col] : 0;
        for (let q = 0; q < n; q++) acc += s.jx[r * n + q] * yDot[q * cols + col];
        let coupling = 0;
        for (let j = 0; j < i; j++) coupling += C[i][j] * s.stageTangent[j][r * cols + col];
        rDot[r * cols + col] = acc + hd * ftDot[r * cols + col] + coupling / h;
      }
    }
    // + J̇ Kᵢ, since W = I/(γh) − J(x_n, p)
    const kOffset = methodBase + rodas4Record.stageSolution(n, i);
    for (let q = 0; q < n; q++) Kvec[q] = steps[kOffset + q];
    contractionTangent(model, p, false, Kvec, sens, s, rDot, true);
    // K̇ᵢ = W⁻¹ (ṙᵢ + J̇ Kᵢ), column by column
    const kDot = s.stageTangent[i];
    const column = s.column;
    for (let col = 0; col < cols; col++) {
      for (let r = 0; r < n; r++) column[r] = rDot[r * cols + col];
      luSolve(steps, luOff, n, steps, pivOff, column, column);
      for (let r = 0; r < n; r++) kDot[r * cols + col] = column[r];
    }
  }
  // x_{n+1} = Y₆ + K₆; yDot holds Ẏ₆.
  const k6Dot = s.stageTangent[stages - 1];
  for (let q = 0; q < n * cols; q++) sens[q] = yDot[q] + k6Dot[q];
}

/** Forward sensitivities of one Rodas4 step with their own scratch, for a method kit. */
export function createRodas4StepTangent(
  model: CompiledModel,
): (p: Float64Array, record: IntegrationRecord, step: number, sens: Float64Array) => void {
  const n = model.stateNames.length;
  const scratch = createRodas4TangentScratch(n, model.parameterNames.length, model.inputNames.length);
  return (p, record, step, sens) => rodas4StepTangent(model, p, record, step, sens, scratch);
}
