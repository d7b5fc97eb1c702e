/** What the assimilator needs to know, set from the environment (server/service/service-settings.ts). */
import {
  type ChainOptions,
  type CompiledModel,
  defaultEstimatorSettings,
  priorMedians,
  settingsForModel,
} from '../../assimilation';

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
  /** The prior's centre by parameter name, over the model file's (its `prior.median`, else its value). */
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

/** What a reactor's estimator chain is built with, for its model (the built-in's: the defaults). */
export function chainOptionsOf(model: CompiledModel, settings: AssimilatorSettings): ChainOptions {
  return {
    settings: {
      ...settingsForModel(model),
      windowHours: settings.windowHours,
      stepHours: settings.stepHours,
    },
    initialParams: initialParameterValues(model, settings.initialParams),
    catchUpHours: settings.catchUpHours,
    trajectories: { stepHours: settings.trajectoryStepHours, forecastHours: settings.forecastHours },
    windowFiles: true,
  };
}

/** The prior's centre for every parameter: the model file's, then the settings' overrides. */
function initialParameterValues(model: CompiledModel, overrides: Record<string, number>): Float64Array {
  try {
    return priorMedians(model, overrides);
  } catch (e) {
    throw new Error(`initial parameters: ${(e as Error).message}`);
  }
}
