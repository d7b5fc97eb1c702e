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
  const { a, e, c } = dopri5;
  const u = new Float64Array(k);
  const slopes = Array.from({ length: 7 }, () => new Float64Array(n));
  const stages = Array.from({ length: 7 }, () => new Float64Array(n));
  let firstSlopeValid = false;
  let stiffCount = 0;
  let nonStiffCount = 0;
  let lastStiffnessRatio = 0;

  const stepper: Stepper = {
    method: 'dopri5',
    embeddedOrder: 4,
    stepRecordLength: dopri5Record.length(n),
    rhsEvaluations: 0,
    jacobianEvaluations: 0,
    attempt(p, inputs: StepInputs, x, h, xNew, err, record, offset) {
      for (let s = 0; s < 7; s++) {
        const Y = s === 0 ? x : stages[s];
        if (s > 0) {
          const row = a[s];
          for (let i = 0; i < n; i++) {
            let acc = 0;
            for (let j = 0; j < s; j++) acc += row[j] * slopes[j][i];
            Y[i] = x[i] + h * acc;
          }
        }
        if (s === 0 && firstSlopeValid) continue;
        for (let j = 0; j < k; j++) u[j] = inputs.base[j] + inputs.slope[j] * c[s] * h;
        model.rhs(Y, p, u, slopes[s]);
        stepper.rhsEvaluations++;
      }
      // Stage 7 sits at x_{n+1} (FSAL): its state is the new solution.
      let finite = true;
      for (let i = 0; i < n; i++) {
        xNew[i] = stages[6][i];
        let acc = 0;
        for (let s = 0; s < 7; s++) acc += e[s] * slopes[s][i];
        err[i] = h * acc;
        if (!Number.isFinite(xNew[i]) || !Number.isFinite(slopes[6][i]) || !Number.isFinite(err[i])) finite = false;
      }
      for (let s = 0; s < 6; s++) record.set(s === 0 ? x : stages[s], offset + dopri5Record.stageState(n, s));
      for (let s = 0; s < 7; s++) record.set(slopes[s], offset + dopri5Record.slope(n, s));
      // Hairer's stiffness test: h·|λ| estimated from the last two stages, which share c = 1.
      let num = 0;
      let den = 0;
      for (let i = 0; i < n; i++) {
        num += (slopes[6][i] - slopes[5][i]) ** 2;
        den += (stages[6][i] - stages[5][i]) ** 2;
      }
      lastStiffnessRatio = den > 0 ? h * Math.sqrt(num / den) : 0;
      return finite;
    },
    accepted() {
      slopes[0].set(slopes[6]);
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
