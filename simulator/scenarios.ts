import type { PlantSimulation } from './plant-simulation';
import { readingIntervalH } from './plant-simulation';
import { createPurposeStream } from './seeded-random';

export const scenarioNames = ['steady', 'satellite-shift', 'parameter-drift', 'sensor-faults'] as const;
export type ScenarioName = (typeof scenarioNames)[number];

export function isScenarioName(name: string): name is ScenarioName {
  return (scenarioNames as readonly string[]).includes(name);
}

export interface ScenarioSettings {
  /** satellite-shift: when gB starts to fall (hours). Default day 7. */
  shiftOnsetH: number;
  /** satellite-shift: gB's final factor and how long the fall takes. */
  shiftFactor: number;
  shiftDurationH: number;
  /** parameter-drift: which parameter, by what factor, from when, over how long. */
  driftParameter: string;
  driftFactor: number;
  driftStartH: number;
  driftDurationH: number;
}

export const defaultScenarioSettings: ScenarioSettings = {
  shiftOnsetH: 7 * 24,
  shiftFactor: 0.5,
  shiftDurationH: 24,
  driftParameter: 'vB',
  driftFactor: 1.5,
  driftStartH: 2 * 24,
  driftDurationH: 7 * 24,
};

/**
 * Lays a scenario's planned changes onto a fresh simulation. `horizonH` is the history's length; only
 * `sensor-faults` needs it, to spread its faults over the history.
 */
export function applyScenario(
  sim: PlantSimulation,
  scenario: ScenarioName,
  horizonH: number,
  seed: number,
  settings: Partial<ScenarioSettings> = {},
): void {
  const s = { ...defaultScenarioSettings, ...settings };
  switch (scenario) {
    case 'steady':
      return;
    case 'satellite-shift':
      sim.startSatelliteShift({ factor: s.shiftFactor, durationH: s.shiftDurationH, startH: s.shiftOnsetH });
      return;
    case 'parameter-drift':
      sim.rampParameter(s.driftParameter, s.driftFactor, s.driftDurationH, s.driftStartH);
      return;
    case 'sensor-faults':
      scheduleSensorFaults(sim, horizonH, seed);
      return;
  }
}

/**
 * Faults at places a test can find: a 3 h gap at a quarter of the history, a 6 h stuck substrate
 * sensor at 40 %, a 1.5 h gap at 70 %, and two single-reading od spikes a day at random readings.
 */
function scheduleSensorFaults(sim: PlantSimulation, horizonH: number, seed: number): void {
  const onGrid = (h: number): number => Math.round(h / readingIntervalH) * readingIntervalH;
  sim.scheduleFault('gap', onGrid(0.25 * horizonH), 3);
  sim.scheduleFault('stuck-substrate', onGrid(0.4 * horizonH), 6);
  sim.scheduleFault('gap', onGrid(0.7 * horizonH), 1.5);
  const rng = createPurposeStream(seed, 'fault-schedule');
  const spikes = Math.max(1, Math.round((2 * horizonH) / 24));
  for (let i = 0; i < spikes; i++) sim.scheduleFault('spike', onGrid(rng.between(0, horizonH)), 0);
}
