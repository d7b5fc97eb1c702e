import { describe, expect, it } from 'vitest';
import { compileModel } from '../../assimilation/model/compile';
import type { ModelDefinition } from '../../assimilation/model/definition';
import type { WindowProblem } from '../../assimilation/problem/window-problem';
import {
  createEngineWorkspace,
  lossAndGradient,
  residualSensitivities,
} from '../../assimilation/window-engine';
import { builtInModel } from '../../simulator/model-files';
import {
  finiteDifferenceGradient,
  maxRelativeDifference,
  numericJacobian,
  tightOptions,
} from '../fixtures/engine';

/** A user's variant: a second satellite Z that lives on a third metabolite C excreted by X. */
const twoSatellites: ModelDefinition = {
  ...builtInModel(),
  name: 'chemostat-two-satellites',
  states: [...builtInModel().states, 'Z', 'C'],
  parameters: [
    ...builtInModel().parameters,
    { name: 'vC', description: 'C excretion per unit X', plantValue: 0.002, unit: '1/h' },
    { name: 'muCmax', description: 'Z max growth on C', plantValue: 0.5, unit: '1/h' },
    { name: 'KC', description: 'Z affinity for C', plantValue: 0.05, unit: 'conc' },
    { name: 'gC', description: 'C per unit Z growth', plantValue: 2, unit: '1' },
  ],
  intermediates: [...builtInModel().intermediates, ['muZ', 'muCmax * C/(KC + C)']],
  rates: {
    ...builtInModel().rates,
    Z: '(muZ - D)*Z',
    C: 'vC*X - D*C - gC*muZ*Z',
  },
  signals: { ...builtInModel().signals, od: 'X + Y + Z', Z: 'Z', C: 'C' },
};

describe('model compiler', () => {
  const model = compileModel(twoSatellites);
  const x = new Float64Array([7.4, 90, 1.1, 0.034, 0.057, 0.4, 0.02]);
  const p = new Float64Array(twoSatellites.parameters.map((q) => q.plantValue));
  const u = new Float64Array([0.27]);

  it('generates Jacobians of a user variant that match finite differences, with no derivative written by hand', () => {
    const jx = new Float64Array(49);
    const jp = new Float64Array(7 * 18);
    model.jacobianStates(x, p, u, jx);
    model.jacobianParams(x, p, u, jp);
    expect(maxRelativeDifference(jx, numericJacobian(model.rhs, 7, [x, p, u], 0), 1e-9)).toBeLessThan(1e-6);
    expect(maxRelativeDifference(jp, numericJacobian(model.rhs, 7, [x, p, u], 1), 1e-9)).toBeLessThan(1e-6);
  });

  it('multiplies by the Jacobian through its nonzeros, to the bit of a dense loop that skips zeros', () => {
    const cols = 5;
    const matrix = Float64Array.from({ length: 7 * cols }, (_, i) => Math.sin(i + 1) * 10 ** ((i % 5) - 2));
    const start = Float64Array.from({ length: 7 * cols }, (_, i) => Math.cos(i) / 3);
    const signless = (v: Float64Array) => Array.from(v, (g) => g + 0);
    // Also where states are 0, so that entries nonzero by form are zero by value.
    const emptied = x.slice();
    emptied[3] = 0;
    emptied[5] = 0;
    for (const at of [x, emptied]) {
      const jx = new Float64Array(49);
      model.jacobianStates(at, p, u, jx);
      const dense = (initial: Float64Array): Float64Array => {
        const out = initial.slice();
        for (let r = 0; r < 7; r++)
          for (let q = 0; q < 7; q++) {
            if (jx[r * 7 + q] === 0) continue;
            for (let c = 0; c < cols; c++) out[r * cols + c] += jx[r * 7 + q] * matrix[q * cols + c];
          }
        return out;
      };
      const product = new Float64Array(7 * cols).fill(Number.NaN);
      model.jacobianStatesTimes(at, p, u, matrix, cols, product);
      expect(signless(product)).toEqual(signless(dense(new Float64Array(7 * cols))));
      const sum = start.slice();
      model.jacobianStatesTimesAdd(at, p, u, matrix, cols, sum);
      expect(signless(sum)).toEqual(signless(dense(start)));
      expect(sum.some((g, i) => g !== start[i])).toBe(true);
    }
  });

  it('generates the transposed Jacobian product and second-order contractions consistently', () => {
    const w = Float64Array.from({ length: 7 }, (_, i) => 0.3 * i - 1);
    const v = Float64Array.from({ length: 7 }, (_, i) => 1 / (i + 1));
    const jx = new Float64Array(49);
    const jp = new Float64Array(7 * 18);
    model.jacobianStates(x, p, u, jx);
    model.jacobianParams(x, p, u, jp);
    const outX = new Float64Array(7);
    const accP = new Float64Array(18);
    model.transposeJacobianProduct(x, p, u, w, outX, accP);
    for (let j = 0; j < 7; j++)
      expect(outX[j]).toBeCloseTo(
        w.reduce((s, wi, i) => s + wi * jx[i * 7 + j], 0),
        12,
      );
    for (let j = 0; j < 18; j++)
      expect(accP[j]).toBeCloseTo(
        w.reduce((s, wi, i) => s + wi * jp[i * 18 + j], 0),
        12,
      );
    // ∇ₓ(wᵀ J v) against differences of wᵀ J v.
    const contraction = (xx: Float64Array): number => {
      const j = new Float64Array(49);
      model.jacobianStates(xx, p, u, j);
      let s = 0;
      for (let r = 0; r < 7; r++) for (let c = 0; c < 7; c++) s += w[r] * j[r * 7 + c] * v[c];
      return s;
    };
    const gradX = new Float64Array(7);
    model.stateJacobianContractionGradient(x, p, u, w, v, gradX, new Float64Array(18));
    for (let l = 0; l < 7; l++) {
      const h = 1e-6 * Math.max(x[l], 1e-3);
      const xp = x.slice();
      const xm = x.slice();
      xp[l] += h;
      xm[l] -= h;
      expect(gradX[l]).toBeCloseTo((contraction(xp) - contraction(xm)) / (2 * h), 5);
    }
    // ∂(J v)/∂(x, p) and ∂(J_u du)/∂(x, p), all rows in one call each, are row r of the contraction
    // gradients with w = e_r, to the last bit (the Rosenbrock tangent relies on it).
    const du = new Float64Array([0.013]);
    for (const input of [false, true]) {
      const dX = new Float64Array(49);
      const dP = new Float64Array(7 * 18);
      if (input) model.inputJacobianDirectionalDerivative(x, p, u, du, dX, dP);
      else model.stateJacobianDirectionalDerivative(x, p, u, v, dX, dP);
      for (let r = 0; r < 7; r++) {
        const unit = new Float64Array(7);
        unit[r] = 1;
        const rowX = new Float64Array(7);
        const rowP = new Float64Array(18);
        if (input) model.inputJacobianContractionGradient(x, p, u, unit, du, rowX, rowP);
        else model.stateJacobianContractionGradient(x, p, u, unit, v, rowX, rowP);
        // + 0 folds a −0 into +0: the two may differ in the sign of an exact zero only.
        expect(Array.from(dX.subarray(r * 7, r * 7 + 7), (g) => g + 0)).toEqual(
          Array.from(rowX, (g) => g + 0),
        );
        expect(Array.from(dP.subarray(r * 18, r * 18 + 18), (g) => g + 0)).toEqual(
          Array.from(rowP, (g) => g + 0),
        );
      }
      expect(dX.some((g) => g !== 0)).toBe(true);
    }
  });

  it('gives the variant an adjoint gradient that matches finite differences and sensitivities', () => {
    const times = Float64Array.from({ length: 24 }, (_, i) => 100 + 0.5 * i);
    const problem: WindowProblem = {
      modelName: model.definition.name,
      params: p.slice(),
      freeParams: Array.from(p, () => true),
      t0: 100,
      x0: x.slice(),
      inputs: [{ t: Float64Array.from([100, 106, 112]), v: Float64Array.from([0.25, 0.3, 0.22]) }],
      obsTime: Float64Array.from([...times, ...times]),
      obsSignal: Int32Array.from([...times.map(() => 0), ...times.map(() => model.signalNames.indexOf('C'))]),
      obsValue: Float64Array.from([...times.map(() => 92), ...times.map(() => 0.03)]),
      obsSigma: Float64Array.from([...times.map(() => 0.5), ...times.map(() => 0.01)]),
    };
    const order = Array.from(problem.obsTime.keys()).sort((a, b) => problem.obsTime[a] - problem.obsTime[b]);
    for (const key of ['obsTime', 'obsSignal', 'obsValue', 'obsSigma'] as const) {
      const src = problem[key].slice();
      order.forEach((from, to) => {
        problem[key][to] = src[from];
      });
    }
    const options = tightOptions('dopri5', 1e-12);
    const result = lossAndGradient(problem, createEngineWorkspace(model), options);
    if (!result.ok) throw new Error(result.failure.kind);
    const gradient = Float64Array.from([...result.gradParams, ...result.gradX0]);
    const fd = finiteDifferenceGradient(model, problem, options, 1e-4);
    expect(maxRelativeDifference(gradient, fd, 1e-5)).toBeLessThan(1e-5);
    const sens = residualSensitivities(problem, createEngineWorkspace(model), options);
    if (!sens.ok) throw new Error(sens.failure.kind);
    const cols = 25;
    const viaSens = new Float64Array(cols);
    for (let i = 0; i < sens.residuals.length; i++)
      for (let c = 0; c < cols; c++) viaSens[c] += sens.residuals[i] * sens.jacobian[i * cols + c];
    expect(maxRelativeDifference(gradient, viaSens, 1e-10)).toBeLessThan(1e-9);
  });

  it('refuses a definition that reads an unknown name, naming it', () => {
    const broken: ModelDefinition = {
      ...builtInModel(),
      rates: { ...builtInModel().rates, S: 'S0 - S*Dx' },
    };
    expect(() => compileModel(broken)).toThrow(/unknown name "Dx"/);
  });

  it('refuses a formula it cannot parse, saying where', () => {
    const broken: ModelDefinition = {
      ...builtInModel(),
      rates: { ...builtInModel().rates, S: '(S0 - S' },
    };
    expect(() => compileModel(broken)).toThrow(/rates\.S: "\(S0 - S": expected "\)" at the end/);
  });
});
