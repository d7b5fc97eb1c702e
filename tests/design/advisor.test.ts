/**
 * The experiment advisor: its ranking where the answer is known, and its dilution programs never
 * outside the operator's limits.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  adviseExperiment,
  advisorSettingsOf,
  candidatePrograms,
  chainAgeing,
  compileModel,
  type DesignPosterior,
  type DilutionLimits,
  defaultAssayOptions,
  defaultEstimatorSettings,
  priorMedians,
  programViolations,
} from '../../assimilation';
import { builtInModel } from '../../simulator/model-files';
import { PlantSimulation } from '../../simulator/plant-simulation';

const model = compileModel(builtInModel());
const settings = defaultEstimatorSettings;
const initial = priorMedians(model);
const ageing = chainAgeing(model, settings, initial);
const limits: DilutionLimits = {
  minPerHour: 0.15,
  maxPerHour: 0.35,
  maxChangePerHour: 0.05,
  maxDurationH: 24,
};

/**
 * A belief centred on the plant's truth after a burn-in: parameters known only to their prior
 * (sd of log 1), and the state to the cold start's width: a chain's first belief, B never measured.
 */
function posteriorAtTruth(dilutionPerHour = 0.25, plantValues: Record<string, number> = {}): DesignPosterior {
  const sim = new PlantSimulation({ seed: 3, plantValues });
  const freeParams = settings.freeParams;
  const state = sim.truthNow().states;
  const p = freeParams.length;
  const q = p + model.stateNames.length;
  const covariance = new Array<number>(q * q).fill(0);
  for (let i = 0; i < q; i++) covariance[i * q + i] = i < p ? 1 : settings.coldStateSdLog ** 2;
  return {
    model: model.definition.name,
    atH: 0,
    freeParams: [...freeParams],
    params: Array.from(model.definition.parameters, (d) => d.plantValue),
    mean: [
      ...freeParams.map((name) =>
        Math.log(model.definition.parameters.find((d) => d.name === name)!.plantValue),
      ),
      ...Array.from(state, (x) => Math.log(x)),
    ],
    covariance,
    dilutionPerHour,
  };
}

describe('the experiment advisor', () => {
  it('ranks an assay of B first for vB when nothing else sees B', () => {
    // A plant whose satellite has washed out (it cannot grow faster than the dilution): B is then
    // vB·X/D, so one assay of B determines vB, while od and substrate feel B only through its weak
    // inhibition of X (IB = 1 against B ≈ 3). With a satellite, B is set by its growth instead and
    // vB shows only in the ratio gB/vB.
    const advice = adviseExperiment(
      model,
      posteriorAtTruth(0.25, { muAmax: 0.01, muBmax: 0.01 }),
      ageing,
      {
        horizonH: 24,
        targets: ['vB'],
        limits,
        assays: defaultAssayOptions(model, settings, 6),
        periodsH: [6, 12],
      },
      advisorSettingsOf(settings),
    );
    if ('error' in advice) throw new Error(advice.error);
    const [first] = advice.ranked;
    expect(first.action.kind).toBe('assay');
    expect(first.action.kind === 'assay' && first.action.assay.signal).toBe('B');
    const vB = (r: (typeof advice.ranked)[number]) => r.bands.find((b) => b.target === 'vB')!;
    // The assay of B narrows vB's band several-fold; no dilution program nor holding does much.
    expect(vB(first).varianceRatio).toBeLessThan(0.3);
    const hold = advice.ranked.find((r) => r.action.kind === 'hold')!;
    const programs = advice.ranked.filter((r) => r.action.kind === 'dilution-program');
    expect(programs.length).toBeGreaterThan(0);
    for (const r of [hold, ...programs])
      expect(vB(r).varianceRatio).toBeGreaterThan(3 * vB(first).varianceRatio);
    // Today's band is the prior's; the predicted one is narrower and inside it.
    expect(vB(first).afterHorizon.upper95 - vB(first).afterHorizon.lower95).toBeLessThan(
      vB(first).today.upper95 - vB(first).today.lower95,
    );
    expect(advice.criterion).toMatch(/A-optimal/);
  });

  it('predicts what the chain remembers: past a whole refit span, today’s belief no longer matters', () => {
    // The chain's long-horizon refit starts afresh from the fixed prior over its span (48 h): a band at
    // the end of a 72 h horizon holds only the readings of that span, however sharp today's belief.
    const broad = posteriorAtTruth();
    const sharp = { ...broad, covariance: broad.covariance.map((v) => v / 100) };
    const request = { targets: ['gB/vB'], limits, assays: [], periodsH: [12] };
    const gBvB = (posterior: DesignPosterior, horizonH: number) => {
      const advice = adviseExperiment(
        model,
        posterior,
        ageing,
        { ...request, horizonH },
        advisorSettingsOf(settings),
      );
      if ('error' in advice) throw new Error(advice.error);
      return advice.ranked.find((r) => r.action.kind === 'hold')!.bands[0].afterHorizon;
    };
    const notes = (horizonH: number) => {
      const advice = adviseExperiment(
        model,
        broad,
        ageing,
        { ...request, horizonH },
        advisorSettingsOf(settings),
      );
      if ('error' in advice) throw new Error(advice.error);
      return advice.notes.join(' ');
    };
    // The operator is told so: the advice names the memory when the horizon is past it.
    expect(notes(72)).toMatch(/remembers about 48 h of readings/);
    expect(notes(24)).not.toMatch(/remembers/);
    const width = (b: { lower95: number; upper95: number }) => Math.log(b.upper95 / b.lower95);
    expect(width(gBvB(sharp, 72))).toBeCloseTo(width(gBvB(broad, 72)), 6);
    // Within the span, today's belief still counts.
    expect(width(gBvB(sharp, 24))).toBeLessThan(0.9 * width(gBvB(broad, 24)));
    // Without a refit the chain only filters: today's belief fades as it ages, but is never dropped.
    const filtering = { ...ageing, refit: null };
    const filtered = (posterior: DesignPosterior) => {
      const advice = adviseExperiment(
        model,
        posterior,
        filtering,
        { ...request, horizonH: 72 },
        advisorSettingsOf(settings),
      );
      if ('error' in advice) throw new Error(advice.error);
      return width(advice.ranked.find((r) => r.action.kind === 'hold')!.bands[0].afterHorizon);
    };
    expect(filtered(broad) - filtered(sharp)).toBeGreaterThan(1e-3);
  });

  it('proposes no program when the plant is outside the limits, and says why', () => {
    const advice = adviseExperiment(
      model,
      posteriorAtTruth(0.4),
      ageing,
      { horizonH: 12, targets: ['gB/vB'], limits, assays: [], periodsH: [6] },
      advisorSettingsOf(settings),
    );
    if ('error' in advice) throw new Error(advice.error);
    expect(advice.programsRefused).toMatch(/outside the limits/);
    expect(advice.ranked.map((r) => r.action.kind)).toEqual(['hold']);
  });

  it('names an unknown target', () => {
    const advice = adviseExperiment(
      model,
      posteriorAtTruth(),
      ageing,
      { horizonH: 12, targets: ['nonsense'], limits, assays: [] },
      advisorSettingsOf(settings),
    );
    expect(advice).toEqual({ error: expect.stringMatching(/unknown target "nonsense"/) });
  });
});

describe('dilution programs', () => {
  it('never leave the range, the rate of change or the duration, and end where they started', () => {
    const limitsAndStart = fc
      .record({
        min: fc.double({ min: 0.01, max: 1, noNaN: true }),
        span: fc.double({ min: 0.001, max: 1, noNaN: true }),
        rate: fc.double({ min: 0.001, max: 2, noNaN: true }),
        duration: fc.double({ min: 0.5, max: 200, noNaN: true }),
        horizon: fc.double({ min: 0.5, max: 200, noNaN: true }),
        at: fc.double({ min: 0, max: 1, noNaN: true }),
      })
      .map((r) => ({
        limits: {
          minPerHour: r.min,
          maxPerHour: r.min + r.span,
          maxChangePerHour: r.rate,
          maxDurationH: r.duration,
        },
        start: r.min + r.at * r.span,
        horizon: r.horizon,
      }));
    fc.assert(
      fc.property(limitsAndStart, ({ limits: l, start, horizon }) => {
        const programs = candidatePrograms(10, start, l, horizon, [1, 4, 12, 24]);
        if (!Array.isArray(programs)) throw new Error(programs.refused);
        for (const program of programs) {
          expect(programViolations(program, l)).toEqual([]);
          for (const d of program.perHour) {
            expect(d).toBeGreaterThanOrEqual(l.minPerHour);
            expect(d).toBeLessThanOrEqual(l.maxPerHour);
          }
          expect(program.durationH).toBeLessThanOrEqual(Math.min(l.maxDurationH, horizon) + 1e-9);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('are caught by the check when they break a limit', () => {
    const programs = candidatePrograms(0, 0.25, limits, 24, [12]);
    if (!Array.isArray(programs)) throw new Error(programs.refused);
    const program = programs.find((p) => p.shape === 'steps')!;
    expect(programViolations(program, limits)).toEqual([]);
    const jump = { ...program, perHour: program.perHour.map((d, k) => (k === 3 ? d + 0.05 : d)) };
    expect(programViolations(jump, limits).join()).toMatch(/faster than/);
    const high = { ...program, perHour: program.perHour.map((d) => d * 1.6) };
    expect(programViolations(high, limits).join()).toMatch(/outside 0.15–0.35/);
    expect(programViolations({ ...program, durationH: 30 }, limits).join()).toMatch(/longer than 24 h/);
  });

  it('are refused with limits that make no sense', () => {
    expect(candidatePrograms(0, 0.25, { ...limits, maxPerHour: 0.1 }, 24)).toEqual({
      refused: 'the highest dilution must be above the lowest',
    });
  });
});
