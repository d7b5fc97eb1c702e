import { writeFileSync } from 'node:fs';
import {
  defaultObservationNoise,
  defaultTrainingSettings,
  formatModelFile,
  formatWeightsFile,
  layersOf,
  type ModelDefinition,
  outputLabel,
  parseWeightsFile,
  plantDataFrom,
  refitParameterNames,
  suggestTerms,
  trainHybrid,
  WeightsFileError,
  weightsFormat,
} from '../../assimilation';
import { ModelFileReadError, readModelFile, weightsPathOf } from '../../simulator/model-files';
import { numberOption, parseArguments, rejectUnknownOptions, stringOption } from './arguments';
import { readHistoryFile } from './history-file';
import { UsageError } from './usage-error';
import { readTextFile } from './window-file';

/**
 * `culturewatch neural train HISTORY.csv --model FILE [--out WEIGHTS.json] [--from H] [--to H]
 * [--seed S] [--iterations N] [--weight-decay W] [--output-penalty P]` trains a model's neural term
 * with its mechanistic parameters over a span of readings and writes the weights file (by default the
 * one the model names, beside it); it prints the fit with and without the network, the parameters'
 * bands both ways, and the terms sparse regression suggests. `culturewatch neural suggest --model FILE`
 * prints those terms for a trained model, and `--out FILE` writes the candidate model file.
 */
export function neuralCommand(argv: string[]): undefined {
  const [action, ...rest] = argv;
  const args = parseArguments(rest);
  if (action === 'train') {
    rejectUnknownOptions(args, [
      'model',
      'out',
      'from',
      'to',
      'seed',
      'iterations',
      'weight-decay',
      'output-penalty',
    ]);
    const modelPath = requiredModel(args.options.get('model'));
    const def = readModel(modelPath, true);
    const readings = readHistoryFile(args.positional[0]);
    const first = Math.min(...readings.map((r) => r.timeH));
    const last = Math.max(...readings.map((r) => r.timeH));
    const fromH = numberOption(args, 'from', first, Number.isFinite);
    const toH = numberOption(args, 'to', last, Number.isFinite);
    if (!(toH - fromH >= 12))
      throw new UsageError(`train on at least 12 h of readings (got ${fromH}–${toH} h)`);
    const iterations = numberOption(
      args,
      'iterations',
      defaultTrainingSettings.jointIterations,
      (v) => Number.isInteger(v) && v >= 0,
    );
    const seed = numberOption(args, 'seed', defaultTrainingSettings.seed, Number.isInteger);
    const outputPenalty = numberOption(
      args,
      'output-penalty',
      defaultTrainingSettings.outputPenalty,
      (v) => v >= 0,
    );
    const initial = Float64Array.from(def.parameters, (p) => p.plantValue);
    const started = performance.now();
    const result = trainHybrid(def, plantDataFrom(readings), initial, {
      ...defaultTrainingSettings,
      seed,
      fromH,
      toH,
      freeParams: refitParameterNames.filter((name) => def.parameters.some((p) => p.name === name)),
      noise: defaultObservationNoise,
      jointIterations: iterations,
      weightDecay: numberOption(args, 'weight-decay', defaultTrainingSettings.weightDecay, (v) => v >= 0),
      outputPenalty,
    });
    const trainSeconds = (performance.now() - started) / 1000;
    const neural = def.neural!;
    const labels = neural.outputs.map(outputLabel);
    const outPath = stringOption(args, 'out') ?? weightsPathOf(modelPath, def);
    writeFileSync(
      outPath,
      formatWeightsFile({
        format: weightsFormat,
        model: def.name,
        network: {
          inputs: neural.inputs.map((i) => i.name),
          hidden: [...neural.hidden],
          activation: neural.activation,
          outputs: labels,
        },
        layers: layersOf(neural, result.weights),
        parameters: Object.fromEntries(def.parameters.map((p, i) => [p.name, result.hybrid.params[i]])),
        contribution: Object.fromEntries(labels.map((label, j) => [label, result.contribution[j]])),
        domain: result.domain,
        training: {
          seed,
          fromH,
          toH,
          iterations: result.hybrid.iterations,
          outputPenalty,
          lossPerReading: result.hybrid.dataLoss / result.hybrid.readings,
        },
      }),
    );
    const suggestion = suggestTerms(def, result.weights, result.domain);
    const summary = (f: typeof result.hybrid) => ({
      lossPerReading: f.dataLoss / f.readings,
      readings: f.readings,
      iterations: f.iterations,
      bands: Object.fromEntries(
        [...f.bands, ...f.combinationBands].map((b) => [b.name, { value: b.value, sdLog: b.sdLog }]),
      ),
    });
    print({
      weights: outPath,
      trainSeconds,
      mechanistic: summary(result.mechanistic),
      hybrid: summary(result.hybrid),
      contribution: Object.fromEntries(labels.map((label, j) => [label, result.contribution[j]])),
      suggested: { terms: suggestion.terms, explained: suggestion.explained },
    });
    return undefined;
  }
  if (action === 'suggest') {
    rejectUnknownOptions(args, ['model', 'out', 'threshold']);
    const modelPath = requiredModel(args.options.get('model'));
    const def = readModel(modelPath, true);
    const weightsPath = weightsPathOf(modelPath, def);
    let file: ReturnType<typeof parseWeightsFile>;
    try {
      file = parseWeightsFile(readTextFile(weightsPath, 'WEIGHTS.json'), def);
    } catch (e) {
      if (e instanceof WeightsFileError) throw new UsageError(`${weightsPath}: ${e.message}`);
      throw e;
    }
    const weights = Float64Array.from(file.layers.flatMap((l) => [...l.weights.flat(), ...l.bias]));
    const suggestion = suggestTerms(def, weights, file.domain, {
      threshold: numberOption(args, 'threshold', 0.1, (v) => v > 0 && v < 1),
    });
    const out = stringOption(args, 'out');
    if (out)
      writeFileSync(
        out,
        formatModelFile(suggestion.candidate, {
          header: `Suggested by: culturewatch neural suggest --model ${modelPath}\nReview every sindy_ term before using this model.`,
        }),
      );
    print({ terms: suggestion.terms, explained: suggestion.explained, ...(out ? { candidate: out } : {}) });
    return undefined;
  }
  throw new UsageError(
    'usage: culturewatch neural train HISTORY.csv --model FILE [--out WEIGHTS.json] | suggest --model FILE [--out FILE]',
  );
}

function requiredModel(value: string | true | undefined): string {
  if (typeof value !== 'string')
    throw new UsageError('--model FILE is needed (a model file with a neural section)');
  return value;
}

function readModel(path: string, untrained: boolean): ModelDefinition {
  try {
    const def = readModelFile(path, { untrained });
    if (!def.neural) throw new UsageError(`${path}: the model has no neural section`);
    return def;
  } catch (e) {
    if (e instanceof ModelFileReadError) throw new UsageError(e.message);
    throw e;
  }
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
