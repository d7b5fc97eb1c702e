import { writeFileSync } from 'node:fs';
import {
  defaultRefinementSettings,
  type ModelDefinition,
  plantDataFrom,
  type RefinementResult,
  refinedModelFile,
  refineStructure,
} from '../../assimilation';
import { ModelFileReadError, readModelFile } from '../../simulator/model-files';
import {
  durationHoursOption,
  numberOption,
  parseArguments,
  rejectUnknownOptions,
  stringOption,
} from './arguments';
import { readHistoryFile } from './history-file';
import { UsageError } from './usage-error';

/**
 * `culturewatch refine HISTORY.csv --model FILE [--hours 96h] [--segment 24h] [--alpha 0.01] [--out FILE]`:
 * fits a community model over the last hours of a history and removes the links the data do not
 * support (assimilation/structure/). The log goes to stderr as it is made; stdout gets the report
 * (each step, the evidence for every link, the fit of the current and the proposed model), and
 * --out the simplified model file, its header the evidence.
 */
export function refineCommand(argv: string[]): unknown {
  const args = parseArguments(argv);
  rejectUnknownOptions(args, ['model', 'hours', 'segment', 'alpha', 'out']);
  const modelPath = stringOption(args, 'model');
  if (!modelPath)
    throw new UsageError('--model FILE is needed (a community model: culturewatch model community)');
  let definition: ModelDefinition;
  try {
    definition = readModelFile(modelPath);
  } catch (e) {
    if (e instanceof ModelFileReadError) throw new UsageError(e.message);
    throw e;
  }
  if (!definition.community)
    throw new UsageError(`${modelPath}: not a community model (no community: section), nothing to refine`);
  if (definition.neural) throw new UsageError(`${modelPath}: refine a model without its neural section`);
  const settings = {
    ...defaultRefinementSettings,
    horizonHours: durationHoursOption(args, 'hours', defaultRefinementSettings.horizonHours),
    alpha: numberOption(args, 'alpha', defaultRefinementSettings.alpha, (v) => v > 0 && v < 0.5),
    span: {
      ...defaultRefinementSettings.span,
      segmentHours: durationHoursOption(args, 'segment', defaultRefinementSettings.span.segmentHours),
    },
  };
  const data = plantDataFrom(readHistoryFile(args.positional[0]));
  if (data.signals.size === 0) throw new UsageError(`${args.positional[0]}: no readings`);
  const started = performance.now();
  const result = refineStructure(definition, data, settings, (note) => process.stderr.write(`${note}\n`));
  const seconds = (performance.now() - started) / 1000;
  const text = refinedModelFile(result, `culturewatch refine from ${modelPath}`);
  const out = stringOption(args, 'out');
  if (out) {
    try {
      writeFileSync(out, text);
    } catch (e) {
      throw new UsageError(
        `${out}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      );
    }
  }
  return { ...refinementReport(result), seconds, ...(out ? { modelFile: out } : { model: text }) };
}

/** The result without the long series: what a person reads. */
export function refinementReport(result: RefinementResult) {
  const { signals: _current, ...current } = result.current;
  const { signals: _proposed, ...proposed } = result.proposed;
  return {
    span: result.span,
    fits: result.fits,
    current,
    proposed,
    removed: result.links.filter((l) => l.verdict === 'removed').map((l) => l.link),
    steps: result.steps,
    links: result.links,
  };
}
