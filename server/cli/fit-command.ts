import {
  defaultEstimatorSettings,
  estimateReportFields,
  fitWindowFile,
  WindowFormatError,
} from '../../assimilation';
import { numberOption, parseArguments, rejectUnknownOptions } from './arguments';
import { residualLossOption } from './estimator-options';
import { modelFromArguments, modelOptionName } from './model-option';
import { solverOptionNames, solverOptionsFrom } from './solver-options';
import { UsageError } from './usage-error';
import { readWindowFile } from './window-file';

/**
 * `culturewatch fit WINDOW.json [--loss huber:3] [--max-iterations N]`: a MAP fit of one window from
 * the file's parameter values (and its optional `prior` block), printed with bands, identifiability
 * and composition at the last observation.
 */
export function fitCommand(argv: string[]): unknown {
  const args = parseArguments(argv);
  rejectUnknownOptions(args, [...solverOptionNames, modelOptionName, 'loss', 'max-iterations']);
  const model = modelFromArguments(args);
  const { raw, problem } = readWindowFile(args.positional[0], model);
  const solver = solverOptionsFrom(args);
  const settings = {
    ...defaultEstimatorSettings,
    solver,
    loss: residualLossOption(args, { kind: 'quadratic' }),
    maxIterations: numberOption(
      args,
      'max-iterations',
      defaultEstimatorSettings.coldMaxIterations,
      (v) => Number.isInteger(v) && v > 0,
    ),
  };
  const started = performance.now();
  let result: ReturnType<typeof fitWindowFile>;
  try {
    result = fitWindowFile(model, raw, problem, settings);
  } catch (e) {
    if (e instanceof WindowFormatError) throw new UsageError(`${args.positional[0]}: ${e.message}`);
    throw e;
  }
  const ms = performance.now() - started;
  if (!result.ok) {
    return {
      status: 'failed',
      reason: result.reason,
      detail: result.detail,
      iterations: result.iterations,
      ms,
    };
  }
  const { fit, estimate, windowEndH } = result;
  return {
    status: 'ok',
    loss: fit.loss,
    objective: fit.objective,
    iterations: fit.iterations,
    ms,
    window_start_h: problem.t0,
    window_end_h: windowEndH,
    x0: Object.fromEntries(model.stateNames.map((s, i) => [s, fit.problem.x0[i]])),
    ...estimateReportFields(estimate),
  };
}
