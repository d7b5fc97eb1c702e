import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { communityModel, compileModel, formatModelFile, linkLabel, parseModelFile } from '../../assimilation';
import { communityWith, seedLinks } from '../../simulator/community-plants';
import { generatePlantHistory } from '../../simulator/plant-history';
import { formatPlantHistoryCsv } from '../../simulator/plant-history-csv';

const cli = join(import.meta.dirname, '../../bin/culturewatch.js');
const scratch = mkdtempSync(join(tmpdir(), 'culturewatch-refine-'));

/**
 * The seed's plant (as a community with satellite Y1), and a model of it with one link the plant
 * lacks planted as if it were believed: X growing on A, started as strong as the satellite's own
 * link on B. Refinement has to take it out again and leave the links the readings show.
 */
describe('culturewatch refine', () => {
  const truth = compileModel(communityModel('seed', '', communityWith(['Y1'], ['A', 'B'], seedLinks)));
  it('removes a planted spurious link, keeps the links the readings show, and writes the simpler model', () => {
    const history = generatePlantHistory({
      scenario: 'steady',
      days: 3,
      seed: 4,
      model: truth,
      assays: { everyH: 6 },
    });
    const historyPath = join(scratch, 'history.csv');
    writeFileSync(historyPath, formatPlantHistoryCsv(history.samples));
    const planted = communityWith(['Y1'], ['A', 'B'], {
      ...seedLinks,
      'uptake X A': { mu_max: 0.3, K: 0.1, yield: 1 },
    });
    const modelPath = join(scratch, 'planted.yaml');
    writeFileSync(
      modelPath,
      formatModelFile(communityModel('seed-planted', 'the seed with X on A', planted)),
    );
    const out = join(scratch, 'refined.yaml');
    const r = spawnSync(
      process.execPath,
      [cli, 'refine', historyPath, '--model', modelPath, '--hours', '72h', '--out', out],
      {
        encoding: 'utf8',
        timeout: 170_000,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    const verdict = (label: string) => report.links.find((l: { link: string }) => l.link === label)?.verdict;
    expect(verdict('uptake X A')).toBe('removed');
    for (const label of ['production X B', 'inhibition X B', 'uptake Y1 B'])
      expect(verdict(label), label).toBe('kept');
    // The log says what was removed, how much worse the fit got and why that was allowed.
    const step = report.steps.find(
      (s: { link: string; action: string }) => s.link === 'uptake X A' && s.action === 'removed',
    );
    expect(step.removal.p).toBeGreaterThanOrEqual(0.01);
    expect(step.reason).toMatch(/not needed \(Δloss .*p = .*\): removed/);
    expect(r.stderr).toMatch(/uptake X A: removed/);
    // The simpler model file: the link off, the rest on, and the evidence in its header.
    const text = readFileSync(out, 'utf8');
    expect(text).toMatch(/^# Refined by culturewatch refine/);
    expect(text).toMatch(/# {3}uptake Y1 B: kept/);
    const refined = parseModelFile(text);
    const off = refined.community!.links.filter((l) => l.off).map(linkLabel);
    expect(off).toContain('uptake X A');
    expect(off).not.toContain('uptake Y1 B');
    expect(refined.parameters.map((p) => p.name)).not.toContain('muMax_X_A');
    expect(report.proposed.linksOn).toBe(refined.community!.links.length - off.length);
  }, 180_000);

  it('refuses a model without a community section, with exit code 2', () => {
    const historyPath = join(scratch, 'short.csv');
    writeFileSync(historyPath, 'time_h,signal,value\n0,od,90\n0,substrate,5\n0,D,0.25\n');
    const r = spawnSync(
      process.execPath,
      [
        cli,
        'refine',
        historyPath,
        '--model',
        join(import.meta.dirname, '../../models/chemostat-satellite.yaml'),
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not a community model/);
  }, 60_000);
});
