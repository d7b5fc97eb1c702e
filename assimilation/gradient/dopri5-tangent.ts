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
  const [, a2, a3, a4, a5, a6] = dopri5.a;
  const [b1, , b3, b4, b5, b6] = dopri5.b;
  const c = Float64Array.from(dopri5.c);
  const maxCols = m + n;
  const [k1, k2, k3, k4, k5, k6] = Array.from({ length: dopri5.stages }, () => new Float64Array(n * maxCols));
  const yDot = new Float64Array(n * maxCols);
  const jp = new Float64Array(n * m);
  const Y = new Float64Array(n);
  const u = new Float64Array(k);
  const sizeAt = stepHeader.size;
  const baseAt = stepHeader.inputBase;
  const slopeAt = stepHeader.inputSlope(k);
  const recordAt = stepHeader.methodRecord(k);
  let steps: Float64Array = new Float64Array(0);
  let base = 0;
  let h = 0;
  /** K̇ᵢ = J_x Ẏᵢ + [J_p | 0] at stage i's stored state. */
  const stageTangent = (
    stage: number,
    p: Float64Array,
    stateTangent: Float64Array,
    cols: number,
    paramColumns: Int32Array,
    out: Float64Array,
  ): void => {
    const yAt = base + recordAt + dopri5Record.stageState(n, stage);
    for (let q = 0; q < n; q++) Y[q] = steps[yAt + q];
    for (let q = 0; q < k; q++) u[q] = steps[base + baseAt + q] + steps[base + slopeAt + q] * c[stage] * h;
    model.jacobianStatesTimes(Y, p, u, stateTangent, cols, out);
    model.jacobianParams(Y, p, u, jp);
    const P = paramColumns.length;
    for (let r = 0; r < n; r++) {
      for (let col = 0; col < P; col++) out[r * cols + col] += jp[r * m + paramColumns[col]];
    }
  };

  // Stages written out, as in the solver and the adjoint: one pass per stage for Ẏᵢ = Sₙ + h Σ aᵢⱼ K̇ⱼ,
  // summed in the tableau's order (so the result is the loop's, to the bit).
  return (p, record, step, sens, paramColumns) => {
    steps = record.steps;
    base = step * record.stride;
    h = steps[base + sizeAt];
    const cols = paramColumns.length + n;
    const size = n * cols;
    stageTangent(0, p, sens, cols, paramColumns, k1);
    const w21 = h * a2[0];
    for (let q = 0; q < size; q++) yDot[q] = sens[q] + w21 * k1[q];
    stageTangent(1, p, yDot, cols, paramColumns, k2);
    const w31 = h * a3[0],
      w32 = h * a3[1];
    for (let q = 0; q < size; q++) yDot[q] = sens[q] + w31 * k1[q] + w32 * k2[q];
    stageTangent(2, p, yDot, cols, paramColumns, k3);
    const w41 = h * a4[0],
      w42 = h * a4[1],
      w43 = h * a4[2];
    for (let q = 0; q < size; q++) yDot[q] = sens[q] + w41 * k1[q] + w42 * k2[q] + w43 * k3[q];
    stageTangent(3, p, yDot, cols, paramColumns, k4);
    const w51 = h * a5[0],
      w52 = h * a5[1],
      w53 = h * a5[2],
      w54 = h * a5[3];
    for (let q = 0; q < size; q++) yDot[q] = sens[q] + w51 * k1[q] + w52 * k2[q] + w53 * k3[q] + w54 * k4[q];
    stageTangent(4, p, yDot, cols, paramColumns, k5);
    const w61 = h * a6[0],
      w62 = h * a6[1],
      w63 = h * a6[2],
      w64 = h * a6[3],
      w65 = h * a6[4];
    for (let q = 0; q < size; q++) {
      yDot[q] = sens[q] + w61 * k1[q] + w62 * k2[q] + w63 * k3[q] + w64 * k4[q] + w65 * k5[q];
    }
    stageTangent(5, p, yDot, cols, paramColumns, k6);
    const v1 = h * b1,
      v3 = h * b3,
      v4 = h * b4,
      v5 = h * b5,
      v6 = h * b6;
    for (let q = 0; q < size; q++)
      sens[q] = sens[q] + v1 * k1[q] + v3 * k3[q] + v4 * k4[q] + v5 * k5[q] + v6 * k6[q];
  };
}
