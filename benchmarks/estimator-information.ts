/**
 * What the data of a simulated history can say about log(gB/vB) at best, linearized at the truth:
 * the Fisher information of the whole history as one trajectory (with any chosen set of parameters
 * free), and the covariance an ideal filter with the estimator's random-walk drift would reach (the
 * same data, the same prior, the linearization exact). The bench prints these beside the
 * estimator's own band, so a band can be judged against what is reachable.
 *
 * Standalone: `node --import tsx benchmarks/estimator-information.ts [--seed S] [--days N]`
 */

import {
  buildWindowProblem,
  type CompiledModel,
  coldStartState,
  compileModel,
  createEngineWorkspace,
  defaultEstimatorSettings,
  inverseSpd,
  type ObservationNoise,
  plantDataFrom,
  refitParameterNames,
  residualSensitivities,
  type SolverOptions,
  symmetricEigen,
  toLogSpaceColumns,
  unknownLayout,
} from '../assimilation';
import { builtInModel } from '../simulator/model-files';
import { generatePlantHistory, type PlantHistory } from '../simulator/plant-history';

/** The history cut into segments, each linearized at the true state and parameters. */
export interface HistoryLinearization {
  /** Free parameters then states, in unknown order. */
  names: string[];
  p: number;
  q: number;
  segmentH: number;
  /** Per segment: ∂(log p, log x(end))/∂(log p, log x(start)), q×q. */
  transitions: Float64Array[];
  /** Per segment: ∂r/∂(log p, log x(start)) for its readings (σ-scaled), rows×q. */
  jacobians: Float64Array[];
  rows: number[];
}

export function linearizeHistoryAtTruth(
  model: CompiledModel,
  history: PlantHistory,
  freeParams: readonly string[],
  noise: ObservationNoise,
  solver: SolverOptions,
  hours: number,
  segmentH = 1,
): HistoryLinearization {
  const layout = unknownLayout(model, freeParams);
  const { size: q } = layout;
  const p = layout.freeParams.length;
  const n = layout.stateCount;
  const ws = createEngineWorkspace(model);
  const data = plantDataFrom(history.samples.filter((s) => s.availableAtH === undefined));
  const { truth } = history;
  const transitions: Float64Array[] = [];
  const jacobians: Float64Array[] = [];
  const rows: number[] = [];
  for (let t = 0; t + segmentH <= hours + 1e-9; t += segmentH) {
    const i = Math.round(t / truth.readingIntervalH);
    const x0 = Float64Array.from(model.stateNames, (s) => truth.states[s][i]);
    const params = Float64Array.from(model.parameterNames, (name) => truth.params[name][i]);
    const built = buildWindowProblem(model, data, t, t + segmentH, noise, params, x0, freeParams);
    if ('error' in built) throw new Error(built.error);
    // A reading at a segment's start belongs to the segment before (except at the history's start).
    const keep = Array.from(built.obsTime, (time) => t === 0 || time > t + 1e-9);
    const problem = {
      ...built,
      obsTime: built.obsTime.filter((_, k) => keep[k]),
      obsSignal: built.obsSignal.filter((_, k) => keep[k]),
      obsValue: built.obsValue.filter((_, k) => keep[k]),
      obsSigma: built.obsSigma.filter((_, k) => keep[k]),
    };
    const sens = residualSensitivities(problem, ws, solver, t + segmentH, layout.freeParams);
    if (!sens.ok) throw new Error(`sensitivities failed at ${t} h: ${sens.failure.kind}`);
    const count = problem.obsTime.length;
    jacobians.push(toLogSpaceColumns(layout, sens.jacobian, count, problem));
    rows.push(count);
    const finalSensitivity = toLogSpaceColumns(layout, sens.finalSensitivity, n, problem);
    const transition = new Float64Array(q * q);
    for (let j = 0; j < p; j++) transition[j * q + j] = 1;
    for (let s = 0; s < n; s++)
      for (let j = 0; j < q; j++)
        transition[(p + s) * q + j] = finalSensitivity[s * q + j] / sens.finalState[s];
    transitions.push(transition);
  }
  const names = [...freeParams, ...model.stateNames];
  return { names, p, q, segmentH, transitions, jacobians, rows };
}

/** Fisher information of the whole history about (log p, log x(0)): no drift, no prior. */
export function wholeHistoryInformation(lin: HistoryLinearization): Float64Array {
  const { q } = lin;
  const information = new Float64Array(q * q);
  let chain = identity(q);
  lin.jacobians.forEach((jacobian, k) => {
    const mapped = multiply(jacobian, lin.rows[k], q, chain, q);
    accumulateGram(information, mapped, lin.rows[k], q);
    chain = multiply(lin.transitions[k], q, q, chain, q);
  });
  return information;
}

/**
 * sd of cᵀu for unknowns u with Fisher information `information` and prior precision `priorPrecision`
 * (diagonal), when only the unknowns in `free` are unknown (the others known exactly). Solved by
 * eigen-decomposition, so a singular block gives a large finite number, not a failure.
 */
export function conditionalSd(
  information: Float64Array,
  q: number,
  free: readonly number[],
  combination: Float64Array,
  priorPrecision: Float64Array,
): number {
  const m = free.length;
  const block = new Float64Array(m * m);
  free.forEach((a, i) => {
    free.forEach((b, j) => {
      block[i * m + j] = information[a * q + b] + (i === j ? priorPrecision[a] : 0);
    });
  });
  const { values, vectors } = symmetricEigen(block, m);
  let variance = 0;
  for (let k = 0; k < m; k++) {
    let projection = 0;
    free.forEach((a, i) => {
      projection += combination[a] * vectors[i * m + k];
    });
    variance += projection ** 2 / Math.max(values[k], 1e-12);
  }
  return Math.sqrt(variance);
}

/**
 * An ideal linear filter along the history, linearized at the truth: prior covariance
 * `priorCovariance` (q×q) at the start, each segment's readings added (Kalman gain, Joseph form),
 * then moved on and widened by `driftVariancePerHour` (per unknown). `priorOffset` (prior mean minus
 * truth, log units) is carried along too: what is left of it is the error that a prior centred away
 * from the truth leaves in the estimate. Returns the sd and that error of cᵀu after every segment.
 */
export function idealFilter(
  lin: HistoryLinearization,
  priorCovariance: Float64Array,
  driftVariancePerHour: Float64Array,
  combination: Float64Array,
  priorOffset: Float64Array = new Float64Array(lin.q),
): { sd: number[]; bias: number[]; covariance: Float64Array; offset: Float64Array } {
  const { q } = lin;
  let covariance: Float64Array = priorCovariance.slice();
  let offset: Float64Array = priorOffset.slice();
  const sd: number[] = [];
  const bias: number[] = [];
  lin.jacobians.forEach((h, k) => {
    const m = lin.rows[k];
    if (m > 0) {
      const ph = multiply(covariance, q, q, transposeRect(h, m, q), m); // q×m
      const s = multiply(h, m, q, ph, m);
      for (let i = 0; i < m; i++) s[i * m + i] += 1;
      const sInverse = inverseSpd(s, m);
      if (!sInverse) throw new Error(`innovation covariance singular at segment ${k}`);
      const gain = multiply(ph, q, m, sInverse, m); // q×m
      const reduce = identity(q);
      const kh = multiply(gain, q, m, h, q);
      for (let i = 0; i < q * q; i++) reduce[i] -= kh[i];
      const joseph = multiply(multiply(reduce, q, q, covariance, q), q, q, transpose(reduce, q), q);
      const kk = multiply(gain, q, m, transposeRect(gain, q, m), q);
      for (let i = 0; i < q * q; i++) joseph[i] += kk[i];
      covariance = joseph;
      offset = multiply(reduce, q, q, offset, 1);
    }
    const phi = lin.transitions[k];
    covariance = multiply(multiply(phi, q, q, covariance, q), q, q, transpose(phi, q), q);
    for (let i = 0; i < q; i++) covariance[i * q + i] += driftVariancePerHour[i] * lin.segmentH;
    offset = multiply(phi, q, q, offset, 1);
    let v = 0;
    let e = 0;
    for (let i = 0; i < q; i++) {
      e += combination[i] * offset[i];
      for (let j = 0; j < q; j++) v += combination[i] * covariance[i * q + j] * combination[j];
    }
    sd.push(Math.sqrt(Math.max(v, 0)));
    bias.push(e);
  });
  return { sd, bias, covariance, offset };
}

function idealFilterState(
  lin: HistoryLinearization,
  priorCovariance: Float64Array,
  driftVariancePerHour: Float64Array,
  priorOffset: Float64Array,
) {
  return idealFilter(lin, priorCovariance, driftVariancePerHour, new Float64Array(lin.q), priorOffset);
}

function transposeRect(a: Float64Array, r: number, c: number): Float64Array {
  const t = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) t[j * r + i] = a[i * c + j];
  return t;
}

function identity(q: number): Float64Array {
  const m = new Float64Array(q * q);
  for (let i = 0; i < q; i++) m[i * q + i] = 1;
  return m;
}

function transpose(a: Float64Array, q: number): Float64Array {
  const t = new Float64Array(q * q);
  for (let i = 0; i < q; i++) for (let j = 0; j < q; j++) t[j * q + i] = a[i * q + j];
  return t;
}

/** (r×k) · (k×c). */
function multiply(a: Float64Array, r: number, k: number, b: Float64Array, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++)
    for (let l = 0; l < k; l++) {
      const ail = a[i * k + l];
      if (ail === 0) continue;
      for (let j = 0; j < c; j++) out[i * c + j] += ail * b[l * c + j];
    }
  return out;
}

function accumulateGram(target: Float64Array, rowsMatrix: Float64Array, rows: number, q: number): void {
  for (let r = 0; r < rows; r++)
    for (let i = 0; i < q; i++) {
      const ri = rowsMatrix[r * q + i];
      if (ri === 0) continue;
      for (let j = 0; j < q; j++) target[i * q + j] += ri * rowsMatrix[r * q + j];
    }
}

const z95 = 1.959963984540054;
export const band95 = (sd: number): number => Math.expm1(z95 * sd);

export interface GBOverVBLimitSettings {
  /** Random-walk sd per √h of each free parameter's log (refit order) and of every state's log. */
  parameterDrift: Float64Array;
  stateDrift: number;
  coldParameterSdLog: number;
  coldStateSdLog: number;
}

/**
 * The limits on log(gB/vB) at the end of a steady history: the whole history's information with
 * different sets of parameters free, and the ideal filter with the estimator's prior and drift,
 * with what the far guess (the prior's centre) leaves in the estimate.
 */
export function gBOverVBLimits(
  model: CompiledModel,
  history: PlantHistory,
  hours: number,
  s: GBOverVBLimitSettings,
) {
  const settings = defaultEstimatorSettings;
  const lin = linearizeHistoryAtTruth(
    model,
    history,
    refitParameterNames,
    settings.noise,
    settings.solver,
    hours,
  );
  const { q, p, names } = lin;
  const combination = new Float64Array(q);
  combination[names.indexOf('gB')] = 1;
  combination[names.indexOf('vB')] = -1;
  const information = wholeHistoryInformation(lin);
  const states = Array.from({ length: q - p }, (_, k) => p + k);
  const index = (...ps: string[]) => ps.map((name) => names.indexOf(name));
  const none = new Float64Array(q);
  const coldVariance = Float64Array.from(
    { length: q },
    (_, i) => (i < p ? s.coldParameterSdLog : s.coldStateSdLog) ** 2,
  );
  const coldPrecision = coldVariance.map((v) => 1 / v);
  const allParams = Array.from({ length: p }, (_, i) => i);
  const prior = new Float64Array(q * q);
  for (let i = 0; i < q; i++) prior[i * q + i] = coldVariance[i];
  const drift = Float64Array.from({ length: q }, (_, i) => (i < p ? s.parameterDrift[i] : s.stateDrift) ** 2);
  const noParameterDrift = Float64Array.from({ length: q }, (_, i) => (i < p ? 0 : drift[i]));
  const noDrift = new Float64Array(q);
  // The prior's centre: the far guess and the cold-start state, against the truth at t = 0.
  const data = plantDataFrom(history.samples.filter((r) => r.availableAtH === undefined));
  const coldState = coldStartState(model, data, 0);
  const offset = Float64Array.from(names, (name, i) => {
    if (i < p) {
      const definition = builtInModel().parameters.find((d) => d.name === name)!;
      return Math.log((definition.farGuess ?? definition.plantValue) / history.truth.params[name][0]);
    }
    return Math.log(coldState[i - p] / history.truth.states[name][0]);
  });
  const last = (r: { sd: number[]; bias: number[] }) => ({
    sd: r.sd[r.sd.length - 1],
    bias: r.bias[r.bias.length - 1],
  });
  const filtered = idealFilter(lin, prior, drift, combination, offset);
  return {
    allFreeNoPrior: conditionalSd(information, q, [...allParams, ...states], combination, none),
    allFreeColdPrior: conditionalSd(information, q, [...allParams, ...states], combination, coldPrecision),
    gBvBFreeOthersKnown: conditionalSd(information, q, [...index('gB', 'vB'), ...states], combination, none),
    gBFreeOthersKnown: conditionalSd(information, q, [...index('gB'), ...states], combination, none),
    idealFilter: last(filtered),
    idealFilterNoParameterDrift: last(idealFilter(lin, prior, noParameterDrift, combination, offset)),
    idealFilterNoDrift: last(idealFilter(lin, prior, noDrift, combination, offset)),
    filtered,
    windowAtEnd: last(windowPosterior(lin, prior, drift, combination, offset, 12)),
  };
}

/**
 * What a moving-horizon window reports at the history's end if its arrival cost were the ideal
 * filter's: the filter up to the window's start, then the window's own readings with no drift inside
 * it (the window's model is deterministic).
 */
export function windowPosterior(
  lin: HistoryLinearization,
  priorCovariance: Float64Array,
  driftVariancePerHour: Float64Array,
  combination: Float64Array,
  priorOffset: Float64Array,
  windowH: number,
): { sd: number[]; bias: number[] } {
  const segments = Math.round(windowH / lin.segmentH);
  const cut = lin.jacobians.length - segments;
  const head = {
    ...lin,
    jacobians: lin.jacobians.slice(0, cut),
    transitions: lin.transitions.slice(0, cut),
    rows: lin.rows.slice(0, cut),
  };
  const tail = {
    ...lin,
    jacobians: lin.jacobians.slice(cut),
    transitions: lin.transitions.slice(cut),
    rows: lin.rows.slice(cut),
  };
  const state = idealFilterState(head, priorCovariance, driftVariancePerHour, priorOffset);
  return idealFilter(tail, state.covariance, new Float64Array(lin.q), combination, state.offset);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string, fallback: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const seed = arg('seed', 1);
  const days = arg('days', 14);
  const drift = arg('param-drift', defaultEstimatorSettings.drift.parameterSdLogPerSqrtHour);
  const stateDrift = arg('state-drift', defaultEstimatorSettings.drift.stateSdLogPerSqrtHour);
  const model = compileModel(builtInModel());
  const history = generatePlantHistory({ scenario: 'steady', days, seed });
  const limits = gBOverVBLimits(model, history, days * 24, {
    parameterDrift: new Float64Array(refitParameterNames.length).fill(drift),
    stateDrift,
    coldParameterSdLog: defaultEstimatorSettings.coldParameterSdLog,
    coldStateSdLog: defaultEstimatorSettings.coldStateSdLog,
  });
  const pct = (sd: number) => `±${(100 * band95(sd)).toFixed(2)} %`;
  const withBias = (r: { sd: number; bias: number }) =>
    `${pct(r.sd)}, far-guess error left ${(100 * Math.expm1(r.bias)).toFixed(2)} % (${(r.bias / r.sd).toFixed(2)} sd)`;
  console.log(`steady, seed ${seed}, ${days} days: 95 % band of gB/vB at the end`);
  console.log(`  whole history, x0 and all 10 parameters free, no prior: ${pct(limits.allFreeNoPrior)}`);
  console.log(
    `  same, with the cold prior (sd log ${defaultEstimatorSettings.coldParameterSdLog.toFixed(2)}): ${pct(limits.allFreeColdPrior)}`,
  );
  console.log(`  only gB and vB free (others known), x0 free: ${pct(limits.gBvBFreeOthersKnown)}`);
  console.log(`  only gB free (the ratio's own direction), x0 free: ${pct(limits.gBFreeOthersKnown)}`);
  console.log(
    `  ideal filter, cold prior, drift ${drift} (params) ${stateDrift} (states) /√h: ${withBias(limits.idealFilter)}`,
  );
  console.log(
    `  a 12 h window at the end with the ideal filter's arrival cost: ${withBias(limits.windowAtEnd)}`,
  );
  console.log(
    `  ideal filter, cold prior, state drift only: ${withBias(limits.idealFilterNoParameterDrift)}`,
  );
  console.log(`  ideal filter, cold prior, no drift: ${withBias(limits.idealFilterNoDrift)}`);
  const daily = limits.filtered.sd
    .filter((_, k) => (k + 1) % 24 === 0)
    .map((sd) => (100 * band95(sd)).toFixed(1));
  console.log(`  ideal filter band by day (%): ${daily.join(' ')}`);
}
