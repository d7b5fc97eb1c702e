import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type ModelDefinition, ModelFileError, parseModelFile } from '../assimilation';

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

export function readModelFile(path: string): ModelDefinition {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ModelFileReadError(
      path,
      `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  try {
    return parseModelFile(text);
  } catch (e) {
    if (e instanceof ModelFileError) throw new ModelFileReadError(path, e.message);
    throw e;
  }
}

let builtIn: ModelDefinition | undefined;

/** The built-in chemostat-satellite model (shared/spec/culture-model.md §1), read once per process. */
export function builtInModel(): ModelDefinition {
  builtIn ??= readModelFile(builtInModelPath);
  return builtIn;
}
