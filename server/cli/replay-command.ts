import { closeSync, openSync, writeSync } from 'node:fs';
import { arrivalsFromOrder, replayChain, replayHistory, windowFitReport } from '../../assimilation';
import { parseArguments, rejectUnknownOptions, stringOption } from './arguments';
import { estimatorOptionNames, estimatorSettingsFrom, initialParamsFrom } from './estimator-options';
import { readHistoryFile } from './history-file';
import { modelFromArguments, modelOptionName } from './model-option';
import { UsageError } from './usage-error';

/**
 * `culturewatch replay HISTORY.csv [--window 12h] [--step 1h] [--init PARAMS.json] [--out FILE.jsonl]`:
 * the sliding-window estimator over a whole history, as the live assimilator would have run it.
 */
export function replayCommand(argv: string[]): undefined {
  const args = parseArguments(argv);
  rejectUnknownOptions(args, [...estimatorOptionNames, modelOptionName, 'out']);
  const settings = estimatorSettingsFrom(args);
  const model = modelFromArguments(args);
  const initial = initialParamsFrom(args, model);
  const readings = arrivalsFromOrder(readHistoryFile(args.positional[0]));
  if (readings.length === 0) throw new UsageError(`${args.positional[0]}: no readings`);
  const outPath = stringOption(args, 'out');
  const out = outPath ? openSync(outPath, 'w') : 1;
  try {
    const fits = replayHistory(replayChain(model, settings, initial), readings);
    for (;;) {
      const started = performance.now();
      const next = fits.next();
      if (next.done) break;
      const { outcome, refit } = next.value;
      writeSync(out, `${JSON.stringify(windowFitReport(outcome, refit, performance.now() - started))}\n`);
    }
  } finally {
    if (outPath) closeSync(out);
  }
  return undefined;
}
