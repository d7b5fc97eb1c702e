import type { CompiledModel } from '../model/compile';
import type { WindowProblem } from '../problem/window-problem';
import { createEngineWorkspace } from '../window-engine';
import { fitWindow } from './fit-window';
import type { EstimatorSettings, FitFailure, WindowEstimate, WindowOptimum } from './types';
import { unknownLayout } from './unknowns';
import { describeWindowEstimate } from './window-estimate';
import { windowFilePrior } from './window-file-prior';

/**
 * A MAP fit of one window file on its own: the parameters it lists under `params` free, from the
 * file's values and its optional `prior` block (a WindowFormatError when that block is malformed),
 * with bands, identifiability and composition at the window's last observation.
 */
export function fitWindowFile(
  model: CompiledModel,
  raw: unknown,
  problem: WindowProblem,
  settings: EstimatorSettings,
): ({ ok: true; fit: WindowOptimum; estimate: WindowEstimate } | ({ ok: false } & FitFailure)) & {
  windowEndH: number;
} {
  const freeNames = model.parameterNames.filter((_, i) => problem.freeParams[i]);
  const layout = unknownLayout(model, freeNames);
  const prior = windowFilePrior(raw, model, problem, layout);
  const windowEndH = problem.obsTime.length ? problem.obsTime[problem.obsTime.length - 1] : problem.t0;
  const fit = fitWindow(
    problem,
    layout,
    prior,
    prior.mean,
    windowEndH,
    settings,
    createEngineWorkspace(model),
  );
  if (!fit.ok) return { ...fit, windowEndH };
  return { ok: true, fit, estimate: describeWindowEstimate(model, layout, fit, settings), windowEndH };
}
