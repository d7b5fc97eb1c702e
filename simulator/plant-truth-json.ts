import type { PlantTruth } from './plant-truth';

/**
 * The truth file's JSON (snake_case, like the rest of our files). Every column is indexed like
 * `time_h`; `params[name][i]` holds on [time_h[i], time_h[i] + reading_interval_h).
 */
export function plantTruthToJson(truth: PlantTruth): Record<string, unknown> {
  return {
    model: truth.model,
    scenario: truth.scenario,
    seed: truth.seed,
    days: truth.days,
    reading_interval_h: truth.readingIntervalH,
    time_h: truth.timeH,
    D: truth.dilutionPerHour,
    states: truth.states,
    satellite_fraction: truth.satelliteFraction,
    params: truth.params,
    events: truth.events.map((e) => snakeCaseKeys(e)),
    assay_arrivals: truth.assayArrivals.map((a) => ({
      time_h: a.timeH,
      signal: a.signal,
      available_h: a.availableAtH,
    })),
  };
}

function snakeCaseKeys(record: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(record).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]),
  );
}
