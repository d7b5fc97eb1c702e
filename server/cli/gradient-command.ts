import { createEngineWorkspace, describeFailure, lossAndGradient } from '../../assimilation';
import { numberOption, parseArguments, rejectUnknownOptions } from './arguments';
import { modelFromArguments, modelOptionName } from './model-option';
import { solverOptionNames, solverOptionsFrom } from './solver-options';
import { UsageError } from './usage-error';
import { readWindowFile } from './window-file';

/** `culturewatch gradient WINDOW.json [--rtol R] [--atol A] [--method M] [--repeat N]` */
export function gradientCommand(argv: string[]): unknown {
  const args = parseArguments(argv);
  rejectUnknownOptions(args, [...solverOptionNames, modelOptionName, 'repeat']);
  const options = solverOptionsFrom(args);
  const repeat = numberOption(args, 'repeat', 1, (v) => Number.isInteger(v) && v >= 1 && v <= 1e6);
  const model = modelFromArguments(args);
  const { problem } = readWindowFile(args.positional[0], model);
  const ws = createEngineWorkspace(model);

  const started = performance.now();
  const result = lossAndGradient(problem, ws, options);
  const seconds = (performance.now() - started) / 1000;
  if (!result.ok) throw new UsageError(`the window could not be solved: ${describeFailure(result.failure)}`);

  const output: Record<string, unknown> = {
    loss: result.loss,
    grad: {
      params: Object.fromEntries(model.parameterNames.map((name, i) => [name, result.gradParams[i]])),
      x0: Object.fromEntries(model.stateNames.map((name, i) => [name, result.gradX0[i]])),
    },
    method: result.stats.method,
    steps: result.stats.steps,
    rejected_steps: result.stats.rejectedSteps,
    rhs_evaluations: result.stats.rhsEvaluations,
    jacobian_evaluations: result.stats.jacobianEvaluations,
    seconds,
  };
  if (repeat > 1) {
    const times = new Float64Array(repeat);
    for (let i = 0; i < repeat; i++) {
      const t = performance.now();
      lossAndGradient(problem, ws, options);
      times[i] = (performance.now() - t) * 1000;
    }
    times.sort();
    output.repeat = repeat;
    output.median_us = times[Math.floor(repeat / 2)];
  }
  return output;
}
