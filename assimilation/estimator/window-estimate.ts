import type { CompiledModel } from '../model/compile';
import { congruence, inverseSpd, symmetricEigen } from './dense-matrix';
import type {
  Composition,
  EstimateReportSettings,
  ParameterCombination,
  ValueWithSd,
  WindowEstimate,
  WindowOptimum,
} from './types';
import type { UnknownLayout } from './unknowns';

const z95 = 1.959963984540054;

/** What one window's fit says, in the terms an operator reads: values, bands, flags, composition. */
export function describeWindowEstimate(
  model: CompiledModel,
  layout: UnknownLayout,
  fit: WindowOptimum,
  settings: EstimateReportSettings,
): WindowEstimate {
  const q = layout.size;
  const p = layout.freeParams.length;
  const names = Array.from(layout.freeParams, (i) => model.parameterNames[i]);
  const dataCovariance = dataOnlyCovariance(fit.dataInformation, q);
  const params = names.map((name, j) => {
    const sdLog = Math.sqrt(fit.covariance[j * q + j]);
    const sdLogData = Math.sqrt(Math.max(dataCovariance[j * q + j], 0));
    const value = Math.exp(fit.u[j]);
    return {
      name,
      value,
      sdLog,
      sdLogData,
      lower95: value * Math.exp(-z95 * sdLog),
      upper95: value * Math.exp(z95 * sdLog),
      determined: sdLogData <= settings.determinedSdLog && sdLog <= settings.determinedSdLog,
    };
  });
  const free = new Set(names);
  const fixed = model.parameterNames
    .map((name, i) => ({ name, value: fit.problem.params[i] }))
    .filter((f) => !free.has(f.name));
  return {
    params,
    fixed,
    combinations: determinedCombinations(names, fit.u, fit.covariance, dataCovariance, q, p, settings),
    composition: composition(model, fit, q),
    finalState: Array.from(fit.finalState),
  };
}

/**
 * Covariance from the window's data alone: the inverse of JᵀWJ, regularized only enough to invert
 * (an sd of 1000 in log units, nothing a real prior would say).
 */
function dataOnlyCovariance(information: Float64Array, q: number): Float64Array {
  const regularized = information.slice();
  for (let i = 0; i < q; i++) regularized[i * q + i] += 1e-6;
  return inverseSpd(regularized, q) ?? new Float64Array(q * q).fill(Number.POSITIVE_INFINITY);
}

/**
 * Eigen-directions of the parameters' covariance from this window's data (states marginalized)
 * with the smallest spread: the combinations Π pᵢ^cᵢ the data determine where single parameters
 * are not.
 */
function determinedCombinations(
  names: string[],
  u: Float64Array,
  covariance: Float64Array,
  dataCovariance: Float64Array,
  q: number,
  p: number,
  settings: EstimateReportSettings,
): ParameterCombination[] {
  if (p === 0) return [];
  const block = new Float64Array(p * p);
  const dataBlock = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      block[i * p + j] = covariance[i * q + j];
      dataBlock[i * p + j] = dataCovariance[i * q + j];
    }
  }
  const { values, vectors } = symmetricEigen(dataBlock, p);
  const out: ParameterCombination[] = [];
  for (let k = 0; k < p && out.length < settings.maxCombinations; k++) {
    if (Math.sqrt(Math.max(values[k], 0)) > settings.determinedSdLog) break;
    const direction = Array.from({ length: p }, (_, i) => vectors[i * p + k]);
    // Lead with a positive exponent of 1 on the largest term; drop terms too small to matter. Rounded
    // exponents name a slightly different direction, which in a sloppy model can be far less
    // determined: the combination is reported as printed, and only when, as printed, the data
    // determine it (two decimals if that is enough, else three or four).
    const lead = direction.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a), 0);
    const spread = (e: number[], m: Float64Array) => {
      let v = 0;
      for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) v += e[i] * e[j] * m[i * p + j];
      return Math.max(v, 0);
    };
    const rounded = [
      direction.map((c) => c / lead).map((c) => (Math.abs(c) < 0.05 ? 0 : Math.round(c * 100) / 100)),
      direction.map((c) => Math.round((c / lead) * 1000) / 1000),
      direction.map((c) => Math.round((c / lead) * 10000) / 10000),
    ];
    const exponents = rounded.find((e) => Math.sqrt(spread(e, dataBlock)) <= settings.determinedSdLog);
    if (!exponents) continue;
    // Single parameters that are determined on their own are already in the table.
    if (exponents.filter((c) => c !== 0).length < 2) continue;
    let logValue = 0;
    const variance = spread(exponents, block);
    const dataVariance = spread(exponents, dataBlock);
    const terms: Record<string, number> = {};
    exponents.forEach((c, i) => {
      if (c !== 0) terms[names[i]] = c;
    });
    for (let i = 0; i < p; i++) logValue += exponents[i] * u[i];
    out.push({
      exponents: terms,
      label: combinationLabel(terms),
      value: Math.exp(logValue),
      sdLog: Math.sqrt(Math.max(variance, 0)),
      sdLogData: Math.sqrt(Math.max(dataVariance, 0)),
    });
  }
  return out;
}

function combinationLabel(terms: Record<string, number>): string {
  return Object.entries(terms)
    .map(([name, c]) => (c === 1 ? name : `${name}^${c}`))
    .join(' · ');
}

/** X, Y, A, B and the satellite fraction Y/(X+Y) at the window end, with sds from the posterior. */
function composition(model: CompiledModel, fit: WindowOptimum, q: number): Composition {
  const n = model.stateNames.length;
  const stateCovariance = congruence(fit.finalSensitivity, n, q, fit.covariance);
  const index = (s: string) => model.stateNames.indexOf(s);
  const state = (s: string): ValueWithSd => {
    const i = index(s);
    return { value: fit.finalState[i], sd: Math.sqrt(Math.max(stateCovariance[i * n + i], 0)) };
  };
  const ix = index('X');
  const iy = index('Y');
  const x = fit.finalState[ix];
  const y = fit.finalState[iy];
  const total = x + y;
  const gx = -y / (total * total);
  const gy = x / (total * total);
  const variance =
    gx * gx * stateCovariance[ix * n + ix] +
    2 * gx * gy * stateCovariance[ix * n + iy] +
    gy * gy * stateCovariance[iy * n + iy];
  return {
    X: state('X'),
    Y: state('Y'),
    A: state('A'),
    B: state('B'),
    satellite_fraction: { value: y / total, sd: Math.sqrt(Math.max(variance, 0)) },
  };
}
