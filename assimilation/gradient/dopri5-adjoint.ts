import type { CompiledModel } from '../model/compile';
import { dopri5, dopri5Record } from '../solvers/dopri5';
import { type IntegrationRecord, stepHeader } from '../solvers/integration-record';

export type StepAdjoint = (
  p: Float64Array,
  record: IntegrationRecord,
  step: number,
  lambda: Float64Array,
  mu: Float64Array,
) => void;

/**
 * Reverse sweep of one accepted Dormand–Prince step: the exact derivative of the discrete map
 * x_{n+1} = x_n + h Σ bᵢ Kᵢ, Kᵢ = f(Yᵢ), Yᵢ = x_n + h Σ aᵢⱼ Kⱼ, read from the stored stages
 * (nothing is integrated backward). On entry lambda = ∂L/∂x_{n+1}; on exit ∂L/∂x_n.
 * Parameter adjoints accumulate into mu. Coefficients and offsets are bound once, here.
 */
export function createDopri5StepAdjoint(model: CompiledModel): StepAdjoint {
  const n = model.stateNames.length;
  const k = model.inputNames.length;
  const [, a2, a3, a4, a5, a6] = dopri5.a;
  const [b1, , b3, b4, b5, b6] = dopri5.b;
  const c = Float64Array.from(dopri5.c);
  const [g1, g2, g3, g4, g5, g6] = Array.from({ length: dopri5.stages }, () => new Float64Array(n));
  const kBar = new Float64Array(n);
  const Y = new Float64Array(n);
  const u = new Float64Array(k);
  const sizeAt = stepHeader.size;
  const baseAt = stepHeader.inputBase;
  const slopeAt = stepHeader.inputSlope(k);
  const recordAt = stepHeader.methodRecord(k);
  const vjp = model.transposeJacobianProduct;
  let steps: Float64Array = new Float64Array(0);
  let base = 0;
  let h = 0;
  /** ∂L/∂Yᵢ = J(Yᵢ)ᵀ ∂L/∂Kᵢ, parameters into mu; kBar holds ∂L/∂Kᵢ / h on entry. */
  const stageAdjoint = (stage: number, p: Float64Array, mu: Float64Array, out: Float64Array): void => {
    for (let q = 0; q < n; q++) kBar[q] *= h;
    for (let q = 0; q < k; q++) u[q] = steps[base + baseAt + q] + steps[base + slopeAt + q] * c[stage] * h;
    const yAt = base + recordAt + dopri5Record.stageState(n, stage);
    for (let q = 0; q < n; q++) Y[q] = steps[yAt + q];
    vjp(Y, p, u, kBar, out, mu);
  };

  // Stages unrolled, latest first: ∂L/∂Kᵢ = h (bᵢ λ + Σ_{j>i} aⱼᵢ ∂L/∂Yⱼ).
  return (p, record, step, lambda, mu) => {
    steps = record.steps;
    base = step * record.stride;
    h = steps[base + sizeAt];
    for (let q = 0; q < n; q++) kBar[q] = b6 * lambda[q];
    stageAdjoint(5, p, mu, g6);
    for (let q = 0; q < n; q++) kBar[q] = b5 * lambda[q] + a6[4] * g6[q];
    stageAdjoint(4, p, mu, g5);
    for (let q = 0; q < n; q++) kBar[q] = b4 * lambda[q] + a6[3] * g6[q] + a5[3] * g5[q];
    stageAdjoint(3, p, mu, g4);
    for (let q = 0; q < n; q++) kBar[q] = b3 * lambda[q] + a6[2] * g6[q] + a5[2] * g5[q] + a4[2] * g4[q];
    stageAdjoint(2, p, mu, g3);
    for (let q = 0; q < n; q++) kBar[q] = a6[1] * g6[q] + a5[1] * g5[q] + a4[1] * g4[q] + a3[1] * g3[q];
    stageAdjoint(1, p, mu, g2);
    for (let q = 0; q < n; q++) {
      kBar[q] =
        b1 * lambda[q] + a6[0] * g6[q] + a5[0] * g5[q] + a4[0] * g4[q] + a3[0] * g3[q] + a2[0] * g2[q];
    }
    stageAdjoint(0, p, mu, g1);
    for (let q = 0; q < n; q++) lambda[q] += g1[q] + g2[q] + g3[q] + g4[q] + g5[q] + g6[q];
  };
}
