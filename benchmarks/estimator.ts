/**
 * The sliding-window estimator on simulated 14-day histories (steady and satellite shift), started
 * from the spec's far guess: band coverage, the error of well-determined combinations against what
 * the data allow, how soon the shift shows, and fit times warm and cold.
 *
 * `npm run bench:estimator [-- --days N --seed S | --seeds 1,2,3 --steady-only --shift-only]`
 * Settings to try other values: `--param-drift R --satellite-drift R --organism-drift R
 * --state-drift R --cold-sd R` (drift rates in log units per √h, the cold prior's sd of log).
 */

import {
  arrivalsFromOrder,
  compileModel,
  defaultEstimatorSettings,
  type EstimatorSettings,
  plantDataFrom,
  replayChain,
  replayHistory,
  satelliteParameterNames,
} from '../assimilation';
import { builtInModel } from '../simulator/model-files';
import { generatePlantHistory } from '../simulator/plant-history';
import type { PlantTruth } from '../simulator/plant-truth';
import { band95, gBOverVBLimits } from './estimator-information';

const argValue = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const argGiven = (name: string): number | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : undefined;
};
const days = argValue('days', 14);
const seedsArg = process.argv.indexOf('--seeds');
const seeds = seedsArg > 0 ? process.argv[seedsArg + 1].split(',').map(Number) : [argValue('seed', 1)];
const onsetDay = 7;
/** How long the shift's band must stay clear of the old level to count as seen. */
const sustainedHours = 6;
const z95 = 1.959963984540054;

const model = compileModel(builtInModel());
const far = Float64Array.from(builtInModel().parameters, (q) => q.farGuess ?? q.plantValue);

function settingsFromArguments(): EstimatorSettings {
  const base = defaultEstimatorSettings;
  const byParameter: Record<string, number> = { ...base.drift.byParameter };
  const allParameters = argGiven('param-drift');
  if (allParameters !== undefined) for (const name of Object.keys(byParameter)) delete byParameter[name];
  const satellite = argGiven('satellite-drift');
  const organism = argGiven('organism-drift');
  for (const name of satelliteParameterNames) if (satellite !== undefined) byParameter[name] = satellite;
  for (const name of ['vA', 'vB', 'IA', 'IB']) if (organism !== undefined) byParameter[name] = organism;
  // --drift-of gA=0.1,vA=0.1: single parameters' rates.
  const single = process.argv.indexOf('--drift-of');
  if (single > 0)
    for (const pair of process.argv[single + 1].split(',')) {
      const [name, rate] = pair.split('=');
      byParameter[name] = Number(rate);
    }
  return {
    ...base,
    coldParameterSdLog: argValue('cold-sd', base.coldParameterSdLog),
    windowHours: argValue('window-hours', base.windowHours),
    longHorizon: process.argv.includes('--no-long-horizon')
      ? null
      : base.longHorizon && {
          ...base.longHorizon,
          everyHours: argValue('refit-every', base.longHorizon.everyHours),
          horizonHours: argValue('refit-horizon', base.longHorizon.horizonHours),
          ageHours: argValue('refit-age', base.longHorizon.ageHours),
          driftSpanFraction: argValue('refit-drift-fraction', base.longHorizon.driftSpanFraction),
          overrulePriorTerm: argValue('refit-overrule', base.longHorizon.overrulePriorTerm),
        },
    drift: {
      parameterSdLogPerSqrtHour: allParameters ?? base.drift.parameterSdLogPerSqrtHour,
      byParameter,
      stateSdLogPerSqrtHour: argValue('state-drift', base.drift.stateSdLogPerSqrtHour),
      revertToPrior: !process.argv.includes('--random-walk'),
    },
  };
}
const settings = settingsFromArguments();
const chainFrom = (s: EstimatorSettings) => replayChain(model, s, far);

type Scenario = 'steady' | 'satellite-shift';
const scenarios: Scenario[] = process.argv.includes('--steady-only')
  ? ['steady']
  : process.argv.includes('--shift-only')
    ? ['satellite-shift']
    : ['steady', 'satellite-shift'];
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

/** Truth at a plant hour: the reading row at or just before it. */
function truthRow(truth: PlantTruth, hour: number): number {
  const i = Math.round(hour / truth.readingIntervalH);
  return Math.max(0, Math.min(truth.timeH.length - 1, i));
}

function runScenario(scenario: Scenario, seed: number) {
  const history = generatePlantHistory({
    scenario,
    days,
    seed,
    scenarioSettings: { shiftOnsetH: onsetDay * 24 },
    assays: process.argv.includes('--assays'),
  });
  const readings = arrivalsFromOrder(history.samples);
  const ig = settings.freeParams.indexOf('gB');
  const iv = settings.freeParams.indexOf('vB');
  const q = settings.freeParams.length + model.stateNames.length;

  const warmMs: number[] = [];
  // Windows followed by a long-horizon refit of the parameters, timed apart.
  const refitMs: number[] = [];
  let coldMs = Number.NaN;
  let fractionCovered = 0;
  let fractionTotal = 0;
  // gB/vB against its band in every window from day 2 on: is the band honest all along, not just at the end?
  let ratioCovered = 0;
  let ratioTotal = 0;
  let worstRatioZ = 0;
  const parameterCoverage = new Map<string, { inside: number; total: number }>();
  let failures = 0;
  let lastRatio: { value: number; sd: number; truth: number; atH: number } | null = null;
  const fractionTrack: { endH: number; value: number; lower: number; upper: number }[] = [];

  const fits = replayHistory(chainFrom(settings), readings);
  for (let first = true; ; first = false) {
    const started = performance.now();
    const next = fits.next();
    const ms = performance.now() - started;
    if (next.done) break;
    const { outcome: fit, refit } = next.value;
    if (first) coldMs = ms;
    else if (fit.status === 'ok' && fit.longHorizonRefit) refitMs.push(ms);
    else if (!refit) warmMs.push(ms);
    if (fit.status !== 'ok') {
      failures++;
      continue;
    }
    const row = truthRow(history.truth, fit.windowEndH);
    const trueFraction = history.truth.satelliteFraction[row];
    const f = fit.estimate.composition.satellite_fraction;
    fractionTotal++;
    if (Math.abs(f.value - trueFraction) <= z95 * f.sd) fractionCovered++;
    fractionTrack.push({
      endH: fit.windowEndH,
      value: f.value,
      lower: f.value - z95 * f.sd,
      upper: f.value + z95 * f.sd,
    });
    for (const p of fit.estimate.params) {
      if (!p.determined) continue;
      const truth = history.truth.params[p.name][row];
      const c = parameterCoverage.get(p.name) ?? { inside: 0, total: 0 };
      c.total++;
      if (truth >= p.lower95 && truth <= p.upper95) c.inside++;
      parameterCoverage.set(p.name, c);
    }
    // The band of log gB − log vB from the posterior covariance (prior and window data together).
    const cov = fit.fit.covariance;
    const ratioSd = Math.sqrt(Math.max(0, cov[ig * q + ig] + cov[iv * q + iv] - 2 * cov[ig * q + iv]));
    lastRatio = {
      value: Math.exp(fit.fit.u[ig] - fit.fit.u[iv]),
      sd: ratioSd,
      truth: history.truth.params.gB[row] / history.truth.params.vB[row],
      atH: fit.windowEndH,
    };
    if (fit.windowEndH >= 48) {
      const z = Math.abs(Math.log(lastRatio.value / lastRatio.truth)) / ratioSd;
      ratioTotal++;
      if (z <= z95) ratioCovered++;
      worstRatioZ = Math.max(worstRatioZ, z);
    }
  }

  // Cold fits from the far guess at twelve points of the history, in a warmed-up process (the chain's
  // own first window is reported apart: in the first scenario it also pays for the JIT).
  const coldSamples: number[] = [];
  const data = plantDataFrom(history.samples.filter((s) => s.availableAtH === undefined));
  for (let start = 12; start <= 320; start += 28) {
    if (start + settings.windowHours > days * 24) continue;
    const cold = chainFrom(settings);
    cold.noteReadings(start, true);
    cold.noteClock(start + settings.windowHours + 1);
    const t = performance.now();
    cold.fitNext(() => data);
    coldSamples.push(performance.now() - t);
  }

  const determinedCoverage = [...parameterCoverage.entries()].map(([name, c]) => ({
    name,
    coverage: c.inside / c.total,
    windows: c.total,
  }));
  let shift: { detectedAfterH: number | null; preShiftLevel: number } | null = null;
  if (scenario === 'satellite-shift') {
    const onsetH = onsetDay * 24;
    const before = fractionTrack.filter((r) => r.endH > onsetH - 24 && r.endH <= onsetH);
    const preShiftLevel = before.reduce((s, r) => s + r.value, 0) / Math.max(1, before.length);
    // Seen once the band excludes the old level and goes on excluding it for 6 h: a swing of X alone
    // moves the fraction for a few hours (it would count as seen 1 h after onset on some seeds).
    const above = (r: (typeof fractionTrack)[number]) => r.lower > preShiftLevel && r.value > preShiftLevel;
    const detected = fractionTrack.find(
      (r, i) =>
        r.endH > onsetH &&
        fractionTrack
          .slice(i)
          .filter((later) => later.endH <= r.endH + sustainedHours)
          .every(above),
    );
    shift = { detectedAfterH: detected ? detected.endH - onsetH : null, preShiftLevel };
  }
  const limits =
    scenario === 'steady'
      ? gBOverVBLimits(model, history, days * 24, {
          parameterDrift: Float64Array.from(
            settings.freeParams,
            (name) => settings.drift.byParameter?.[name] ?? settings.drift.parameterSdLogPerSqrtHour,
          ),
          stateDrift: settings.drift.stateSdLogPerSqrtHour,
          coldParameterSdLog: settings.coldParameterSdLog,
          coldStateSdLog: settings.coldStateSdLog,
        })
      : null;
  return {
    scenario,
    seed,
    windows: fractionTotal + failures,
    failures,
    satellite_fraction_coverage: fractionCovered / Math.max(1, fractionTotal),
    determined_parameter_coverage: determinedCoverage,
    gB_over_vB_at_end: lastRatio && {
      estimate: lastRatio.value,
      truth: lastRatio.truth,
      relative_error: lastRatio.value / lastRatio.truth - 1,
      band95_relative_halfwidth: Math.expm1(z95 * lastRatio.sd),
      truth_inside_band: Math.abs(Math.log(lastRatio.value / lastRatio.truth)) <= z95 * lastRatio.sd,
      at_hour: lastRatio.atH,
    },
    gB_over_vB_coverage_from_day_2: ratioCovered / Math.max(1, ratioTotal),
    gB_over_vB_worst_error_in_sd: worstRatioZ,
    gB_over_vB_limits_band95: limits && {
      whole_history_all_free_no_prior: band95(limits.allFreeNoPrior),
      whole_history_all_free_cold_prior: band95(limits.allFreeColdPrior),
      whole_history_only_gB_free: band95(limits.gBFreeOthersKnown),
      ideal_filter_with_these_drifts: band95(limits.idealFilter.sd),
      ideal_window_with_these_drifts: band95(limits.windowAtEnd.sd),
      far_guess_error_left_in_ideal_window: Math.expm1(limits.windowAtEnd.bias),
    },
    shift,
    warm_fit_ms: { median: percentile(warmMs, 0.5), p95: percentile(warmMs, 0.95), count: warmMs.length },
    window_and_long_horizon_refit_ms: refitMs.length
      ? { median: percentile(refitMs, 0.5), p95: percentile(refitMs, 0.95), count: refitMs.length }
      : null,
    cold_fit_ms: {
      median: percentile(coldSamples, 0.5),
      p95: percentile(coldSamples, 0.95),
      samples: coldSamples.map((x) => Math.round(x)),
    },
    chain_first_window_ms: coldMs,
  };
}

type Result = ReturnType<typeof runScenario>;
const pct = (x: number, digits = 1) => `${(100 * x).toFixed(digits)} %`;

function print(r: Result): void {
  console.log(`\n${r.scenario}: ${days} days, seed ${r.seed}, ${r.windows} windows, ${r.failures} failed`);
  console.log(
    `  satellite fraction 95% band coverage: ${pct(r.satellite_fraction_coverage)}  (target >= 90 %)`,
  );
  for (const c of r.determined_parameter_coverage) {
    console.log(
      `  ${c.name.padEnd(7)} reported determined in ${c.windows} windows, band coverage ${pct(c.coverage)}`,
    );
  }
  if (r.determined_parameter_coverage.length === 0)
    console.log('  no single parameter was reported as determined');
  if (r.gB_over_vB_at_end) {
    const g = r.gB_over_vB_at_end;
    console.log(
      `  gB/vB at ${g.at_hour} h: ${g.estimate.toFixed(1)} (truth ${g.truth.toFixed(1)}), error ${pct(g.relative_error, 2)}, 95% band ±${pct(g.band95_relative_halfwidth, 2)} (target ±3 %), truth inside: ${g.truth_inside_band}`,
    );
  }
  console.log(
    `  gB/vB inside its band in ${pct(r.gB_over_vB_coverage_from_day_2)} of windows from day 2; worst error ${r.gB_over_vB_worst_error_in_sd.toFixed(2)} sd`,
  );
  const l = r.gB_over_vB_limits_band95;
  if (l) {
    console.log('  gB/vB limits (95 % band, linearized at the truth):');
    console.log(
      `    whole history as one trajectory, x0 free: all 10 parameters free, no prior ±${pct(l.whole_history_all_free_no_prior, 2)}; with the cold prior ±${pct(l.whole_history_all_free_cold_prior, 2)}; only gB free (the issue's "about ±2 %") ±${pct(l.whole_history_only_gB_free, 2)}`,
    );
    console.log(
      `    with these drift rates: ideal filter ±${pct(l.ideal_filter_with_these_drifts, 2)}, a 12 h window on the ideal arrival cost ±${pct(l.ideal_window_with_these_drifts, 2)} (far-guess error left ${pct(l.far_guess_error_left_in_ideal_window, 2)})`,
    );
    console.log(
      '    these are local: the profile likelihood (benchmarks/estimator-profile.ts) excludes about −7 % but not +170 %',
    );
  }
  if (r.shift) {
    console.log(
      `  shift: pre-shift fraction ${r.shift.preShiftLevel.toFixed(4)}; band excludes it ${r.shift.detectedAfterH === null ? 'never' : `${r.shift.detectedAfterH} h after onset`}, and for ${sustainedHours} h after (target <= 24 h)`,
    );
  }
  console.log(
    `  warm fit: median ${r.warm_fit_ms.median.toFixed(1)} ms, p95 ${r.warm_fit_ms.p95.toFixed(1)} ms (target median <= 20 ms)`,
  );
  if (r.window_and_long_horizon_refit_ms) {
    const l = r.window_and_long_horizon_refit_ms;
    console.log(
      `  window + long-horizon refit (${l.count} times): median ${l.median.toFixed(0)} ms, p95 ${l.p95.toFixed(0)} ms`,
    );
  }
  console.log(
    `  cold fit: median ${r.cold_fit_ms.median.toFixed(0)} ms, p95 ${r.cold_fit_ms.p95.toFixed(0)} ms, samples ${r.cold_fit_ms.samples.join(', ')} (target <= 200 ms); the chain's first window ${r.chain_first_window_ms.toFixed(0)} ms`,
  );
  console.log(JSON.stringify(r));
}

console.log(
  `settings: drift ${JSON.stringify(settings.drift)}, cold prior sd log ${settings.coldParameterSdLog}`,
);
const results: Result[] = [];
for (const seed of seeds) {
  for (const scenario of scenarios) {
    const r = runScenario(scenario, seed);
    print(r);
    results.push(r);
  }
}

console.log(
  '\nscenario         seed  fraction  gB/vB err   band      inside  in-band d2+  worst  shift  warm med/p95  cold med/p95  refit med/p95',
);
for (const r of results) {
  const g = r.gB_over_vB_at_end;
  console.log(
    [
      r.scenario.padEnd(16),
      String(r.seed).padStart(4),
      pct(r.satellite_fraction_coverage).padStart(8),
      (g ? pct(g.relative_error) : '-').padStart(10),
      (g ? `±${pct(g.band95_relative_halfwidth)}` : '-').padStart(9),
      String(g?.truth_inside_band ?? '-').padStart(7),
      pct(r.gB_over_vB_coverage_from_day_2).padStart(11),
      r.gB_over_vB_worst_error_in_sd.toFixed(1).padStart(6),
      (r.shift ? (r.shift.detectedAfterH === null ? 'never' : `${r.shift.detectedAfterH} h`) : '-').padStart(
        6,
      ),
      `${r.warm_fit_ms.median.toFixed(0)}/${r.warm_fit_ms.p95.toFixed(0)} ms`.padStart(13),
      `${r.cold_fit_ms.median.toFixed(0)}/${r.cold_fit_ms.p95.toFixed(0)} ms`.padStart(13),
      (r.window_and_long_horizon_refit_ms
        ? `${r.window_and_long_horizon_refit_ms.median.toFixed(0)}/${r.window_and_long_horizon_refit_ms.p95.toFixed(0)} ms`
        : '-'
      ).padStart(14),
    ].join(' '),
  );
}

// Against each target, over every run above: how many meet it, and the worst.
if (results.length > 1) {
  const count = (ok: (r: Result) => boolean, of = results) => `${of.filter(ok).length} of ${of.length}`;
  const shifts = results.filter((r) => r.shift);
  const shiftHours = shifts.map((r) => r.shift?.detectedAfterH ?? Number.POSITIVE_INFINITY);
  const slowestShift =
    Math.max(...shiftHours) === Number.POSITIVE_INFINITY ? 'never' : `${Math.max(...shiftHours)} h`;
  const cold = results.flatMap((r) => r.cold_fit_ms.samples);
  const lowestCoverage = Math.min(...results.map((r) => r.satellite_fraction_coverage));
  const largestWarm = Math.max(...results.map((r) => r.warm_fit_ms.median));
  const halfwidth = (r: Result) => r.gB_over_vB_at_end?.band95_relative_halfwidth ?? Number.POSITIVE_INFINITY;
  console.log('\nagainst the targets, over these runs:');
  console.log(
    `  fraction coverage >= 90 %: ${count((r) => r.satellite_fraction_coverage >= 0.9)} (lowest ${pct(lowestCoverage)})`,
  );
  console.log(
    `  gB/vB inside its band at the end: ${count((r) => r.gB_over_vB_at_end?.truth_inside_band === true)}; band within ±3 %: ${count((r) => halfwidth(r) <= 0.03)}`,
  );
  if (shifts.length > 0)
    console.log(
      `  shift seen within 24 h: ${shiftHours.filter((h) => h <= 24).length} of ${shifts.length} (slowest ${slowestShift})`,
    );
  console.log(
    `  warm median <= 20 ms: ${count((r) => r.warm_fit_ms.median <= 20)} (largest ${largestWarm.toFixed(1)} ms)`,
  );
  console.log(
    `  cold fit <= 200 ms: ${cold.filter((ms) => ms <= 200).length} of ${cold.length} (pooled median ${percentile(cold, 0.5)} ms, p95 ${percentile(cold, 0.95)} ms, slowest ${Math.max(...cold)} ms)`,
  );
}
