import type { CompiledModel } from '../model/compile';
import { dopri5, dopri5Record } from '../solvers/dopri5';
import { type IntegrationRecord, stepHeader } from '../solvers/integration-record';

/**
 * sens (n × cols, row-major, cols = paramColumns.length + n) holds ∂x_n/∂θ on entry and ∂x_{n+1}/∂θ
 * on exit, for θ = (the parameters listed in paramColumns, then x0).
 */
export type StepTangent = (
  p: Float64Array,
  record: IntegrationRecord,
  step: number,
  sens: Float64Array,
  paramColumns: Int32Array,
) => void;

/**
 * Forward sensitivities over one accepted Dormand–Prince step: the tangent of the same discrete map
 * the adjoint differentiates, so both give the same gradient to rounding. Only the columns asked
 * for are carried: a fit needs its free parameters, not the constants.
 */
export function createDopri5StepTangent(model: CompiledModel): StepTangent {
  const n = model.stateNames.length;
  const m = model.parameterNames.length;
  const k = model.inputNames.length;
  const stages = dopri5.stages;
  const a = dopri5.a.map((row) => Float64Array.from(row));
  const b = Float64Array.from(dopri5.b);
  const c = Float64Array.from(dopri5.c);
  const maxCols = m + n;
  const stageTangent = Array.from({ length: stages }, () => new Float64Array(n * maxCols));
  const yDot = new Float64Array(n * maxCols);
  const jp = new Float64Array(n * m);
  const Y = new Float64Array(n);
  const u = new Float64Array(k);
  const sizeAt = stepHeader.size;
  const baseAt = stepHeader.inputBase;
  const slopeAt = stepHeader.inputSlope(k);
  const recordAt = stepHeader.methodRecord(k);
  const stageOffsets = Int32Array.from({ length: stages }, (_, i) => dopri5Record.stageState(n, i));

  return (p, record, step, sens, paramColumns) => {
    const steps = record.steps;
    const base = step * record.stride;
    const h = steps[base + sizeAt];
    const P = paramColumns.length;
    const cols = P + n;
    const size = n * cols;
    for (let i = 0; i < stages; i++) {
      // Ẏᵢ = Sₙ + h Σ_{j<i} aᵢⱼ K̇ⱼ
      for (let q = 0; q < size; q++) yDot[q] = sens[q];
      for (let j = 0; j < i; j++) {
        const w = h * a[i][j];
        if (w === 0) continue;
        const kDot = stageTangent[j];
        for (let q = 0; q < size; q++) yDot[q] += w * kDot[q];
      }
      const yAt = base + recordAt + stageOffsets[i];
      for (let q = 0; q < n; q++) Y[q] = steps[yAt + q];
      for (let q = 0; q < k; q++) u[q] = steps[base + baseAt + q] + steps[base + slopeAt + q] * c[i] * h;
      // K̇ᵢ = J_x Ẏᵢ + [J_p | 0]
      const kDot = stageTangent[i];
      model.jacobianStatesTimes(Y, p, u, yDot, cols, kDot);
      model.jacobianParams(Y, p, u, jp);
      for (let r = 0; r < n; r++) {
        for (let col = 0; col < P; col++) kDot[r * cols + col] += jp[r * m + paramColumns[col]];
      }
    }
    for (let i = 0; i < stages; i++) {
      const w = h * b[i];
      if (w === 0) continue;
      const kDot = stageTangent[i];
      for (let q = 0; q < size; q++) sens[q] += w * kDot[q];
    }
  };
}
