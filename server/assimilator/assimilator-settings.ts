/** What the assimilator needs to know, set from the environment (server/service/service-settings.ts). */
import {
  defaultEstimatorSettings,
  type EstimatorSettings,
} from '../../assimilation/estimator/sliding-window-estimator';
import type { CompiledModel } from '../../assimilation/model/compile';

export interface AssimilatorSettings {
  /** Fitting window and step, plant hours. */
  windowHours: number;
  stepHours: number;
  /** How far past the window end the forecast runs, plant hours. */
  forecastHours: number;
  /** Spacing of the stored trajectory and forecast, plant hours. */
  trajectoryStepHours: number;
  /** A reactor's first window starts at most this many plant hours before its newest reading. */
  catchUpHours: number;
  /** Cold-start parameter values by name, over the model's far guess (shared/spec §1). */
  initialParams: Record<string, number>;
  /** Wall ms a shutdown waits for the running fit before abandoning it. */
  stopTimeoutMs: number;
}

export const defaultAssimilatorSettings: AssimilatorSettings = {
  windowHours: defaultEstimatorSettings.windowHours,
  stepHours: defaultEstimatorSettings.stepHours,
  forecastHours: 6,
  trajectoryStepHours: 0.25,
  catchUpHours: 72,
  initialParams: {},
  stopTimeoutMs: 5000,
};

export function estimatorSettingsOf(settings: AssimilatorSettings): EstimatorSettings {
  return { ...defaultEstimatorSettings, windowHours: settings.windowHours, stepHours: settings.stepHours };
}

/** Identifies the settings a stored chain was built with; a chain from other settings starts afresh. */
export function chainSettingsKey(model: CompiledModel, estimator: EstimatorSettings): string {
  return JSON.stringify({
    model: model.definition.name,
    freeParams: estimator.freeParams,
    windowHours: estimator.windowHours,
    stepHours: estimator.stepHours,
  });
}

/** Cold-start values for every parameter: the far guess (the replay command's default), then overrides. */
export function initialParameterValues(
  model: CompiledModel,
  overrides: Record<string, number>,
): Float64Array {
  const values = Float64Array.from(model.definition.parameters, (q) => q.farGuess ?? q.plantValue);
  for (const [name, value] of Object.entries(overrides)) {
    const i = model.parameterNames.indexOf(name);
    if (i < 0) throw new Error(`initial parameters: unknown parameter "${name}"`);
    if (!(value > 0) || !Number.isFinite(value))
      throw new Error(`initial parameters: ${name} must be a positive number`);
    values[i] = value;
  }
  return values;
}
