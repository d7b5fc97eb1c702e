/**
 * The model each reactor runs: a model file an operator chose (db `reactor_models`, the file in
 * `models` by version), else the built-in one. A version is the first 16 hex digits of the SHA-256 of
 * the file's text: the same text is the same model, and a fit names the exact one it came from.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  type CompiledModel,
  compileModel,
  compositionRoles,
  type ModelDefinition,
  ModelFileError,
  parseModelFile,
} from '../../assimilation';
import type { ModelRow, ModelStatements } from '../../db/model-statements';
import { builtInModelPath } from '../../simulator/model-files';

export function modelVersionOf(fileText: string): string {
  return createHash('sha256').update(fileText).digest('hex').slice(0, 16);
}

/** The built-in model file (models/chemostat-satellite.yaml) as a stored model. */
export function builtInModelRow(nowMs: number): ModelRow {
  const fileText = readFileSync(builtInModelPath, 'utf8');
  return {
    version: modelVersionOf(fileText),
    name: parseModelFile(fileText).name,
    fileText,
    addedAtMs: nowMs,
  };
}

/**
 * A model file's text checked for the estimator: parsed (errors name the line), compiled, with a
 * main organism and satellites for the composition, od and substrate among its signals, and no
 * neural term (its weights are a second file the service does not store). The error says why not.
 */
export function readReactorModelFile(fileText: string): { definition: ModelDefinition } | { error: string } {
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
  if (definition.neural)
    return {
      error: `model ${definition.name}: a model with a neural term cannot be chosen here (its weights are a separate file)`,
    };
  return { definition };
}

export interface ReactorModel {
  version: string;
  name: string;
  model: CompiledModel;
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
    const read = row ? readReactorModelFile(row.fileText) : { error: 'no such stored model' };
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
    };
    this.compiled.set(model.version, model);
    return model;
  }
}
