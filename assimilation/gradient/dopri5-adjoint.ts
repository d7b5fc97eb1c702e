import type { CompiledModel } from '../model/compile';
import { dopri5, dopri5Record } from '../solvers/dopri5';
import { type IntegrationRecord, stepHeader } from '../solvers/integration-record';

/** Scratch for the reverse sweep, owned by one workspace. */
export interface Dopri5AdjointScratch {
  stageAdjoint: Float64Array[];
  slopeAdjoint: Float64Array;
  stageState: Float64Array;
  u: Float64Array;
}

export function createDopri5AdjointScratch(n: number, k: number): Dopri5AdjointScratch {
  return {
    stageAdjoint: Array.from({ length: dopri5.stages }, () => new Float64Array(n)),
    slopeAdjoint: new Float64Array(n),
    stageState: new Float64Array(n),
    u: new Float64Array(k),
  };
}

/**
 * Reverse sweep of one accepted Dormand–Prince step: the exact derivative of the discrete map
 * x_{n+1} = x_n + h Σ bᵢ Kᵢ, Kᵢ = f(Yᵢ), Yᵢ = x_n + h Σ aᵢⱼ Kⱼ, read from the stored stages
 * (nothing is integrated backward). On entry lambda = ∂L/∂x_{n+1}; on exit ∂L/∂x_n.
 * Parameter adjoints accumulate into mu.
 */
export function dopri5StepAdjoint(
  model: CompiledModel,
  p: Float64Array,
  record: IntegrationRecord,
  step: number,
  lambda: Float64Array,
  mu: Float64Array,
  s: Dopri5AdjointScratch,
): void {
  const { n, k } = record;
  const { a, b, c } = dopri5;
  const steps = record.steps;
  const base = step * record.stride;
  const h = steps[base + stepHeader.size];
  const methodBase = base + stepHeader.methodRecord(k);
  const kBar = s.slopeAdjoint;
  for (let i = dopri5.stages - 1; i >= 0; i--) {
    // ∂L/∂Kᵢ = h bᵢ λ + h Σ_{j>i} aⱼᵢ ∂L/∂Yⱼ
    for (let q = 0; q < n; q++) {
      let acc = b[i] * lambda[q];
      for (let j = i + 1; j < dopri5.stages; j++) acc += a[j][i] * s.stageAdjoint[j][q];
      kBar[q] = h * acc;
    }
    for (let q = 0; q < k; q++) {
      s.u[q] = steps[base + stepHeader.inputBase + q] + steps[base + stepHeader.inputSlope(k) + q] * c[i] * h;
    }
    const Y = s.stageState;
    const yOffset = methodBase + dopri5Record.stageState(n, i);
    for (let q = 0; q < n; q++) Y[q] = steps[yOffset + q];
    model.transposeJacobianProduct(Y, p, s.u, kBar, s.stageAdjoint[i], mu);
  }
  for (let i = 0; i < dopri5.stages; i++) {
    const yBar = s.stageAdjoint[i];
    for (let q = 0; q < n; q++) lambda[q] += yBar[q];
  }
}
