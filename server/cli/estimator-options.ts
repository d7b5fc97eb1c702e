import {
  type CompiledModel,
  defaultEstimatorSettings,
  type EstimatorSettings,
  priorMedians,
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
 * The prior's centre for every parameter (where the chain starts, and what it keeps where the data
 * say nothing): the model file's, overridden by a JSON object of name → positive value from --init.
 */
export function initialParamsFrom(args: ParsedArguments, model: CompiledModel): Float64Array {
  const path = stringOption(args, 'init');
  if (path === undefined) return priorMedians(model);
  const raw = readJsonFile(path, '--init PARAMS.json');
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new UsageError(`${path}: expected an object of parameter values`);
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value !== 'number') throw new UsageError(`${path}: ${name}: expected a positive number`);
  }
  try {
    return priorMedians(model, raw as Record<string, number>);
  } catch (e) {
    throw new UsageError(`${path}: ${(e as Error).message}`);
  }
}
