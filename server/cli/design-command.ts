import {
  adviseExperiment,
  advisorSettingsOf,
  arrivalsFromOrder,
  chainAgeing,
  defaultAssayOptions,
  type FittedWindow,
  posteriorAtWindowEnd,
  replayChain,
  replayHistory,
} from '../../assimilation';
import {
  durationHoursOption,
  numberOption,
  parseArguments,
  rejectUnknownOptions,
  stringOption,
} from './arguments';
import { estimatorOptionNames, estimatorSettingsFrom, initialParamsFrom } from './estimator-options';
import { readHistoryFile } from './history-file';
import { modelFromArguments, modelOptionName } from './model-option';
import { UsageError } from './usage-error';

const designOptionNames = ['targets', 'horizon', 'd-range', 'd-rate', 'duration', 'assay-delay', 'top'];

/**
 * `culturewatch design HISTORY.csv --d-range 0.18:0.32 [--horizon 72h] [--targets a,b] [--d-rate R]
 * [--duration H] [--assay-delay 6h] [--top N]`: fits the history with the estimator chain (as
 * `replay` does), then ranks what to do next from the last window's posterior.
 */
export function designCommand(argv: string[]) {
  const args = parseArguments(argv);
  rejectUnknownOptions(args, [...estimatorOptionNames, modelOptionName, ...designOptionNames]);
  const settings = estimatorSettingsFrom(args);
  const model = modelFromArguments(args);
  const initial = initialParamsFrom(args, model);
  const range = stringOption(args, 'd-range');
  const m = range ? /^(\d*\.?\d+):(\d*\.?\d+)$/.exec(range.trim()) : null;
  if (!m) throw new UsageError('--d-range LOW:HIGH (1/h) is needed: the dilution limits a program keeps to');
  const horizonH = durationHoursOption(args, 'horizon', 72);
  const limits = {
    minPerHour: Number(m[1]),
    maxPerHour: Number(m[2]),
    maxChangePerHour: numberOption(args, 'd-rate', 0.05, (v) => v > 0),
    maxDurationH: durationHoursOption(args, 'duration', horizonH),
  };
  const top = numberOption(args, 'top', 10, (v) => Number.isInteger(v) && v > 0);
  const targets = stringOption(args, 'targets')
    ?.split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const readings = arrivalsFromOrder(readHistoryFile(args.positional[0]));
  if (readings.length === 0) throw new UsageError(`${args.positional[0]}: no readings`);
  let last: FittedWindow | null = null;
  let windows = 0;
  for (const fitted of replayHistory(replayChain(model, settings, initial), readings)) {
    windows++;
    if (fitted.outcome.status === 'ok' && (!last || fitted.windowEndH >= last.windowEndH)) last = fitted;
  }
  if (last?.outcome.status !== 'ok')
    throw new UsageError(`${args.positional[0]}: no window could be fitted (${windows} tried)`);
  const posterior = posteriorAtWindowEnd(model, settings.freeParams, last.outcome.fit, last.windowEndH);
  const advice = adviseExperiment(
    model,
    posterior,
    chainAgeing(model, settings, initial),
    {
      horizonH,
      ...(targets && { targets }),
      limits,
      assays: defaultAssayOptions(model, settings, durationHoursOption(args, 'assay-delay', 6)),
    },
    advisorSettingsOf(settings),
  );
  if ('error' in advice) throw new UsageError(advice.error);
  return { windows, fromWindowEndH: last.windowEndH, ...advice, ranked: advice.ranked.slice(0, top) };
}
