import type { CompiledModel } from '../model/compile';
import { type IntegrationRecord, stepHeader } from '../solvers/integration-record';
import { luSolveTransposed, rodas4, rodas4Record } from '../solvers/rodas4';

/** Scratch for the reverse sweep, owned by one workspace. */
export interface Rodas4AdjointScratch {
  /** ∂L/∂Yᵢ */
  stageAdjoint: Float64Array[];
  /** ∂L/∂rᵢ = W⁻ᵀ ∂L/∂Kᵢ, the adjoint of each stage's right-hand side. */
  rhsAdjoint: Float64Array[];
  solutionAdjoint: Float64Array;
  timeDerivativeAdjoint: Float64Array;
  stageState: Float64Array;
  stageSolution: Float64Array;
  x: Float64Array;
  gradX: Float64Array;
  u: Float64Array;
  u0: Float64Array;
  slope: Float64Array;
}

export function createRodas4AdjointScratch(n: number, k: number): Rodas4AdjointScratch {
  return {
    stageAdjoint: Array.from({ length: rodas4.stages }, () => new Float64Array(n)),
    rhsAdjoint: Array.from({ length: rodas4.stages }, () => new Float64Array(n)),
    solutionAdjoint: new Float64Array(n),
    timeDerivativeAdjoint: new Float64Array(n),
    stageState: new Float64Array(n),
    stageSolution: new Float64Array(n),
    x: new Float64Array(n),
    gradX: new Float64Array(n),
    u: new Float64Array(k),
    u0: new Float64Array(k),
    slope: new Float64Array(k),
  };
}

/**
 * Reverse sweep of one accepted Rodas4 step: the exact derivative of the discrete map
 *
 *   Yᵢ = x_n + Σ aᵢⱼ Kⱼ,  W Kᵢ = rᵢ = f(Yᵢ, uᵢ) + h dᵢ fₜ + (1/h) Σ Cᵢⱼ Kⱼ,  x_{n+1} = Y₆ + K₆,
 *   W = I/(γh) − J(x_n, p),  fₜ = J_u(x_n, p) u̇,
 *
 * read from the stored stages and the stored factorization of W (nothing is integrated backward).
 * With r̄ᵢ = W⁻ᵀ K̄ᵢ, the dependence of W on (x_n, p) contributes Σᵢ ∇(r̄ᵢᵀ J Kᵢ) and that of fₜ
 * contributes ∇(f̄ₜᵀ J_u u̇) with f̄ₜ = h Σ dᵢ r̄ᵢ: both from the model's generated second-order
 * contraction gradients. On entry lambda = ∂L/∂x_{n+1}; on exit ∂L/∂x_n. Parameter adjoints
 * accumulate into mu.
 */
export function rodas4StepAdjoint(
  model: CompiledModel,
  p: Float64Array,
  record: IntegrationRecord,
  step: number,
  lambda: Float64Array,
  mu: Float64Array,
  s: Rodas4AdjointScratch,
): void {
  const { n, k } = record;
  const { a, C, c, d, stages } = rodas4;
  const steps = record.steps;
  const base = step * record.stride;
  const h = steps[base + stepHeader.size];
  const methodBase = base + stepHeader.methodRecord(k);
  let moving = false;
  for (let q = 0; q < k; q++) {
    s.u0[q] = steps[base + stepHeader.inputBase + q];
    s.slope[q] = steps[base + stepHeader.inputSlope(k) + q];
    if (s.slope[q] !== 0) moving = true;
  }
  const luOff = methodBase + rodas4Record.lu(n);
  const pivOff = methodBase + rodas4Record.pivots(n);
  const kBar = s.solutionAdjoint;
  const ftBar = s.timeDerivativeAdjoint;
  ftBar.fill(0);
  const Y = s.stageState;

  for (let i = stages - 1; i >= 0; i--) {
    // K̄ᵢ = [i = 6] λ + Σ_{l>i} (aₗᵢ Ȳₗ + (Cₗᵢ/h) r̄ₗ)
    for (let q = 0; q < n; q++) {
      let acc = i === stages - 1 ? lambda[q] : 0;
      for (let l = i + 1; l < stages; l++)
        acc += a[l][i] * s.stageAdjoint[l][q] + (C[l][i] / h) * s.rhsAdjoint[l][q];
      kBar[q] = acc;
    }
    const rBar = s.rhsAdjoint[i];
    luSolveTransposed(steps, luOff, n, steps, pivOff, kBar, rBar);
    const hd = h * d[i];
    if (hd !== 0) for (let q = 0; q < n; q++) ftBar[q] += hd * rBar[q];
    const yOffset = methodBase + rodas4Record.stageState(n, i);
    for (let q = 0; q < n; q++) Y[q] = steps[yOffset + q];
    for (let q = 0; q < k; q++) s.u[q] = s.u0[q] + s.slope[q] * c[i] * h;
    // Ȳᵢ = J(Yᵢ)ᵀ r̄ᵢ;  μ += J_p(Yᵢ)ᵀ r̄ᵢ
    model.transposeJacobianProduct(Y, p, s.u, rBar, s.stageAdjoint[i], mu);
    // x_{n+1} = Y₆ + K₆
    if (i === stages - 1) for (let q = 0; q < n; q++) s.stageAdjoint[i][q] += lambda[q];
  }

  // Every stage state is x_n plus stage solutions.
  for (let q = 0; q < n; q++) {
    let acc = 0;
    for (let i = 0; i < stages; i++) acc += s.stageAdjoint[i][q];
    lambda[q] = acc;
  }
  // W = I/(γh) − J(x_n, p): W Kᵢ = rᵢ gives K̄ᵢᵀ dKᵢ = r̄ᵢᵀ (drᵢ + dJ Kᵢ).
  const x = s.x;
  const xOffset = methodBase + rodas4Record.stageState(n, 0);
  for (let q = 0; q < n; q++) x[q] = steps[xOffset + q];
  for (let i = 0; i < stages; i++) {
    const kOffset = methodBase + rodas4Record.stageSolution(n, i);
    for (let q = 0; q < n; q++) s.stageSolution[q] = steps[kOffset + q];
    model.stateJacobianContractionGradient(x, p, s.u0, s.rhsAdjoint[i], s.stageSolution, s.gradX, mu);
    for (let q = 0; q < n; q++) lambda[q] += s.gradX[q];
  }
  // fₜ = J_u(x_n, p) u̇
  if (moving) {
    model.inputJacobianContractionGradient(x, p, s.u0, ftBar, s.slope, s.gradX, mu);
    for (let q = 0; q < n; q++) lambda[q] += s.gradX[q];
  }
}

/** The reverse sweep of one Rodas4 step with its own scratch, for a method kit. */
export function createRodas4StepAdjoint(
  model: CompiledModel,
): (
  p: Float64Array,
  record: IntegrationRecord,
  step: number,
  lambda: Float64Array,
  mu: Float64Array,
) => void {
  const scratch = createRodas4AdjointScratch(model.stateNames.length, model.inputNames.length);
  return (p, record, step, lambda, mu) => rodas4StepAdjoint(model, p, record, step, lambda, mu, scratch);
}
