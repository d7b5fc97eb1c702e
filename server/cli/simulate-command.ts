import { createEngineWorkspace, describeFailure, solveWindow } from '../../assimilation';
import { parseArguments, rejectUnknownOptions } from './arguments';
import { modelFromArguments, modelOptionName } from './model-option';
import { solverOptionNames, solverOptionsFrom } from './solver-options';
import { UsageError } from './usage-error';
import { readWindowFile } from './window-file';

/** `culturewatch simulate WINDOW.json`: states and every signal at the observation times. */
export function simulateCommand(argv: string[]): unknown {
  const args = parseArguments(argv);
  rejectUnknownOptions(args, [...solverOptionNames, modelOptionName]);
  const options = solverOptionsFrom(args);
  const model = modelFromArguments(args);
  const { problem } = readWindowFile(args.positional[0], model);
  const ws = createEngineWorkspace(model);
  const solved = solveWindow(problem, options, ws);
  if (!solved.ok) throw new UsageError(`the window could not be solved: ${describeFailure(solved.failure)}`);
  const { record } = solved;
  const n = model.stateNames.length;
  const nodes: number[] = [];
  const times: number[] = [];
  for (let i = 0; i < problem.obsTime.length; i++) {
    if (i > 0 && problem.obsTime[i] === problem.obsTime[i - 1]) continue;
    times.push(problem.obsTime[i]);
    nodes.push(record.obsNode[i]);
  }
  const stateAt = (node: number) => record.nodeStates.slice(node * n, node * n + n);
  const states = nodes.map(stateAt);
  return {
    t: times,
    states: Object.fromEntries(model.stateNames.map((s, j) => [s, states.map((x) => x[j])])),
    signals: Object.fromEntries(
      model.signalNames.map((s, j) => [s, states.map((x) => model.measure[j](x, problem.params))]),
    ),
    method: record.method,
    steps: record.stepCount,
  };
}
