/**
 * Does following the advisor teach the estimator faster? Each simulated history is run twice from
 * the same seed (same plant, same sensor noise, same prior): once under the plant's natural dilution
 * drift, once with the advisor's top dilution program from day 2 (advised again from the chain's
 * posterior whenever a program ends). Printed per target: the band's width at days 3, 7 and 14 and
 * its coverage over the windows up to then, in both runs; the day each history first knows gB/vB to
 * ±5 % (95 %), or the narrowest it reached; and each advice's predicted band after its horizon
 * beside the band the chain actually reported then.
 *
 * `npm run bench:design [-- --seeds 1,2,...,10 --days 14 --horizon 72 --d-range 0.17:0.33 --d-rate 0.05]`
 */
import {
  type ArrivedReading,
  adviseExperiment,
  advisorSettingsOf,
  chainAgeing,
  compileModel,
  defaultEstimatorSettings,
  EstimatorChain,
  type FittedWindow,
  plantDataFrom,
  posteriorAtWindowEnd,
  type RankedAction,
  sameInstantH,
} from '../assimilation';
import { builtInModel } from '../simulator/model-files';
import { PlantSimulation } from '../simulator/plant-simulation';
import type { PlantTruthRow } from '../simulator/plant-truth';
import { priorMediansAroundTruth } from '../simulator/prior-draws';

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}
const seeds = (argument('seeds') ?? '1,2,3,4,5,6,7,8,9,10').split(',').map(Number);
const days = Number(argument('days') ?? 14);
const horizonH = Number(argument('horizon') ?? 72);
const [dMin, dMax] = (argument('d-range') ?? '0.17:0.33').split(':').map(Number);
const limits = {
  minPerHour: dMin,
  maxPerHour: dMax,
  maxChangePerHour: Number(argument('d-rate') ?? 0.05),
  maxDurationH: horizonH,
};
const designFromH = 48;
const reportDays = [3, 7, 14].filter((d) => d <= days);
const targets = ['satellite_fraction', 'gB/vB', 'KB/IB', 'gA/vA', 'KA/IA'];
const z95 = 1.959963984540054;
const goal = 0.05;

const definition = builtInModel();
const model = compileModel(definition);
const settings = defaultEstimatorSettings;
const advisor = advisorSettingsOf(settings);
const medians = priorMediansAroundTruth(
  definition.parameters,
  settings.freeParams,
  settings.coldParameterSdLog,
  seeds.length,
  seeds.reduce((a, b) => a * 31 + b, 16),
);

/** The chain fed as the live assimilator would be, while the plant runs (replay-history.ts, step by step). */
class LiveChain {
  readonly chain: EstimatorChain;
  readonly readings: ArrivedReading[] = [];
  readonly fits: FittedWindow[] = [];
  private nowH = Number.NaN;

  constructor(initialParams: Float64Array) {
    this.chain = new EstimatorChain(model, {
      settings,
      initialParams,
      catchUpHours: Number.POSITIVE_INFINITY,
      trajectories: null,
      windowFiles: false,
    });
  }

  add(samples: readonly { timeH: number; signal: string; value: number }[]): void {
    for (const s of samples) {
      this.readings.push({ ...s, arrivedH: s.timeH });
      this.chain.noteReadings(s.timeH, true);
    }
  }

  /** Fits every window due by plant hour `untilH`, an hour at a time. */
  runTo(untilH: number): void {
    if (Number.isNaN(this.nowH)) this.nowH = this.readings[0].timeH + settings.windowHours;
    for (; this.nowH <= untilH + 1e-9; this.nowH += settings.stepHours) {
      this.chain.noteClock(this.nowH + 2 * sameInstantH);
      const from = this.nowH - settings.windowHours - 2 * settings.stepHours - 1;
      const data = plantDataFrom(this.readings.filter((r) => r.timeH >= from && r.timeH <= this.nowH + 1e-9));
      for (let f = this.chain.fitNext(() => data); f; f = this.chain.fitNext(() => data)) this.fits.push(f);
    }
  }
}

interface Advised {
  atH: number;
  top: RankedAction;
}

interface Run {
  fits: FittedWindow[];
  truth: PlantTruthRow[];
  advised: Advised[];
}

function runPlant(seed: number, prior: Float64Array, designed: boolean): Run {
  const truth: PlantTruthRow[] = [];
  const sim = new PlantSimulation({ seed, onTruth: (row) => truth.push(row) });
  const live = new LiveChain(prior);
  const advised: Advised[] = [];
  const endH = days * 24;
  let nextAdviceH = designed ? designFromH : Number.POSITIVE_INFINITY;
  while (sim.timeH < endH - 1e-9) {
    const stopH = Math.min(endH, nextAdviceH);
    live.add(sim.advance(stopH - sim.timeH));
    live.runTo(stopH);
    if (stopH < nextAdviceH - 1e-9) continue;
    const last = [...live.fits].reverse().find((f) => f.outcome.status === 'ok');
    nextAdviceH += horizonH;
    if (last?.outcome.status !== 'ok') continue;
    const posterior = posteriorAtWindowEnd(model, settings.freeParams, last.outcome.fit, last.windowEndH);
    // The plant's dilution now, which is where the program must start.
    posterior.dilutionPerHour = sim.truthNow().dilutionPerHour;
    const advice = adviseExperiment(
      model,
      posterior,
      chainAgeing(model, settings, prior),
      { horizonH, targets, limits, assays: [] },
      advisor,
    );
    if ('error' in advice) throw new Error(advice.error);
    const top = advice.ranked.find((r) => r.action.kind === 'dilution-program');
    if (top?.action.kind !== 'dilution-program') continue;
    sim.followDilutionProgram(top.action.program, sim.timeH);
    advised.push({ atH: sim.timeH, top });
    if (seed === seeds[0] && advised.length === 1)
      for (const note of advice.notes) console.log(`  advice says: ${note}`);
  }
  return { fits: live.fits, truth, advised };
}

interface TargetReading {
  lower: number;
  upper: number;
  width: number;
  inside: boolean;
  halfWidthRel: number;
}

/** A target's band in one fitted window against the truth then. */
function targetOf(fit: FittedWindow, truth: PlantTruthRow[], target: string): TargetReading | null {
  if (fit.outcome.status !== 'ok') return null;
  const row = truth[Math.min(truth.length - 1, Math.round(fit.windowEndH / 0.25))];
  if (target === 'satellite_fraction') {
    const f = fit.outcome.estimate.composition?.satellite_fraction;
    if (!f) return null;
    const t = row.satelliteFraction;
    return {
      lower: f.lower95,
      upper: f.upper95,
      width: f.upper95 - f.lower95,
      inside: t >= f.lower95 && t <= f.upper95,
      halfWidthRel: (f.upper95 - f.lower95) / 2 / f.value,
    };
  }
  const c = fit.outcome.estimate.combinations.find((k) => k.name === target);
  if (!c) return null;
  let t = 1;
  for (const [name, e] of Object.entries(c.exponents))
    t *= row.params[model.parameterNames.indexOf(name)] ** e;
  return {
    lower: c.lower95,
    upper: c.upper95,
    width: 2 * z95 * c.sdLog,
    inside: t >= c.lower95 && t <= c.upper95,
    halfWidthRel: Math.expm1(z95 * c.sdLog),
  };
}

const fitAt = (run: Run, h: number) =>
  run.fits.filter((f) => Math.abs(f.windowEndH - h) < 1e-6 && f.outcome.status === 'ok').at(-1);
const median = (xs: number[]) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : Number.NaN;
};
const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : '-');

/** First day whose window knows gB/vB to ±goal, and the narrowest half-width reached. */
function daysToGoal(run: Run): { day: number | null; narrowest: number } {
  let narrowest = Number.POSITIVE_INFINITY;
  let day: number | null = null;
  for (const f of run.fits) {
    const r = targetOf(f, run.truth, 'gB/vB');
    if (!r) continue;
    narrowest = Math.min(narrowest, r.halfWidthRel);
    if (day === null && r.halfWidthRel <= goal) day = f.windowEndH / 24;
  }
  return { day, narrowest };
}

console.log(
  `bench:design: ${seeds.length} steady histories of ${days} days, prior medians drawn around the truth; designed runs follow the advisor's top dilution program from day ${designFromH / 24} (horizon ${horizonH} h, limits ${dMin}–${dMax} 1/h, ≤ ${limits.maxChangePerHour} 1/h per h), advised again at each program's end; targets ${targets.join(', ')}`,
);
const natural: Run[] = [];
const designed: Run[] = [];
for (const [k, seed] of seeds.entries()) {
  const started = performance.now();
  natural.push(runPlant(seed, medians[k], false));
  designed.push(runPlant(seed, medians[k], true));
  const a = daysToGoal(natural[k]);
  const b = daysToGoal(designed[k]);
  const show = (r: { day: number | null; narrowest: number }) =>
    r.day === null ? `not reached (narrowest ±${pct(r.narrowest)})` : `day ${r.day.toFixed(2)}`;
  const programs = designed[k].advised.map((d) => d.top.summary).join(' | ');
  console.log(
    `  seed ${seed}: gB/vB to ±5 %: natural ${show(a)}, designed ${show(b)}; ${((performance.now() - started) / 1000).toFixed(0)} s; programs: ${programs}`,
  );
}

console.log(
  '\nper target: median 95 % band width (log units; points for the fraction) at the day, and coverage over all windows from day 2 to it',
);
for (const target of targets) {
  for (const day of reportDays) {
    const cells = [natural, designed].map((runs) => {
      const widths = runs.map((r) => {
        const f = fitAt(r, day * 24);
        return f ? (targetOf(f, r.truth, target)?.width ?? Number.NaN) : Number.NaN;
      });
      let inside = 0;
      let total = 0;
      for (const r of runs)
        for (const f of r.fits) {
          if (f.windowEndH < designFromH || f.windowEndH > day * 24 + 1e-6) continue;
          const t = targetOf(f, r.truth, target);
          if (!t) continue;
          total++;
          if (t.inside) inside++;
        }
      const scale = target === 'satellite_fraction' ? 100 : 1;
      return `width ${(scale * median(widths)).toFixed(3)}, coverage ${pct(inside / total)}`;
    });
    console.log(
      `  ${target.padEnd(18)} day ${String(day).padStart(2)}: natural ${cells[0]}; designed ${cells[1]}`,
    );
  }
}

const reached = designed.map(daysToGoal);
const before = natural.map(daysToGoal);
const sooner = reached.filter(
  (r, k) => r.day !== null && (before[k].day === null || r.day < before[k].day!),
).length;
console.log(
  `\ngB/vB to ±5 % (95 %): reached in ${before.filter((r) => r.day !== null).length}/${seeds.length} natural and ${reached.filter((r) => r.day !== null).length}/${seeds.length} designed runs; designed sooner in ${sooner}/${seeds.length}; narrowest half-width, median: natural ±${pct(median(before.map((r) => r.narrowest)))}, designed ±${pct(median(reached.map((r) => r.narrowest)))}`,
);

console.log(
  '\npredicted band after each horizon (the top program) against the band the chain reported then (half-width of the 95 % band, relative)',
);
for (const target of targets) {
  const pairs: string[] = [];
  const ratios: number[] = [];
  for (const run of designed)
    for (const a of run.advised) {
      const endH = a.atH + horizonH;
      const band = a.top.bands.find((b) => b.target === target);
      const fit = fitAt(run, Math.floor(endH + 1e-9));
      const got = fit ? targetOf(fit, run.truth, target) : null;
      if (!band || !got) continue;
      const predicted = (band.afterHorizon.upper95 - band.afterHorizon.lower95) / 2 / band.afterHorizon.value;
      ratios.push(predicted / got.halfWidthRel);
      if (pairs.length < 6) pairs.push(`${pct(predicted)} vs ${pct(got.halfWidthRel)}`);
    }
  console.log(
    `  ${target.padEnd(18)} predicted/reached median ${median(ratios).toFixed(2)} (${ratios.length} advices); e.g. ${pairs.join(', ')}`,
  );
}
