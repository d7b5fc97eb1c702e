import type { CompiledModel } from '../model/compile';
import type { StepInputs, Stepper } from './types';

/**
 * Rodas4: the L-stable, stiffly accurate Rosenbrock method RODAS of Hairer & Wanner (Solving ODEs II,
 * §VI.4; code rodas.f, coefficients METH = 1), order 4 with an embedded order-3 solution and a
 * continuous extension of order 3.
 *
 * Coefficients as in Hairer's rodas.f (subroutine ROCOE, METH = 1); the same digits appear in
 * SciML OrdinaryDiffEq.jl (`Rodas4Tableau` in src/tableaus/rosenbrock_tableaus.jl) and in Numerical
 * Recipes 3rd ed. (`StepperRoss`), which were checked against each other.
 *
 * One step from x = x_n with J = ∂f/∂x(x_n, p, u(t_n)), fₜ = ∂f/∂u(x_n, p, u(t_n)) · du/dt and
 * W = I/(γh) − J (one LU factorization per step):
 *
 *   Yᵢ = x + Σ_{j<i} aᵢⱼ Kⱼ,   W Kᵢ = f(Yᵢ, u(t_n + cᵢh)) + h dᵢ fₜ + (1/h) Σ_{j<i} Cᵢⱼ Kⱼ,
 *   x_{n+1} = Y₆ + K₆,   embedded x̂_{n+1} = Y₆,   error estimate K₆.
 *
 * Row 6 of a is row 5 followed by a₆₅ = 1 (Y₆ = Y₅ + K₅): stiff accuracy.
 */
export const rodas4 = {
  gamma: 0.25,
  c: [0, 0.386, 0.21, 0.63, 1, 1],
  /** dᵢ = γᵢ = Σⱼ γᵢⱼ, the weights of the time-derivative term. */
  d: [0.25, -0.1043, 0.1035, -0.03620000000000023, 0, 0],
  a: [
    [],
    [1.544],
    [0.9466785280815826, 0.2557011698983284],
    [3.314825187068521, 2.896124015972201, 0.9986419139977817],
    [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.687886036105895],
    [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.687886036105895, 1],
  ] as number[][],
  /** Cᵢⱼ = −γᵢⱼ/γ² in Hairer's transformed variables (they enter divided by h). */
  C: [
    [],
    [-5.6688],
    [-2.430093356833875, -0.2063599157091915],
    [-0.1073529058151375, -9.594562251023355, -20.47028614809616],
    [7.496443313967647, -10.24680431464352, -33.99990352819905, 11.7089089320616],
    [8.083246795921522, -7.981132988064893, -31.52159432874371, 16.31930543123136, -6.058818238834054],
  ] as number[][],
  /** Dense output (rodas.f D21..D35): x(t_n + θh) = (1−θ)x_n + θ(x_{n+1} + (1−θ)(Σ d2ⱼKⱼ + θ Σ d3ⱼKⱼ)). */
  dense2: [
    10.12623508344586, -7.487995877610167, -34.80091861555747, -7.992771707568823, 1.025137723295662, 0,
  ],
  dense3: [
    -0.6762803392801253, 6.087714651680015, 16.43084320892478, 24.76722511418386, -6.594389125716872, 0,
  ],
  stages: 6,
};

/**
 * Step record: the stage states and stage solutions the gradients need, and the factorization of
 * W they reuse: [Y₁..Y₆ (6n) | K₁..K₆ (6n) | LU of W (n²) | pivot rows (n)]. Y₁ = x_n.
 */
export const rodas4Record = {
  stageState: (n: number, i: number) => i * n,
  stageSolution: (n: number, i: number) => 6 * n + i * n,
  lu: (n: number) => 12 * n,
  pivots: (n: number) => 12 * n + n * n,
  length: (n: number) => 13 * n + n * n,
};

/**
 * In-place LU factorization with partial pivoting of the n×n row-major matrix at a[aOff...]:
 * P·A = L·U with unit lower L. piv[pivOff + i] is the row swapped with row i at elimination step i
 * (stored as a float so the factorization can live in a step record). Returns false on a zero pivot.
 */
export function luFactor(
  a: Float64Array,
  aOff: number,
  n: number,
  piv: Float64Array,
  pivOff: number,
): boolean {
  for (let col = 0; col < n; col++) {
    let best = col;
    let bestAbs = Math.abs(a[aOff + col * n + col]);
    for (let r = col + 1; r < n; r++) {
      const v = Math.abs(a[aOff + r * n + col]);
      if (v > bestAbs) {
        bestAbs = v;
        best = r;
      }
    }
    piv[pivOff + col] = best;
    if (!(bestAbs > 0) || !Number.isFinite(bestAbs)) return false;
    if (best !== col) {
      for (let q = 0; q < n; q++) {
        const tmp = a[aOff + col * n + q];
        a[aOff + col * n + q] = a[aOff + best * n + q];
        a[aOff + best * n + q] = tmp;
      }
    }
    const inv = 1 / a[aOff + col * n + col];
    for (let r = col + 1; r < n; r++) {
      const l = a[aOff + r * n + col] * inv;
      a[aOff + r * n + col] = l;
      if (l === 0) continue;
      for (let q = col + 1; q < n; q++) a[aOff + r * n + q] -= l * a[aOff + col * n + q];
    }
  }
  return true;
}

/** Solves A y = b from luFactor's output; b and y may be the same array. */
export function luSolve(
  lu: Float64Array,
  luOff: number,
  n: number,
  piv: Float64Array,
  pivOff: number,
  b: Float64Array,
  y: Float64Array,
): void {
  if (y !== b) for (let i = 0; i < n; i++) y[i] = b[i];
  for (let i = 0; i < n; i++) {
    const r = piv[pivOff + i] | 0;
    if (r !== i) {
      const tmp = y[i];
      y[i] = y[r];
      y[r] = tmp;
    }
  }
  for (let i = 1; i < n; i++) {
    let acc = y[i];
    for (let q = 0; q < i; q++) acc -= lu[luOff + i * n + q] * y[q];
    y[i] = acc;
  }
  for (let i = n - 1; i >= 0; i--) {
    let acc = y[i];
    for (let q = i + 1; q < n; q++) acc -= lu[luOff + i * n + q] * y[q];
    y[i] = acc / lu[luOff + i * n + i];
  }
}

/** Solves A Y = B in place for B (n × cols, row-major, at b[bOff...]) from luFactor's output. */
export function luSolveMatrix(
  lu: Float64Array,
  luOff: number,
  n: number,
  piv: Float64Array,
  pivOff: number,
  b: Float64Array,
  bOff: number,
  cols: number,
): void {
  for (let i = 0; i < n; i++) {
    const r = piv[pivOff + i] | 0;
    if (r !== i) {
      for (let col = 0; col < cols; col++) {
        const tmp = b[bOff + i * cols + col];
        b[bOff + i * cols + col] = b[bOff + r * cols + col];
        b[bOff + r * cols + col] = tmp;
      }
    }
  }
  for (let i = 1; i < n; i++) {
    const row = bOff + i * cols;
    for (let q = 0; q < i; q++) {
      const l = lu[luOff + i * n + q];
      if (l === 0) continue;
      const from = bOff + q * cols;
      for (let col = 0; col < cols; col++) b[row + col] -= l * b[from + col];
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    const row = bOff + i * cols;
    for (let q = i + 1; q < n; q++) {
      const u = lu[luOff + i * n + q];
      if (u === 0) continue;
      const from = bOff + q * cols;
      for (let col = 0; col < cols; col++) b[row + col] -= u * b[from + col];
    }
    const inv = 1 / lu[luOff + i * n + i];
    for (let col = 0; col < cols; col++) b[row + col] *= inv;
  }
}

/** Solves Aᵀ y = b from luFactor's output (Aᵀ = Uᵀ Lᵀ P); b and y may be the same array. */
export function luSolveTransposed(
  lu: Float64Array,
  luOff: number,
  n: number,
  piv: Float64Array,
  pivOff: number,
  b: Float64Array,
  y: Float64Array,
): void {
  if (y !== b) for (let i = 0; i < n; i++) y[i] = b[i];
  // Uᵀ w = b (lower triangular).
  for (let i = 0; i < n; i++) {
    let acc = y[i];
    for (let q = 0; q < i; q++) acc -= lu[luOff + q * n + i] * y[q];
    y[i] = acc / lu[luOff + i * n + i];
  }
  // Lᵀ z = w (unit upper triangular).
  for (let i = n - 1; i >= 0; i--) {
    let acc = y[i];
    for (let q = i + 1; q < n; q++) acc -= lu[luOff + q * n + i] * y[q];
    y[i] = acc;
  }
  // y = Pᵀ z: undo the row swaps in reverse order.
  for (let i = n - 1; i >= 0; i--) {
    const r = piv[pivOff + i] | 0;
    if (r !== i) {
      const tmp = y[i];
      y[i] = y[r];
      y[r] = tmp;
    }
  }
}

export function createRodas4Stepper(model: CompiledModel): Stepper {
  const n = model.stateNames.length;
  const k = model.inputNames.length;
  const { a, C, c, d, gamma, stages } = rodas4;
  const u = new Float64Array(k);
  const jac = new Float64Array(n * n);
  const ju = new Float64Array(n * k);
  const lu = new Float64Array(n * n);
  const piv = new Float64Array(n);
  const ft = new Float64Array(n);
  const rhsVec = new Float64Array(n);
  const Y = Array.from({ length: stages }, () => new Float64Array(n));
  const K = Array.from({ length: stages }, () => new Float64Array(n));

  const stepper: Stepper = {
    method: 'rodas4',
    timeInput: model.timeInput,
    embeddedOrder: 3,
    stepRecordLength: rodas4Record.length(n),
    rhsEvaluations: 0,
    jacobianEvaluations: 0,
    attempt(p, inputs: StepInputs, x, h, xNew, err, record, offset) {
      for (let j = 0; j < k; j++) u[j] = inputs.base[j];
      model.jacobianStates(x, p, u, jac);
      stepper.jacobianEvaluations++;
      let moving = false;
      for (let j = 0; j < k; j++) if (inputs.slope[j] !== 0) moving = true;
      if (moving) {
        model.jacobianInputs(x, p, u, ju);
        for (let i = 0; i < n; i++) {
          let acc = 0;
          for (let j = 0; j < k; j++) acc += ju[i * k + j] * inputs.slope[j];
          ft[i] = acc;
        }
      } else {
        ft.fill(0);
      }
      const diag = 1 / (gamma * h);
      for (let q = 0; q < n * n; q++) lu[q] = -jac[q];
      for (let i = 0; i < n; i++) lu[i * n + i] += diag;
      if (!luFactor(lu, 0, n, piv, 0)) return false;

      for (let s = 0; s < stages; s++) {
        const Ys = Y[s];
        const aRow = a[s];
        const cRow = C[s];
        for (let i = 0; i < n; i++) {
          let acc = x[i];
          for (let j = 0; j < s; j++) acc += aRow[j] * K[j][i];
          Ys[i] = acc;
        }
        for (let j = 0; j < k; j++) u[j] = inputs.base[j] + inputs.slope[j] * c[s] * h;
        model.rhs(Ys, p, u, rhsVec);
        stepper.rhsEvaluations++;
        const hd = h * d[s];
        for (let i = 0; i < n; i++) {
          let coupling = 0;
          for (let j = 0; j < s; j++) coupling += cRow[j] * K[j][i];
          rhsVec[i] += hd * ft[i] + coupling / h;
        }
        luSolve(lu, 0, n, piv, 0, rhsVec, K[s]);
      }

      let finite = true;
      const Y6 = Y[5];
      const K6 = K[5];
      for (let i = 0; i < n; i++) {
        xNew[i] = Y6[i] + K6[i];
        err[i] = K6[i];
        if (!Number.isFinite(xNew[i]) || !Number.isFinite(err[i])) finite = false;
      }
      for (let s = 0; s < stages; s++) {
        record.set(Y[s], offset + rodas4Record.stageState(n, s));
        record.set(K[s], offset + rodas4Record.stageSolution(n, s));
      }
      record.set(lu, offset + rodas4Record.lu(n));
      record.set(piv, offset + rodas4Record.pivots(n));
      return finite;
    },
    accepted() {},
    reset() {},
    stiffnessDetected: () => false,
  };
  return stepper;
}

/**
 * Dense output inside an accepted step (order 3): the state at t_n + θh from the step record.
 * Writes into out.
 */
export function rodas4Interpolate(
  record: Float64Array,
  offset: number,
  n: number,
  xStart: Float64Array,
  xEnd: Float64Array,
  theta: number,
  out: Float64Array,
): void {
  const { dense2, dense3 } = rodas4;
  const t1 = 1 - theta;
  for (let i = 0; i < n; i++) {
    let c2 = 0;
    let c3 = 0;
    for (let s = 0; s < 5; s++) {
      const kv = record[offset + rodas4Record.stageSolution(n, s) + i];
      c2 += dense2[s] * kv;
      c3 += dense3[s] * kv;
    }
    out[i] = t1 * xStart[i] + theta * (xEnd[i] + t1 * (c2 + theta * c3));
  }
}
