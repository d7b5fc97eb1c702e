/**
 * The network inside the model: its sweeps against tfjs (an independent implementation, float32)
 * and against finite differences (float64), every CompiledModel function of a hybrid against
 * differences of the one below it, and the adjoint gradient of a window's loss with the weights as
 * parameters against differences of the loss, for both methods.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  buildWindowProblem,
  compileModel,
  createEngineWorkspace,
  defaultObservationNoise,
  lossAndGradient,
  Mlp,
  type MlpShape,
  mlpParameterCount,
  plantDataFrom,
} from '../../assimilation';
import { generatePlantHistory } from '../../simulator/plant-history';
import { lossOf, tightOptions } from '../fixtures/engine';
import { hybridWithWeights } from './fixtures';

tf.setBackend('cpu');

const shape: MlpShape = {
  sizes: [5, 16, 16, 5],
  activation: 'tanh',
  bounds: [0.3, 1, 2, 0.5, 1],
  signs: ['any', 'nonnegative', 'nonpositive', 'any', 'nonnegative'],
};

function weightsFor(sizes: readonly number[], seed: number): Float64Array {
  return Float64Array.from(
    { length: mlpParameterCount(sizes) },
    (_, i) => 0.6 * Math.sin(0.37 * i * seed + 1),
  );
}

/** The same network in tfjs: forward, and the gradient of ωᵀN wrt the inputs and every weight. */
function tfjsNetwork(
  theta: Float64Array,
  z: Float64Array,
  omega: Float64Array,
  activation: 'tanh' | 'softplus',
) {
  const { sizes, bounds, signs } = shape;
  const tensors: tf.Tensor[] = [];
  let at = 0;
  for (let l = 1; l < sizes.length; l++) {
    tensors.push(
      tf.tensor2d(Array.from(theta.subarray(at, at + sizes[l] * sizes[l - 1])), [sizes[l], sizes[l - 1]]),
    );
    at += sizes[l] * sizes[l - 1];
    tensors.push(tf.tensor1d(Array.from(theta.subarray(at, at + sizes[l]))));
    at += sizes[l];
  }
  const forward = (input: tf.Tensor, ...params: tf.Tensor[]): tf.Tensor => {
    let a = input.reshape([sizes[0], 1]);
    for (let l = 0; l < params.length / 2; l++) {
      const s = tf.add(tf.matMul(params[2 * l], a), params[2 * l + 1].reshape([-1, 1]));
      a = l === params.length / 2 - 1 ? s : activation === 'tanh' ? tf.tanh(s) : tf.softplus(s);
    }
    const raw = a.reshape([-1]);
    const parts = signs.map((sign, j) => {
      const v = raw.slice([j], [1]);
      return sign === 'any'
        ? tf.mul(bounds[j], tf.tanh(v))
        : tf.mul((sign === 'nonnegative' ? 1 : -1) * bounds[j], tf.sigmoid(v));
    });
    return tf.concat(parts);
  };
  const input = tf.tensor1d(Array.from(z));
  const weight = tf.tensor1d(Array.from(omega));
  const output = Float64Array.from(forward(input, ...tensors).dataSync());
  const grads = tf.grads((x: tf.Tensor, ...params: tf.Tensor[]) =>
    tf.sum(tf.mul(forward(x, ...params), weight)),
  )([input, ...tensors]);
  return {
    output,
    inputGradient: Float64Array.from(grads[0].dataSync()),
    weightGradient: Float64Array.from(grads.slice(1).flatMap((g) => Array.from(g.dataSync()))),
  };
}

/** |a − b| within rel·(|a| + |b|) + abs, reported with the worst entry. */
function expectClose(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  rel: number,
  abs: number,
  what: string,
): void {
  expect(a.length, what).toBe(b.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < a.length; i++) {
    const excess = Math.abs(a[i] - b[i]) - (rel * (Math.abs(a[i]) + Math.abs(b[i])) + abs);
    if (excess > worst) {
      worst = excess;
      at = i;
    }
  }
  expect(at, `${what}: entry ${at}: ${a[at]} against ${b[at]}`).toBe(-1);
}

describe('the network (assimilation/neural/mlp.ts)', () => {
  for (const activation of ['tanh', 'softplus'] as const) {
    it(`agrees with tfjs to float32 accuracy: forward, input and weight gradients (${activation})`, () => {
      const mlp = new Mlp({ ...shape, activation });
      const theta = weightsFor(shape.sizes, 2);
      const z = Float64Array.of(0.4, -1.1, 0.7, 1.9, -0.2);
      const omega = Float64Array.of(1, -0.5, 2, 0.3, -1.2);
      mlp.forward(theta, 0, z);
      const zBar = new Float64Array(5);
      const thetaBar = new Float64Array(mlp.parameterCount);
      mlp.reverse(theta, 0, omega, zBar, thetaBar, 0);
      const reference = tfjsNetwork(theta, z, omega, activation);
      expectClose(mlp.output, reference.output, 1e-5, 1e-6, 'output');
      expectClose(zBar, reference.inputGradient, 1e-4, 1e-5, 'input gradient');
      expectClose(thetaBar, reference.weightGradient, 1e-4, 1e-5, 'weight gradient');
    });
  }

  it('has tangent and second-order sweeps that agree with float64 finite differences', () => {
    const mlp = new Mlp(shape);
    const theta = weightsFor(shape.sizes, 5);
    const z = Float64Array.of(0.2, 0.9, -0.6, 0.1, 1.3);
    const zDot = Float64Array.of(0.5, -0.3, 1, 0.2, -0.7);
    const omega = Float64Array.of(0.7, 1.1, -0.4, 2, 0.5);
    const omegaDot = Float64Array.of(-0.2, 0.4, 0.9, -1, 0.3);
    const h = 1e-6;
    const at = (e: number) => {
      const zi = z.map((v, i) => v + e * zDot[i]);
      const wi = omega.map((v, i) => v + e * omegaDot[i]);
      mlp.forward(theta, 0, zi);
      const output = mlp.output.slice();
      const zBar = new Float64Array(5);
      const thetaBar = new Float64Array(mlp.parameterCount);
      mlp.reverse(theta, 0, wi, zBar, thetaBar, 0);
      return { output, zBar, thetaBar };
    };
    const plus = at(h);
    const minus = at(-h);
    const diff = (a: Float64Array, b: Float64Array) => a.map((v, i) => (v - b[i]) / (2 * h));
    mlp.forward(theta, 0, z);
    mlp.forwardTangent(theta, 0, zDot);
    const zBar = new Float64Array(5);
    const zBarDot = new Float64Array(5);
    const thetaBarDot = new Float64Array(mlp.parameterCount);
    mlp.reverseTangent(theta, 0, omega, omegaDot, zBar, zBarDot, thetaBarDot, 0);
    expectClose(mlp.outputTangent, diff(plus.output, minus.output), 1e-6, 1e-8, 'JVP');
    expectClose(zBarDot, diff(plus.zBar, minus.zBar), 1e-6, 1e-8, 'input second order');
    expectClose(thetaBarDot, diff(plus.thetaBar, minus.thetaBar), 1e-6, 1e-8, 'weight second order');
    expectClose(zBar, at(0).zBar, 0, 0, 'reverseTangent gives the VJP too');
  });
});

describe('a hybrid compiled model', () => {
  const def = hybridWithWeights();
  const x = Float64Array.of(6, 90, 1.1, 0.035, 0.06);
  const u = Float64Array.of(0.25);
  const mechanistic = Float64Array.from(def.parameters, (p) => p.plantValue);

  for (const networkWeights of ['constants', 'parameters'] as const) {
    it(`includes the network in every function, against differences (weights as ${networkWeights})`, () => {
      const model = compileModel(def, { networkWeights });
      const n = 5;
      const m = model.parameterNames.length;
      const p =
        networkWeights === 'parameters'
          ? Float64Array.from([...mechanistic, ...def.neural!.weights!])
          : mechanistic;
      const rhs = (xi: Float64Array, pi: Float64Array, ui: Float64Array) => {
        const out = new Float64Array(n);
        model.rhs(xi, pi, ui, out);
        return out;
      };
      const mech = compileModel({ ...def, neural: undefined });
      const mechRhs = new Float64Array(n);
      mech.rhs(x, mechanistic, u, mechRhs);
      expect(Array.from(rhs(x, p, u)), 'the network adds to Y, A and B only').not.toEqual(
        Array.from(mechRhs),
      );
      expect(rhs(x, p, u)[0]).toBe(mechRhs[0]);
      /** Columns of d(g)/d(vector) by central differences with relative steps. */
      const columns = (g: (v: Float64Array) => Float64Array, v: Float64Array) =>
        Array.from(v, (vi, c) => {
          const step = 1e-6 * Math.max(Math.abs(vi), 1e-3);
          const a = v.slice();
          a[c] += step;
          const b = v.slice();
          b[c] -= step;
          return g(a).map((ga, i) => (ga - g(b)[i]) / (2 * step));
        });
      const dense = (cols: Float64Array[], rows: number) =>
        Float64Array.from(
          { length: rows * cols.length },
          (_, i) => cols[i % cols.length][Math.floor(i / cols.length)],
        );
      const jx = new Float64Array(n * n);
      model.jacobianStates(x, p, u, jx);
      expectClose(
        jx,
        dense(
          columns((v) => rhs(v, p, u), x),
          n,
        ),
        1e-5,
        1e-9,
        'df/dx',
      );
      const jp = new Float64Array(n * m);
      model.jacobianParams(x, p, u, jp);
      expectClose(
        jp,
        dense(
          columns((v) => rhs(x, v, u), p),
          n,
        ),
        1e-5,
        1e-9,
        'df/dp',
      );
      const ju = new Float64Array(n);
      model.jacobianInputs(x, p, u, ju);
      expectClose(
        ju,
        dense(
          columns((v) => rhs(x, p, v), u),
          n,
        ),
        1e-5,
        1e-9,
        'df/du',
      );

      const w = Float64Array.of(0.3, -1.2, 0.7, 2, -0.5);
      const v = Float64Array.of(0.1, 2, -0.4, 0.01, 0.03);
      const outX = new Float64Array(n);
      const accP = new Float64Array(m);
      model.transposeJacobianProduct(x, p, u, w, outX, accP);
      expectClose(
        outX,
        Array.from({ length: n }, (_, c) => w.reduce((s, wi, i) => s + wi * jx[i * n + c], 0)),
        1e-12,
        1e-14,
        'Jxᵀw',
      );
      expectClose(
        accP,
        Array.from({ length: m }, (_, c) => w.reduce((s, wi, i) => s + wi * jp[i * m + c], 0)),
        1e-12,
        1e-14,
        'Jpᵀw',
      );

      const matrix = Float64Array.from({ length: n * 3 }, (_, i) => Math.cos(i));
      const times = new Float64Array(n * 3);
      model.jacobianStatesTimes(x, p, u, matrix, 3, times);
      const product = Float64Array.from({ length: n * 3 }, (_, i) =>
        Array.from({ length: n }, (_, s) => jx[Math.floor(i / 3) * n + s] * matrix[s * 3 + (i % 3)]).reduce(
          (a, b) => a + b,
        ),
      );
      expectClose(times, product, 1e-12, 1e-14, 'Jx·M');

      const scalar = (xi: Float64Array, pi: Float64Array, which: 'x' | 'u', dir: Float64Array) => {
        const J = new Float64Array(n * (which === 'x' ? n : 1));
        if (which === 'x') model.jacobianStates(xi, pi, u, J);
        else model.jacobianInputs(xi, pi, u, J);
        const cols = which === 'x' ? n : 1;
        let s = 0;
        for (let i = 0; i < n; i++) for (let j = 0; j < cols; j++) s += w[i] * J[i * cols + j] * dir[j];
        return Float64Array.of(s);
      };
      for (const which of ['x', 'u'] as const) {
        const dir = which === 'x' ? v : Float64Array.of(0.7);
        const gX = new Float64Array(n);
        const gP = new Float64Array(m);
        if (which === 'x') model.stateJacobianContractionGradient(x, p, u, w, dir, gX, gP);
        else model.inputJacobianContractionGradient(x, p, u, w, dir, gX, gP);
        expectClose(
          gX,
          columns((xi) => scalar(xi, p, which, dir), x).map((c) => c[0]),
          1e-5,
          1e-9,
          `∇ₓ(wᵀJ${which}v)`,
        );
        expectClose(
          gP,
          columns((pi) => scalar(x, pi, which, dir), p).map((c) => c[0]),
          1e-5,
          1e-9,
          `∇ₚ(wᵀJ${which}v)`,
        );
        const DX = new Float64Array(n * n);
        const DP = new Float64Array(n * m);
        if (which === 'x') model.stateJacobianDirectionalDerivative(x, p, u, dir, DX, DP);
        else model.inputJacobianDirectionalDerivative(x, p, u, dir, DX, DP);
        const rowsX = new Float64Array(n * n);
        const rowsP = new Float64Array(n * m);
        for (let i = 0; i < n; i++) {
          const e = new Float64Array(n);
          e[i] = 1;
          const a = new Float64Array(n);
          const b = new Float64Array(m);
          if (which === 'x') model.stateJacobianContractionGradient(x, p, u, e, dir, a, b);
          else model.inputJacobianContractionGradient(x, p, u, e, dir, a, b);
          rowsX.set(a, i * n);
          rowsP.set(b, i * m);
        }
        expectClose(DX, rowsX, 1e-12, 1e-14, `directional derivative ${which} (states)`);
        expectClose(DP, rowsP, 1e-12, 1e-14, `directional derivative ${which} (parameters)`);
      }
    });
  }

  for (const method of ['dopri5', 'rodas4'] as const) {
    it(`gives the window loss an adjoint gradient over parameters, weights and x0 that agrees with differences (${method})`, () => {
      const model = compileModel(def, { networkWeights: 'parameters' });
      const history = generatePlantHistory({ scenario: 'steady', days: 0.5, seed: 2, assays: true });
      const params = Float64Array.from([...mechanistic, ...def.neural!.weights!]);
      const problem = buildWindowProblem(
        model,
        plantDataFrom(history.samples),
        0,
        6,
        defaultObservationNoise,
        params,
        x,
        [],
      );
      if ('error' in problem) throw new Error(problem.error);
      const options = tightOptions(method, 1e-9);
      const result = lossAndGradient(problem, createEngineWorkspace(model), options);
      if (!result.ok) throw new Error(result.failure.kind);
      // Every mechanistic parameter and start state, and every 7th weight (all layers), by differences.
      const m = mechanistic.length;
      const checked = [
        ...Array.from({ length: m }, (_, i) => i),
        ...Array.from({ length: def.neural!.weights!.length }, (_, i) => m + i).filter(
          (i) => (i - m) % 7 === 0,
        ),
        ...Array.from({ length: 5 }, (_, i) => params.length + i),
      ];
      const numeric = checked.map((j) => {
        const target = j < params.length ? 'params' : 'x0';
        const index = j < params.length ? j : j - params.length;
        const original = problem[target][index];
        const step = 1e-5 * Math.max(Math.abs(original), 1e-3);
        const at = (delta: number) => {
          const copy = { ...problem, params: problem.params.slice(), x0: problem.x0.slice() };
          copy[target][index] = original + delta;
          return lossOf(model, copy, options);
        };
        return (at(step) - at(-step)) / (2 * step);
      });
      const adjoint = [...result.gradParams, ...result.gradX0];
      expectClose(
        checked.map((j) => adjoint[j]),
        numeric,
        2e-5,
        1e-6 * Math.abs(result.loss),
        'dL/d(p, θ, x0)',
      );
    });
  }
});
