import { describe, expect, it } from 'vitest';
import { judgeFreshness } from '../../contract/freshness';
import type { FitEvidence, StalenessEvidence } from '../../server/alerts/alert-evidence';
import {
  type AlertRule,
  AlertRuleError,
  parseAlertRule,
  parseAlertRules,
} from '../../server/alerts/alert-rules';
import { emptyRuleMemory, observeCondition, type RuleMemory } from '../../server/alerts/rule-conditions';

const fitEvidence = (over: Partial<FitEvidence> = {}): FitEvidence => ({
  kind: 'fit',
  reactorId: 'r1',
  fitId: 1,
  windowEndMs: 3_600_000,
  status: 'ok',
  reason: null,
  refit: false,
  satelliteFraction: { value: 0.03, sd: 0.004 },
  params: { gB: { value: 3, sdLog: 0.05 } },
  standardizedResiduals: [0.5, -1, 1.2],
  ...over,
});

describe('alert rules', () => {
  it('validates rules and names every problem', () => {
    expect(() =>
      parseAlertRule({ id: 'x', kind: 'satellite-fraction', severity: 'major', threshold: 2 }),
    ).toThrow(/threshold/);
    expect(() => parseAlertRule({ id: 'Bad Id', kind: 'fit-failures', severity: 'minor' })).toThrow(
      AlertRuleError,
    );
    expect(() =>
      parseAlertRule({
        id: 'p',
        kind: 'parameter-band',
        severity: 'minor',
        parameter: 'nope',
        baseline: { value: 1, sdLog: 0.1 },
      }),
    ).toThrow(/parameter: one of gA, gB/);
    expect(() => parseAlertRule({ id: 'r', kind: 'reading-range', severity: 'minor', signal: 'od' })).toThrow(
      /min, max or both/,
    );
    expect(() =>
      parseAlertRule({ id: 'r', kind: 'reading-range', severity: 'minor', signal: 'od', max: 1, extra: 1 }),
    ).toThrow(/extra/);
    expect(() =>
      parseAlertRules([
        { id: 'a', kind: 'fit-failures', severity: 'minor' },
        { id: 'a', kind: 'fit-failures', severity: 'major' },
      ]),
    ).toThrow(/"a" twice/);
    const rule = parseAlertRule({ id: 'ff', kind: 'fit-failures', severity: 'minor' });
    expect(rule).toMatchObject({ consecutive: 3, pendingMinutes: 0, keepFiringMinutes: 0, enabled: true });
  });
});

describe('rule conditions', () => {
  it('satellite fraction: holds when the lower bound of the band is above the threshold', () => {
    const rule = parseAlertRule({ id: 's', kind: 'satellite-fraction', severity: 'major', threshold: 0.02 });
    // 0.03 − 1.96·0.004 = 0.02216 > 0.02
    const above = observeCondition(rule, fitEvidence(), emptyRuleMemory).observation!;
    expect(above.holds).toBe(true);
    expect(above.values.lowerBound).toBeCloseTo(0.02216, 5);
    expect(above.atMs).toBe(3_600_000);
    // In the unit the dashboard shows (percent), as the rule editor takes it.
    expect(above.summary).toBe('satellite fraction 3 % (lower 95 % bound 2.22 %) above 2 %');
    // Same value, wider band: 0.03 − 1.96·0.006 = 0.01824, not above.
    const wide = observeCondition(
      rule,
      fitEvidence({ satelliteFraction: { value: 0.03, sd: 0.006 } }),
      emptyRuleMemory,
    );
    expect(wide.observation?.holds).toBe(false);
    const strict = parseAlertRule({ ...rule, confidence: '0.99' });
    expect(observeCondition(strict, fitEvidence(), emptyRuleMemory).observation?.holds).toBe(false); // 0.03 − 2.576·0.004 < 0.02
    // A failed fit says nothing about the fraction; nor does a reading.
    expect(
      observeCondition(rule, fitEvidence({ status: 'failed', satelliteFraction: null }), emptyRuleMemory)
        .observation,
    ).toBeNull();
    const reading = { kind: 'reading', reactorId: 'r1', signal: 'od', tsMs: 0, value: 1 } as const;
    expect(observeCondition(rule, reading, emptyRuleMemory).observation).toBeNull();
  });

  it('parameter band with a given baseline: k standard deviations of the combined spread', () => {
    const rule = parseAlertRule({
      id: 'gb',
      kind: 'parameter-band',
      severity: 'minor',
      parameter: 'gB',
      baseline: { value: 3, sdLog: 0.05 },
      k: 3,
    });
    const spread = Math.sqrt(0.05 ** 2 + 0.05 ** 2);
    const inside = fitEvidence({ params: { gB: { value: 3 * Math.exp(2.9 * spread), sdLog: 0.05 } } });
    const outside = fitEvidence({ params: { gB: { value: 3 * Math.exp(-3.1 * spread), sdLog: 0.05 } } });
    expect(observeCondition(rule, inside, emptyRuleMemory).observation?.holds).toBe(false);
    const low = observeCondition(rule, outside, emptyRuleMemory).observation!;
    expect(low.holds).toBe(true);
    expect(low.values.deviationSd).toBeCloseTo(-3.1, 6);
    expect(low.summary).toMatch(/below its baseline 3/);
  });

  it('parameter band learned from the first fits, after skipping the cold start', () => {
    const rule = parseAlertRule({
      id: 'gb',
      kind: 'parameter-band',
      severity: 'minor',
      parameter: 'gB',
      baseline: { firstFits: 4, skipFits: 2 },
      k: 3,
    });
    let memory: RuleMemory = emptyRuleMemory;
    const values = [10, 20, 3.0, 3.1, 2.9, 3.0]; // the first two are a cold start's wild guesses
    const judged: (boolean | null)[] = [];
    for (const v of values) {
      const r = observeCondition(rule, fitEvidence({ params: { gB: { value: v, sdLog: 0.02 } } }), memory);
      judged.push(r.observation?.holds ?? null);
      memory = r.memory;
    }
    // Nothing is judged until the baseline is complete; the fit that completes it is the first.
    expect(judged).toEqual([null, null, null, null, null, false]);
    expect(memory.baseline?.frozen?.logValue).toBeCloseTo(Math.log(3), 1);
    const normal = observeCondition(
      rule,
      fitEvidence({ params: { gB: { value: 3.05, sdLog: 0.02 } } }),
      memory,
    );
    expect(normal.observation?.holds).toBe(false);
    const drifted = observeCondition(
      rule,
      fitEvidence({ params: { gB: { value: 4.5, sdLog: 0.02 } } }),
      memory,
    );
    expect(drifted.observation?.holds).toBe(true);
  });

  it('fit failures: a run of failures, a refit of the same window is not another, one success ends it', () => {
    const rule = parseAlertRule({ id: 'ff', kind: 'fit-failures', severity: 'minor', consecutive: 3 });
    let memory = emptyRuleMemory;
    const holds: boolean[] = [];
    const feed = (status: 'ok' | 'failed', endH: number) => {
      const r = observeCondition(
        rule,
        fitEvidence({
          status,
          windowEndMs: endH * 3_600_000,
          reason: status === 'failed' ? 'solver-failure' : null,
        }),
        memory,
      );
      memory = r.memory;
      holds.push(r.observation!.holds);
    };
    feed('failed', 1);
    feed('failed', 2);
    feed('failed', 2); // refit of window 2
    feed('failed', 3);
    feed('ok', 4);
    feed('failed', 5);
    expect(holds).toEqual([false, false, false, true, false, false]);
    expect(memory.consecutiveFailures).toBe(1);
  });

  it('residuals: RMS of the standardized residuals against the limit', () => {
    const rule = parseAlertRule({ id: 'mm', kind: 'residuals', severity: 'warning', maxRms: 2 });
    expect(observeCondition(rule, fitEvidence(), emptyRuleMemory).observation?.holds).toBe(false);
    const bad = observeCondition(
      rule,
      fitEvidence({ standardizedResiduals: [3, -3, 2, Number.NaN] }),
      emptyRuleMemory,
    );
    expect(bad.observation?.holds).toBe(true);
    expect(bad.observation?.values.observations).toBe(3);
    expect(
      observeCondition(rule, fitEvidence({ standardizedResiduals: null }), emptyRuleMemory).observation,
    ).toBeNull();
  });

  it('reading range and staleness', () => {
    const range = parseAlertRule({
      id: 'od',
      kind: 'reading-range',
      severity: 'major',
      signal: 'od',
      min: 0.1,
      max: 2,
    });
    const at = (signal: string, value: number) =>
      observeCondition(range, { kind: 'reading', reactorId: 'r1', signal, tsMs: 5, value }, emptyRuleMemory)
        .observation;
    expect(at('od', 2.5)?.holds).toBe(true);
    expect(at('od', 0.05)?.summary).toBe('od 0.05 biomass conc. below [0.1 biomass conc., 2 biomass conc.]');
    expect(at('od', 1)?.holds).toBe(false);
    expect(at('substrate', 99)).toBeNull();

    // Staleness: the signal's level on the plant clock (15-minute cadence, a real plant).
    const freshness = (plantNowMs: number, signal = 'od'): StalenessEvidence => ({
      kind: 'staleness',
      reactorId: 'r1',
      freshness: {
        plantNowMs,
        atWallMs: plantNowMs,
        plantMsPerWallMs: 1,
        signals: { [signal]: judgeFreshness(0, 15 * 60_000, plantNowMs, 1) },
      },
    });
    const stale = parseAlertRule({ id: 'st', kind: 'sensor-stale', severity: 'major', signal: 'od' });
    const check = (rule: AlertRule, nowMs: number, signal?: string) =>
      observeCondition(rule, freshness(nowMs, signal), emptyRuleMemory).observation;
    expect(check(stale, 27 * 60_000)?.holds).toBe(true);
    expect(check(stale, 27 * 60_000)?.summary).toBe(
      'od stale: last reading 27 min ago, usually every 15 min',
    );
    expect(check(stale, 20 * 60_000)?.holds).toBe(false); // late, not yet stale
    expect(check(stale, 99 * 60_000, 'substrate')).toBeNull();
    const offline = parseAlertRule({ ...stale, id: 'off', level: 'offline' });
    expect(check(offline, 60 * 60_000)?.holds).toBe(false);
    expect(check(offline, 200 * 60_000)?.holds).toBe(true);
    const byAge = parseAlertRule({ ...stale, id: 'age', staleMinutes: 10 });
    expect(check(byAge, 11 * 60_000)?.holds).toBe(true);
    expect(check(byAge, 9 * 60_000)?.holds).toBe(false);
    expect(() => parseAlertRule({ ...stale, signal: 'assay/X' })).toThrow(/one of od, substrate, dilution/);
  });
});
