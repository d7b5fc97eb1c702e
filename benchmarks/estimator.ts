/**
 * Does every band the product draws hold the truth at its stated rate? The estimator chain replayed
 * over simulated histories with known truth (steady, satellite shift, slow drift of one parameter,
 * sensor faults), each window's newest fit scored against the simulator: the composition (X, Y, A,
 * B, satellite fraction), each refitted parameter, each reported combination, gB/vB, and the
 * forecast bands.
 *
 * The prior is broad and log-normal; its median is drawn for each history around the truth with the
 * prior's own spread (median = truth · exp(sd · z), z ~ N(0, 1), seeded). That is the same as drawing
 * the truth from the prior, so a band that the data do not narrow (an undetermined parameter shows
 * the prior's) covers the truth 95 % of the time over histories, and a band that does not hold is
 * the estimator's fault, not the prior's luck. `--no-prior-offset` centres the prior on the far guess
 * of shared/spec §1 instead (every history then shares one prior, and undetermined bands cover always
 * or never).
 *
 * It also times the fits: warm (the chain's own next window, and any long-horizon refit after it)
 * apart from the bands and forecast, and cold fits from the prior's centre at a dozen points.
 *
 * `npm run bench:estimator [-- --seeds 1,2,3 --scenarios steady,satellite-shift --days 14]`; to try
 * other settings: `--prior-sd R --satellite-drift R --refit-horizon H --random-walk --no-prior-offset`.
 * The research benches beside it: estimator-information.ts (what the data could tell, linearized at
 * the truth) and estimator-profile.ts (gB/vB's profile likelihood).
 */
import {
  arrivalsFromOrder,
  type BandedEstimate,
  compileModel,
  defaultEstimatorSettings,
  EstimatorChain,
  type EstimatorSettings,
  type FittedWindow,
  plantDataFrom,
  replayHistory,
  satelliteParameterNames,
} from '../assimilation';
import { builtInModel } from '../simulator/model-files';
import { generatePlantHistory } from '../simulator/plant-history';
import type { PlantTruth } from '../simulator/plant-truth';
import { priorMediansAroundTruth } from '../simulator/prior-draws';
import { type ScenarioName, scenarioNames } from '../simulator/scenarios';

const chemostatSatellite = builtInModel();
const z95 = 1.959963984540054;

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}
const days = Number(argument('days') ?? 14);
const seeds = (argument('seeds') ?? '1,2,3,4,5,6').split(',').map(Number);
const scenarios = (argument('scenarios')?.split(',') ?? [...scenarioNames]) as ScenarioName[];
const priorSdLog = Number(argument('prior-sd') ?? defaultEstimatorSettings.coldParameterSdLog);
const priorOffset = !process.argv.includes('--no-prior-offset');
const forecastHours = 6;

const model = compileModel(chemostatSatellite);
const settings: EstimatorSettings = {
  ...defaultEstimatorSettings,
  coldParameterSdLog: priorSdLog,
  drift: {
    ...defaultEstimatorSettings.drift,
    revertToPrior: !process.argv.includes('--random-walk'),
    ...(argument('satellite-drift') && {
      byParameter: Object.fromEntries(
        satelliteParameterNames.map((name) => [name, Number(argument('satellite-drift'))]),
      ),
    }),
  },
  ...(argument('refit-horizon') &&
    defaultEstimatorSettings.longHorizon && {
      longHorizon: {
        ...defaultEstimatorSettings.longHorizon,
        horizonHours: Number(argument('refit-horizon')),
      },
    }),
};
const farGuess = Float64Array.from(chemostatSatellite.parameters, (q) => q.farGuess ?? q.plantValue);

/** The prior's median for each history of a scenario: around the truth (simulator/prior-draws.ts), or the far guess. */
function priorMediansByHistory(scenario: string, count: number): Float64Array[] {
  if (!priorOffset) return Array.from({ length: count }, () => farGuess.slice());
  const seed = seeds.reduce((a, b) => a * 31 + b, scenarioNames.indexOf(scenario as ScenarioName));
  return priorMediansAroundTruth(chemostatSatellite.parameters, settings.freeParams, priorSdLog, count, seed);
}

/** Counts of one quantity's band against the truth. */
class Score {
  inside = 0;
  total = 0;
  worstZ = 0;
  readonly widths: number[] = [];
  add(inside: boolean, z = Number.NaN, width = Number.NaN): void {
    this.total++;
    if (inside) this.inside++;
    if (Number.isFinite(z)) this.worstZ = Math.max(this.worstZ, Math.abs(z));
    if (Number.isFinite(width)) this.widths.push(width);
  }
  merge(other: Score): void {
    this.inside += other.inside;
    this.total += other.total;
    this.worstZ = Math.max(this.worstZ, other.worstZ);
    this.widths.push(...other.widths);
  }
  get coverage(): number {
    return this.total ? this.inside / this.total : Number.NaN;
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : Number.NaN;
};

function truthRow(truth: PlantTruth, hour: number): number {
  return Math.max(0, Math.min(truth.timeH.length - 1, Math.round(hour / truth.readingIntervalH)));
}

/** A drawn band [lower95, upper95] against the truth; |z| from the linearized sd. */
function banded(score: Score, e: BandedEstimate, truth: number): void {
  score.add(truth >= e.lower95 && truth <= e.upper95, (e.value - truth) / e.sd, e.upper95 - e.lower95);
}

interface HistoryResult {
  scenario: ScenarioName;
  seed: number;
  windows: number;
  failed: number;
  scores: Map<string, Score>;
  /** Undetermined parameter bands, and determined ones, counted apart. */
  determinedCount: Map<string, number>;
  shiftSeenAfterH: number | null;
  warmMs: number[];
  fitMs: number[];
  coldMs: number[];
}

function runHistory(scenario: ScenarioName, seed: number, priorMedian: Float64Array): HistoryResult {
  const history = generatePlantHistory({ scenario, days, seed, assays: process.argv.includes('--assays') });
  const truth = history.truth;
  const options = {
    settings,
    initialParams: priorMedian,
    catchUpHours: Number.POSITIVE_INFINITY,
    trajectories: { stepHours: 0.25, forecastHours },
    windowFiles: false,
  };
  const chain = new EstimatorChain(model, options);
  const newest = new Map<number, FittedWindow>();
  const warmMs: number[] = [];
  const fitMs: number[] = [];
  const fits = replayHistory(chain, arrivalsFromOrder(history.samples), () => performance.now());
  for (let first = true; ; first = false) {
    const started = performance.now();
    const next = fits.next();
    const ms = performance.now() - started;
    if (next.done) break;
    if (!first && !next.value.refit) {
      warmMs.push(ms);
      fitMs.push(next.value.fitMs);
    }
    newest.set(Math.round(next.value.windowEndH * 1e6) / 1e6, next.value);
  }

  const scores = new Map<string, Score>();
  const score = (name: string) => {
    const s = scores.get(name) ?? new Score();
    scores.set(name, s);
    return s;
  };
  const determinedCount = new Map<string, number>();
  let failed = 0;
  const fraction: { endH: number; value: number; lower: number }[] = [];
  for (const [endH, fitted] of [...newest].sort((a, b) => a[0] - b[0])) {
    const { outcome } = fitted;
    if (outcome.status !== 'ok') {
      failed++;
      continue;
    }
    const row = truthRow(truth, endH);
    const c = outcome.estimate.composition!;
    for (const s of ['X', 'Y', 'A', 'B'] as const) banded(score(s), c[s], truth.states[s][row]);
    const f = c.satellite_fraction;
    banded(score('satellite fraction'), f, truth.satelliteFraction[row]);
    fraction.push({ endH, value: f.value, lower: f.lower95 });
    for (const p of outcome.estimate.params) {
      const t = truth.params[p.name][row];
      score(`param ${p.name}`).add(t >= p.lower95 && t <= p.upper95, Math.log(p.value / t) / p.sdLog);
      if (p.determined) determinedCount.set(p.name, (determinedCount.get(p.name) ?? 0) + 1);
    }
    for (const comb of outcome.estimate.combinations) {
      let truthValue = 1;
      for (const [name, e] of Object.entries(comb.exponents)) truthValue *= truth.params[name][row] ** e;
      score(`combination ${comb.name}`).add(
        truthValue >= comb.lower95 && truthValue <= comb.upper95,
        Math.log(comb.value / truthValue) / comb.sdLog,
        2 * z95 * comb.sdLog,
      );
      if (comb.determined) determinedCount.set(comb.name, (determinedCount.get(comb.name) ?? 0) + 1);
    }
    const forecast = fitted.trajectories?.forecast;
    if (forecast && forecast.timeH.length > 0) {
      const last = forecast.timeH.length - 1;
      const at = truthRow(truth, forecast.timeH[last]);
      if (forecast.timeH[last] <= truth.timeH[truth.timeH.length - 1]) {
        const od = truth.states.X[at] + truth.states.Y[at];
        const truthOf: Record<string, number> = { od, substrate: truth.states.S[at] };
        for (const key of Object.keys(forecast.series)) {
          const t = truthOf[key] ?? truth.states[key]?.[at];
          if (t === undefined || key === 'substrate') continue;
          const v = forecast.series[key][last];
          score(`forecast +${forecastHours} h ${key}`).add(
            t >= forecast.lower[key][last] && t <= forecast.upper[key][last],
            (v - t) / forecast.sd[key][last],
            forecast.upper[key][last] - forecast.lower[key][last],
          );
        }
      }
    }
  }
  let shiftSeenAfterH: number | null = null;
  if (scenario === 'satellite-shift') {
    const onsetH = 7 * 24;
    const before = fraction.filter((r) => r.endH > onsetH - 24 && r.endH <= onsetH);
    const level = before.reduce((s, r) => s + r.value, 0) / Math.max(1, before.length);
    const clear = (r: (typeof fraction)[number]) => r.lower > level;
    const seen = fraction.find(
      (r, i) =>
        r.endH > onsetH &&
        fraction
          .slice(i)
          .filter((l) => l.endH <= r.endH + 6)
          .every(clear),
    );
    shiftSeenAfterH = seen ? seen.endH - onsetH : null;
  }
  // Cold fits from the prior's centre at a dozen points of the history (a chain started afresh there).
  const coldMs: number[] = [];
  const online = plantDataFrom(history.samples.filter((s) => s.availableAtH === undefined));
  for (let start = 12; start + settings.windowHours <= days * 24; start += 28) {
    const cold = new EstimatorChain(model, { ...options, trajectories: null });
    cold.noteReadings(start, true);
    cold.noteClock(start + settings.windowHours + 1);
    const t = performance.now();
    cold.fitNext(() => online);
    coldMs.push(performance.now() - t);
  }
  return {
    scenario,
    seed,
    windows: newest.size,
    failed,
    scores,
    determinedCount,
    shiftSeenAfterH,
    warmMs,
    fitMs,
    coldMs,
  };
}

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : '-');

console.log(
  `estimator coverage: ${days}-day histories, seeds ${seeds.join(',')}, prior sd of log ${priorSdLog}, prior ${priorOffset ? 'median drawn around the truth' : 'at the far guess'}`,
);
const results: HistoryResult[] = [];
for (const scenario of scenarios) {
  const medians = priorMediansByHistory(scenario, seeds.length);
  for (const [k, seed] of seeds.entries()) {
    const started = performance.now();
    const r = runHistory(scenario, seed, medians[k]);
    results.push(r);
    const worst = [...r.scores]
      .filter(([, s]) => s.coverage < 0.8)
      .map(([name, s]) => `${name} ${pct(s.coverage)}`)
      .join(', ');
    console.log(
      `  ${scenario} seed ${seed}: ${r.windows} windows, ${r.failed} failed, ${((performance.now() - started) / 1000).toFixed(0)} s; fraction ${pct(r.scores.get('satellite fraction')?.coverage ?? Number.NaN)}${r.shiftSeenAfterH !== null ? `, shift seen after ${r.shiftSeenAfterH} h` : r.scenario === 'satellite-shift' ? ', shift never seen' : ''}${worst ? `; below 80 %: ${worst}` : ''}`,
    );
  }
}

const quantityOrder = (name: string) =>
  [/^[XYAB]$/, /^satellite/, /^param/, /^combination/, /^forecast/].findIndex((r) => r.test(name)) * 1000 +
  name.charCodeAt(name.length - 1);
/** Of these histories, how many have the truth inside the prior's own 95 % band for one parameter. */
function priorCoverage(medians: Float64Array[], name: string): number {
  const i = chemostatSatellite.parameters.findIndex((q) => q.name === name);
  const truth = chemostatSatellite.parameters[i].plantValue;
  return medians.filter((m) => Math.abs(Math.log(m[i] / truth)) <= z95 * priorSdLog).length / medians.length;
}

for (const scenario of scenarios) {
  const mine = results.filter((r) => r.scenario === scenario);
  const medians = priorMediansByHistory(scenario, seeds.length);
  const pooled = new Map<string, Score>();
  const lowest = new Map<string, number>();
  for (const r of mine) {
    for (const [name, s] of r.scores) {
      const p = pooled.get(name) ?? new Score();
      pooled.set(name, p);
      p.merge(s);
      lowest.set(name, Math.min(lowest.get(name) ?? 1, s.coverage));
    }
  }
  console.log(
    `\n${scenario} (${mine.length} histories): coverage of 95 % bands, pooled over windows (lowest single history), worst |z|`,
  );
  for (const name of [...pooled.keys()].sort(
    (a, b) => quantityOrder(a) - quantityOrder(b) || a.localeCompare(b),
  )) {
    const s = pooled.get(name)!;
    const verdict =
      s.coverage < 0.9 ? '  BELOW 90 %' : s.coverage > 0.98 ? '  above 98 % (wider than needed)' : '';
    const of = name.replace(/^(param|combination) /, '');
    const priorAlone = name.startsWith('param ') ? priorCoverage(medians, of) : null;
    const determined =
      of !== name
        ? `, determined in ${mine.reduce((n, r) => n + (r.determinedCount.get(of) ?? 0), 0)} windows`
        : '';
    console.log(
      `  ${name.padEnd(26)} ${pct(s.coverage).padStart(8)} (${pct(lowest.get(name)!)})  |z| ≤ ${s.worstZ.toFixed(1)}${determined}${priorAlone === null ? '' : `; the prior alone covers ${pct(priorAlone)}`}${verdict}`,
    );
  }
  const widths = pooled.get('satellite fraction')?.widths ?? [];
  console.log(
    `  satellite fraction: median 95 % band width ${(100 * median(widths)).toFixed(3)} percentage points`,
  );
  const warm = mine.flatMap((r) => r.warmMs);
  const fitOnly = mine.flatMap((r) => r.fitMs);
  console.log(
    `  warm refit: the fit (and any long-horizon refit after it) median ${median(fitOnly).toFixed(1)} ms (target ≤ 20 ms); with bands, forecast and its input analogues ${median(warm).toFixed(1)} ms`,
  );
  const cold = mine.flatMap((r) => r.coldMs).sort((a, b) => a - b);
  console.log(
    `  cold fit from the prior's centre: median ${median(cold).toFixed(0)} ms, p95 ${cold[Math.floor(0.95 * cold.length)]?.toFixed(0)} ms, slowest ${cold.at(-1)?.toFixed(0)} ms (${cold.length} fits)`,
  );
}
