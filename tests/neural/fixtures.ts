import { fileURLToPath } from 'node:url';
import {
  type CompiledModel,
  compileModel,
  initialNetworkWeights,
  type ModelDefinition,
} from '../../assimilation';
import { readModelFile } from '../../simulator/model-files';

export const hybridModelPath = fileURLToPath(
  new URL('../../models/chemostat-satellite-hybrid.yaml', import.meta.url),
);
export const inhibitedPlantPath = fileURLToPath(
  new URL('../../models/chemostat-satellite-inhibited.yaml', import.meta.url),
);

/** The example hybrid with weights that are not the untrained ones (every output nonzero). */
export function hybridWithWeights(seed = 3): ModelDefinition {
  const def = readModelFile(hybridModelPath, { untrained: true });
  const weights = initialNetworkWeights(def.neural!, seed);
  for (let i = 0; i < weights.length; i++) weights[i] += 0.3 * Math.sin(1.7 * i + seed);
  return { ...def, neural: { ...def.neural!, weights } };
}

export function inhibitedPlant(): CompiledModel {
  return compileModel(readModelFile(inhibitedPlantPath));
}
