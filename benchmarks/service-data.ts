/**
 * The data of the service bench's API pass: 90 days of 15-second readings (od, substrate, dilution)
 * for reactor `r90`, rollups included, and a fit every hour, copied from real fits of a simulated
 * plant with their windows moved. Usable on its own: `node --import tsx benchmarks/service-data.ts PATH`.
 */
import { openDatabase } from '../db/open-database';
import { AssimilatorCore } from '../server/assimilator/assimilator-core';
import { defaultAssimilatorSettings } from '../server/assimilator/assimilator-settings';
import { BatchedWriter } from '../server/ingest/batched-writer';
import type { AcceptedReading } from '../server/ingest/message-validator';
import { mqttSignalOf } from '../simulator/live-publisher';
import { generatePlantHistory } from '../simulator/plant-history';

export const dayMs = 86_400_000;
export const hourMs = 3_600_000;

/** 90 days of od, substrate and dilution every 15 s for reactor `r90`, and a fit every hour. */
export function build90DayDatabase(path: string): {
  firstMs: number;
  lastMs: number;
  readings: number;
  fits: number;
} {
  const database = openDatabase(path, { synchronous: 'normal' });
  const writer = new BatchedWriter(database.sqlite, { maxRows: 50_000 });
  const firstMs = Date.UTC(2016, 0, 1);
  const stepMs = 15_000;
  const count = (90 * dayMs) / stepMs;
  // Real fits of a real (simulated) plant, first (before r90 has readings to fit), as templates
  // for an hourly fit over the 90 days.
  const plant = generatePlantHistory({ scenario: 'steady', days: 15 / 24, seed: 3, assays: false });
  for (const s of plant.samples) {
    writer.accept({
      reactorId: 'template',
      signal: mqttSignalOf[s.signal] as AcceptedReading['signal'],
      tsMs: Math.round(firstMs + s.timeH * hourMs),
      value: s.value,
      receivedAtMs: 0,
    });
  }
  writer.flush();
  const core = new AssimilatorCore({
    sqlite: database.sqlite,
    settings: defaultAssimilatorSettings,
    onFit: () => {},
    log: () => {},
  });
  core.start();
  core.noteReadings([
    {
      reactorId: 'template',
      oldestTsMs: firstMs,
      newestTsMs: firstMs + 15 * hourMs,
      online: true,
      highestRowid: Number.MAX_SAFE_INTEGER,
    },
  ]);
  while (core.step()) {}
  let seed = 12345;
  const noise = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648 - 0.5;
  };
  for (let i = 0; i < count; i++) {
    const tsMs = firstMs + i * stepMs;
    const day = (i * stepMs) / dayMs;
    const r = (signal: AcceptedReading['signal'], value: number): AcceptedReading => ({
      reactorId: 'r90',
      signal,
      tsMs,
      value,
      receivedAtMs: tsMs,
    });
    writer.accept(r('od', 90 + 5 * Math.sin(day * 2 * Math.PI) + noise()));
    writer.accept(r('substrate', 7 + Math.sin(day * 0.7) + 0.2 * noise()));
    writer.accept(r('dilution', 0.25 * (1 + 0.3 * Math.sin(day / 3)) + 0.001 * noise()));
  }
  writer.flush();

  const sqlite = database.sqlite;
  const template = sqlite
    .prepare("SELECT * FROM fits WHERE reactor_id = 'template' AND status = 'ok' ORDER BY id DESC LIMIT 1")
    .get() as Record<string, number | string | null>;
  const params = sqlite.prepare('SELECT * FROM fit_parameters WHERE fit_id = ?').all(template.id) as Record<
    string,
    unknown
  >[];
  const combos = sqlite.prepare('SELECT * FROM fit_combinations WHERE fit_id = ?').all(template.id) as Record<
    string,
    unknown
  >[];
  const comp = sqlite.prepare('SELECT * FROM fit_composition WHERE fit_id = ?').all(template.id) as Record<
    string,
    unknown
  >[];
  const docs = sqlite.prepare('SELECT * FROM fit_documents WHERE fit_id = ?').get(template.id) as Record<
    string,
    string
  >;
  const insertFit = sqlite.prepare(
    `INSERT INTO fits (reactor_id, window_start_ms, window_end_ms, window_start_h, window_end_h, fitted_at_ms,
       status, reason, detail, refit, cold_start, loss, iterations, duration_ms, residual_summary_json)
     VALUES ('r90', ?, ?, ?, ?, ?, 'ok', NULL, NULL, 0, 0, ?, ?, ?, ?)`,
  );
  const copy = (table: string, rows: Record<string, unknown>[]) => {
    if (rows.length === 0) return () => {};
    const columns = Object.keys(rows[0]);
    const statement = sqlite.prepare(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`,
    );
    return (fitId: number) => {
      for (const row of rows) statement.run({ ...row, fit_id: fitId });
    };
  };
  const copyParams = copy('fit_parameters', params);
  const copyCombos = copy('fit_combinations', combos);
  const copyComp = copy('fit_composition', comp);
  const insertDocs = sqlite.prepare(
    'INSERT INTO fit_documents (fit_id, trajectory_json, forecast_json, residuals_json, window_file_json) VALUES (?, ?, ?, ?, ?)',
  );
  const shift = (json: string, byMs: number) => {
    const doc = JSON.parse(json) as { tMs: number[] };
    doc.tMs = doc.tMs.map((t) => t + byMs);
    return JSON.stringify(doc);
  };
  const fits = 90 * 24 - 12;
  sqlite.transaction(() => {
    for (let k = 0; k < fits; k++) {
      const startMs = firstMs + k * hourMs;
      const by = startMs - Number(template.window_start_ms);
      const id = Number(
        insertFit.run(
          startMs,
          startMs + 12 * hourMs,
          startMs / hourMs,
          startMs / hourMs + 12,
          startMs,
          template.loss,
          template.iterations,
          template.duration_ms,
          template.residual_summary_json,
        ).lastInsertRowid,
      );
      copyParams(id);
      copyCombos(id);
      copyComp(id);
      insertDocs.run(
        id,
        shift(docs.trajectory_json, by),
        shift(docs.forecast_json, by),
        shift(docs.residuals_json, by),
        docs.window_file_json,
      );
    }
  })();
  database.close();
  return { firstMs, lastMs: firstMs + (count - 1) * stepMs, readings: count * 3, fits };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = process.argv[2];
  if (!path) throw new Error('usage: service-data.ts PATH');
  console.log(build90DayDatabase(path));
}
