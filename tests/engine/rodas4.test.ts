import { describe, expect, it } from 'vitest';
import { createRodas4StepAdjoint } from '../../assimilation/gradient/rodas4-adjoint';
import { createRodas4StepTangent } from '../../assimilation/gradient/rodas4-tangent';
import { parseWindowProblem, type WindowProblem } from '../../assimilation/problem/window-problem';
import { createIntegrationRecord, stepHeader } from '../../assimilation/solvers/integration-record';
import {
  createRodas4Stepper,
  luFactor,
  luSolve,
  luSolveMatrix,
  luSolveTransposed,
} from '../../assimilation/solvers/rodas4';
import type { SolverOptions } from '../../assimilation/solvers/types';
import {
  createEngineWorkspace,
  lossAndGradient,
  residualSensitivities,
  sampleTrajectory,
  solveWindow,
} from '../../assimilation/window-engine';
import { chemostat, finiteDifferenceGradient, maxRelativeDifference, tightOptions } from '../fixtures/engine';
import { exampleNames, readExample } from '../fixtures/spec-examples';

const names = [...chemostat.parameterNames, ...chemostat.stateNames];
const n = chemostat.stateNames.length;
const m = chemostat.parameterNames.length;
const k = chemostat.inputNames.length;

function gradientVector(result: { gradParams: Float64Array; gradX0: Float64Array }): Float64Array {
  return Float64Array.from([...result.gradParams, ...result.gradX0]);
}

function gradientOf(problem: WindowProblem, options: SolverOptions) {
  const result = lossAndGradient(problem, createEngineWorkspace(chemostat), options);
  if (!result.ok) throw new Error(result.failure.kind);
  return result;
}

/** The same gradient from forward sensitivities: Σᵢ rᵢ ∂rᵢ/∂θ. */
function gradientFromSensitivities(problem: WindowProblem, options: SolverOptions): Float64Array {
  const sens = residualSensitivities(problem, createEngineWorkspace(chemostat), options);
  if (!sens.ok) throw new Error(sens.failure.kind);
  if (options.method !== 'auto') expect(sens.stats.method).toBe(options.method);
  const cols = m + n;
  const out = new Float64Array(cols);
  for (let i = 0; i < sens.residuals.length; i++) {
    for (let c = 0; c < cols; c++) out[c] += sens.residuals[i] * sens.jacobian[i * cols + c];
  }
  return out;
}

/**
 * A stiff window: the first example with a substrate affinity Ks = 1e-4 (instead of 1). Substrate
 * runs out within the first hour and then sits near 4e-4 with ∂(dS/dt)/∂S ≈ −1.2e4 /h, while the
 * rest of the culture moves on a time scale of hours.
 */
function stiffProblem(): WindowProblem {
  const raw = readExample('window-assays').window as { constants: Record<string, number> };
  return parseWindowProblem({ ...raw, constants: { ...raw.constants, Ks: 1e-4 } }, chemostat);
}

describe('Rodas4 LU helpers', () => {
  it('solve A y = b and Aᵀ y = b with partial pivoting', () => {
    const size = 5;
    // Zero leading diagonal forces row swaps.
    const a = Float64Array.from([
      0, 2, -1, 3, 0.5, 4, 0, 1, -2, 1, -1, 3, 0, 2, 2, 2, -1, 5, 0, -3, 1, 1, 1, 1, 0.1,
    ]);
    const lu = a.slice();
    const piv = new Float64Array(size);
    expect(luFactor(lu, 0, size, piv, 0)).toBe(true);
    const b = Float64Array.from([1, -2, 3, 0.5, 4]);
    const y = new Float64Array(size);
    luSolve(lu, 0, size, piv, 0, b, y);
    for (let i = 0; i < size; i++) {
      let acc = 0;
      for (let j = 0; j < size; j++) acc += a[i * size + j] * y[j];
      expect(acc).toBeCloseTo(b[i], 12);
    }
    luSolveTransposed(lu, 0, size, piv, 0, b, y);
    for (let i = 0; i < size; i++) {
      let acc = 0;
      for (let j = 0; j < size; j++) acc += a[j * size + i] * y[j];
      expect(acc).toBeCloseTo(b[i], 12);
    }
    // Several right-hand sides at once, as the columns of a row-major matrix.
    const cols = 3;
    const rhs = Float64Array.from({ length: size * cols }, (_, i) => Math.sin(i + 1));
    const solution = rhs.slice();
    luSolveMatrix(lu, 0, size, piv, 0, solution, 0, cols);
    for (let i = 0; i < size; i++) {
      for (let col = 0; col < cols; col++) {
        let acc = 0;
        for (let j = 0; j < size; j++) acc += a[i * size + j] * solution[j * cols + col];
        expect(acc).toBeCloseTo(rhs[i * cols + col], 12);
      }
    }
    expect(luFactor(new Float64Array(size * size), 0, size, piv, 0)).toBe(false);
  });
});

describe('Rodas4 on the spec examples', () => {
  for (const name of exampleNames) {
    it(`matches ${name}.expected.json to 1e-6 relative at rtol 1e-10`, () => {
      const { window, expected } = readExample(name);
      const problem = parseWindowProblem(window, chemostat);
      const result = gradientOf(problem, tightOptions('rodas4', 1e-10));
      expect(result.stats.method).toBe('rodas4');
      expect(Math.abs(result.loss - expected.loss) / expected.loss).toBeLessThan(1e-6);
      const want = names.map((q, i) => (i < m ? expected.grad.params[q] : expected.grad.x0[q]));
      const got = gradientVector(result);
      const largest = Math.max(...want.map(Math.abs));
      const mismatches = names.filter(
        (_, i) =>
          Math.abs(want[i]) >= 1e-8 * largest && Math.abs(got[i] - want[i]) > 1e-6 * Math.abs(want[i]),
      );
      expect(mismatches).toEqual([]);
    });

    it(`adjoint and forward sensitivities agree on ${name}`, () => {
      const { window } = readExample(name);
      const problem = parseWindowProblem(window, chemostat);
      const options = tightOptions('rodas4', 1e-8);
      const adjoint = gradientVector(gradientOf(problem, options));
      expect(maxRelativeDifference(adjoint, gradientFromSensitivities(problem, options), 1e-10)).toBeLessThan(
        1e-10,
      );
    });
  }

  it('dense output follows the solution between nodes', () => {
    const problem = parseWindowProblem(readExample('window-perturbed').window, chemostat);
    const times = Float64Array.from({ length: 40 }, (_, i) => problem.t0 + 0.013 + i * 0.29);
    const sample = (options: SolverOptions): Float64Array => {
      const ws = createEngineWorkspace(chemostat);
      const solved = solveWindow(problem, options, ws);
      if (!solved.ok) throw new Error(solved.failure.kind);
      expect(solved.record.method).toBe(options.method);
      return sampleTrajectory(ws, times);
    };
    const rodas = sample(tightOptions('rodas4', 1e-9));
    const reference = sample(tightOptions('dopri5', 1e-12));
    let worst = 0;
    for (let i = 0; i < rodas.length; i++) {
      worst = Math.max(worst, Math.abs(rodas[i] - reference[i]) / (1e-6 + Math.abs(reference[i])));
    }
    expect(worst).toBeLessThan(1e-7);
  });
});

describe('Rodas4 one-step derivatives', () => {
  it('adjoint and tangent of one large step equal finite differences of the step map', () => {
    // A long step (0.4 h) from a state with little substrate, Ks = 0.05 and a moving dilution rate:
    // the derivatives of J(x_n, p) and of the time-derivative term matter here.
    const stepper = createRodas4Stepper(chemostat);
    const stepAdjoint = createRodas4StepAdjoint(chemostat);
    const stepTangent = createRodas4StepTangent(chemostat);
    const p0 = Float64Array.from([0.3, 3, 1e-4, 0.009, 0.1, 0.7, 1, 0.1, 100, 1, 0.3, 0.05, 1, 100]);
    const x0 = Float64Array.from([0.3, 90, 1.1, 0.03, 0.06]);
    const inputs = { base: Float64Array.from([0.25]), slope: Float64Array.from([0.08]) };
    const h = 0.4;
    const record = createIntegrationRecord(n, k);
    record.method = 'rodas4';
    record.stride = stepHeader.methodRecord(k) + stepper.stepRecordLength;
    record.steps = new Float64Array(record.stride);
    record.stepCount = 1;
    const xNew = new Float64Array(n);
    const err = new Float64Array(n);
    const scratch = new Float64Array(record.stride);
    const stepMap = (x: Float64Array, p: Float64Array, into: Float64Array): Float64Array => {
      if (!stepper.attempt(p, inputs, x, h, xNew, err, into, stepHeader.methodRecord(k)))
        throw new Error('non-finite');
      return xNew.slice();
    };
    stepMap(x0, p0, record.steps);
    record.steps[stepHeader.time] = 0;
    record.steps[stepHeader.size] = h;
    record.steps[stepHeader.inputBase] = inputs.base[0];
    record.steps[stepHeader.inputSlope(k)] = inputs.slope[0];

    const w = Float64Array.from([0.3, -1.2, 0.7, 2, -0.5]);
    const lambda = w.slice();
    const mu = new Float64Array(m);
    stepAdjoint(p0, record, 0, lambda, mu);
    const cols = m + n;
    const sens = new Float64Array(n * cols);
    for (let q = 0; q < n; q++) sens[q * cols + m + q] = 1;
    stepTangent(p0, record, 0, sens);
    // A subset of parameter columns (as a fit of the free parameters asks for) gives the same columns.
    const subset = Int32Array.from([11, 0, 10, 3]);
    const subsetCols = subset.length + n;
    const subsetSens = new Float64Array(n * subsetCols);
    for (let q = 0; q < n; q++) subsetSens[q * subsetCols + subset.length + q] = 1;
    stepTangent(p0, record, 0, subsetSens, subset);
    for (let r = 0; r < n; r++) {
      for (let col = 0; col < subsetCols; col++) {
        const full = col < subset.length ? subset[col] : m + col - subset.length;
        expect(subsetSens[r * subsetCols + col]).toBe(sens[r * cols + full]);
      }
    }

    const adjoint = Float64Array.from([...mu, ...lambda]);
    const tangent = new Float64Array(cols);
    const fd = new Float64Array(cols);
    for (let col = 0; col < cols; col++) {
      for (let r = 0; r < n; r++) tangent[col] += w[r] * sens[r * cols + col];
      const target = col < m ? p0 : x0;
      const index = col < m ? col : col - m;
      const original = target[index];
      const delta = 1e-5 * Math.max(Math.abs(original), 1e-3);
      target[index] = original + delta;
      const plus = stepMap(x0, p0, scratch);
      target[index] = original - delta;
      const minus = stepMap(x0, p0, scratch);
      target[index] = original;
      for (let r = 0; r < n; r++) fd[col] += (w[r] * (plus[r] - minus[r])) / (2 * delta);
    }
    expect(maxRelativeDifference(tangent, adjoint, 1e-12)).toBeLessThan(1e-11);
    expect(maxRelativeDifference(adjoint, fd, 1e-4)).toBeLessThan(1e-6);
  });
});

describe('Rodas4 on a stiff window', () => {
  const problem = stiffProblem();

  it('is genuinely stiff', () => {
    const ws = createEngineWorkspace(chemostat);
    const solved = solveWindow(problem, tightOptions('rodas4', 1e-8), ws);
    if (!solved.ok) throw new Error(solved.failure.kind);
    const { record } = solved;
    const last = record.stepCount;
    const x = record.nodeStates.slice(last * n, (last + 1) * n);
    const jac = new Float64Array(n * n);
    const u = Float64Array.from([record.steps[(last - 1) * record.stride + stepHeader.inputBase]]);
    chemostat.jacobianStates(x, problem.params, u, jac);
    // dS/dt has ∂/∂S below −5000 /h while the window spans 12 h.
    expect(jac[0]).toBeLessThan(-5e3);
  });

  it('takes far fewer steps than dopri5 and both agree', () => {
    const explicit = gradientOf(problem, tightOptions('dopri5', 1e-8));
    const rosenbrock = gradientOf(problem, tightOptions('rodas4', 1e-8));
    expect(explicit.stats.method).toBe('dopri5');
    expect(rosenbrock.stats.method).toBe('rodas4');
    expect(rosenbrock.stats.steps * 50).toBeLessThan(explicit.stats.steps);
    expect(rosenbrock.stats.rhsEvaluations * 50).toBeLessThan(explicit.stats.rhsEvaluations);
    expect(Math.abs(rosenbrock.loss - explicit.loss) / explicit.loss).toBeLessThan(1e-9);
    for (let i = 0; i < explicit.residuals.length; i++) {
      expect(Math.abs(rosenbrock.residuals[i] - explicit.residuals[i])).toBeLessThan(1e-5);
    }
    // Rodas4's gradient converges with the tolerance ...
    const reference = gradientVector(gradientOf(problem, tightOptions('rodas4', 1e-11)));
    expect(maxRelativeDifference(gradientVector(rosenbrock), reference, 1e-8)).toBeLessThan(1e-6);
    // ... while dopri5's discrete gradient, its steps pinned at the stability limit, is only close.
    expect(maxRelativeDifference(gradientVector(explicit), reference, 1e-8)).toBeLessThan(1e-3);
  });

  it('gradient matches central finite differences', () => {
    const options = tightOptions('rodas4', 1e-8);
    const result = gradientOf(problem, options);
    const fd = finiteDifferenceGradient(chemostat, problem, options, 1e-4);
    expect(maxRelativeDifference(gradientVector(result), fd, 1e-6)).toBeLessThan(1e-5);
  });

  it('adjoint and forward sensitivities agree', () => {
    const options = tightOptions('rodas4', 1e-8);
    const adjoint = gradientVector(gradientOf(problem, options));
    expect(maxRelativeDifference(adjoint, gradientFromSensitivities(problem, options), 1e-10)).toBeLessThan(
      1e-10,
    );
  });

  it('gives the same sensitivities on chosen parameter columns as on all of them', () => {
    const options = tightOptions('rodas4', 1e-7);
    const full = residualSensitivities(problem, createEngineWorkspace(chemostat), options);
    const chosen = Int32Array.from([11, 0, 10, 3, 7]);
    const part = residualSensitivities(problem, createEngineWorkspace(chemostat), options, undefined, chosen);
    if (!full.ok || !part.ok) throw new Error('solve failed');
    expect(part.stats.method).toBe('rodas4');
    const fullCols = m + n;
    const partCols = chosen.length + n;
    let worst = 0;
    for (let i = 0; i < part.residuals.length; i++) {
      for (let col = 0; col < partCols; col++) {
        const from = col < chosen.length ? chosen[col] : m + col - chosen.length;
        const want = full.jacobian[i * fullCols + from];
        worst = Math.max(
          worst,
          Math.abs(part.jacobian[i * partCols + col] - want) / (1e-12 + Math.abs(want)),
        );
      }
    }
    expect(worst).toBeLessThan(1e-12);
  });

  it("'auto' moves to rodas4 here and stays explicit on a non-stiff window", () => {
    for (const rtol of [1e-6, 1e-8]) {
      const ws = createEngineWorkspace(chemostat);
      const solved = solveWindow(problem, tightOptions('auto', rtol), ws);
      if (!solved.ok) throw new Error(solved.failure.kind);
      expect(solved.record.method).toBe('rodas4');
      const auto = gradientOf(problem, tightOptions('auto', rtol));
      const rodas = gradientOf(problem, tightOptions('rodas4', rtol));
      expect(auto.stats.method).toBe('rodas4');
      expect(auto.loss).toBe(rodas.loss);
      expect(maxRelativeDifference(gradientVector(auto), gradientVector(rodas), 0)).toBe(0);
    }
    const calm = parseWindowProblem(readExample('window-assays').window, chemostat);
    const ws = createEngineWorkspace(chemostat);
    const solved = solveWindow(calm, tightOptions('auto', 1e-6), ws);
    if (!solved.ok) throw new Error(solved.failure.kind);
    expect(solved.record.method).toBe('dopri5');
  });
});
