import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatePlantHistory } from '../../simulator/plant-history';
import { formatPlantHistoryCsv } from '../../simulator/plant-history-csv';

const cli = join(import.meta.dirname, '../../bin/culturewatch.js');
const dir = mkdtempSync(join(tmpdir(), 'culturewatch-replay-'));

describe('culturewatch replay', () => {
  const history = generatePlantHistory({ scenario: 'steady', days: 2, seed: 11, assays: true });
  const csv = join(dir, 'history.csv');
  writeFileSync(csv, formatPlantHistoryCsv(history.samples));

  it('writes one JSON line per window with estimates, bands and composition, and refits late assays', () => {
    const out = join(dir, 'fits.jsonl');
    const r = spawnSync(
      process.execPath,
      [cli, 'replay', csv, '--window', '12h', '--step', '2h', '--out', out],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    const fits = lines.map((l) => JSON.parse(l));
    const regular = fits.filter((f) => !f.refit);
    expect(regular.map((f) => f.window_start_h)).toEqual(regular.map((_, i) => 2 * i));
    expect(regular.every((f) => f.window_end_h - f.window_start_h === 12)).toBe(true);
    const good = fits.filter((f) => f.status === 'ok');
    expect(good.length).toBeGreaterThan(0.9 * fits.length);
    for (const f of good) {
      expect(Object.keys(f.params)).toHaveLength(10);
      for (const p of Object.values(f.params) as { value: number; sd_log: number; determined: boolean }[]) {
        expect(p.value).toBeGreaterThan(0);
        expect(p.sd_log).toBeGreaterThan(0);
        expect(typeof p.determined).toBe('boolean');
      }
      for (const key of ['X', 'Y', 'A', 'B', 'satellite_fraction']) {
        expect(Number.isFinite(f.composition[key].value)).toBe(true);
        expect(f.composition[key].sd).toBeGreaterThan(0);
      }
      expect(f.ms).toBeGreaterThan(0);
    }
    // Assays arrive hours late: the windows they fall in are fitted again.
    expect(fits.some((f) => f.refit)).toBe(true);
    // JSON writes a NaN as null: only a failed window's loss may be null.
    for (const f of fits) expect(JSON.stringify({ ...f, loss: 0 })).not.toMatch(/null/);
  });

  it('refuses a malformed history with the line number and exit code 2', () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'time_h,signal,value\n0,od,91\n0.25,od,abc\n');
    const r = spawnSync(process.execPath, [cli, 'replay', bad], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/line 3: value "abc" is not a number/);
    expect(r.stdout).toBe('');
  });
});
