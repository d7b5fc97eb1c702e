import type { PlantSample } from './plant-sample';
import type { PlantSimulation } from './plant-simulation';

/**
 * An unbounded stream of a live simulation's readings, simulated a chunk at a time as the consumer
 * pulls (the live publisher reads lazily), so a demo can run for as long as it is left running and
 * steering calls on `sim` take effect from the next chunk.
 */
export function* endlessPlantSamples(sim: PlantSimulation, chunkHours = 1): Generator<PlantSample> {
  for (;;) yield* sim.advance(chunkHours);
}
