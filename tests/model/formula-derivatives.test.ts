import { describe, expect, it } from 'vitest';
import { type CompiledModel, compileModel } from '../../assimilation/model/compile';
import { parseModelFile } from '../../assimilation/model/model-file';
import { numericJacobian } from '../fixtures/engine';

/** Largest difference relative to the largest entry expected (0 when both are all zero). */
function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  return scale === 0 ? worst : worst / scale;
}

/**
 * Each construct of the formula language in a two-state model, x' = k·(construct), y' = k·(x − y),
 * so that a wrong derivative names its construct. Parameters a, b, n are dimensionless; tOn and w
 * are hours (for the time t).
 */
const constructs: Record<string, string> = {
  'fitted exponent': '(x/b)^n',
  'exponent that is a state': 'a^(y - x)',
  'fractional constant exponent': 'x^(1/2) + y^2.5',
  sqrt: 'sqrt(x*y)',
  exp: 'exp(-x*a)',
  log: 'log(1 + x/b)',
  tanh: 'tanh(x - a*y)',
  abs: 'abs(x - a*y)',
  sigmoid: 'sigmoid((x - a)/b)',
  min: 'min(x, a*y)',
  max: 'max(x*y, a - y)',
  if: 'if(x < a*y, x*y, b*x)',
  time: 'x*sigmoid((t - tOn)/w) + y*tanh(t/w)',
};

function modelFor(construct: string, formula: string): CompiledModel {
  return compileModel(
    parseModelFile(`
model: construct-${construct.replaceAll(' ', '-')}
states:
  x: { unit: 1 }
  y: { unit: 1 }
parameters:
  k: { value: 0.8, unit: 1/h }
  a: { value: 1.3, unit: 1 }
  b: { value: 0.6, unit: 1 }
  n: { value: 2.4, unit: 1 }
  tOn: { value: 3, unit: h }
  w: { value: 1.5, unit: h }
inputs:
  D: { unit: 1/h, nominal: 0.2 }
rates:
  x: k*(${formula}) - D*x
  y: k*(x - y)
signals:
  s: ${formula.includes('t') && construct === 'time' ? 'x + y' : formula}
`),
  );
}

type Fn = (x: Float64Array, p: Float64Array, u: Float64Array, out: Float64Array) => void;

describe('derivatives of every construct of the formula language', () => {
  // Away from every switch (x < a·y, x = y·a, …) so that finite differences see one branch.
  const points = [
    [0.7, 0.4],
    [0.35, 1.1],
  ];
  for (const [construct, formula] of Object.entries(constructs)) {
    it(`${construct}: ${formula}`, () => {
      const model = modelFor(construct, formula);
      const m = model.parameterNames.length;
      const k = model.inputNames.length;
      expect(model.inputNames).toEqual(construct === 'time' ? ['D', 't'] : ['D']);
      const p = Float64Array.from(model.definition.parameters, (q) => q.plantValue);
      for (const [x1, y1] of points) {
        const x = Float64Array.from([x1, y1]);
        const u = Float64Array.from([0.21, 4.2].slice(0, k));
        const args: [Float64Array, Float64Array, Float64Array] = [x, p, u];
        const jx = new Float64Array(4);
        const jp = new Float64Array(2 * m);
        const ju = new Float64Array(2 * k);
        model.jacobianStates(x, p, u, jx);
        model.jacobianParams(x, p, u, jp);
        model.jacobianInputs(x, p, u, ju);
        expect(relativeError(jx, numericJacobian(model.rhs, 2, args, 0, 1e-2))).toBeLessThan(1e-6);
        expect(relativeError(jp, numericJacobian(model.rhs, 2, args, 1, 1e-2))).toBeLessThan(1e-6);
        expect(relativeError(ju, numericJacobian(model.rhs, 2, args, 2, 1e-2))).toBeLessThan(1e-6);

        // The transposed product is wᵀJ, and the second-order contractions are the derivatives of
        // wᵀ(∂f/∂x)v and wᵀ(∂f/∂u)du, against differences of the generated Jacobians.
        const w = Float64Array.from([0.9, -1.7]);
        const v = Float64Array.from([0.3, 1.4]);
        const du = Float64Array.from([0.05, 1].slice(0, k));
        const outX = new Float64Array(2);
        const accP = new Float64Array(m);
        model.transposeJacobianProduct(x, p, u, w, outX, accP);
        for (let j = 0; j < 2; j++) expect(outX[j]).toBeCloseTo(w[0] * jx[j] + w[1] * jx[2 + j], 12);
        for (let j = 0; j < m; j++) expect(accP[j]).toBeCloseTo(w[0] * jp[j] + w[1] * jp[m + j], 12);
        const contraction = (input: boolean): Fn => {
          const scratch = new Float64Array(2 * Math.max(2, k));
          return (xx, pp, uu, out) => {
            let s = 0;
            if (input) {
              model.jacobianInputs(xx, pp, uu, scratch);
              for (let r = 0; r < 2; r++) for (let c = 0; c < k; c++) s += w[r] * scratch[r * k + c] * du[c];
            } else {
              model.jacobianStates(xx, pp, uu, scratch);
              for (let r = 0; r < 2; r++) for (let c = 0; c < 2; c++) s += w[r] * scratch[r * 2 + c] * v[c];
            }
            out[0] = s;
          };
        };
        for (const input of [false, true]) {
          const gradX = new Float64Array(2);
          const gradP = new Float64Array(m);
          if (input) model.inputJacobianContractionGradient(x, p, u, w, du, gradX, gradP);
          else model.stateJacobianContractionGradient(x, p, u, w, v, gradX, gradP);
          const what = input ? 'wᵀ J_u du' : 'wᵀ J_x v';
          expect(
            relativeError(gradX, numericJacobian(contraction(input), 1, args, 0, 1e-2)),
            what,
          ).toBeLessThan(1e-5);
          expect(
            relativeError(gradP, numericJacobian(contraction(input), 1, args, 1, 1e-2)),
            what,
          ).toBeLessThan(1e-5);
          // The directional derivatives are those contraction gradients, row by row, to the bit.
          const dX = new Float64Array(4);
          const dP = new Float64Array(2 * m);
          if (input) model.inputJacobianDirectionalDerivative(x, p, u, du, dX, dP);
          else model.stateJacobianDirectionalDerivative(x, p, u, v, dX, dP);
          for (let r = 0; r < 2; r++) {
            const unit = Float64Array.from([r === 0 ? 1 : 0, r === 1 ? 1 : 0]);
            const rowX = new Float64Array(2);
            const rowP = new Float64Array(m);
            if (input) model.inputJacobianContractionGradient(x, p, u, unit, du, rowX, rowP);
            else model.stateJacobianContractionGradient(x, p, u, unit, v, rowX, rowP);
            expect(Array.from(dX.subarray(2 * r, 2 * r + 2), (g) => g + 0)).toEqual(
              Array.from(rowX, (g) => g + 0),
            );
            expect(Array.from(dP.subarray(m * r, m * r + m), (g) => g + 0)).toEqual(
              Array.from(rowP, (g) => g + 0),
            );
          }
        }

        // The measurement map's gradient.
        const gx = new Float64Array(2);
        const gp = new Float64Array(m);
        model.measureGradient[0](x, p, gx, gp);
        const h: Fn = (xx, pp, _uu, out) => {
          out[0] = model.measure[0](xx, pp);
        };
        expect(relativeError(gx, numericJacobian(h, 1, args, 0, 1e-2))).toBeLessThan(1e-6);
        expect(relativeError(gp, numericJacobian(h, 1, args, 1, 1e-2))).toBeLessThan(1e-6);
      }
    });
  }

  it('keeps every derivative finite where a state is exactly 0, under roots and fitted powers', () => {
    for (const construct of [
      'fitted exponent',
      'fractional constant exponent',
      'sqrt',
      'exponent that is a state',
    ]) {
      const model = modelFor(construct, constructs[construct]);
      const m = model.parameterNames.length;
      const p = Float64Array.from(model.definition.parameters, (q) => q.plantValue);
      for (const x of [
        Float64Array.from([0, 0.4]),
        Float64Array.from([0, 0]),
        Float64Array.from([-1e-9, 0.4]),
      ]) {
        const u = Float64Array.from([0.21]);
        const all = [new Float64Array(2), new Float64Array(4), new Float64Array(2 * m), new Float64Array(2)];
        model.rhs(x, p, u, all[0]);
        model.jacobianStates(x, p, u, all[1]);
        model.jacobianParams(x, p, u, all[2]);
        const outX = new Float64Array(2);
        const accP = new Float64Array(m);
        model.stateJacobianContractionGradient(
          x,
          p,
          u,
          Float64Array.from([1, 1]),
          Float64Array.from([1, 1]),
          outX,
          accP,
        );
        for (const values of [...all, outX, accP])
          expect(Array.from(values).every(Number.isFinite), `${construct} at ${x}`).toBe(true);
      }
    }
  });
});
