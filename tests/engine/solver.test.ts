import { describe, expect, it } from 'vitest';
import { parseWindowProblem, type WindowProblem } from '../../assimilation/problem/window-problem';
import { stepHeader } from '../../assimilation/solvers/integration-record';
import {
  createEngineWorkspace,
  lossAndGradient,
  sampleTrajectory,
  solveWindow,
} from '../../assimilation/window-engine';
import { chemostat, tightOptions } from '../fixtures/engine';
import { readExample } from '../fixtures/spec-examples';

const example = (): WindowProblem => parseWindowProblem(readExample('window-assays').window, chemostat);

function stepStarts(ws: ReturnType<typeof createEngineWorkspace>): number[] {
  const { record } = ws;
  return Array.from(
    { length: record.stepCount },
    (_, i) => record.steps[i * record.stride + stepHeader.time],
  );
}

describe('forward solver', () => {
  it('stops exactly at every observation time and input sample', () => {
    const problem = example();
    const ws = createEngineWorkspace(chemostat);
    const solved = solveWindow(problem, tightOptions('dopri5', 1e-6), ws);
    expect(solved.ok).toBe(true);
    const starts = new Set(stepStarts(ws));
    for (const t of [...problem.inputs[0].t, ...problem.obsTime]) {
      if (t > problem.t0 && t < problem.obsTime[problem.obsTime.length - 1]) expect(starts.has(t)).toBe(true);
    }
  });

  it('dense output agrees with the solution at a tighter tolerance', () => {
    const problem = example();
    const loose = createEngineWorkspace(chemostat);
    solveWindow(problem, tightOptions('dopri5', 1e-8), loose);
    const times = Float64Array.from({ length: 40 }, (_, i) => problem.t0 + 0.013 + i * 0.29);
    const dense = sampleTrajectory(loose, times);
    const reference = createEngineWorkspace(chemostat);
    const sampled = { ...problem, obsTime: times };
    solveWindow(sampled, tightOptions('dopri5', 1e-12), reference);
    for (let i = 0; i < times.length; i++) {
      const node = reference.record.obsNode[i];
      for (let q = 0; q < 5; q++) {
        const exact = reference.record.nodeStates[node * 5 + q];
        expect(Math.abs(dense[i * 5 + q] - exact)).toBeLessThan(1e-6 * Math.max(1, Math.abs(exact)));
      }
    }
  });

  it('converges: the loss changes by less than the tolerance between rtol 1e-8 and 1e-12', () => {
    const problem = example();
    const a = lossAndGradient(problem, createEngineWorkspace(chemostat), tightOptions('dopri5', 1e-8));
    const b = lossAndGradient(problem, createEngineWorkspace(chemostat), tightOptions('dopri5', 1e-12));
    if (!a.ok || !b.ok) throw new Error('solve failed');
    expect(Math.abs(a.loss - b.loss) / b.loss).toBeLessThan(1e-6);
  });

  it('reports a blow-up as a typed failure, never a NaN', () => {
    const problem = example();
    // Satellite growth 1e6 /h on a metabolite it also produces: the states explode.
    const exploding = { ...problem, params: problem.params.slice() };
    exploding.params[chemostat.parameterNames.indexOf('muBmax')] = 1e6;
    exploding.params[chemostat.parameterNames.indexOf('gB')] = -1e3;
    const result = lossAndGradient(exploding, createEngineWorkspace(chemostat), {
      ...tightOptions('dopri5', 1e-6),
      maxSteps: 5000,
    });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(['non-finite', 'step-size-underflow', 'too-many-steps']).toContain(result.failure.kind);
  });

  it('keeps states from going meaningfully negative when a metabolite is consumed to nothing', () => {
    const problem = example();
    const starving = { ...problem, params: problem.params.slice(), x0: problem.x0.slice() };
    // B excretion off and a strong consumer: B decays towards 0 fast.
    starving.params[chemostat.parameterNames.indexOf('vB')] = 1e-9;
    starving.params[chemostat.parameterNames.indexOf('gB')] = 50;
    starving.x0[2] = 20;
    const ws = createEngineWorkspace(chemostat);
    const options = tightOptions('dopri5', 1e-6);
    const solved = solveWindow(starving, options, ws);
    expect(solved.ok).toBe(true);
    const { record } = ws;
    for (let i = 0; i < (record.stepCount + 1) * 5; i++)
      expect(record.nodeStates[i]).toBeGreaterThan(-10 * options.atol - 1e-6);
  });
});

describe('automatic method choice', () => {
  it('leaves dopri5 as soon as a window turns stiff, so a stiff-then-washout window gets a right gradient', () => {
    // Substrate runs out (tiny Ks), then a dilution step washes the culture out.
    const problem = example();
    const stiff = {
      ...problem,
      params: problem.params.slice(),
      inputs: [{ t: Float64Array.of(270, 276, 276.5), v: Float64Array.of(0.21, 0.21, 0.6) }],
    };
    stiff.params[chemostat.parameterNames.indexOf('Ks')] = 1e-4;
    const ksIndex = chemostat.parameterNames.indexOf('Ks');
    const reference = lossAndGradient(stiff, createEngineWorkspace(chemostat), tightOptions('rodas4', 1e-10));
    const ws = createEngineWorkspace(chemostat);
    const auto = lossAndGradient(stiff, ws, tightOptions('auto', 1e-6));
    if (!reference.ok || !auto.ok) throw new Error('solve failed');
    expect(auto.stats.method).toBe('rodas4');
    expect(
      Math.abs(auto.gradParams[ksIndex] - reference.gradParams[ksIndex]) /
        Math.abs(reference.gradParams[ksIndex]),
    ).toBeLessThan(1e-2);
    expect(Math.abs(auto.loss - reference.loss) / reference.loss).toBeLessThan(1e-5);
  });

  it('keeps dopri5 on the ordinary example windows', () => {
    const ws = createEngineWorkspace(chemostat);
    const result = lossAndGradient(example(), ws, tightOptions('auto', 1e-6));
    if (!result.ok) throw new Error('solve failed');
    expect(result.stats.method).toBe('dopri5');
  });
});
