import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readExample } from '../fixtures/spec-examples';

const cli = join(import.meta.dirname, '../../bin/culturewatch.js');
const dir = mkdtempSync(join(tmpdir(), 'culturewatch-fit-'));
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

describe('culturewatch fit', () => {
  it('fits a window from its own parameter values and reports bands, flags and composition', () => {
    const { path, expected } = readExample('window-perturbed');
    const r = run('fit', path);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.status).toBe('ok');
    // The file's values are off (loss 7285); the fit brings the loss near the number of readings.
    expect(out.loss).toBeLessThan(expected.loss / 50);
    expect(Object.keys(out.params).sort()).toEqual([
      'IA',
      'IB',
      'KA',
      'KB',
      'gA',
      'gB',
      'muAmax',
      'muBmax',
      'vA',
      'vB',
    ]);
    expect(out.params.IA.determined).toBe(false);
    expect(out.composition.satellite_fraction.value).toBeGreaterThan(0);
    expect(out.composition.satellite_fraction.sd).toBeGreaterThan(0);
    expect(out.fixed.S0).toBe(100);
  });

  it('takes a prior block, and a tight prior holds a parameter where it says', () => {
    const { window } = readExample('window-perturbed');
    const file = join(dir, 'with-prior.json');
    writeFileSync(
      file,
      JSON.stringify({ ...(window as object), prior: { params: { IA: { mean: 100, sd_log: 0.001 } } } }),
    );
    const out = JSON.parse(run('fit', file).stdout);
    expect(out.params.IA.value).toBeCloseTo(100, 0);
    expect(out.params.IA.sd_log).toBeLessThan(0.0011);
  });

  it('refuses a malformed prior naming the field', () => {
    const { window } = readExample('window-perturbed');
    const file = join(dir, 'bad-prior.json');
    writeFileSync(
      file,
      JSON.stringify({ ...(window as object), prior: { params: { mu0: { mean: 0.3, sd_log: 0.1 } } } }),
    );
    const r = run('fit', file);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/prior\.params\.mu0: not a free parameter/);
    expect(r.stdout).toBe('');
  });
});
