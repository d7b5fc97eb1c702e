import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CompiledModel, compileModel } from '../../assimilation/model/compile';
import { parseModelFile } from '../../assimilation/model/model-file';
import { parseWindowProblem, type WindowProblem } from '../../assimilation/problem/window-problem';
import { defaultSolverOptions, type SolverOptions } from '../../assimilation/solvers/types';
import { createEngineWorkspace, lossAndGradient, solveWindow } from '../../assimilation/window-engine';
import { readModelFile } from '../../simulator/model-files';
import { finiteDifferenceGradient, maxRelativeDifference } from '../fixtures/engine';

const fixtures = join(import.meta.dirname, 'fixtures');
const load = (name: string): CompiledModel => compileModel(readModelFile(join(fixtures, `${name}.yaml`)));
const defaults = (model: CompiledModel) =>
  Float64Array.from(model.definition.parameters, (q) => q.plantValue);
const cli = join(import.meta.dirname, '../../bin/culturewatch.js');
const scratch = mkdtempSync(join(tmpdir(), 'culturewatch-models-'));

/** The state at tEnd, solved from x0 at 0 with the model's default parameters. */
function solveTo(model: CompiledModel, x0: number[], tEnd: number, options: SolverOptions): Float64Array {
  const task = {
    params: defaults(model),
    t0: 0,
    x0: Float64Array.from(x0),
    inputs: [],
    obsTime: new Float64Array(0),
    tEnd,
  };
  const solved = solveWindow(task, options, createEngineWorkspace(model));
  if (!solved.ok) throw new Error(`${model.definition.name}: ${solved.failure.kind}`);
  const { record } = solved;
  const n = x0.length;
  return record.nodeStates.slice(record.stepCount * n, record.stepCount * n + n);
}

/** Largest relative error over the components above `floor` (the tiniest are below the tolerance). */
function worstRelativeError(x: Float64Array, reference: readonly number[], floor: number): number {
  let worst = 0;
  reference.forEach((r, i) => {
    if (Math.abs(r) > floor) worst = Math.max(worst, Math.abs(x[i] - r) / Math.abs(r));
  });
  return worst;
}

describe('standard stiff problems, written as model files', () => {
  // Reference solutions of the Test Set for IVP Solvers (Mazzia and Magherini, Bari), computed with
  // RADAU5 in quadruple precision.
  const problems = [
    {
      name: 'robertson',
      x0: [1, 0, 0],
      tEnd: 1e11,
      reference: [0.2083340149701255e-7, 0.8333360770334713e-13, 0.999999979166505],
      floor: 1e-14,
    },
    {
      name: 'hires',
      x0: [1, 0, 0, 0, 0, 0, 0, 0.0057],
      tEnd: 321.8122,
      reference: [
        0.7371312573325668e-3, 0.1442485726316185e-3, 0.5888729740967575e-4, 0.1175651343283149e-2,
        0.2386356198831331e-2, 0.6238968252742796e-2, 0.2849998395185769e-2, 0.2850001604814231e-2,
      ],
      floor: 1e-12,
    },
    {
      name: 'pollu',
      x0: [0, 0.2, 0, 0.04, 0, 0, 0.1, 0.3, 0.01, 0, 0, 0, 0, 0, 0, 0, 0.007, 0, 0, 0],
      tEnd: 60,
      reference: [
        0.5646255480022769e-1, 0.1342484130422339, 0.4139734331099427e-8, 0.5523140207484359e-2,
        0.2018977262302196e-6, 0.1464541863493966e-6, 0.7784249118997964e-1, 0.3245075353396018,
        0.7494013383880406e-2, 0.1622293157301561e-7, 0.1135863833257075e-7, 0.2230505975721359e-2,
        0.208716288279863e-3, 0.1396921016840158e-4, 0.8964884856898295e-2, 0.4352846369330103e-17,
        0.6899219696263405e-2, 0.1007803037365946e-3, 0.1772146513969984e-5, 0.5682943292316392e-4,
      ],
      floor: 1e-12,
    },
  ];
  for (const p of problems) {
    it(`${p.name} matches its reference solution, with Rodas4 and with the automatic switch`, () => {
      const model = load(p.name);
      for (const method of ['rodas4', 'auto'] as const) {
        const x = solveTo(model, p.x0, p.tEnd, { ...defaultSolverOptions, method, rtol: 1e-9, atol: 1e-15 });
        expect(worstRelativeError(x, p.reference, p.floor), method).toBeLessThan(1e-6);
      }
    });
  }
});

describe('a state that reaches zero in finite time: dx/dt = -k sqrt(x)', () => {
  const model = load('drain');
  const k = 0.5;
  const x0 = 1;
  const exact = (t: number) => Math.max(0, Math.sqrt(x0) - (k * t) / 2) ** 2; // zero from t* = 4 h
  const times = [1, 2, 3, 3.9, 4, 4.1, 5, 8, 12];

  it('solves past the time the state hits zero, and the state stays there', () => {
    for (const method of ['dopri5', 'rodas4', 'auto'] as const) {
      const options = { ...defaultSolverOptions, method };
      const task = {
        params: Float64Array.from([k]),
        t0: 0,
        x0: Float64Array.from([x0]),
        inputs: [],
        obsTime: Float64Array.from(times),
      };
      const solved = solveWindow(task, options, createEngineWorkspace(model));
      if (!solved.ok) throw new Error(`${method}: ${solved.failure.kind}`);
      const { record } = solved;
      times.forEach((t, i) => {
        const x = record.nodeStates[record.obsNode[i]];
        // Within the tolerance; below zero by no more than the solver allows (10·atol + rtol·|x|).
        expect(Math.abs(x - exact(t)), `${method} at ${t} h`).toBeLessThan(1e-6);
        expect(x, `${method} at ${t} h`).toBeGreaterThan(-10 * options.atol - 1e-12);
      });
      expect(record.stepCount, method).toBeLessThan(200);
    }
  });

  it('has an adjoint gradient across that time that agrees with finite differences', () => {
    const problem: WindowProblem = {
      modelName: 'drain',
      params: Float64Array.from([k]),
      freeParams: [true],
      t0: 0,
      x0: Float64Array.from([x0]),
      inputs: [],
      obsTime: Float64Array.from(times),
      obsSignal: new Int32Array(times.length),
      obsValue: Float64Array.from(times, (t) => exact(t) + 0.02),
      obsSigma: Float64Array.from(times, () => 0.05),
    };
    for (const method of ['dopri5', 'rodas4'] as const) {
      const options = { ...defaultSolverOptions, method, rtol: 1e-10, atol: 1e-13 };
      const result = lossAndGradient(problem, createEngineWorkspace(model), options);
      if (!result.ok) throw new Error(result.failure.kind);
      const gradient = Float64Array.from([...result.gradParams, ...result.gradX0]);
      const fd = finiteDifferenceGradient(model, problem, options, 1e-6);
      expect(maxRelativeDifference(gradient, fd), method).toBeLessThan(1e-4);
    }
  });
});

describe('Hill kinetics with a fitted exponent, through the command line with --model', () => {
  const modelPath = join(fixtures, 'hill-chemostat.yaml');
  const model = compileModel(readModelFile(modelPath));
  const truth = defaults(model); // n = 2.5
  const dilution = { t: [0, 8, 16, 24], v: [0.2, 0.32, 0.15, 0.25] };
  const times = Array.from({ length: 96 }, (_, i) => 0.25 * (i + 1));

  /** A window of od and substrate from the truth, with a small deterministic scatter. */
  function windowFile(): string {
    const task = {
      params: truth,
      t0: 0,
      x0: Float64Array.from([15, 1]),
      inputs: [{ t: Float64Array.from(dilution.t), v: Float64Array.from(dilution.v) }],
      obsTime: Float64Array.from(times),
    };
    const solved = solveWindow(
      task,
      { ...defaultSolverOptions, rtol: 1e-10, atol: 1e-12 },
      createEngineWorkspace(model),
    );
    if (!solved.ok) throw new Error(solved.failure.kind);
    const at = (i: number, s: number) => solved.record.nodeStates[solved.record.obsNode[i] * 2 + s];
    const scatter = (i: number) => 0.01 * Math.sin(7.3 * i);
    const path = join(scratch, 'hill-window.json');
    writeFileSync(
      path,
      JSON.stringify({
        model: 'hill-chemostat',
        constants: { yieldX: 0.5, S0: 20 },
        params: { mu: 0.5, K: 2, n: 1.5 },
        t0: 0,
        x0: { S: 15, X: 1 },
        inputs: { D: dilution },
        observations: [
          { signal: 'substrate', t: times, v: times.map((_, i) => at(i, 0) + scatter(i)), sigma: 0.02 },
          { signal: 'od', t: times, v: times.map((_, i) => at(i, 1) - scatter(i)), sigma: 0.02 },
        ],
      }),
    );
    return path;
  }
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });

  it('differentiates the loss in n exactly, and a fit from n = 1.5 finds n = 2.5', () => {
    const window = windowFile();
    const gradient = run('gradient', window, '--model', modelPath, '--rtol', '1e-10');
    expect(gradient.status, gradient.stderr).toBe(0);
    const dLdn = JSON.parse(gradient.stdout).grad.params.n;
    // A central difference over n, in the engine, on the same window.
    const raw = JSON.parse(readFileSync(window, 'utf8'));
    const lossAt = (n: number): number => {
      const problem = parseWindowProblem({ ...raw, params: { ...raw.params, n } }, model);
      const result = lossAndGradient(problem, createEngineWorkspace(model), {
        ...defaultSolverOptions,
        rtol: 1e-10,
        atol: 1e-12,
      });
      if (!result.ok) throw new Error(result.failure.kind);
      return result.loss;
    };
    const h = 1e-5;
    expect(Math.abs(dLdn / ((lossAt(1.5 + h) - lossAt(1.5 - h)) / (2 * h)) - 1)).toBeLessThan(1e-5);
    expect(Math.abs(dLdn)).toBeGreaterThan(100);

    const fit = run('fit', window, '--model', modelPath);
    expect(fit.status, fit.stderr).toBe(0);
    const out = JSON.parse(fit.stdout);
    expect(out.status).toBe('ok');
    expect(out.params.n.value).toBeGreaterThan(2.4);
    expect(out.params.n.value).toBeLessThan(2.6);
    expect(out.params.n.determined).toBe(true);
  }, 120_000);

  it('refuses a window for another model, and a broken model file, with exit code 2', () => {
    const window = windowFile();
    const wrong = run('gradient', window);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(
      /model: the window is for the model "hill-chemostat", but the model in use is "chemostat-satellite" \(name its model file with --model FILE\)/,
    );
    const broken = join(scratch, 'broken.yaml');
    writeFileSync(broken, readFileSync(modelPath, 'utf8').replace('(S/K)^n', 'S^n'));
    const refused = run('fit', window, '--model', broken);
    expect(refused.status).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(
      /^culturewatch fit: .*broken\.yaml: line 16, column 13: intermediates\.response: a power whose exponent is not a number needs a dimensionless base; "S" is in conc/,
    );
  });
});

describe('the time t in a rate', () => {
  const model = compileModel(
    parseModelFile(`
model: ramp
states:
  x: { unit: conc }
parameters:
  k: { value: 0.02, unit: conc/h^2 }
  tOn: { value: 233, unit: h }
  w: { value: 0.5, unit: h }
inputs:
  D: { unit: 1/h, nominal: 0.1 }
rates:
  x: k*t*sigmoid((t - tOn)/w) - D*x
signals:
  x: x
`),
  );

  it('is the plant clock inside every step, with an exact gradient through it', () => {
    expect(model.inputNames).toEqual(['D', 't']);
    const times = Array.from({ length: 12 }, (_, i) => 230.5 + 0.5 * i);
    const problem: WindowProblem = {
      modelName: 'ramp',
      params: defaults(model),
      freeParams: [true, true, true],
      t0: 230,
      x0: Float64Array.from([1]),
      inputs: [{ t: Float64Array.from([230, 236]), v: Float64Array.from([0.1, 0.1]) }],
      obsTime: Float64Array.from(times),
      obsSignal: new Int32Array(times.length),
      obsValue: Float64Array.from(times, () => 1.5),
      obsSigma: Float64Array.from(times, () => 0.1),
    };
    // Without dilution the solution is known: x = x0 + k/2 (t² − t0²) long before the switch.
    const endState = (params: number[]): number => {
      const noDilution = [{ t: Float64Array.from([230]), v: Float64Array.from([0]) }];
      const solved = solveWindow(
        { ...problem, params: Float64Array.from(params), inputs: noDilution },
        { ...defaultSolverOptions, rtol: 1e-10, atol: 1e-12 },
        createEngineWorkspace(model),
      );
      if (!solved.ok) throw new Error(solved.failure.kind);
      return solved.record.nodeStates[solved.record.obsNode[11]];
    };
    expect(endState([0.02, 1e4, 0.5])).toBeCloseTo(1, 10); // switched on only at 10⁴ h: x stays
    const tEnd = times[11];
    expect(endState([0.02, 0, 0.5])).toBeCloseTo(1 + 0.01 * (tEnd * tEnd - 230 * 230), 7);

    for (const method of ['dopri5', 'rodas4'] as const) {
      const options = { ...defaultSolverOptions, method, rtol: 1e-11, atol: 1e-13 };
      const result = lossAndGradient(problem, createEngineWorkspace(model), options);
      if (!result.ok) throw new Error(result.failure.kind);
      const gradient = Float64Array.from([...result.gradParams, ...result.gradX0]);
      expect(
        maxRelativeDifference(gradient, finiteDifferenceGradient(model, problem, options, 1e-5)),
        method,
      ).toBeLessThan(1e-5);
    }
  });
});
