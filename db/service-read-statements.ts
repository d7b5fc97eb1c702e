/**
 * The HTTP API's reads as raw prepared statements: every one walks a primary key or an index, so
 * that months of readings answer in milliseconds. Positional parameters, in the order given in each
 * comment. Bulk series come back in raw (array) mode: [tsMs, value] rows.
 */
import type Database from 'better-sqlite3';

export interface FitRow {
  id: number;
  reactorId: string;
  windowStartMs: number;
  windowEndMs: number;
  windowStartH: number;
  windowEndH: number;
  fittedAtMs: number;
  status: 'ok' | 'failed';
  reason: string | null;
  detail: string | null;
  refit: number;
  coldStart: number;
  loss: number | null;
  iterations: number;
  durationMs: number;
  residualSummaryJson: string | null;
  modelVersion: string | null;
  modelName: string | null;
}

export interface FitParameterRow {
  fitId: number;
  name: string;
  value: number;
  free: number;
  sdLog: number | null;
  sdLogData: number | null;
  lower95: number | null;
  upper95: number | null;
  determined: number | null;
  priorSdLog: number | null;
}

export interface FitCombinationRow {
  fitId: number;
  rank: number;
  label: string;
  exponentsJson: string;
  value: number;
  sdLog: number;
  sdLogData: number;
  name: string | null;
  meaning: string | null;
  lower95: number | null;
  upper95: number | null;
  determined: number | null;
}

export interface FitCompositionRow {
  fitId: number;
  quantity: string;
  value: number;
  sd: number;
  lower95: number | null;
  upper95: number | null;
}

export interface FitDocumentRow {
  fitId: number;
  trajectoryJson: string | null;
  forecastJson: string | null;
  residualsJson: string | null;
}

const fitColumns = `id, reactor_id AS reactorId, window_start_ms AS windowStartMs, window_end_ms AS windowEndMs,
  window_start_h AS windowStartH, window_end_h AS windowEndH, fitted_at_ms AS fittedAtMs, status, reason,
  detail, refit, cold_start AS coldStart, loss, iterations, duration_ms AS durationMs,
  residual_summary_json AS residualSummaryJson, model_version AS modelVersion,
  (SELECT name FROM models WHERE models.version = fits.model_version) AS modelName`;

export interface ServiceReadStatements {
  /** () → every reactor. */
  reactors: Database.Statement<[], { id: string; firstSeenAtMs: number }>;
  /** (reactorId) → the reactor, if known. */
  reactor: Database.Statement<[string], { id: string; firstSeenAtMs: number }>;
  /** (reactorId, signal) → newest reading of the series. */
  latestReading: Database.Statement<[string, string], { tsMs: number; value: number; receivedAtMs: number }>;
  /** (reactorId, signal, limit) → the newest reading times of the series, newest first. */
  recentReadingTimes: Database.Statement<[string, string, number], { tsMs: number }>;
  /** (reactorId, signal) → oldest reading time of the series. */
  oldestReadingMs: Database.Statement<[string, string], { tsMs: number | null }>;
  /** (reactorId, signal) → newest reading time of the series. */
  newestReadingMs: Database.Statement<[string, string], { tsMs: number | null }>;
  /** (reactorId, signal, fromMs, toMs) → count of readings with from ≤ ts < to. */
  countReadings: Database.Statement<[string, string, number, number], { n: number }>;
  /** (reactorId, signal, fromMs, toMs) → [tsMs, value] rows (raw mode), oldest first. */
  readings: Database.Statement<[string, string, number, number], [number, number]>;
  /** (reactorId, signal, widthMs) → the oldest bucket start of that rollup. */
  oldestRollupMs: Database.Statement<[string, string, number], { tsMs: number | null }>;
  /** (reactorId, signal, widthMs, fromMs, toMs) → readings counted by the buckets starting in [from, to). */
  rollupCountSum: Database.Statement<[string, string, number, number, number], { n: number | null }>;
  /** (reactorId, signal, widthMs, fromMs, toMs) → [bucketStartMs, count, sum, min, max] rows (raw mode). */
  rollups: Database.Statement<
    [string, string, number, number, number],
    [number, number, number, number, number]
  >;
  /** (topic, limit) → the newest stored rejections of a topic. */
  rejectionsOfTopic: Database.Statement<[string, number], { payloadExcerpt: string; reason: string }>;
  /** (reactorId, fromMs, toMs) → fits whose window ends in [from, to], oldest first (ties by id). */
  fitsInRange: Database.Statement<[string, number, number], FitRow>;
  /** (fitId) → the fit. */
  fit: Database.Statement<[number], FitRow>;
  /** (reactorId) → the newest successful fit. */
  latestGoodFit: Database.Statement<[string], FitRow>;
  /** (reactorId, limit) → the newest fits, newest first. */
  latestFits: Database.Statement<[string, number], FitRow>;
  /** (reactorId, fromMs, toMs) → parameters of those fits. */
  parametersInRange: Database.Statement<[string, number, number], FitParameterRow>;
  combinationsInRange: Database.Statement<[string, number, number], FitCombinationRow>;
  compositionInRange: Database.Statement<[string, number, number], FitCompositionRow>;
  documentsInRange: Database.Statement<[string, number, number], FitDocumentRow>;
  /** (fitId) → that fit's parts. */
  parametersOfFit: Database.Statement<[number], FitParameterRow>;
  combinationsOfFit: Database.Statement<[number], FitCombinationRow>;
  compositionOfFit: Database.Statement<[number], FitCompositionRow>;
  documentsOfFit: Database.Statement<[number], FitDocumentRow>;
  /**
   * (reactorId, fromMs, afterFitId) → residuals of the successful fits after that id whose window ends
   * at or after fromMs, in the order fitted.
   */
  residualsSince: Database.Statement<
    [string, number, number],
    { fitId: number; windowEndMs: number; windowEndH: number; residualsJson: string | null }
  >;
  /** (fitId, reactorId) → the stored window file of that fit. */
  windowFile: Database.Statement<[number, string], { windowFileJson: string | null }>;
}

/** Joins a child table (alias c) to the fits of one reactor whose window ends in a range, by the fits' index. */
const fitsOfRange =
  'fits f JOIN %TABLE% c ON c.fit_id = f.id WHERE f.reactor_id = ? AND f.window_end_ms >= ? AND f.window_end_ms <= ?';

/**
 * The text of each read, written once for SQLite and run as it is on PostgreSQL as well
 * (db/pg/service-reads.ts translates the placeholders and aliases).
 */
export const serviceReadSql: Record<keyof ServiceReadStatements, string> = {
  reactors: 'SELECT id, first_seen_at_ms AS firstSeenAtMs FROM reactors ORDER BY id',
  reactor: 'SELECT id, first_seen_at_ms AS firstSeenAtMs FROM reactors WHERE id = ?',
  latestReading: `SELECT ts_ms AS tsMs, value, received_at_ms AS receivedAtMs FROM readings
       WHERE reactor_id = ? AND signal = ? ORDER BY ts_ms DESC LIMIT 1`,
  recentReadingTimes:
    'SELECT ts_ms AS tsMs FROM readings WHERE reactor_id = ? AND signal = ? ORDER BY ts_ms DESC LIMIT ?',
  oldestReadingMs: 'SELECT min(ts_ms) AS tsMs FROM readings WHERE reactor_id = ? AND signal = ?',
  newestReadingMs: 'SELECT max(ts_ms) AS tsMs FROM readings WHERE reactor_id = ? AND signal = ?',
  countReadings:
    'SELECT count(*) AS n FROM readings WHERE reactor_id = ? AND signal = ? AND ts_ms >= ? AND ts_ms < ?',
  readings: `SELECT ts_ms, value FROM readings
         WHERE reactor_id = ? AND signal = ? AND ts_ms >= ? AND ts_ms < ? ORDER BY ts_ms`,
  oldestRollupMs: `SELECT min(bucket_start_ms) AS tsMs FROM reading_rollups
       WHERE reactor_id = ? AND signal = ? AND bucket_width_ms = ?`,
  rollupCountSum: `SELECT sum(count) AS n FROM reading_rollups
       WHERE reactor_id = ? AND signal = ? AND bucket_width_ms = ? AND bucket_start_ms >= ? AND bucket_start_ms < ?`,
  rollups: `SELECT bucket_start_ms, count, value_sum, value_min, value_max FROM reading_rollups
         WHERE reactor_id = ? AND signal = ? AND bucket_width_ms = ? AND bucket_start_ms >= ? AND bucket_start_ms < ?
         ORDER BY bucket_start_ms`,
  rejectionsOfTopic: `SELECT payload_excerpt AS payloadExcerpt, reason FROM rejected_messages
       WHERE topic = ? ORDER BY id DESC LIMIT ?`,
  fitsInRange: `SELECT ${fitColumns} FROM fits
       WHERE reactor_id = ? AND window_end_ms >= ? AND window_end_ms <= ? ORDER BY window_end_ms, id`,
  fit: `SELECT ${fitColumns} FROM fits WHERE id = ?`,
  latestGoodFit: `SELECT ${fitColumns} FROM fits WHERE reactor_id = ? AND status = 'ok' ORDER BY id DESC LIMIT 1`,
  latestFits: `SELECT ${fitColumns} FROM fits WHERE reactor_id = ? ORDER BY id DESC LIMIT ?`,
  parametersInRange: `SELECT c.fit_id AS fitId, c.name, c.value, c.free, c.sd_log AS sdLog, c.sd_log_data AS sdLogData,
              c.lower95, c.upper95, c.determined, c.prior_sd_log AS priorSdLog
       FROM ${fitsOfRange.replace('%TABLE%', 'fit_parameters')}`,
  combinationsInRange: `SELECT c.fit_id AS fitId, c.rank, c.label, c.exponents_json AS exponentsJson, c.value, c.sd_log AS sdLog,
              c.sd_log_data AS sdLogData, c.name, c.meaning, c.lower95, c.upper95, c.determined
       FROM ${fitsOfRange.replace('%TABLE%', 'fit_combinations')} ORDER BY c.fit_id, c.rank`,
  compositionInRange: `SELECT c.fit_id AS fitId, c.quantity, c.value, c.sd, c.lower95, c.upper95
       FROM ${fitsOfRange.replace('%TABLE%', 'fit_composition')}`,
  documentsInRange: `SELECT c.fit_id AS fitId, c.trajectory_json AS trajectoryJson, c.forecast_json AS forecastJson,
              c.residuals_json AS residualsJson
       FROM ${fitsOfRange.replace('%TABLE%', 'fit_documents')}`,
  parametersOfFit: `SELECT fit_id AS fitId, name, value, free, sd_log AS sdLog, sd_log_data AS sdLogData, lower95, upper95,
              determined, prior_sd_log AS priorSdLog
       FROM fit_parameters WHERE fit_id = ?`,
  combinationsOfFit: `SELECT fit_id AS fitId, rank, label, exponents_json AS exponentsJson, value, sd_log AS sdLog,
              sd_log_data AS sdLogData, name, meaning, lower95, upper95, determined
       FROM fit_combinations WHERE fit_id = ? ORDER BY rank`,
  compositionOfFit:
    'SELECT fit_id AS fitId, quantity, value, sd, lower95, upper95 FROM fit_composition WHERE fit_id = ?',
  documentsOfFit: `SELECT fit_id AS fitId, trajectory_json AS trajectoryJson, forecast_json AS forecastJson,
              residuals_json AS residualsJson
       FROM fit_documents WHERE fit_id = ?`,
  residualsSince: `SELECT f.id AS fitId, f.window_end_ms AS windowEndMs, f.window_end_h AS windowEndH,
              d.residuals_json AS residualsJson
       FROM fits f JOIN fit_documents d ON d.fit_id = f.id
       WHERE f.reactor_id = ? AND f.status = 'ok' AND f.window_end_ms >= ? AND f.id > ? ORDER BY f.id`,
  windowFile: `SELECT d.window_file_json AS windowFileJson FROM fit_documents d JOIN fits f ON f.id = d.fit_id
       WHERE d.fit_id = ? AND f.reactor_id = ?`,
};

/** The reads that return rows as arrays ([tsMs, value], [bucketStartMs, count, sum, min, max]). */
export const rawServiceReads: ReadonlySet<keyof ServiceReadStatements> = new Set(['readings', 'rollups']);

export function prepareServiceReadStatements(sqlite: Database.Database): ServiceReadStatements {
  const prepared: Record<string, Database.Statement> = {};
  for (const [name, text] of Object.entries(serviceReadSql)) {
    const statement = sqlite.prepare(text);
    prepared[name] = rawServiceReads.has(name as keyof ServiceReadStatements)
      ? statement.raw(true)
      : statement;
  }
  return prepared as unknown as ServiceReadStatements;
}

type AsyncRead<S> =
  S extends Database.Statement<infer P extends unknown[], infer R>
    ? { get(...params: P): Promise<R | undefined>; all(...params: P): Promise<R[]> }
    : never;

/**
 * The same reads, answered asynchronously, for code that runs on either engine (server/api/): SQLite's
 * prepared statements (`asyncServiceReads`) or PostgreSQL's pool (db/pg/service-reads.ts).
 */
export type ServiceReads = { [K in keyof ServiceReadStatements]: AsyncRead<ServiceReadStatements[K]> };

export function asyncServiceReads(statements: ServiceReadStatements): ServiceReads {
  const reads: Record<string, unknown> = {};
  for (const [name, statement] of Object.entries(statements) as [string, Database.Statement][]) {
    reads[name] = {
      get: async (...params: unknown[]) => statement.get(...params),
      all: async (...params: unknown[]) => statement.all(...params),
    };
  }
  return reads as ServiceReads;
}
