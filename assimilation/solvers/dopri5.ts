import type { CompiledModel } from '../model/compile';
import type { StepInputs, Stepper } from './types';

/**
 * Dormand–Prince 5(4) (Hairer, Nørsett & Wanner, II.5), FSAL. The step record holds the six stage
 * states Y₁..Y₆ the discrete adjoint needs and the seven slopes K₁..K₇ of the dense output:
 * [Y₁..Y₆ (6n) | K₁..K₇ (7n)].
 */
export const dopri5 = {
  c: [0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1, 1],
  a: [
    [],
    [1 / 5],
    [3 / 40, 9 / 40],
    [44 / 45, -56 / 15, 32 / 9],
    [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
    [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
    [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
  ] as number[][],
  /** 5th-order weights (equal to the last row of a: FSAL). */
  b: [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0],
  /** b − b̂: the embedded 4th-order error weights. */
  e: [71 / 57600, 0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40],
  /** Dense output coefficients (Hairer's dopri5.f, continuous extension of order 4). */
  d: [
    -12715105075 / 11282082432,
    0,
    87487479700 / 32700410799,
    -10690763975 / 1880347072,
    701980252875 / 199316789632,
    -1453857185 / 822651844,
    69997945 / 29380423,
  ],
  stages: 6,
};

export const dopri5Record = {
  stageState: (n: number, i: number) => i * n,
  slope: (n: number, i: number) => 6 * n + i * n,
  length: (n: number) => 13 * n,
};

export function createDopri5Stepper(model: CompiledModel): Stepper {
  const n = model.stateNames.length;
  const k = model.inputNames.length;
  const rhs = model.rhs;
  const [, a2, a3, a4, a5, a6, a7] = dopri5.a;
  const [, c2, c3, c4, c5] = dopri5.c;
  const [e1, , e3, e4, e5, e6, e7] = dopri5.e;
  const u = new Float64Array(k);
  const [k1, k2, k3, k4, k5, k6, k7] = Array.from({ length: 7 }, () => new Float64Array(n));
  const [y2, y3, y4, y5, y6, y7] = Array.from({ length: 6 }, () => new Float64Array(n));
  let firstSlopeValid = false;
  let stiffCount = 0;
  let nonStiffCount = 0;
  let lastStiffnessRatio = 0;
  const inputsAt = (inputs: StepInputs, dt: number): Float64Array => {
    for (let j = 0; j < k; j++) u[j] = inputs.base[j] + inputs.slope[j] * dt;
    return u;
  };
  const store = (record: Float64Array, at: number, v: Float64Array): void => {
    for (let i = 0; i < n; i++) record[at + i] = v[i];
  };

  const stepper: Stepper = {
    method: 'dopri5',
    timeInput: model.timeInput,
    embeddedOrder: 4,
    stepRecordLength: dopri5Record.length(n),
    rhsEvaluations: 0,
    jacobianEvaluations: 0,
    attempt(p, inputs, x, h, xNew, err, record, offset) {
      // Stages written out as in Hairer's dopri5.f: loops over tableau rows cost more than the stages.
      if (!firstSlopeValid) {
        rhs(x, p, inputsAt(inputs, 0), k1);
        stepper.rhsEvaluations++;
      }
      for (let i = 0; i < n; i++) y2[i] = x[i] + h * a2[0] * k1[i];
      rhs(y2, p, inputsAt(inputs, c2 * h), k2);
      for (let i = 0; i < n; i++) y3[i] = x[i] + h * (a3[0] * k1[i] + a3[1] * k2[i]);
      rhs(y3, p, inputsAt(inputs, c3 * h), k3);
      for (let i = 0; i < n; i++) y4[i] = x[i] + h * (a4[0] * k1[i] + a4[1] * k2[i] + a4[2] * k3[i]);
      rhs(y4, p, inputsAt(inputs, c4 * h), k4);
      for (let i = 0; i < n; i++)
        y5[i] = x[i] + h * (a5[0] * k1[i] + a5[1] * k2[i] + a5[2] * k3[i] + a5[3] * k4[i]);
      rhs(y5, p, inputsAt(inputs, c5 * h), k5);
      for (let i = 0; i < n; i++) {
        y6[i] = x[i] + h * (a6[0] * k1[i] + a6[1] * k2[i] + a6[2] * k3[i] + a6[3] * k4[i] + a6[4] * k5[i]);
      }
      rhs(y6, p, inputsAt(inputs, h), k6);
      for (let i = 0; i < n; i++) {
        y7[i] = x[i] + h * (a7[0] * k1[i] + a7[2] * k3[i] + a7[3] * k4[i] + a7[4] * k5[i] + a7[5] * k6[i]);
      }
      rhs(y7, p, u, k7);
      stepper.rhsEvaluations += 6;
      // Stage 7 sits at x_{n+1} (FSAL): its state is the new solution.
      let finite = true;
      let num = 0;
      let den = 0;
      for (let i = 0; i < n; i++) {
        xNew[i] = y7[i];
        err[i] = h * (e1 * k1[i] + e3 * k3[i] + e4 * k4[i] + e5 * k5[i] + e6 * k6[i] + e7 * k7[i]);
        if (!Number.isFinite(xNew[i] + k7[i] + err[i])) finite = false;
        num += (k7[i] - k6[i]) ** 2;
        den += (y7[i] - y6[i]) ** 2;
      }
      // Hairer's stiffness test: h·|λ| estimated from the last two stages, which share c = 1.
      lastStiffnessRatio = den > 0 ? h * Math.sqrt(num / den) : 0;
      store(record, offset, x);
      store(record, offset + n, y2);
      store(record, offset + 2 * n, y3);
      store(record, offset + 3 * n, y4);
      store(record, offset + 4 * n, y5);
      store(record, offset + 5 * n, y6);
      store(record, offset + 6 * n, k1);
      store(record, offset + 7 * n, k2);
      store(record, offset + 8 * n, k3);
      store(record, offset + 9 * n, k4);
      store(record, offset + 10 * n, k5);
      store(record, offset + 11 * n, k6);
      store(record, offset + 12 * n, k7);
      return finite;
    },
    accepted() {
      for (let i = 0; i < n; i++) k1[i] = k7[i];
      firstSlopeValid = true;
      if (lastStiffnessRatio > 3.25) {
        nonStiffCount = 0;
        stiffCount++;
      } else if (++nonStiffCount >= 6) {
        stiffCount = 0;
      }
    },
    reset() {
      firstSlopeValid = false;
      stiffCount = 0;
      nonStiffCount = 0;
    },
    stiffnessDetected: () => stiffCount >= 15,
  };
  return stepper;
}

/**
 * Dense output inside an accepted step: the state at t_n + θh from the step record, order 4.
 * Writes into out.
 */
export function dopri5Interpolate(
  record: Float64Array,
  offset: number,
  n: number,
  xStart: Float64Array,
  xEnd: Float64Array,
  h: number,
  theta: number,
  out: Float64Array,
): void {
  const d = dopri5.d;
  const k1 = offset + dopri5Record.slope(n, 0);
  const k7 = offset + dopri5Record.slope(n, 6);
  const t1 = 1 - theta;
  for (let i = 0; i < n; i++) {
    const diff = xEnd[i] - xStart[i];
    const bspl = h * record[k1 + i] - diff;
    const r4 = diff - h * record[k7 + i] - bspl;
    let r5 = 0;
    for (let s = 0; s < 7; s++) r5 += d[s] * record[offset + dopri5Record.slope(n, s) + i];
    r5 *= h;
    out[i] = xStart[i] + theta * (diff + t1 * (bspl + theta * (r4 + t1 * r5)));
  }
}
