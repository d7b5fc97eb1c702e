import type { ModelDefinition, NeuralTermDefinition } from '../model/definition';
import { networkShape } from './network-shape';

/**
 * A trained network's weights file, kept beside its model file (the model's `neural.weights` names
 * it). JSON of float64 numbers: JavaScript writes every double as the shortest text that reads back
 * to the same bits, so a network round-trips exactly, and a reviewer can read and diff it. tfjs's
 * layers-model format was not taken: its weights are float32 binaries (the fitted model would not be
 * the one saved) and loading it needs tfjs at run time, which the engine does not otherwise use.
 */
export interface NetworkWeightsFile {
  format: typeof weightsFormat;
  model: string;
  network: { inputs: string[]; hidden: number[]; activation: string; outputs: string[] };
  /** Per layer: W as rows (out × in) and b. */
  layers: { weights: number[][]; bias: number[] }[];
  /** The mechanistic parameters fitted together with the network, natural units. */
  parameters: Record<string, number>;
  /** What each output added to its rate over the training span: the root mean square, rate units. */
  contribution: Record<string, number>;
  /**
   * Network inputs (natural units, the network's input order) where it was trained: where its
   * output means something, and the points `neural suggest` regresses on.
   */
  domain: number[][];
  training: Record<string, number | string>;
}

export const weightsFormat = 'culturewatch.neural-weights/1';

export class WeightsFileError extends Error {
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${field}: ${detail}`);
    this.name = 'WeightsFileError';
  }
}

/** An output's label: `Y` or `A per Y`. */
export function outputLabel(output: NeuralTermDefinition['outputs'][number]): string {
  return output.per ? `${output.rate} per ${output.per}` : output.rate;
}

/**
 * Reads a weights file for a model's neural term, checking it is this network (inputs, widths,
 * activation, outputs) and every number is finite. Text in, the file or one WeightsFileError out.
 */
export function parseWeightsFile(text: string, def: ModelDefinition): NetworkWeightsFile {
  const neural = def.neural;
  if (!neural) throw new WeightsFileError('model', `the model ${def.name} has no neural term`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new WeightsFileError('file', `not valid JSON (${(e as Error).message})`);
  }
  const object = (v: unknown, field: string): Record<string, unknown> => {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw new WeightsFileError(field, 'expected an object');
    return v as Record<string, unknown>;
  };
  const finite = (v: unknown, field: string): number => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new WeightsFileError(field, 'expected a number');
    return v;
  };
  const numbers = (v: unknown, length: number, field: string): number[] => {
    if (!Array.isArray(v) || v.length !== length)
      throw new WeightsFileError(field, `expected a list of ${length} numbers`);
    return v.map((x, i) => finite(x, `${field}[${i}]`));
  };
  const file = object(json, 'file');
  if (file.format !== weightsFormat)
    throw new WeightsFileError('format', `expected "${weightsFormat}", got ${JSON.stringify(file.format)}`);
  if (file.model !== def.name)
    throw new WeightsFileError('model', `trained for ${JSON.stringify(file.model)}, not ${def.name}`);
  const network = object(file.network, 'network');
  const declared = {
    inputs: neural.inputs.map((i) => i.name),
    hidden: [...neural.hidden],
    activation: neural.activation,
    outputs: neural.outputs.map(outputLabel),
  };
  for (const key of Object.keys(declared) as (keyof typeof declared)[]) {
    if (JSON.stringify(network[key]) !== JSON.stringify(declared[key]))
      throw new WeightsFileError(
        `network.${key}`,
        `the model declares ${JSON.stringify(declared[key])}, the file has ${JSON.stringify(network[key])} (train again)`,
      );
  }
  const sizes = networkShape(neural).sizes;
  if (!Array.isArray(file.layers) || file.layers.length !== sizes.length - 1)
    throw new WeightsFileError('layers', `expected ${sizes.length - 1} layers`);
  const layers = file.layers.map((layer, l) => {
    const field = `layers[${l}]`;
    const fields = object(layer, field);
    const rows = fields.weights;
    if (!Array.isArray(rows) || rows.length !== sizes[l + 1])
      throw new WeightsFileError(`${field}.weights`, `expected ${sizes[l + 1]} rows`);
    return {
      weights: rows.map((row, i) => numbers(row, sizes[l], `${field}.weights[${i}]`)),
      bias: numbers(fields.bias, sizes[l + 1], `${field}.bias`),
    };
  });
  const parameters = object(file.parameters ?? {}, 'parameters');
  for (const [name, value] of Object.entries(parameters)) {
    if (!def.parameters.some((p) => p.name === name))
      throw new WeightsFileError(`parameters.${name}`, `not a parameter of ${def.name}`);
    if (!(finite(value, `parameters.${name}`) > 0))
      throw new WeightsFileError(`parameters.${name}`, 'must be positive');
  }
  const contribution = object(file.contribution ?? {}, 'contribution');
  for (const [name, value] of Object.entries(contribution)) finite(value, `contribution.${name}`);
  const domain = Array.isArray(file.domain) ? file.domain : [];
  domain.forEach((point, i) => {
    numbers(point, sizes[0], `domain[${i}]`);
  });
  return {
    format: weightsFormat,
    model: def.name,
    network: declared,
    layers,
    parameters: parameters as Record<string, number>,
    contribution: contribution as Record<string, number>,
    domain: domain as number[][],
    training: object(file.training ?? {}, 'training') as Record<string, number | string>,
  };
}

/** The weights flat, as the network reads them (per layer W row-major, then b). */
export function flatWeights(file: NetworkWeightsFile): Float64Array {
  return Float64Array.from(file.layers.flatMap((layer) => [...layer.weights.flat(), ...layer.bias]));
}

/** Flat weights as a file's layers. */
export function layersOf(neural: NeuralTermDefinition, theta: Float64Array): NetworkWeightsFile['layers'] {
  const sizes = networkShape(neural).sizes;
  const layers: NetworkWeightsFile['layers'] = [];
  let at = 0;
  for (let l = 1; l < sizes.length; l++) {
    const weights = Array.from({ length: sizes[l] }, () => {
      const row = Array.from(theta.subarray(at, at + sizes[l - 1]));
      at += sizes[l - 1];
      return row;
    });
    const bias = Array.from(theta.subarray(at, at + sizes[l]));
    at += sizes[l];
    layers.push({ weights, bias });
  }
  return layers;
}

export function formatWeightsFile(file: NetworkWeightsFile): string {
  return `${JSON.stringify(file, null, 1)}\n`;
}

/**
 * The model with its trained network: the weights attached, and the mechanistic parameters fitted
 * with it as each parameter's prior median (where the live estimator's prior is centred; its width
 * stays the model's, else the estimator's default of 1 in log units).
 */
export function withTrainedNetwork(def: ModelDefinition, file: NetworkWeightsFile): ModelDefinition {
  if (!def.neural) throw new WeightsFileError('model', `the model ${def.name} has no neural term`);
  return {
    ...def,
    parameters: def.parameters.map((p) =>
      file.parameters[p.name] === undefined
        ? p
        : { ...p, prior: { median: file.parameters[p.name], sdLog: p.prior?.sdLog ?? 1 } },
    ),
    neural: { ...def.neural, weights: flatWeights(file) },
  };
}
