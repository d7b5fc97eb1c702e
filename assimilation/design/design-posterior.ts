import { congruence } from '../estimator/dense-matrix';
import { driftVariancePerHour, parameterPriorSdLog } from '../estimator/prior';
import type { EstimatorSettings, WindowOptimum } from '../estimator/types';
import { unknownLayout } from '../estimator/unknowns';
import type { CompiledModel } from '../model/compile';
import type { InputSeries } from '../problem/window-problem';
import type { DesignAgeing, DesignPosterior } from './design-types';

/** The model input the programs set. */
export const dilutionInput = 'D';

/**
 * A window optimum's belief moved to the window's end: the free parameters as fitted, the state at
 * the end, and their covariance (the start state's covariance carried by the fit's own sensitivities).
 */
export function posteriorAtWindowEnd(
  model: CompiledModel,
  freeParams: readonly string[],
  fit: WindowOptimum,
  windowEndH: number,
): DesignPosterior {
  const layout = unknownLayout(model, freeParams);
  const q = layout.size;
  const p = layout.freeParams.length;
  const n = layout.stateCount;
  // T maps (log p, log x(t0)) to (log p, log x(end)).
  const transform = new Float64Array(q * q);
  for (let i = 0; i < p; i++) transform[i * q + i] = 1;
  for (let s = 0; s < n; s++) {
    const x = Math.max(fit.finalState[s], 1e-12);
    for (let j = 0; j < q; j++) transform[(p + s) * q + j] = fit.finalSensitivity[s * q + j] / x;
  }
  const covariance = congruence(transform, q, q, fit.covariance);
  const mean = [
    ...Array.from(fit.u.subarray(0, p)),
    ...Array.from(fit.finalState, (x) => Math.log(Math.max(x, 1e-12))),
  ];
  const input = model.measuredInputNames.indexOf(dilutionInput);
  if (input < 0) throw new Error(`model ${model.definition.name} has no input ${dilutionInput}`);
  return {
    model: model.definition.name,
    atH: windowEndH,
    freeParams: [...freeParams],
    params: Array.from(fit.problem.params),
    mean,
    covariance: Array.from(covariance),
    dilutionPerHour: valueAt(fit.problem.inputs[input], windowEndH),
  };
}

/**
 * How the estimator chain with these settings ages a belief, per hour: its drift rates, and with
 * `revertToPrior` the fixed prior centred on `initialParams` (all parameters, model order) that the
 * parameters revert to.
 */
export function chainAgeing(
  model: CompiledModel,
  settings: EstimatorSettings,
  initialParams: Float64Array,
): DesignAgeing {
  const layout = unknownLayout(model, settings.freeParams);
  const sdLog = parameterPriorSdLog(model, layout, settings.coldParameterSdLog);
  return {
    driftVariance: Array.from(driftVariancePerHour(layout, model.parameterNames, settings.drift)),
    revertTo: settings.drift.revertToPrior
      ? {
          mean: Array.from(layout.freeParams, (i) => Math.log(initialParams[i])),
          variance: Array.from(sdLog, (sd) => sd * sd),
        }
      : null,
    refit: settings.longHorizon
      ? {
          spanH: settings.longHorizon.horizonHours,
          minimumH: settings.longHorizon.minimumHours,
          ageH: settings.longHorizon.ageHours,
          driftSpanFraction: settings.longHorizon.driftSpanFraction,
          parameterVariance: Array.from(sdLog, (sd) => sd * sd),
          stateSdLog: settings.coldStateSdLog,
        }
      : null,
  };
}

/** An input series' value at t (linear between samples, held beyond them). */
export function valueAt(series: InputSeries, t: number): number {
  const { t: times, v } = series;
  if (times.length === 0) return Number.NaN;
  if (t <= times[0]) return v[0];
  for (let i = 1; i < times.length; i++) {
    if (t <= times[i]) return v[i - 1] + ((v[i] - v[i - 1]) * (t - times[i - 1])) / (times[i] - times[i - 1]);
  }
  return v[v.length - 1];
}
