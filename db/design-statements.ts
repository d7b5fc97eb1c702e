/** Experiment design's rows, as raw prepared statements: accepted dilution programs, hand-entered assays, fit posteriors. */
import type Database from 'better-sqlite3';
import type { assayEntries, dilutionPrograms } from './schema';

export type DilutionProgramRow = typeof dilutionPrograms.$inferSelect;
export type AssayEntryRow = typeof assayEntries.$inferSelect;

const programColumns = `id, reactor_id AS reactorId, accepted_at_ms AS acceptedAtMs, accepted_by AS acceptedBy,
  start_ms AS startMs, end_ms AS endMs, program_json AS programJson, limits_json AS limitsJson, summary, applied_by AS appliedBy`;
const assayColumns = `id, reactor_id AS reactorId, signal, value, sampled_at_ms AS sampledAtMs,
  measured_at_ms AS measuredAtMs, entered_at_ms AS enteredAtMs, entered_by AS enteredBy`;

export function prepareDesignStatements(sqlite: Database.Database) {
  const insertProgram = sqlite.prepare<Omit<DilutionProgramRow, 'id'>>(
    `INSERT INTO dilution_programs (reactor_id, accepted_at_ms, accepted_by, start_ms, end_ms, program_json, limits_json,
       summary, applied_by)
     VALUES (@reactorId, @acceptedAtMs, @acceptedBy, @startMs, @endMs, @programJson, @limitsJson, @summary, @appliedBy)`,
  );
  const programs = sqlite.prepare<[string, number], DilutionProgramRow>(
    `SELECT ${programColumns} FROM dilution_programs WHERE reactor_id = ? ORDER BY accepted_at_ms DESC, id DESC LIMIT ?`,
  );
  const insertAssay = sqlite.prepare<Omit<AssayEntryRow, 'id'>>(
    `INSERT INTO assay_entries (reactor_id, signal, value, sampled_at_ms, measured_at_ms, entered_at_ms, entered_by)
     VALUES (@reactorId, @signal, @value, @sampledAtMs, @measuredAtMs, @enteredAtMs, @enteredBy)`,
  );
  const assays = sqlite.prepare<[string, number], AssayEntryRow>(
    `SELECT ${assayColumns} FROM assay_entries WHERE reactor_id = ? ORDER BY sampled_at_ms DESC, id DESC LIMIT ?`,
  );
  // Of the model the reactor runs now (a fit without a model version is the built-in's).
  const latestPosterior = sqlite.prepare<
    { reactorId: string; modelVersion: string; builtInVersion: string },
    { fitId: number; posteriorJson: string }
  >(
    `SELECT d.fit_id AS fitId, d.posterior_json AS posteriorJson
     FROM fits f JOIN fit_documents d ON d.fit_id = f.id
     WHERE f.reactor_id = @reactorId AND f.status = 'ok' AND d.posterior_json IS NOT NULL
       AND COALESCE(f.model_version, @builtInVersion) = @modelVersion
     ORDER BY f.window_end_ms DESC, f.id DESC LIMIT 1`,
  );
  // An assay sampled at an instant already holding one (by hand or over MQTT): the reading would be
  // ignored as a duplicate, so the entry must be refused too.
  const assayRecordedAt = sqlite.prepare<[string, string, number, string, string, number], { value: number }>(
    `SELECT value FROM readings WHERE reactor_id = ? AND signal = ? AND ts_ms = ?
     UNION ALL
     SELECT value FROM assay_entries WHERE reactor_id = ? AND signal = ? AND sampled_at_ms = ?
     LIMIT 1`,
  );
  const reactorExists = sqlite.prepare<[string], { id: string }>('SELECT id FROM reactors WHERE id = ?');
  return {
    insertProgram: (row: Omit<DilutionProgramRow, 'id'>): number =>
      Number(insertProgram.run(row).lastInsertRowid),
    programs: (reactorId: string, limit: number): DilutionProgramRow[] => programs.all(reactorId, limit),
    insertAssay: (row: Omit<AssayEntryRow, 'id'>): number => Number(insertAssay.run(row).lastInsertRowid),
    assays: (reactorId: string, limit: number): AssayEntryRow[] => assays.all(reactorId, limit),
    assayRecordedAt: (reactorId: string, signal: string, tsMs: number): number | undefined =>
      assayRecordedAt.get(reactorId, signal, tsMs, reactorId, signal, tsMs)?.value,
    latestPosterior: (reactorId: string, modelVersion: string, builtInVersion: string) =>
      latestPosterior.get({ reactorId, modelVersion, builtInVersion }),
    reactorExists: (reactorId: string): boolean => reactorExists.get(reactorId) !== undefined,
  };
}

export type DesignStatements = ReturnType<typeof prepareDesignStatements>;
