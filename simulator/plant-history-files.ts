import { writeFileSync } from 'node:fs';
import type { PlantHistory } from './plant-history';
import { formatPlantHistoryCsv } from './plant-history-csv';
import { plantTruthToJson } from './plant-truth-json';

/** The simulator's only file I/O: the history CSV and, optionally, the truth JSON. */
export function writePlantHistoryFiles(
  history: PlantHistory,
  paths: { csvPath: string; truthPath?: string },
): void {
  writeFileSync(paths.csvPath, formatPlantHistoryCsv(history.samples));
  if (paths.truthPath) writeFileSync(paths.truthPath, JSON.stringify(plantTruthToJson(history.truth)) + '\n');
}
