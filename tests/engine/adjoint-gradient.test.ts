import { describe, expect, it } from 'vitest';
import { parseWindowProblem } from '../../assimilation/problem/window-problem';
import {
  createEngineWorkspace,
  lossAndGradient,
  residualSensitivities,
} from '../../assimilation/window-engine';
import { chemostat, finiteDifferenceGradient, maxRelativeDifference, tightOptions } from '../fixtures/engine';
import { exampleNames, readExample } from '../fixtures/spec-examples';

const names = [...chemostat.parameterNames, ...chemostat.stateNames];

function gradientVector(result: { gradParams: Float64Array; gradX0: Float64Array }): Float64Array {
  return Float64Array.from([...result.gradParams, ...result.gradX0]);
}

function solvedGradient(window: unknown, options = tightOptions('dopri5')) {
  const problem = parseWindowProblem(window, chemostat);
  const result = lossAndGradient(problem, createEngineWorkspace(chemostat), options);
  if (!result.ok) throw new Error(result.failure.kind);
  return { problem, result };
}

/** A window over the first example's plant with irregular, unsorted, unshared observation times. */
function irregularWindow(): unknown {
  const base = readExample('window-assays').window as Record<string, unknown>;
  let seed = 7;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  const t0 = base.t0 as number;
  const odTimes = Array.from({ length: 23 }, () => t0 + 11 * random());
  const sTimes = Array.from({ length: 17 }, () => t0 + 11.5 * random());
  return {
    ...base,
    observations: [
      { signal: 'od', t: odTimes, v: odTimes.map((_, i) => 92 + (i % 3)), sigma: 0.5 },
      { signal: 'substrate', t: sTimes, v: sTimes.map((_, i) => 9 + (i % 2) * 0.3), sigma: 0.2 },
      { signal: 'B', t: [t0 + 3.3], v: [0.05], sigma: 0.005 },
    ],
  };
}

describe('adjoint gradient of the window loss', () => {
  for (const name of exampleNames) {
    it(`matches ${name}.expected.json to 1e-6 relative at tight tolerance`, () => {
      const { window, expected } = readExample(name);
      const { result } = solvedGradient(window);
      expect(Math.abs(result.loss - expected.loss) / expected.loss).toBeLessThan(1e-6);
      const want = names.map((q, i) => (i < 14 ? expected.grad.params[q] : expected.grad.x0[q]));
      const got = gradientVector(result);
      const mismatches = names.filter(
        (_, i) =>
          Math.abs(got[i] - want[i]) > 1e-6 * Math.abs(want[i]) &&
          Math.abs(want[i]) >= 1e-8 * Math.max(...want.map(Math.abs)),
      );
      expect(mismatches).toEqual([]);
      expect(maxRelativeDifference(got, want)).toBeLessThan(1e-6);
    });

    it(`agrees with forward sensitivities on ${name}`, () => {
      const { window } = readExample(name);
      const options = tightOptions('dopri5', 1e-7);
      const { problem, result } = solvedGradient(window, options);
      const sens = residualSensitivities(problem, createEngineWorkspace(chemostat), options);
      if (!sens.ok) throw new Error(sens.failure.kind);
      const cols = names.length;
      const fromSensitivities = new Float64Array(cols);
      for (let i = 0; i < sens.residuals.length; i++) {
        for (let c = 0; c < cols; c++)
          fromSensitivities[c] += sens.residuals[i] * sens.jacobian[i * cols + c];
      }
      expect(maxRelativeDifference(gradientVector(result), fromSensitivities, 1e-10)).toBeLessThan(1e-9);
    });
  }

  it('matches central finite differences on the perturbed example', () => {
    const { window } = readExample('window-perturbed');
    const options = tightOptions('dopri5', 1e-12);
    const { problem, result } = solvedGradient(window, options);
    const fd = finiteDifferenceGradient(chemostat, problem, options, 1e-4);
    // Components below 1e-5 of the largest drown in the differences' own rounding and step noise.
    expect(maxRelativeDifference(gradientVector(result), fd, 1e-5)).toBeLessThan(1e-5);
  });

  it('handles irregular, unsorted, unshared observation times', () => {
    const options = tightOptions('dopri5', 1e-12);
    const { problem, result } = solvedGradient(irregularWindow(), options);
    expect([...problem.obsTime]).toEqual([...problem.obsTime].sort((a, b) => a - b));
    const fd = finiteDifferenceGradient(chemostat, problem, options, 1e-5);
    expect(maxRelativeDifference(gradientVector(result), fd, 1e-6)).toBeLessThan(1e-5);
  });

  it('takes sparse assay signals into the gradient at their times only', () => {
    const { window } = readExample('window-assays');
    const raw = window as { observations: { signal: string }[] };
    const assaysOnly = {
      ...raw,
      observations: raw.observations.filter((o) => ['Y', 'A', 'B'].includes(o.signal)),
    };
    const options = tightOptions('dopri5', 1e-12);
    const { problem, result } = solvedGradient(assaysOnly, options);
    expect(problem.obsTime.length).toBe(6);
    // Y assays pull on Y's initial value; with no od or substrate readings, S0 and gamma act only through X.
    expect(Math.abs(result.gradX0[2])).toBeGreaterThan(0);
    const fd = finiteDifferenceGradient(chemostat, problem, options, 1e-5);
    expect(maxRelativeDifference(gradientVector(result), fd, 1e-6)).toBeLessThan(1e-5);
  });
});
