import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readExample } from '../fixtures/spec-examples';

const cli = join(import.meta.dirname, '../../bin/culturewatch.js');
const scratch = mkdtempSync(join(tmpdir(), 'culturewatch-cli-'));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function writeWindow(name: string, content: string): string {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
}

describe('culturewatch command line', () => {
  it('prints loss, gradient, counts and timing for a window', () => {
    const { path, expected } = readExample('window-perturbed');
    const r = run('gradient', path, '--rtol', '1e-10', '--repeat', '5');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Math.abs(out.loss - expected.loss) / expected.loss).toBeLessThan(1e-6);
    expect(Object.keys(out.grad.params)).toHaveLength(14);
    expect(Object.keys(out.grad.x0)).toEqual(['S', 'X', 'Y', 'A', 'B']);
    expect(out.grad.params.vB).toBeCloseTo(expected.grad.params.vB, -1);
    expect(out.steps).toBeGreaterThan(48);
    expect(out.rhs_evaluations).toBeGreaterThan(out.steps);
    expect(out.median_us).toBeGreaterThan(0);
  });

  it('simulates states and signals at the observation times', () => {
    const { path } = readExample('window-assays');
    const r = run('simulate', path);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.t).toHaveLength(48);
    for (let i = 0; i < out.t.length; i++)
      expect(out.signals.od[i]).toBeCloseTo(out.states.X[i] + out.states.Y[i], 12);
  });

  const base = readExample('window-assays').window as Record<string, unknown>;
  const cases: [string, string, RegExp][] = [
    ['not JSON', '{"model": ', /not valid JSON/],
    [
      'wrong model',
      JSON.stringify({ ...base, model: 'other' }),
      /model: the window is for the model "other", but the model in use is "chemostat-satellite"/,
    ],
    [
      'missing x0 state',
      JSON.stringify({ ...base, x0: { S: 1, X: 2, Y: 3, A: 4 } }),
      /x0\.B: expected a number/,
    ],
    ['overflowing number', JSON.stringify(base).replace('"t0":270', '"t0":1e999'), /t0: must be finite/],
    ['number as string', JSON.stringify({ ...base, t0: '270' }), /t0: expected a number, got the string/],
    [
      'negative state',
      JSON.stringify({ ...base, x0: { ...(base.x0 as object), Y: -1 } }),
      /x0\.Y: a concentration cannot be negative/,
    ],
    [
      'unknown parameter',
      JSON.stringify({ ...base, params: { ...(base.params as object), zeta: 1 } }),
      /params\.zeta: unknown parameter/,
    ],
    [
      'missing parameter',
      JSON.stringify({ ...base, constants: { S0: 100 } }),
      /params: missing gamma, mu0, Ks|missing mu0, Ks, gamma/,
    ],
    [
      'unknown signal',
      JSON.stringify({ ...base, observations: [{ signal: 'ph', t: [270], v: [7], sigma: 0.1 }] }),
      /observations\[0\]\.signal: unknown signal/,
    ],
    [
      'length mismatch',
      JSON.stringify({ ...base, observations: [{ signal: 'od', t: [270, 271], v: [90], sigma: 0.5 }] }),
      /observations\[0\]\.v: has 1 values for 2 times/,
    ],
    [
      'observation before t0',
      JSON.stringify({ ...base, observations: [{ signal: 'od', t: [100], v: [90], sigma: 0.5 }] }),
      /observations\[0\]\.t\[0\]: 100 is before t0/,
    ],
    [
      'zero sigma',
      JSON.stringify({ ...base, observations: [{ signal: 'od', t: [271], v: [90], sigma: 0 }] }),
      /observations\[0\]\.sigma: must be positive/,
    ],
    [
      'unsorted input',
      JSON.stringify({ ...base, inputs: { D: { t: [271, 270], v: [0.2, 0.3] } } }),
      /inputs\.D\.t\[1\]: times must be strictly increasing/,
    ],
  ];
  for (const [what, content, message] of cases) {
    it(`refuses a window with ${what}: one message naming the field, exit code 2, no output`, () => {
      const r = run('gradient', writeWindow(`${what.replace(/\W+/g, '-')}.json`, content));
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  }

  it('refuses a missing file and an unknown option with exit code 2', () => {
    expect(run('gradient', join(scratch, 'nope.json')).code).toBe(2);
    const r = run('gradient', readExample('window-assays').path, '--rtoll', '1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option --rtoll/);
  });

  it('runs a window of another model with --model FILE, and refuses a model file it cannot read', () => {
    const drain = join(import.meta.dirname, '../model/fixtures/drain.yaml');
    const window = writeWindow(
      'drain.json',
      JSON.stringify({
        model: 'drain',
        constants: {},
        params: { k: 0.5 },
        t0: 0,
        x0: { x: 1 },
        inputs: {},
        observations: [{ signal: 'x', t: [1, 2, 6], v: [0.56, 0.25, 0], sigma: 0.01 }],
      }),
    );
    const r = run('simulate', window, '--model', drain);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.t).toEqual([1, 2, 6]);
    expect(out.states.x[1]).toBeCloseTo(0.25, 6);
    expect(Math.abs(out.states.x[2])).toBeLessThan(1e-6); // empty since t = 4 h
    const missing = run('gradient', window, '--model', join(scratch, 'no-such-model.yaml'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no-such-model\.yaml: cannot read \(ENOENT\)/);
    const broken = join(scratch, 'broken-model.yaml');
    writeFileSync(
      broken,
      'model: drain\nstates:\n  x: { unit: conc }\nparameters:\n  k: { value: 0.5, unit: conc^0.5/h }\nrates:\n  x: -k*sqrt(x) +\nsignals:\n  x: x\n',
    );
    const refused = run('replay', join(scratch, 'nope.csv'), '--model', broken);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /broken-model\.yaml: line 7, column 18: rates\.x: a term is missing at the end/,
    );
  });
});
