import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ModelDefinition,
  ModelFileError,
  parseModelFile,
  parseWeightsFile,
  WeightsFileError,
  withTrainedNetwork,
} from '../assimilation';

/**
 * Model files (models/) read from disk: the one place the edges (simulator, service, command line,
 * benchmarks, tests) turn a file into a checked definition. The engine itself takes definitions.
 */
export const builtInModelPath = fileURLToPath(new URL('../models/chemostat-satellite.yaml', import.meta.url));

/** A model file that cannot be read or is refused; the message starts with its path. */
export class ModelFileReadError extends Error {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`${path}: ${detail}`);
    this.name = 'ModelFileReadError';
  }
}

/**
 * A model file read and checked. A neural term's weights file (named in the model, beside it) is
 * read and attached; `untrained` reads the model without it (for training it the first time).
 */
export function readModelFile(path: string, options: { untrained?: boolean } = {}): ModelDefinition {
  let def: ModelDefinition;
  try {
    def = parseModelFile(readText(path));
  } catch (e) {
    if (e instanceof ModelFileError) throw new ModelFileReadError(path, e.message);
    throw e;
  }
  const weightsFile = def.neural?.weightsFile;
  if (!weightsFile || options.untrained) return def;
  const weightsPath = weightsPathOf(path, def);
  try {
    return withTrainedNetwork(def, parseWeightsFile(readText(weightsPath), def));
  } catch (e) {
    if (e instanceof WeightsFileError) throw new ModelFileReadError(weightsPath, e.message);
    throw e;
  }
}

/** Where a model's weights file is: beside the model file. */
export function weightsPathOf(modelPath: string, def: ModelDefinition): string {
  if (!def.neural?.weightsFile)
    throw new ModelFileReadError(modelPath, 'the model names no weights file (neural.weights)');
  return join(dirname(modelPath), def.neural.weightsFile);
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new ModelFileReadError(path, `cannot read (${code})`);
  }
}

let builtIn: ModelDefinition | undefined;

/** The built-in chemostat-satellite model (shared/spec/culture-model.md §1), read once per process. */
export function builtInModel(): ModelDefinition {
  builtIn ??= readModelFile(builtInModelPath);
  return builtIn;
}
