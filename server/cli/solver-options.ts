import { defaultSolverOptions, type SolverOptions } from '../../assimilation';
import { numberOption, type ParsedArguments, stringOption } from './arguments';
import { UsageError } from './usage-error';

export const solverOptionNames = ['rtol', 'atol', 'method'] as const;

/** --rtol, --atol and --method, validated. */
export function solverOptionsFrom(args: ParsedArguments): SolverOptions {
  const rtol = numberOption(args, 'rtol', defaultSolverOptions.rtol, (v) => v > 0 && v < 1);
  const atol = numberOption(args, 'atol', Math.min(defaultSolverOptions.atol, rtol * 1e-2), (v) => v > 0);
  const method = stringOption(args, 'method') ?? defaultSolverOptions.method;
  if (method !== 'auto' && method !== 'dopri5' && method !== 'rodas4') {
    throw new UsageError(`--method: expected auto, dopri5 or rodas4, got ${JSON.stringify(method)}`);
  }
  return { ...defaultSolverOptions, rtol, atol, method };
}
