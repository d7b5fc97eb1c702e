import {
  type CompiledModel,
  defaultEstimatorSettings,
  type EstimatorSettings,
  type ResidualLoss,
} from '../../assimilation';
import { durationHoursOption, type ParsedArguments, stringOption } from './arguments';
import { UsageError } from './usage-error';
import { readJsonFile } from './window-file';

export const estimatorOptionNames = ['window', 'step', 'init', 'loss'] as const;

/** --loss quadratic | huber[:δ] | student-t[:ν] */
export function residualLossOption(args: ParsedArguments, fallback: ResidualLoss): ResidualLoss {
  const raw = stringOption(args, 'loss');
  if (raw === undefined) return fallback;
  const [kind, parameter] = raw.split(':');
  const value = parameter === undefined ? undefined : Number(parameter);
  if (value !== undefined && !(value > 0))
    throw new UsageError(`--loss: invalid parameter in ${JSON.stringify(raw)}`);
  if (kind === 'quadratic') return { kind };
  if (kind === 'huber') return { kind, delta: value ?? 3 };
  if (kind === 'student-t') return { kind, nu: value ?? 4 };
  throw new UsageError(
    `--loss: expected quadratic, huber[:delta] or student-t[:nu], got ${JSON.stringify(raw)}`,
  );
}

export function estimatorSettingsFrom(args: ParsedArguments): EstimatorSettings {
  const windowHours = durationHoursOption(args, 'window', defaultEstimatorSettings.windowHours);
  const stepHours = durationHoursOption(args, 'step', defaultEstimatorSettings.stepHours);
  if (stepHours > windowHours) throw new UsageError('--step must not be longer than --window');
  return {
    ...defaultEstimatorSettings,
    windowHours,
    stepHours,
    loss: residualLossOption(args, defaultEstimatorSettings.loss),
  };
}

/**
 * Starting parameter values: the model's far-off default guess (shared/spec §1), overridden by a
 * JSON object of name → positive value from --init.
 */
export function initialParamsFrom(args: ParsedArguments, model: CompiledModel): Float64Array {
  const values = Float64Array.from(model.definition.parameters, (q) => q.farGuess ?? q.plantValue);
  const path = stringOption(args, 'init');
  if (path === undefined) return values;
  const raw = readJsonFile(path, '--init PARAMS.json');
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new UsageError(`${path}: expected an object of parameter values`);
  for (const [name, value] of Object.entries(raw)) {
    const i = model.parameterNames.indexOf(name);
    if (i < 0) throw new UsageError(`${path}: ${name}: unknown parameter`);
    if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value))
      throw new UsageError(`${path}: ${name}: expected a positive number`);
    values[i] = value;
  }
  return values;
}
