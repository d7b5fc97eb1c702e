/**
 * A reactor's readings and estimates as one wide CSV, one row per time: every signal in its own
 * column, and at each fit's window end the estimate (satellite fraction, composition and parameters
 * with their uncertainty). Times are the plant clock's, as ISO-8601 and as plant hours since the
 * reactor's first reading (as the charts count them). Streamed a day at a time, so months of data never sit in memory.
 */

import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { refitParameterNames } from '../../assimilation';
import { plantSignals } from '../../contract/api';
import { plantHoursSince } from '../../contract/time';
import type { ServiceReads } from '../../db/service-read-statements';
import { fitRecordsInRange } from './fit-records';
import { firstReading } from './reactor-summary';

const compositionColumns = ['satellite_fraction', 'X', 'Y', 'A', 'B'] as const;
const chunkMs = 24 * 3_600_000;

export function csvHeader(): string {
  return [
    'time_iso',
    'plant_hours',
    ...plantSignals.map((s) => s.replace('/', '_')),
    'fit_id',
    'fit_status',
    ...compositionColumns.flatMap((c) => [`est_${c}`, `est_${c}_sd`, `est_${c}_lower95`, `est_${c}_upper95`]),
    ...refitParameterNames.flatMap((p) => [
      p,
      `${p}_sd_log`,
      `${p}_lower95`,
      `${p}_upper95`,
      `${p}_determined`,
    ]),
  ].join(',');
}

const cell = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '' : String(v));

/** The CSV text of readings and fits in [fromMs, toMs); `plant_hours` counts from `originMs` (plant hour 0). */
export async function csvChunk(
  s: ServiceReads,
  reactorId: string,
  fromMs: number,
  toMs: number,
  originMs: number,
): Promise<string> {
  const rows = new Map<number, { readings: (number | undefined)[]; fit?: string[] }>();
  const rowAt = (ts: number) => {
    let row = rows.get(ts);
    if (!row) {
      row = { readings: new Array(plantSignals.length) };
      rows.set(ts, row);
    }
    return row;
  };
  for (const [i, signal] of plantSignals.entries()) {
    for (const [ts, value] of await s.readings.all(reactorId, signal, fromMs, toMs))
      rowAt(ts).readings[i] = value;
  }
  for (const fit of await fitRecordsInRange(s, reactorId, fromMs, toMs - 1, 'none')) {
    const composition = fit.composition;
    rowAt(fit.windowEndMs).fit = [
      String(fit.id),
      fit.status,
      ...compositionColumns.flatMap((c) => {
        const e = composition?.[c];
        return [cell(e?.value), cell(e?.sd), cell(e?.lower95), cell(e?.upper95)];
      }),
      ...refitParameterNames.flatMap((p) => {
        const e = fit.params?.[p];
        return [
          cell(e?.value),
          cell(e?.sdLog),
          cell(e?.lower95),
          cell(e?.upper95),
          e ? String(e.determined) : '',
        ];
      }),
    ];
  }
  const emptyFit = new Array(2 + compositionColumns.length * 4 + refitParameterNames.length * 5).fill('');
  const lines: string[] = [];
  for (const ts of [...rows.keys()].sort((a, b) => a - b)) {
    const row = rows.get(ts)!;
    lines.push(
      [
        new Date(ts).toISOString(),
        String(plantHoursSince(ts, originMs)),
        ...Array.from(row.readings, cell),
        ...(row.fit ?? emptyFit),
      ].join(','),
    );
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

export async function streamCsv(
  req: IncomingMessage,
  res: ServerResponse,
  s: ServiceReads,
  reactorId: string,
  fromMs: number,
  toMs: number,
): Promise<void> {
  const name = `${reactorId}-${new Date(fromMs).toISOString().slice(0, 10)}-${new Date(Math.max(fromMs, toMs - 1)).toISOString().slice(0, 10)}.csv`;
  res.writeHead(200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${name}"`,
    'cache-control': 'no-store',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  let closed = false;
  res.once('close', () => {
    closed = true;
  });
  res.write(`${csvHeader()}\n`);
  const originMs = (await firstReading(s, reactorId)) ?? fromMs;
  for (let start = fromMs; start < toMs && !closed; start += chunkMs) {
    const text = await csvChunk(s, reactorId, start, Math.min(toMs, start + chunkMs), originMs);
    if (text && !res.write(text)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
  }
  res.end();
}
