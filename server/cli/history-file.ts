import { PlantHistoryCsvError, parsePlantHistoryCsv } from '../../simulator/plant-history-csv';
import type { PlantSample } from '../../simulator/plant-sample';
import { UsageError } from './usage-error';
import { readTextFile } from './window-file';

/** A history CSV named on the command line (rows in arrival order, so late assays stay late). */
export function readHistoryFile(path: string | undefined): PlantSample[] {
  const text = readTextFile(path, 'HISTORY.csv');
  try {
    return parsePlantHistoryCsv(text);
  } catch (e) {
    if (e instanceof PlantHistoryCsvError) throw new UsageError(`${path}: ${e.message}`);
    throw e;
  }
}
