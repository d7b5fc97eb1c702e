/**
 * The model each reactor runs: a model file an operator chose (db `reactor_models`, the file in
 * `models` by version, a neural term's trained weights beside it), else the built-in one. A version
 * is the first 16 hex digits of the SHA-256 of the file's text (and the weights file's, for a
 * hybrid): the same text is the same model, and a fit names the exact one it came from.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  type CompiledModel,
  compileModel,
  compositionRoles,
  type ModelDefinition,
  ModelFileError,
  type NetworkWeightsFile,
  parseModelFile,
  parseWeightsFile,
  WeightsFileError,
  withTrainedNetwork,
} from '../../assimilation';
import type { ModelRow, ModelStatements } from '../../db/model-statements';
import { builtInModelPath } from '../../simulator/model-files';

export function modelVersionOf(fileText: string, weightsText: string | null = null): string {
  const hash = createHash('sha256').update(fileText);
  // A mechanistic model's version is its file's alone, as before weights were stored.
  if (weightsText !== null) hash.update('\0').update(weightsText);
  return hash.digest('hex').slice(0, 16);
}

/** The built-in model file (models/chemostat-satellite.yaml) as a stored model. */
export function builtInModelRow(nowMs: number): ModelRow {
  const fileText = readFileSync(builtInModelPath, 'utf8');
  return {
    version: modelVersionOf(fileText),
    name: parseModelFile(fileText).name,
    fileText,
    weightsText: null,
    addedAtMs: nowMs,
  };
}

/** A model file checked for the estimator, with its trained network when it has a neural term. */
export interface ReadReactorModel {
  /** With the weights attached: what the estimator compiles. */
  definition: ModelDefinition;
  /** The weights file read, for a hybrid; null otherwise. */
  weights: NetworkWeightsFile | null;
}

/**
 * A model file's text checked for the estimator: parsed (errors name the line), compiled, with a
 * main organism and satellites for the composition, and od and substrate among its signals. A model
 * with a neural term needs its trained weights file's text (`culturewatch neural train` writes it),
 * checked to be this network (inputs, widths, activation, outputs, every number finite); a model
 * without one takes none. The error says why not.
 */
export function readReactorModelFile(
  fileText: string,
  weightsText: string | null = null,
): ReadReactorModel | { error: string } {
  let definition: ModelDefinition;
  try {
    definition = parseModelFile(fileText);
    compileModel(definition);
  } catch (e) {
    if (e instanceof ModelFileError) return { error: e.message };
    return { error: `the model does not compile: ${(e as Error).message}` };
  }
  if (!compositionRoles(definition))
    return {
      error: `model ${definition.name}: the estimator needs a substrate, a main organism and satellites (states S, X, Y… or a community: section)`,
    };
  for (const signal of ['od', 'substrate'])
    if (!(signal in definition.signals))
      return { error: `model ${definition.name}: no ${signal} signal to fit` };
  if (!definition.neural) {
    if (weightsText !== null)
      return { error: `model ${definition.name}: weights were given, but the model has no neural term` };
    return { definition, weights: null };
  }
  if (weightsText === null)
    return {
      error: `model ${definition.name}: its neural term needs its trained weights (weightsText: the file culturewatch neural train writes, ${definition.neural.weightsFile ?? 'named under neural.weights'})`,
    };
  let weights: NetworkWeightsFile;
  try {
    weights = parseWeightsFile(weightsText, definition);
  } catch (e) {
    if (e instanceof WeightsFileError)
      return { error: `model ${definition.name}: the weights file does not fit its network: ${e.message}` };
    throw e;
  }
  return { definition: withTrainedNetwork(definition, weights), weights };
}

export interface ReactorModel {
  version: string;
  name: string;
  model: CompiledModel;
  /** A hybrid's network as trained (its weights file); null for a mechanistic model. */
  weights: NetworkWeightsFile | null;
}

/** Compiles each stored model once; answers which model a reactor runs. */
export class ReactorModels {
  private readonly compiled = new Map<string, ReactorModel>();
  readonly builtIn: ReactorModel;

  constructor(
    private readonly statements: ModelStatements,
    nowMs: number,
  ) {
    const row = builtInModelRow(nowMs);
    statements.addModel(row);
    this.builtIn = {
      version: row.version,
      name: row.name,
      model: compileModel(parseModelFile(row.fileText)),
      weights: null,
    };
    this.compiled.set(row.version, this.builtIn);
  }

  /** The reactor's chosen model, or the built-in when none was chosen (or its file no longer reads). */
  of(reactorId: string, warn: (msg: string, data: Record<string, unknown>) => void): ReactorModel {
    const choice = this.statements.reactorModel(reactorId);
    if (!choice) return this.builtIn;
    const known = this.compiled.get(choice.modelVersion);
    if (known) return known;
    const row = this.statements.model(choice.modelVersion);
    const read = row
      ? readReactorModelFile(row.fileText, row.weightsText)
      : { error: 'no such stored model' };
    if ('error' in read) {
      warn("the reactor's model cannot be used; running the built-in model", {
        reactorId,
        modelVersion: choice.modelVersion,
        error: read.error,
      });
      return this.builtIn;
    }
    const model: ReactorModel = {
      version: choice.modelVersion,
      name: read.definition.name,
      model: compileModel(read.definition),
      weights: read.weights,
    };
    this.compiled.set(model.version, model);
    return model;
  }
}
