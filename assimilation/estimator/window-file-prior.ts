import type { CompiledModel } from '../model/compile';
import { WindowFormatError, type WindowProblem } from '../problem/window-problem';
import { broadPrior } from './prior';
import type { GaussianPrior } from './types';
import type { UnknownLayout } from './unknowns';

/** Widths of the prior when a window file does not give one: broad, so the data speak. */
export const defaultFilePrior = { parameterSdLog: Math.log(10), stateSdLog: 1 };

/**
 * The optional `prior` block of a window file (an extension of shared/spec §2):
 * `{"prior": {"params": {"gB": {"mean": 3, "sd_log": 0.5}}, "x0": {"Y": {"mean": 1.1, "sd_log": 0.3}}}}`.
 * Unnamed unknowns get a broad prior around the file's own values. Independent (diagonal) in log space.
 */
export function windowFilePrior(
  raw: unknown,
  model: CompiledModel,
  problem: WindowProblem,
  layout: UnknownLayout,
): GaussianPrior {
  const prior = broadPrior(
    layout,
    problem.params,
    problem.x0,
    defaultFilePrior.parameterSdLog,
    defaultFilePrior.stateSdLog,
  );
  const block = (raw as { prior?: unknown }).prior;
  if (block === undefined) return prior;
  if (typeof block !== 'object' || block === null || Array.isArray(block))
    throw new WindowFormatError('prior', 'expected an object');
  const q = layout.size;
  const p = layout.freeParams.length;
  const setEntry = (index: number, field: string, entry: unknown): void => {
    if (typeof entry !== 'object' || entry === null)
      throw new WindowFormatError(field, 'expected {"mean": number, "sd_log": number}');
    const { mean, sd_log: sdLog } = entry as { mean?: unknown; sd_log?: unknown };
    if (typeof mean !== 'number' || !Number.isFinite(mean) || mean <= 0)
      throw new WindowFormatError(`${field}.mean`, 'expected a positive number');
    if (typeof sdLog !== 'number' || !Number.isFinite(sdLog) || sdLog <= 0)
      throw new WindowFormatError(`${field}.sd_log`, 'expected a positive number');
    prior.mean[index] = Math.log(mean);
    prior.covariance[index * q + index] = sdLog * sdLog;
  };
  const { params, x0 } = block as { params?: Record<string, unknown>; x0?: Record<string, unknown> };
  for (const [name, entry] of Object.entries(params ?? {})) {
    const j = Array.from(layout.freeParams).indexOf(model.parameterNames.indexOf(name));
    if (j < 0)
      throw new WindowFormatError(
        `prior.params.${name}`,
        'not a free parameter of this window (list it under "params")',
      );
    setEntry(j, `prior.params.${name}`, entry);
  }
  for (const [name, entry] of Object.entries(x0 ?? {})) {
    const s = model.stateNames.indexOf(name);
    if (s < 0) throw new WindowFormatError(`prior.x0.${name}`, 'unknown state');
    setEntry(p + s, `prior.x0.${name}`, entry);
  }
  return prior;
}
