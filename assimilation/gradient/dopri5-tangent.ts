import type { CompiledModel } from '../model/compile';
import { dopri5, dopri5Record } from '../solvers/dopri5';
import { type IntegrationRecord, stepHeader } from '../solvers/integration-record';

/** Scratch for forward sensitivities, owned by one workspace. θ = (all parameters, x0): nθ = m + n. */
export interface Dopri5TangentScratch {
  stageTangent: Float64Array[];
  stateTangent: Float64Array;
  jx: Float64Array;
  jp: Float64Array;
  stageState: Float64Array;
  u: Float64Array;
}

export function createDopri5TangentScratch(n: number, m: number, k: number): Dopri5TangentScratch {
  const cols = m + n;
  return {
    stageTangent: Array.from({ length: dopri5.stages }, () => new Float64Array(n * cols)),
    stateTangent: new Float64Array(n * cols),
    jx: new Float64Array(n * n),
    jp: new Float64Array(n * m),
    stageState: new Float64Array(n),
    u: new Float64Array(k),
  };
}

/**
 * Forward sensitivities over one accepted Dormand–Prince step: the tangent of the same discrete map
 * the adjoint differentiates, so both give the same gradient to rounding. sens (n × nθ, row-major)
 * holds ∂x_n/∂θ on entry and ∂x_{n+1}/∂θ on exit.
 */
export function dopri5StepTangent(
  model: CompiledModel,
  p: Float64Array,
  record: IntegrationRecord,
  step: number,
  sens: Float64Array,
  s: Dopri5TangentScratch,
): void {
  const { n, k } = record;
  const m = model.parameterNames.length;
  const cols = m + n;
  const { a, b, c } = dopri5;
  const steps = record.steps;
  const base = step * record.stride;
  const h = steps[base + stepHeader.size];
  const methodBase = base + stepHeader.methodRecord(k);
  const yDot = s.stateTangent;
  for (let i = 0; i < dopri5.stages; i++) {
    // Ẏᵢ = Sₙ + h Σ_{j<i} aᵢⱼ K̇ⱼ
    yDot.set(sens);
    for (let j = 0; j < i; j++) {
      const w = h * a[i][j];
      if (w === 0) continue;
      const kDot = s.stageTangent[j];
      for (let q = 0; q < n * cols; q++) yDot[q] += w * kDot[q];
    }
    const yOffset = methodBase + dopri5Record.stageState(n, i);
    for (let q = 0; q < n; q++) s.stageState[q] = steps[yOffset + q];
    for (let q = 0; q < k; q++) {
      s.u[q] = steps[base + stepHeader.inputBase + q] + steps[base + stepHeader.inputSlope(k) + q] * c[i] * h;
    }
    model.jacobianStates(s.stageState, p, s.u, s.jx);
    model.jacobianParams(s.stageState, p, s.u, s.jp);
    // K̇ᵢ = J_x Ẏᵢ + [J_p | 0]
    const kDot = s.stageTangent[i];
    for (let r = 0; r < n; r++) {
      for (let col = 0; col < cols; col++) {
        let acc = col < m ? s.jp[r * m + col] : 0;
        for (let q = 0; q < n; q++) acc += s.jx[r * n + q] * yDot[q * cols + col];
        kDot[r * cols + col] = acc;
      }
    }
  }
  for (let i = 0; i < dopri5.stages; i++) {
    const w = h * b[i];
    if (w === 0) continue;
    const kDot = s.stageTangent[i];
    for (let q = 0; q < n * cols; q++) sens[q] += w * kDot[q];
  }
}
