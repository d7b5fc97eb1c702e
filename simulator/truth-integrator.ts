import {
  type CompiledModel,
  compileModel,
  createEngineWorkspace,
  defaultSolverOptions,
  describeFailure,
  type EngineWorkspace,
  type InputSeries,
  type SolverOptions,
  solveWindow,
} from '../assimilation';
import { builtInModel } from './model-files';

/** Tighter than the estimator's default, so the truth is well inside any fit's error. */
export const truthSolverOptions: SolverOptions = { ...defaultSolverOptions, rtol: 1e-9, atol: 1e-12 };

let compiledPlantModel: CompiledModel | undefined;

/** The chemostat-satellite model, compiled once per process. */
export function plantModel(): CompiledModel {
  compiledPlantModel ??= compileModel(builtInModel());
  return compiledPlantModel;
}

/** Integrates the plant's true states with the assimilation engine, holding parameters fixed. */
export class TruthIntegrator {
  private readonly workspace: EngineWorkspace;
  private readonly noObservations = new Float64Array(0);

  constructor(
    readonly model: CompiledModel = plantModel(),
    private readonly options: SolverOptions = truthSolverOptions,
  ) {
    this.workspace = createEngineWorkspace(model);
  }

  /** The state at tEnd, starting from x0 at t0; throws if the engine cannot finish (never returns NaN). */
  integrate(
    params: Float64Array,
    t0: number,
    x0: Float64Array,
    dilution: InputSeries,
    tEnd: number,
  ): Float64Array {
    if (!(tEnd > t0)) return x0.slice();
    const task = { params, t0, x0, inputs: [dilution], obsTime: this.noObservations, tEnd };
    const outcome = solveWindow(task, this.options, this.workspace);
    if (!outcome.ok) throw new Error(`plant truth: ${describeFailure(outcome.failure)}`);
    const { record } = outcome;
    const n = record.n;
    const x = record.nodeStates.slice(record.stepCount * n, (record.stepCount + 1) * n);
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(x[i])) throw new Error(`plant truth: non-finite state at t=${tEnd} h`);
      x[i] = Math.max(0, x[i]); // the solver allows tiny negative round-off; concentrations are not negative
    }
    return x;
  }
}
