import type { CompiledModel } from '../model/compile';
import { compositionRoles } from '../model/composition-roles';
import { congruence, inverseSpd } from './dense-matrix';
import type {
  BandedEstimate,
  Composition,
  EstimateReportSettings,
  ParameterCombination,
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
  /** Each free parameter's prior sd of log, u order. */
  priorSdLog: Float64Array,
): WindowEstimate {
  const q = layout.size;
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
      priorSdLog: priorSdLog[j],
      lower95: value * Math.exp(-z95 * sdLog),
      upper95: value * Math.exp(z95 * sdLog),
      determined: sdLog <= settings.determinedSdLog,
    };
  });
  const free = new Set(names);
  const fixed = model.parameterNames
    .map((name, i) => ({ name, value: fit.problem.params[i] }))
    .filter((f) => !free.has(f.name));
  return {
    params,
    fixed,
    combinations: namedCombinations(model, names, fit.u, fit.covariance, dataCovariance, q, settings),
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
 * The model's named combinations of the free parameters, each with its posterior band and whether
 * the data determine it. Named ones only: a combination read off the local eigen-directions of one
 * window's information is determined at the point where it was linearized, and on a curved ridge
 * not at the truth (measured: such bands held the truth in under half of the windows).
 */
function namedCombinations(
  model: CompiledModel,
  names: string[],
  u: Float64Array,
  covariance: Float64Array,
  dataCovariance: Float64Array,
  q: number,
  settings: EstimateReportSettings,
): ParameterCombination[] {
  const out: ParameterCombination[] = [];
  for (const c of model.definition.combinations ?? []) {
    const terms = Object.entries(c.exponents);
    const index = terms.map(([name]) => names.indexOf(name));
    if (index.some((i) => i < 0)) continue; // a term is fixed: nothing to report about it
    let logValue = 0;
    let variance = 0;
    let dataVariance = 0;
    terms.forEach(([, ci], a) => {
      logValue += ci * u[index[a]];
      terms.forEach(([, cj], b) => {
        variance += ci * cj * covariance[index[a] * q + index[b]];
        dataVariance += ci * cj * dataCovariance[index[a] * q + index[b]];
      });
    });
    const value = Math.exp(logValue);
    const sdLog = Math.sqrt(Math.max(variance, 0));
    out.push({
      name: c.name,
      meaning: c.meaning,
      exponents: { ...c.exponents },
      label: combinationLabel(c.exponents),
      value,
      sdLog,
      lower95: value * Math.exp(-z95 * sdLog),
      upper95: value * Math.exp(z95 * sdLog),
      sdLogData: Math.sqrt(Math.max(dataVariance, 0)),
      determined: sdLog <= settings.determinedSdLog,
    });
  }
  return out;
}

function combinationLabel(terms: Readonly<Record<string, number>>): string {
  return Object.entries(terms)
    .map(([name, c]) => (c === 1 ? name : `${name}^${c}`))
    .join(' · ');
}

/**
 * The composition at the window end, from the posterior: the main organism as X, the satellites
 * together as Y (each one too, when there are several), the metabolites by name, and the satellite
 * fraction Y/(X+Y). Bands of the states in log space, of the fraction in logit space
 * (logit f = log Y − log X). None for a model without a main organism and satellites (a window
 * file of another model can be fitted; the chain takes only models that have them).
 */
function composition(model: CompiledModel, fit: WindowOptimum, q: number): Composition | undefined {
  const roles = compositionRoles(model.definition);
  if (!roles) return undefined;
  const n = model.stateNames.length;
  // ∂ log x(end) / ∂u: the sensitivity rows divided by the state.
  const logSensitivity = fit.finalSensitivity.slice();
  for (let s = 0; s < n; s++) {
    const x = Math.max(fit.finalState[s], 1e-300);
    for (let j = 0; j < q; j++) logSensitivity[s * q + j] /= x;
  }
  const logCovariance = congruence(logSensitivity, n, q, fit.covariance);
  const index = (s: string) => model.stateNames.indexOf(s);
  const variance = (i: number, j: number) => logCovariance[i * n + j];
  const banded = (value: number, logVariance: number): BandedEstimate => {
    const sdLog = Math.sqrt(Math.max(logVariance, 0));
    return {
      value,
      sd: value * sdLog,
      lower95: value * Math.exp(-z95 * sdLog),
      upper95: value * Math.exp(z95 * sdLog),
    };
  };
  const state = (s: string): BandedEstimate => banded(fit.finalState[index(s)], variance(index(s), index(s)));
  const ix = index(roles.main);
  const satellites = roles.satellites.map(index);
  const x = fit.finalState[ix];
  // The satellites together: log Y = log Σ y_i, so its variance is wᵀ C w with w_i = y_i / Y (one
  // satellite: w = 1, the same numbers as its own band).
  let y = 0;
  for (const i of satellites) y += fit.finalState[i];
  const weight = satellites.map((i) => fit.finalState[i] / y);
  let yy = 0;
  let xy = 0;
  satellites.forEach((i, a) => {
    xy += weight[a] * variance(ix, i);
    satellites.forEach((j, b) => {
      yy += weight[a] * weight[b] * variance(i, j);
    });
  });
  const fraction = y / (x + y);
  const logitSd = Math.sqrt(Math.max(variance(ix, ix) + yy - 2 * xy, 0));
  const logit = Math.log(y / x);
  const logistic = (v: number) => 1 / (1 + Math.exp(-v));
  return {
    X: state(roles.main),
    Y: banded(y, yy),
    ...(roles.satellites.length > 1 && Object.fromEntries(roles.satellites.map((s) => [s, state(s)]))),
    ...Object.fromEntries(roles.metabolites.map((m) => [m, state(m)])),
    satellite_fraction: {
      value: fraction,
      // d f / d logit f = f (1 − f)
      sd: fraction * (1 - fraction) * logitSd,
      lower95: logistic(logit - z95 * logitSd),
      upper95: logistic(logit + z95 * logitSd),
    },
  };
}
