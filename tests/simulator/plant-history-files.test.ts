import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generatePlantHistory } from '../../simulator/plant-history';
import { formatPlantHistoryCsv, parsePlantHistoryCsv } from '../../simulator/plant-history-csv';
import { runSimulatePlantCommand } from '../../simulator/simulate-plant-command';

const dir = mkdtempSync(join(tmpdir(), 'culturewatch-simulator-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('history CSV', () => {
  it('reads back exactly what was written, in the same order', () => {
    const history = generatePlantHistory({ scenario: 'sensor-faults', days: 3, seed: 6, assays: true });
    const text = formatPlantHistoryCsv(history.samples);
    expect(text.split('\n')[0]).toBe('time_h,signal,value');
    const back = parsePlantHistoryCsv(text);
    expect(back).toEqual(history.samples.map(({ timeH, signal, value }) => ({ timeH, signal, value })));
    expect(new Set(back.map((s) => s.signal))).toEqual(
      new Set(['D', 'S0', 'od', 'substrate', 'Y', 'A', 'B']),
    );
  });

  it('refuses a bad file with the line number', () => {
    expect(() => parsePlantHistoryCsv('t,signal,value\n')).toThrow(/line 1/);
    expect(() => parsePlantHistoryCsv('time_h,signal,value\n0,od,1\n0.25,od,NaN\n')).toThrow(/line 3: value/);
    expect(() => parsePlantHistoryCsv('time_h,signal,value\n,od,1\n')).toThrow(/line 2: time_h/);
    expect(() => parsePlantHistoryCsv('time_h,signal,value\n0,od\n')).toThrow(/3 cells/);
  });
});

describe('simulate-plant command', () => {
  it('writes the history CSV and the truth JSON', () => {
    const out = join(dir, 'history.csv');
    const truthPath = join(dir, 'truth.json');
    const lines: string[] = [];
    const code = runSimulatePlantCommand(
      [
        '--scenario',
        'satellite-shift',
        '--days',
        '3',
        '--seed',
        '5',
        '--onset-day=1',
        '--out',
        out,
        '--truth',
        truthPath,
        '--assays',
      ],
      (l) => lines.push(l),
    );
    expect(code).toBe(0);
    expect(lines.join('\n')).toMatch(/satellite-shift, 3 days, seed 5/);
    const samples = parsePlantHistoryCsv(readFileSync(out, 'utf8'));
    const expected = generatePlantHistory({
      scenario: 'satellite-shift',
      days: 3,
      seed: 5,
      assays: true,
      scenarioSettings: { shiftOnsetH: 24 },
    });
    expect(samples.map((s) => s.value)).toEqual(expected.samples.map((s) => s.value));
    const truth = JSON.parse(readFileSync(truthPath, 'utf8'));
    expect(truth.scenario).toBe('satellite-shift');
    expect(truth.time_h).toHaveLength(3 * 96 + 1);
    expect(truth.satellite_fraction).toHaveLength(3 * 96 + 1);
    expect(Object.keys(truth.states)).toEqual(['S', 'X', 'Y', 'A', 'B']);
    expect(Object.keys(truth.params)).toHaveLength(14);
    expect(truth.params.gB.at(-1)).toBe(1.5);
    expect(truth.events[0]).toMatchObject({
      kind: 'parameter-ramp',
      parameter: 'gB',
      start_h: 24,
      duration_h: 24,
    });
    expect(truth.assay_arrivals[0]).toMatchObject({ time_h: 0, signal: 'Y' });
  });

  it('simulates another model file as the plant with --model', () => {
    const truthPath = join(dir, 'inhibited-truth.json');
    const model = new URL('../../models/chemostat-satellite-inhibited.yaml', import.meta.url).pathname;
    const argv = [
      '--days',
      '0.25',
      '--seed',
      '11',
      '--out',
      join(dir, 'inhibited.csv'),
      '--truth',
      truthPath,
    ];
    expect(runSimulatePlantCommand([...argv, '--model', model], () => {})).toBe(0);
    const truth = JSON.parse(readFileSync(truthPath, 'utf8'));
    expect(truth.model).toBe('chemostat-satellite-inhibited');
    expect(Object.keys(truth.params)).toContain('kYB');
  });

  it.each([
    [['--scenario', 'chaos', '--out', 'x.csv'], /unknown scenario "chaos"/],
    [['--days', '0', '--out', 'x.csv'], /--days must be/],
    [['--days', 'ten', '--out', 'x.csv'], /--days must be/],
    [['--seed', '1.5', '--out', 'x.csv'], /--seed must be/],
    [['--days', '3'], /--out FILE is required/],
    [['--out'], /--out needs a value/],
    [['--out', 'x.csv', '--colour', 'red'], /unknown option --colour/],
    [['--scenario', 'satellite-shift', '--days', '5', '--out', 'x.csv'], /onset \(day 7\)/],
    [['stray', '--out', 'x.csv'], /unexpected argument/],
    [['--model', 'no-such-model.yaml', '--out', 'x.csv'], /--model: no-such-model.yaml: cannot read/],
  ])('refuses %j with a clear message and exit code 2', (argv, message) => {
    let error: unknown;
    try {
      runSimulatePlantCommand(argv, () => {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(message);
    expect((error as { exitCode: number }).exitCode).toBe(2);
  });
});
