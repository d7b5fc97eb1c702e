/** What the assimilator needs to know, set from the environment (server/service/service-settings.ts). */
import { type ChainOptions, type CompiledModel, defaultEstimatorSettings } from '../../assimilation';

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

/** What every reactor's estimator chain is built with. */
export function chainOptionsOf(model: CompiledModel, settings: AssimilatorSettings): ChainOptions {
  return {
    settings: {
      ...defaultEstimatorSettings,
      windowHours: settings.windowHours,
      stepHours: settings.stepHours,
    },
    initialParams: initialParameterValues(model, settings.initialParams),
    catchUpHours: settings.catchUpHours,
    trajectories: { stepHours: settings.trajectoryStepHours, forecastHours: settings.forecastHours },
    windowFiles: true,
  };
}

/** Cold-start values for every parameter: the far guess (the replay command's default), then overrides. */
function initialParameterValues(model: CompiledModel, overrides: Record<string, number>): Float64Array {
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
