import { fitWindow } from '../../assimilation/estimator/fit-window';
import { defaultEstimatorSettings } from '../../assimilation/estimator/sliding-window-estimator';
import { unknownLayout } from '../../assimilation/estimator/unknowns';
import { describeWindowEstimate } from '../../assimilation/estimator/window-estimate';
import { windowFilePrior } from '../../assimilation/estimator/window-file-prior';
import { estimateReportFields } from '../../assimilation/estimator/window-fit-report';
import { WindowFormatError } from '../../assimilation/problem/window-problem';
import { createEngineWorkspace } from '../../assimilation/window-engine';
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
  const freeNames = model.parameterNames.filter((_, i) => problem.freeParams[i]);
  const layout = unknownLayout(model, freeNames);
  let prior: ReturnType<typeof windowFilePrior>;
  try {
    prior = windowFilePrior(raw, model, problem, layout);
  } catch (e) {
    if (e instanceof WindowFormatError) throw new UsageError(`${args.positional[0]}: ${e.message}`);
    throw e;
  }
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
  const windowEnd = problem.obsTime.length ? problem.obsTime[problem.obsTime.length - 1] : problem.t0;
  const started = performance.now();
  const fit = fitWindow(
    problem,
    layout,
    prior,
    prior.mean,
    windowEnd,
    settings,
    createEngineWorkspace(model),
  );
  const ms = performance.now() - started;
  if (!fit.ok) {
    return { status: 'failed', reason: fit.reason, detail: fit.detail, iterations: fit.iterations, ms };
  }
  const estimate = describeWindowEstimate(model, layout, fit, settings);
  return {
    status: 'ok',
    loss: fit.loss,
    objective: fit.objective,
    iterations: fit.iterations,
    ms,
    window_start_h: problem.t0,
    window_end_h: windowEnd,
    x0: Object.fromEntries(model.stateNames.map((s, i) => [s, fit.problem.x0[i]])),
    ...estimateReportFields(estimate),
  };
}
