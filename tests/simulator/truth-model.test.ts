import { describe, expect, it } from 'vitest';
import { defaultSolverOptions } from '../../assimilation/solvers/types';
import { createEngineWorkspace, solveWindow } from '../../assimilation/window-engine';
import { generatePlantHistory } from '../../simulator/plant-history';
import { plantModel } from '../../simulator/truth-integrator';
import { signalSamples } from './history-helpers';

/**
 * The truth must be a solution of the model: solving again from a recorded state, with the recorded
 * D and parameters and the estimator's default tolerances, lands on the later recorded states.
 */
describe('the truth satisfies the model', () => {
  const history = generatePlantHistory({ scenario: 'satellite-shift', days: 9, seed: 4 });
  const { truth } = history;
  const model = plantModel();
  const ws = createEngineWorkspace(model);
  const dTimes = Float64Array.from(signalSamples(history, 'D').map((s) => s.timeH));
  const dValues = Float64Array.from(signalSamples(history, 'D').map((s) => s.value));
  const stateAt = (i: number) => Float64Array.from(truth.stateNames.map((s) => truth.states[s][i]));
  const paramsAt = (i: number) => Float64Array.from(truth.parameterNames.map((p) => truth.params[p][i]));

  /** Re-solves from row `from` over `count` readings, parameters changing where the truth's did. */
  function resolve(from: number, count: number): Float64Array[] {
    const out: Float64Array[] = [];
    let x = stateAt(from);
    for (let i = from; i < from + count; i++) {
      const task = {
        params: paramsAt(i),
        t0: truth.timeH[i],
        x0: x,
        inputs: [{ t: dTimes, v: dValues }],
        obsTime: Float64Array.of(truth.timeH[i + 1]),
      };
      const solved = solveWindow(task, defaultSolverOptions, ws);
      if (!solved.ok) throw new Error(solved.failure.kind);
      const n = solved.record.n;
      x = solved.record.nodeStates.slice(solved.record.stepCount * n, (solved.record.stepCount + 1) * n);
      out.push(x);
    }
    return out;
  }

  it('one reading ahead, anywhere in the history (before, during and after the shift)', () => {
    for (const from of [0, 100, 7 * 96 + 30, 7 * 96 + 95, 8 * 96 + 50, truth.timeH.length - 2]) {
      const [next] = resolve(from, 1);
      for (const [q, v] of next.entries()) {
        expect(Math.abs(v - truth.states[truth.stateNames[q]][from + 1])).toBeLessThan(1e-7 * (1 + v));
      }
    }
  });

  it('over a day across the ramp of gB', () => {
    const from = 7 * 96 - 8;
    const path = resolve(from, 96);
    path.forEach((x, k) => {
      x.forEach((v, q) => {
        const recorded = truth.states[truth.stateNames[q]][from + 1 + k];
        expect(Math.abs(v - recorded)).toBeLessThan(1e-5 * (1 + Math.abs(recorded)));
      });
    });
  });

  it('has the satellite fraction Y/(X+Y) and no non-finite or negative states', () => {
    const { X, Y } = truth.states;
    for (const [i, f] of truth.satelliteFraction.entries()) expect(f).toBeCloseTo(Y[i] / (X[i] + Y[i]), 14);
    for (const name of truth.stateNames) {
      expect(truth.states[name].every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    }
  });
});
