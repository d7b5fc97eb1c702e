import type { PlantSample } from './plant-sample';
import { PlantSimulation, type PlantSimulationOptions, readingIntervalH } from './plant-simulation';
import { type AssayArrival, type PlantTruth, TruthRecorder } from './plant-truth';
import { applyScenario, type ScenarioName, type ScenarioSettings } from './scenarios';
import { plantModel } from './truth-integrator';

export interface PlantHistoryOptions extends Omit<PlantSimulationOptions, 'onTruth'> {
  scenario: ScenarioName;
  days: number;
  scenarioSettings?: Partial<ScenarioSettings>;
}

export interface PlantHistory {
  /** In arrival order: late assays appear where they arrive, carrying `availableAtH`. */
  samples: PlantSample[];
  truth: PlantTruth;
}

/**
 * A finite plant history with its truth: the live simulation, run for `days` from t = 0. Readings at
 * 0 and at the last hour are both included; assays still in the lab at the end are not.
 */
export function generatePlantHistory(options: PlantHistoryOptions): PlantHistory {
  const { scenario, days, scenarioSettings, ...simOptions } = options;
  if (!(days > 0) || !Number.isFinite(days)) throw new RangeError(`days must be > 0, got ${days}`);
  const model = options.model ?? plantModel();
  const recorder = new TruthRecorder(model.stateNames, model.parameterNames);
  const sim = new PlantSimulation({ ...simOptions, onTruth: (row) => recorder.record(row) });
  applyScenario(sim, scenario, days * 24, options.seed, scenarioSettings);
  const samples = sim.advance(days * 24);
  const assayArrivals: AssayArrival[] = samples
    .filter((s) => s.availableAtH !== undefined)
    .map((s) => ({ timeH: s.timeH, signal: s.signal, availableAtH: s.availableAtH! }));
  return {
    samples,
    truth: {
      model: model.definition.name,
      scenario,
      seed: options.seed,
      days,
      readingIntervalH,
      stateNames: model.stateNames,
      parameterNames: model.parameterNames,
      timeH: recorder.timeH,
      dilutionPerHour: recorder.dilutionPerHour,
      states: recorder.states,
      params: recorder.params,
      satelliteFraction: recorder.satelliteFraction,
      events: [...sim.events],
      assayArrivals,
    },
  };
}
