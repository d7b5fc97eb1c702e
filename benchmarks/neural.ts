/**
 * The neural term: `npm run bench:neural`.
 *
 * 1. Cost of a 5→16→16→5 network, forward and vector-Jacobian product, in the engine's float64
 *    TypeScript against tfjs's cpu backend (float32), in this one run, with the ratio.
 * 2. A plant whose satellite is inhibited by B (models/chemostat-satellite-inhibited.yaml), a
 *    mechanism the model lacks: the mechanistic model and the hybrid (models/chemostat-satellite-
 *    hybrid.yaml) trained over 4 days; fit over the span, forecast error 12 h and 48 h past it, time
 *    to train; composition coverage of the estimator chain run live with each over the 2 days after.
 * 3. The mismatch signal: how soon it fires after a change the model cannot follow starts mid-run (the
 *    main organism's yield falls), whether it fires on the satellite's inhibition (it acts on 1 % of
 *    od: printed with how little the truth moved), and false alarms per month of plant time on plants
 *    where nothing changes; for the mechanistic model and for the hybrid with its committed weights
 *    (whose signal also fires when the median network term over the last span's windows passes 3× its training contribution: the
 *    largest such ratio is printed for each plant).
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import {
  arrivalsFromOrder,
  type CompiledModel,
  compileModel,
  createEngineWorkspace,
  defaultEstimatorSettings,
  defaultMismatchSettings,
  defaultObservationNoise,
  defaultTrainingSettings,
  type FitOverSpan,
  type InputSeries,
  type MismatchReport,
  Mlp,
  type ModelDefinition,
  mlpParameterCount,
  modelMismatch,
  plantDataFrom,
  type Reading,
  refitParameterNames,
  replayChain,
  replayHistory,
  solveWindow,
  trainHybrid,
  type WindowResiduals,
} from '../assimilation';
import { builtInModel, readModelFile } from '../simulator/model-files';
import { generatePlantHistory } from '../simulator/plant-history';
import { PlantSimulation } from '../simulator/plant-simulation';
import type { PlantTruthRow } from '../simulator/plant-truth';

const quick = process.argv.includes('--quick');
const modelsDir = new URL('../models/', import.meta.url).pathname;

function medianMicros(fn: () => void, budgetMs = 300): number {
  for (let i = 0; i < 20; i++) fn();
  const samples: number[] = [];
  const until = performance.now() + budgetMs;
  while (performance.now() < until || samples.length < 9) {
    const t0 = performance.now();
    for (let i = 0; i < 10; i++) fn();
    samples.push(((performance.now() - t0) / 10) * 1000);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1];
}

function networkCost(): void {
  const sizes = [5, 16, 16, 5];
  const mlp = new Mlp({
    sizes,
    activation: 'tanh',
    bounds: [1, 1, 1, 1, 1],
    signs: ['any', 'any', 'any', 'any', 'any'],
  });
  const theta = Float64Array.from({ length: mlpParameterCount(sizes) }, (_, i) => 0.4 * Math.sin(i));
  const z = Float64Array.of(0.1, 0.5, -0.3, 0.8, 0.2);
  const omega = Float64Array.of(1, 0.5, -1, 0.2, 0.3);
  const zBar = new Float64Array(5);
  const thetaBar = new Float64Array(theta.length);
  const ours = {
    forward: medianMicros(() => mlp.forward(theta, 0, z)),
    vjp: medianMicros(() => {
      mlp.forward(theta, 0, z);
      mlp.reverse(theta, 0, omega, zBar, thetaBar, 0);
    }),
  };
  tf.setBackend('cpu');
  const weights: tf.Tensor[] = [];
  let at = 0;
  for (let l = 1; l < sizes.length; l++) {
    weights.push(
      tf.tensor2d(Array.from(theta.subarray(at, at + sizes[l] * sizes[l - 1])), [sizes[l], sizes[l - 1]]),
    );
    at += sizes[l] * sizes[l - 1];
    weights.push(tf.tensor2d(Array.from(theta.subarray(at, at + sizes[l])), [sizes[l], 1]));
    at += sizes[l];
  }
  const input = tf.tensor2d(Array.from(z), [5, 1]);
  const weight = tf.tensor2d(Array.from(omega), [5, 1]);
  const forward = (x: tf.Tensor, ...w: tf.Tensor[]) => {
    let a = x;
    for (let l = 0; l < w.length / 2; l++) {
      const s = tf.add(tf.matMul(w[2 * l], a), w[2 * l + 1]);
      a = l === w.length / 2 - 1 ? s : tf.tanh(s);
    }
    return tf.tanh(a);
  };
  const gradient = tf.grads((x: tf.Tensor, ...w: tf.Tensor[]) => tf.sum(tf.mul(forward(x, ...w), weight)));
  const theirs = {
    forward: medianMicros(() => tf.tidy(() => forward(input, ...weights).dataSync())),
    vjp: medianMicros(() => tf.tidy(() => gradient([input, ...weights]).map((g) => g.dataSync()))),
  };
  console.log('\n1. A 5→16→16→5 network (µs per call, median; the machine is shared, so timings are noisy)');
  console.log('   what                 float64 TypeScript   tfjs cpu (float32)   ratio');
  for (const key of ['forward', 'vjp'] as const)
    console.log(
      `   ${key.padEnd(20)} ${ours[key].toFixed(2).padStart(18)} ${theirs[key].toFixed(1).padStart(20)} ${(theirs[key] / ours[key]).toFixed(0).padStart(7)}×`,
    );
}

/** Solves a model from a state at t0 through the given times, under the plant's D; states at those times. */
function forecast(
  model: CompiledModel,
  params: Float64Array,
  x0: Float64Array,
  t0: number,
  dilution: InputSeries,
  times: number[],
) {
  const ws = createEngineWorkspace(model);
  const out: Float64Array[] = [];
  let x = x0.slice();
  let t = t0;
  for (const tEnd of times) {
    const solved = solveWindow(
      { params, t0: t, x0: x, inputs: [dilution], obsTime: new Float64Array(0), tEnd },
      defaultTrainingSettings.solver,
      ws,
    );
    if (!solved.ok) throw new Error('forecast failed');
    const n = model.stateNames.length;
    x = solved.record.nodeStates.slice(solved.record.stepCount * n, (solved.record.stepCount + 1) * n);
    t = tEnd;
    out.push(x.slice());
  }
  return out;
}

/** The state at the end of a fit's span. */
function endState(
  model: CompiledModel,
  fit: FitOverSpan,
  params: Float64Array,
  dilution: InputSeries,
): Float64Array {
  const last = fit.segments[fit.segments.length - 1];
  return forecast(model, params, last.x0, last.startH, dilution, [last.endH])[0];
}

function plantAndHybrid(): void {
  const days = quick ? 2 : 4;
  const spanH = days * 24;
  const plant = compileModel(readModelFile(`${modelsDir}chemostat-satellite-inhibited.yaml`));
  const history = generatePlantHistory({
    scenario: 'steady',
    days: days + 2,
    seed: 21,
    assays: true,
    model: plant,
  });
  const training = history.samples.filter((s) => s.timeH <= spanH);
  const hybridDef = readModelFile(`${modelsDir}chemostat-satellite-hybrid.yaml`, { untrained: true });
  const initial = Float64Array.from(hybridDef.parameters, (p) => p.plantValue);
  const started = performance.now();
  const result = trainHybrid(hybridDef, plantDataFrom(training), initial, {
    ...defaultTrainingSettings,
    fromH: 0,
    toH: spanH,
    freeParams: refitParameterNames,
    noise: defaultObservationNoise,
    ...(quick ? { mechanisticIterations: 40, jointIterations: 40 } : {}),
  });
  const trainSeconds = (performance.now() - started) / 1000;
  const truth = history.truth;
  const dilution: InputSeries = {
    t: Float64Array.from(truth.timeH),
    v: Float64Array.from(truth.dilutionPerHour),
  };
  const truthAt = (t: number) => {
    const i = truth.timeH.findIndex((h) => Math.abs(h - t) < 1e-9);
    return truth.stateNames.map((s) => truth.states[s][i]);
  };
  const mechanisticModel = compileModel({ ...hybridDef, neural: undefined });
  const trained: ModelDefinition = {
    ...hybridDef,
    neural: { ...hybridDef.neural!, weights: result.weights },
  };
  const hybridModel = compileModel(trained);
  const horizons = [12, 48];
  const rows: string[] = [];
  for (const [name, model, fit] of [
    ['mechanistic', mechanisticModel, result.mechanistic],
    ['hybrid', hybridModel, result.hybrid],
  ] as const) {
    const x0 = endState(model, fit, fit.params, dilution);
    const grid = Array.from({ length: 48 * 4 }, (_, i) => spanH + (i + 1) * 0.25);
    const states = forecast(model, fit.params, x0, spanH, dilution, grid);
    const errors = horizons.map((h) => {
      let od = 0;
      let substrate = 0;
      let count = 0;
      grid.forEach((t, i) => {
        if (t > spanH + h + 1e-9) return;
        const [S, X, Y] = truthAt(t);
        od += (states[i][1] + states[i][2] - X - Y) ** 2;
        substrate += (states[i][0] - S) ** 2;
        count++;
      });
      return `od ${Math.sqrt(od / count).toFixed(2)} S ${Math.sqrt(substrate / count).toFixed(2)}`;
    });
    rows.push(
      `   ${name.padEnd(12)} ${(fit.dataLoss / fit.readings).toFixed(3).padStart(10)}   ${errors.join('  |  ').padEnd(44)} ${(name === 'hybrid' ? trainSeconds : 0).toFixed(1).padStart(6)} s`,
    );
  }
  console.log(`\n2. Plant with product inhibition of the satellite; trained on ${days} days, seed 21`);
  console.log(
    '   model        loss/read.   forecast RMS error, 12 h  |  48 h (conc)                   train',
  );
  for (const row of rows) console.log(row);
  console.log(
    '   (loss per reading ≈ 0.5 is the noise; the train time is both fits, mechanistic then joint)',
  );
  // The output penalty keeps the network small where the mechanism explains the data; the bands of the
  // mechanistic parameters with the network free show what it costs them, for the default and others.
  const all = (f: FitOverSpan) => [...f.bands, ...f.combinationBands];
  const penalties = [defaultTrainingSettings.outputPenalty, ...(quick ? [] : [1, 10_000])];
  const fits = penalties.map((outputPenalty) =>
    outputPenalty === defaultTrainingSettings.outputPenalty
      ? result
      : trainHybrid(hybridDef, plantDataFrom(training), initial, {
          ...defaultTrainingSettings,
          outputPenalty,
          fromH: 0,
          toH: spanH,
          freeParams: refitParameterNames,
          noise: defaultObservationNoise,
        }),
  );
  console.log(
    `   bands (sd of log): mechanistic fit | hybrid with the network free, by output penalty (${penalties.map((p) => (p === defaultTrainingSettings.outputPenalty ? `${p}, the default` : p)).join('; ')})`,
  );
  for (const band of all(result.mechanistic)) {
    if (band.sdLog >= 0.5) continue;
    const hybrid = fits.map((f) =>
      all(f.hybrid)
        .find((b) => b.name === band.name)!
        .sdLog.toFixed(3)
        .padStart(7),
    );
    console.log(`     ${band.name.padEnd(8)} ${band.sdLog.toFixed(3)} | ${hybrid.join(' ')}`);
  }
  console.log(
    `     loss/read. ${(result.mechanistic.dataLoss / result.mechanistic.readings).toFixed(4)} | ${fits.map((f) => (f.hybrid.dataLoss / f.hybrid.readings).toFixed(4)).join(' ')}`,
  );
  for (const [i, f] of fits.entries())
    console.log(
      `   network contribution at penalty ${penalties[i]} (RMS, per unit of Y): ${f.contribution.map((c) => c.toExponential(2)).join(', ')}`,
    );

  // Composition coverage of the live chain with each model over the 2 days after the span.
  for (const [name, model] of [
    ['mechanistic', mechanisticModel],
    ['hybrid', hybridModel],
  ] as const) {
    const start = Float64Array.from(name === 'hybrid' ? result.hybrid.params : result.mechanistic.params);
    const chain = replayChain(model, { ...defaultEstimatorSettings, longHorizon: null }, start);
    const after = history.samples.filter((s) => s.timeH >= spanH - 12);
    let inside = 0;
    let total = 0;
    for (const w of replayHistory(chain, arrivalsFromOrder(after))) {
      if (!w.estimate || w.refit) continue;
      const truthEnd = truthAt(Math.round(w.windowEndH * 4) / 4);
      const [, X, Y, A, B] = truthEnd;
      const c = w.estimate.composition!;
      for (const [band, value] of [
        [c.X, X],
        [c.Y, Y],
        [c.A, A],
        [c.B, B],
        [c.satellite_fraction, Y / (X + Y)],
      ] as const) {
        total++;
        if (value >= band.lower95 && value <= band.upper95) inside++;
      }
    }
    console.log(
      `   composition coverage, live chain with the ${name} model: ${((100 * inside) / Math.max(1, total)).toFixed(0)} % of ${total} bands`,
    );
  }
}

/** The live chain's windows over a history, with a hybrid's network terms (RMS along each window). */
function mismatchWindows(model: CompiledModel, samples: readonly Reading[]): WindowResiduals[] {
  const init = Float64Array.from(model.definition.parameters, (p) => p.farGuess ?? p.plantValue);
  const chain = replayChain(model, defaultEstimatorSettings, init);
  const out: WindowResiduals[] = [];
  for (const w of replayHistory(chain, arrivalsFromOrder(samples))) {
    if (!w.residuals) continue;
    const networkTerms = w.networkTerms
      ? Object.fromEntries(Object.entries(w.networkTerms).map(([label, t]) => [label, t.network]))
      : undefined;
    out.push({ windowEndH: w.windowEndH, residuals: w.residuals, ...(networkTerms ? { networkTerms } : {}) });
  }
  return out;
}

/**
 * The two models the signal runs on: the built-in on the built-in plant, and the example hybrid with
 * its committed weights on the plant it was trained on (the inhibited one): "nothing changes" and the
 * yield loss are on that plant for it.
 */
interface SignalModel {
  name: string;
  model: CompiledModel;
  /** The plant it watches when nothing else changes; undefined: the built-in. */
  plant?: CompiledModel;
  /** What the network added in training, by output (the weights file's `contribution`). */
  trained?: Record<string, number>;
}

function signalModels(): SignalModel[] {
  const path = `${modelsDir}chemostat-satellite-hybrid.weights.json`;
  const hybrid = readModelFile(`${modelsDir}chemostat-satellite-hybrid.yaml`);
  const trained = (JSON.parse(readFileSync(path, 'utf8')) as { contribution: Record<string, number> })
    .contribution;
  return [
    { name: 'mechanistic', model: compileModel(builtInModel()) },
    {
      name: 'hybrid',
      model: compileModel(hybrid),
      plant: compileModel(readModelFile(`${modelsDir}chemostat-satellite-inhibited.yaml`)),
      trained,
    },
  ];
}

/** A plant run with a model's chain over it; the truth's satellite fraction before and after `onsetH`. */
function plantedChange(
  signal: SignalModel,
  sim: PlantSimulation,
  truth: PlantTruthRow[],
  hours: number,
  onsetH: number,
) {
  const windows = mismatchWindows(signal.model, sim.advance(hours));
  const report = modelMismatch(windows, defaultMismatchSettings, signal.trained);
  const mean = (rows: PlantTruthRow[]) => rows.reduce((s, r) => s + r.satelliteFraction, 0) / rows.length;
  const before = mean(truth.filter((r) => r.timeH >= onsetH - 24 && r.timeH < onsetH));
  const after = mean(truth.filter((r) => r.timeH >= hours - 24));
  return { report, windows, before, after };
}

function firedText(report: MismatchReport, onsetH: number, days: number): string {
  if (report.alarmsAtH.length === 0) return `did not fire in ${days} days`;
  const first = report.alarmsAtH[0];
  const why = [
    ...(report.signals.length ? [`signals ${report.signals.join(', ')}`] : []),
    ...(report.rates.length ? [`network grown on ${report.rates.join(', ')}`] : []),
  ];
  return `fired at ${first} h, ${(first - onsetH).toFixed(0)} h after the onset (${why.join('; ') || 'no detail'}); dated from ${report.sinceH} h`;
}

/** The largest window network term over its training contribution, over all outputs. */
function largestGrowth(windows: readonly WindowResiduals[], trained?: Record<string, number>): number {
  let largest = 0;
  for (const w of windows)
    for (const [label, rms] of Object.entries(w.networkTerms ?? {}))
      if (trained?.[label]) largest = Math.max(largest, rms / trained[label]);
  return largest;
}

function mismatchSignal(): void {
  const settings = defaultMismatchSettings;
  console.log(
    `\n3. Mismatch signal: Ljung–Box on the chain's residuals (each reading from the first window that saw it), ${settings.spanHours} h span, ${settings.lags} lags, fires at p < ${settings.fireP}; for the hybrid also when the median network term over the last ${settings.spanHours} h of windows passes ${settings.growthFactor}× its training contribution`,
  );
  const onsetH = 48;
  const days = quick ? 3 : 4;
  const inhibitedDays = quick ? 3 : 6;
  const seeds = quick ? [8] : [8, 9, 10];
  const steadyDays = quick ? 4 : 10;
  const inhibitedPlant = compileModel(readModelFile(`${modelsDir}chemostat-satellite-inhibited.yaml`));
  for (const signal of signalModels()) {
    console.log(
      `   the ${signal.name} model${signal.plant ? ` (on the plant it was trained on, ${signal.plant.definition.name})` : ''}:`,
    );
    // A mechanism the model lacks on the main organism: its yield falls (substrate per unit X, which
    // the model holds fixed, rises 10 % over a day), as a maintenance demand would make it.
    const yieldTruth: PlantTruthRow[] = [];
    const yieldSim = new PlantSimulation({
      seed: 7,
      assays: true,
      ...(signal.plant ? { model: signal.plant } : {}),
      onTruth: (r) => yieldTruth.push(r),
    });
    yieldSim.rampParameter('gamma', 1.1, 24, onsetH);
    const yieldLoss = plantedChange(signal, yieldSim, yieldTruth, days * 24, onsetH);
    console.log(
      `     yield of X falling 10 % over 24 h from ${onsetH} h: ${firedText(yieldLoss.report, onsetH, days)}` +
        (signal.trained
          ? `; largest network term ${largestGrowth(yieldLoss.windows, signal.trained).toFixed(1)}× training`
          : ''),
    );
    // Product inhibition of the satellite (kYB 0.003 → 3 over a day): it acts on a population that is
    // 1 % of od, so od and substrate hardly move; the satellite fraction shows how little.
    const inhibitedTruth: PlantTruthRow[] = [];
    const inhibitedSim = new PlantSimulation({
      seed: 7,
      assays: true,
      model: inhibitedPlant,
      plantValues: { kYB: 0.003 },
      onTruth: (r) => inhibitedTruth.push(r),
    });
    inhibitedSim.rampParameter('kYB', 1000, 24, onsetH);
    const inhibited = plantedChange(signal, inhibitedSim, inhibitedTruth, inhibitedDays * 24, onsetH);
    const lowest = Math.min(...inhibited.report.points.map((p) => p.pValue ?? 1));
    console.log(
      `     satellite inhibited by B from ${onsetH} h: ${firedText(inhibited.report, onsetH, inhibitedDays)} (smallest p ${lowest.toExponential(1)}); the true satellite fraction moved ${(100 * inhibited.before).toFixed(2)} % → ${(100 * inhibited.after).toFixed(2)} %` +
        (signal.trained
          ? `; largest network term ${largestGrowth(inhibited.windows, signal.trained).toFixed(1)}× training`
          : ''),
    );

    let alarms = 0;
    let windows = 0;
    let belowOnset = 0;
    let lowestSteady = 1;
    let growth = 0;
    for (const seed of seeds) {
      const steady = generatePlantHistory({
        scenario: 'steady',
        days: steadyDays,
        seed,
        assays: true,
        ...(signal.plant ? { model: signal.plant } : {}),
      });
      const steadyWindows = mismatchWindows(signal.model, steady.samples);
      const report = modelMismatch(steadyWindows, settings, signal.trained);
      growth = Math.max(growth, largestGrowth(steadyWindows, signal.trained));
      alarms += report.alarmsAtH.length;
      for (const p of report.points) {
        if (p.pValue === null) continue;
        windows++;
        if (p.pValue < settings.onsetP) belowOnset++;
        lowestSteady = Math.min(lowestSteady, p.pValue);
      }
    }
    const plantDays = seeds.length * steadyDays;
    console.log(
      `     plants where nothing changes (seeds ${seeds.join(', ')}, ${plantDays} days): ${alarms} alarm(s) → ${((alarms * 30) / plantDays).toFixed(1)} false alarms per month; smallest p ${lowestSteady.toExponential(1)}; windows with p < ${settings.onsetP}: ${((100 * belowOnset) / Math.max(1, windows)).toFixed(1)} % of ${windows}` +
        (signal.trained ? `; largest network term ${growth.toFixed(1)}× training` : ''),
    );
  }
}

networkCost();
plantAndHybrid();
mismatchSignal();
