import type { PlantSample } from './plant-sample';

/** The long-format history file: one reading per row, `time_h,signal,value`. */
export const plantHistoryCsvHeader = 'time_h,signal,value';

/**
 * Rows in the order given (the simulator's arrival order, so a late assay sits where it arrived).
 * Numbers are written in JavaScript's shortest exact form, so they read back bit for bit.
 * `availableAtH` is not a column; the truth file lists assay arrivals.
 */
export function formatPlantHistoryCsv(samples: readonly PlantSample[]): string {
  const lines = [plantHistoryCsvHeader];
  for (const s of samples) {
    if (!Number.isFinite(s.timeH) || !Number.isFinite(s.value)) {
      throw new Error(`non-finite sample ${s.signal} at t=${s.timeH} h`);
    }
    if (/[,\n"]/.test(s.signal))
      throw new Error(`signal name ${JSON.stringify(s.signal)} cannot go in a CSV cell`);
    lines.push(`${s.timeH},${s.signal},${s.value}`);
  }
  return lines.join('\n') + '\n';
}

export class PlantHistoryCsvError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'PlantHistoryCsvError';
  }
}

/** Reads a history file back; the message of any error names the line. */
export function parsePlantHistoryCsv(text: string): PlantSample[] {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== plantHistoryCsvHeader) {
    throw new PlantHistoryCsvError(
      1,
      `expected the header "${plantHistoryCsvHeader}", got ${JSON.stringify(lines[0])}`,
    );
  }
  const samples: PlantSample[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const cells = line.split(',');
    if (cells.length !== 3) throw new PlantHistoryCsvError(i + 1, `expected 3 cells, got ${cells.length}`);
    const [time, signal, value] = cells;
    const timeH = strictNumber(time);
    const v = strictNumber(value);
    if (timeH === undefined)
      throw new PlantHistoryCsvError(i + 1, `time_h ${JSON.stringify(time)} is not a number`);
    if (v === undefined)
      throw new PlantHistoryCsvError(i + 1, `value ${JSON.stringify(value)} is not a number`);
    if (signal === '') throw new PlantHistoryCsvError(i + 1, 'empty signal name');
    samples.push({ timeH, signal, value: v });
  }
  return samples;
}

/** A finite number, refusing the empty string and "NaN" that Number() would let through. */
function strictNumber(cell: string): number | undefined {
  if (cell.trim() === '') return undefined;
  const n = Number(cell);
  return Number.isFinite(n) ? n : undefined;
}
