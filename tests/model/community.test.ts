import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import katex from 'katex';
import { describe, expect, it } from 'vitest';
import { formulaLatex, symbolLatex } from '../../app/lib/formula-latex';
import {
  type CommunitySpec,
  communityModel,
  communityNames,
  fullCommunity,
  linkLabel,
  withLinkOff,
} from '../../assimilation/model/community';
import { compileModel } from '../../assimilation/model/compile';
import { ModelFileError, parseModelFile } from '../../assimilation/model/model-file';
import { formatModelFile } from '../../assimilation/model/model-file-format';
import type { WindowProblem } from '../../assimilation/problem/window-problem';
import { defaultSolverOptions } from '../../assimilation/solvers/types';
import { createEngineWorkspace, lossAndGradient, solveWindow } from '../../assimilation/window-engine';
import { builtInModel } from '../../simulator/model-files';
import { finiteDifferenceGradient, maxRelativeDifference } from '../fixtures/engine';

const cli = join(import.meta.dirname, '../../bin/culturewatch.js');
const scratch = mkdtempSync(join(tmpdir(), 'culturewatch-community-'));
const run = (...args: string[]) =>
  spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });

function generated(satellites: number, metabolites: number): string {
  const out = join(scratch, `community-${satellites}-${metabolites}.yaml`);
  const r = run(
    'model',
    'community',
    '--satellites',
    String(satellites),
    '--metabolites',
    String(metabolites),
    '--out',
    out,
  );
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(out, 'utf8');
}

describe('generated community models', () => {
  const text = generated(2, 3);
  const definition = parseModelFile(text);

  it('list every uptake, production and inhibition link, each with its own parameters', () => {
    const spec = definition.community as CommunitySpec;
    expect(spec.links).toHaveLength(3 * 3 * 3);
    expect(new Set(spec.links.map(linkLabel)).size).toBe(27);
    expect(definition.states).toEqual(['S', 'X', 'Y1', 'Y2', 'A', 'B', 'C']);
    // 4 of the feed, 3 per uptake link, 1 per production and per inhibition link.
    expect(definition.parameters).toHaveLength(4 + 9 * 3 + 9 + 9);
    expect(new Set(definition.parameters.map((p) => p.name)).size).toBe(definition.parameters.length);
  });

  it('round-trip through the parser, as links and with the equations written out', () => {
    const header = text
      .split('\n')
      .filter((l) => l.startsWith('#'))
      .map((l) => l.slice(2))
      .join('\n');
    expect(formatModelFile(definition, { header })).toBe(text);
    const expanded = formatModelFile(definition, { expand: true });
    const reread = parseModelFile(expanded);
    const { community, ...equations } = definition;
    expect(community).toBeDefined();
    expect(reread).toEqual(equations);
    expect(formatModelFile(reread)).toBe(expanded);
    const a = compileModel(reread);
    const b = compileModel(definition);
    expect(a.rhs.toString()).toBe(b.rhs.toString());
    expect(a.stateJacobianContractionGradient.toString()).toBe(b.stateJacobianContractionGradient.toString());
  });

  it('have adjoint gradients that agree with finite differences (2 satellites, 3 metabolites)', () => {
    const model = compileModel(definition);
    const p = Float64Array.from(definition.parameters, (q, i) => q.plantValue * (1 + 0.3 * Math.sin(i + 1)));
    const x0 = Float64Array.from([5, 60, 2, 1, 0.3, 0.2, 0.1]);
    const times = Array.from({ length: 16 }, (_, i) => 0.5 * (i + 1));
    const signals = ['od', 'substrate', 'A', 'C'];
    const obsTime = Float64Array.from(times.flatMap((t) => signals.map(() => t)));
    const problem: WindowProblem = {
      modelName: definition.name,
      params: p,
      freeParams: Array.from(p, () => true),
      t0: 0,
      x0,
      inputs: [{ t: Float64Array.from([0, 4, 8]), v: Float64Array.from([0.25, 0.3, 0.2]) }],
      obsTime,
      obsSignal: Int32Array.from(times.flatMap(() => signals.map((s) => model.signalNames.indexOf(s)))),
      obsValue: Float64Array.from(
        times.flatMap((_, i) => signals.map((_, j) => [62, 4, 0.3, 0.1][j] + 0.1 * i)),
      ),
      obsSigma: Float64Array.from(times.flatMap(() => signals.map((_, j) => [0.5, 0.2, 0.02, 0.02][j]))),
    };
    for (const method of ['dopri5', 'rodas4'] as const) {
      const options = { ...defaultSolverOptions, method, rtol: 1e-11, atol: 1e-13 };
      const result = lossAndGradient(problem, createEngineWorkspace(model), options);
      if (!result.ok) throw new Error(result.failure.kind);
      const gradient = Float64Array.from([...result.gradParams, ...result.gradX0]);
      // Relative steps of 1e-4: the solve's own noise (about rtol) swamps smaller differences.
      const fd = finiteDifferenceGradient(model, problem, options, 1e-4);
      expect(maxRelativeDifference(gradient, fd, 1e-5), method).toBeLessThan(1e-5);
    }
  }, 60_000);

  it('switch a link off with off: true, dropping its term and its parameters', () => {
    const off = text.replace(
      '- { kind: uptake, organism: Y2, metabolite: B, mu_max: 0.2, K: 1, yield: 1 }',
      '- { kind: uptake, organism: Y2, metabolite: B, mu_max: 0.2, K: 1, yield: 1, off: true }',
    );
    expect(off).not.toBe(text);
    const reduced = parseModelFile(off);
    expect(reduced).toEqual(
      communityModel(
        definition.name,
        definition.description,
        withLinkOff(definition.community!, 'uptake Y2 B'),
      ),
    );
    const names = reduced.parameters.map((q) => q.name);
    expect(names).not.toContain('K_Y2_B');
    expect(names).not.toContain('muMax_Y2_B');
    expect(names).toHaveLength(definition.parameters.length - 3);
    expect(reduced.intermediates.find(([n]) => n === 'den_Y2')?.[1]).toBe('1 + A/K_Y2_A + C/K_Y2_C');
    expect(Object.values(reduced.rates).join(' ')).not.toMatch(/(muMax|K|g)_Y2_B/);
    compileModel(reduced);
  });

  it('refuse a link to an organism or metabolite that is not there, naming the line', () => {
    const broken = text.replace(
      'organism: Y2, metabolite: C, v: 0.001',
      'organism: Y3, metabolite: C, v: 0.001',
    );
    const line = broken.split('\n').findIndex((l) => l.includes('Y3')) + 1;
    expect(() => parseModelFile(broken)).toThrow(ModelFileError);
    try {
      parseModelFile(broken);
    } catch (e) {
      expect((e as ModelFileError).line).toBe(line);
      expect((e as Error).message).toMatch(
        /community\.links\[\d+\]\.organism: "Y3" is not an organism \(X, Y1, Y2\)/,
      );
    }
  });
});

describe('the seed model inside the generalized one', () => {
  it('is the community of X, one satellite Y and metabolites A, B with six links off', () => {
    const { metabolites } = communityNames(1, 2);
    expect(metabolites).toEqual(['A', 'B']);
    let spec = fullCommunity(['Y'], metabolites);
    for (const label of [
      'uptake X A',
      'uptake X B',
      'production Y A',
      'production Y B',
      'inhibition Y A',
      'inhibition Y B',
    ])
      spec = withLinkOff(spec, label);
    const community = compileModel(communityModel('seed-as-community', '', spec));
    const seed = compileModel(builtInModel());
    expect(community.stateNames).toEqual(seed.stateNames);
    expect(community.signalNames).toEqual(seed.signalNames);
    // The seed's parameter behind each of the community's.
    const seedName: Record<string, string> = {
      muMax_Y_A: 'muAmax',
      K_Y_A: 'KA',
      g_Y_A: 'gA',
      muMax_Y_B: 'muBmax',
      K_Y_B: 'KB',
      g_Y_B: 'gB',
      v_X_A: 'vA',
      v_X_B: 'vB',
      I_X_A: 'IA',
      I_X_B: 'IB',
    };
    const seedParams = Float64Array.from(seed.definition.parameters, (q) => q.plantValue);
    const p = Float64Array.from(
      community.parameterNames,
      (name) => seedParams[seed.parameterNames.indexOf(seedName[name] ?? name)],
    );
    expect(community.parameterNames).toHaveLength(14);
    const u = Float64Array.from([0.27]);
    for (const x of [
      [7.4, 92.6, 1.1, 0.034, 0.057],
      [0.5, 40, 30, 3, 0.02],
    ]) {
      const state = Float64Array.from(x);
      const fc = new Float64Array(5);
      const fs = new Float64Array(5);
      community.rhs(state, p, u, fc);
      seed.rhs(state, seedParams, u, fs);
      expect(maxRelativeDifference(fc, fs, 0)).toBeLessThan(1e-13);
      const jc = new Float64Array(25);
      const js = new Float64Array(25);
      community.jacobianStates(state, p, u, jc);
      seed.jacobianStates(state, seedParams, u, js);
      expect(maxRelativeDifference(jc, js, 1e-12)).toBeLessThan(1e-12);
    }
    // And they solve alike.
    const task = (params: Float64Array) => ({
      params,
      t0: 0,
      x0: Float64Array.from([7.4, 92.6, 1.1, 0.034, 0.057]),
      inputs: [{ t: Float64Array.from([0, 12]), v: Float64Array.from([0.25, 0.3]) }],
      obsTime: new Float64Array(0),
      tEnd: 12,
    });
    const options = { ...defaultSolverOptions, rtol: 1e-10, atol: 1e-12 };
    const ends = [
      [community, p],
      [seed, seedParams],
    ].map(([model, params]) => {
      const r = solveWindow(
        task(params as Float64Array),
        options,
        createEngineWorkspace(model as typeof seed),
      );
      if (!r.ok) throw new Error(r.failure.kind);
      return r.record.nodeStates.slice(r.record.stepCount * 5, r.record.stepCount * 5 + 5);
    });
    expect(maxRelativeDifference(ends[0], ends[1], 0)).toBeLessThan(1e-8);
  });
});

describe('culturewatch model', () => {
  it('show prints any model file with its equations, which reads back to the same model', () => {
    const path = join(scratch, 'c-1-2.yaml');
    writeFileSync(path, generated(1, 2));
    const r = run('model', 'show', path);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^rates:$/m);
    const { community, ...equations } = parseModelFile(readFileSync(path, 'utf8'));
    expect(community).toBeDefined();
    expect(parseModelFile(r.stdout)).toEqual(equations);
  });

  it('refuses bad counts and names with exit code 2', () => {
    const r = run('model', 'community', '--satellites', '2x', '--metabolites', '2');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--satellites: "2x" is not a name/);
    const clash = run('model', 'community', '--satellites', 'X', '--metabolites', '2');
    expect(clash.status).toBe(2);
    expect(clash.stderr).toMatch(
      /cannot write this community: community\.satellites\[0\]: "X" is already the main organism/,
    );
  });
});

describe('a community model on the reactor page', () => {
  it('typesets: every name indexed by organism and metabolite (v_X_A, muMax_Y1_B) is one symbol', () => {
    const names = communityNames(3, 3);
    const d = communityModel('c', '', fullCommunity(names.satellites, names.metabolites));
    const typeset = (latex: string) => katex.renderToString(latex, { throwOnError: true, output: 'mathml' });
    for (const [name, formula] of d.intermediates) typeset(`${symbolLatex(name)} = ${formulaLatex(formula)}`);
    for (const [state, formula] of Object.entries(d.rates))
      typeset(`\\frac{d${symbolLatex(state)}}{dt} = ${formulaLatex(formula)}`);
    for (const p of d.parameters) typeset(symbolLatex(p.name));
    expect(symbolLatex('v_X_A')).toBe('v_{X,A}');
    expect(symbolLatex('muMax_Y1_B')).toBe('\\mu^{\\max}_{\\mathrm{Y1},B}');
  });
});
