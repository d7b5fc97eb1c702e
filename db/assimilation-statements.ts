/**
 * The assimilator worker's reads and writes as raw prepared statements over the drizzle-defined
 * tables (db/schema.ts, "The live service's estimates"). Positional parameters, in the order given in
 * each comment. Reads walk the primary key of `readings` (reactor, signal, ts), so cutting a window out
 * of months of data costs the window's own rows.
 */
import type Database from 'better-sqlite3';

export interface AssimilationStatements {
  /** (reactorId, signal, fromMs, toMs) → readings with from ≤ ts ≤ to, oldest first. */
  readingsBetween: Database.Statement<[string, string, number, number], { tsMs: number; value: number }>;
  /** (reactorId, signal, beforeMs) → the newest reading strictly before, if any. */
  readingBefore: Database.Statement<[string, string, number], { tsMs: number; value: number }>;
  /** (reactorId, signal, afterMs) → the oldest reading strictly after, if any. */
  readingAfter: Database.Statement<[string, string, number], { tsMs: number; value: number }>;
  /** (reactorId, signal) → newest reading time of the series, or null. */
  newestReadingMs: Database.Statement<[string, string], { tsMs: number | null }>;
  /** (reactorId, signal) → oldest reading time of the series, or null. */
  oldestReadingMs: Database.Statement<[string, string], { tsMs: number | null }>;
  /** () → every reactor id. */
  reactorIds: Database.Statement<[], { id: string }>;
  /** () → every stored chain. */
  chains: Database.Statement<
    [],
    {
      reactorId: string;
      settingsKey: string;
      stateJson: string;
      fittedUpToH: number;
      readingsSeenRowid: number | null;
      modelVersion: string | null;
    }
  >;
  /**
   * (afterRowid, upToRowid, reactorId, fromMs, toMs) → the oldest time among the readings with
   * afterRowid < rowid ≤ upToRowid and from ≤ ts ≤ to, or null: late data a chain has not seen.
   */
  oldestStoredBetween: Database.Statement<[number, number, string, number, number], { tsMs: number | null }>;
  /** () → the highest rowid of `readings` (rowids grow in commit order), or null when empty. */
  readingsHighWater: Database.Statement<[], { rowid: number | null }>;
  /**
   * (reactorId, windowStartMs, windowEndMs, windowStartH, windowEndH, fittedAtMs, status, reason,
   * detail, refit, coldStart, loss, iterations, durationMs, residualSummaryJson, modelVersion,
   * networkTermsJson) →
   * lastInsertRowid is the fit id.
   */
  insertFit: Database.Statement<
    [
      string,
      number,
      number,
      number,
      number,
      number,
      'ok' | 'failed',
      string | null,
      string | null,
      number,
      number,
      number | null,
      number,
      number,
      string | null,
      string,
      string | null,
    ]
  >;
  /** (fitId, name, value, free, sdLog, sdLogData, lower95, upper95, determined, priorSdLog) */
  insertParameter: Database.Statement<
    [
      number,
      string,
      number,
      number,
      number | null,
      number | null,
      number | null,
      number | null,
      number | null,
      number | null,
    ]
  >;
  /** (fitId, rank, label, exponentsJson, value, sdLog, sdLogData, name, meaning, lower95, upper95, determined) */
  insertCombination: Database.Statement<
    [number, number, string, string, number, number, number, string, string, number, number, number]
  >;
  /** (fitId, quantity, value, sd, lower95, upper95) */
  insertComposition: Database.Statement<[number, string, number, number, number, number]>;
  /** (fitId, trajectoryJson, forecastJson, residualsJson, windowFileJson) */
  insertDocuments: Database.Statement<
    [number, string | null, string | null, string | null, string | null, string | null]
  >;
  /** (reactorId, settingsKey, stateJson, fittedUpToH, readingsSeenRowid, lastFitId, updatedAtMs, modelVersion) */
  upsertChain: Database.Statement<[string, string, string, number, number, number | null, number, string]>;
}

export function prepareAssimilationStatements(sqlite: Database.Database): AssimilationStatements {
  return {
    readingsBetween: sqlite.prepare(
      `SELECT ts_ms AS tsMs, value FROM readings
       WHERE reactor_id = ? AND signal = ? AND ts_ms >= ? AND ts_ms <= ? ORDER BY ts_ms`,
    ),
    readingBefore: sqlite.prepare(
      `SELECT ts_ms AS tsMs, value FROM readings
       WHERE reactor_id = ? AND signal = ? AND ts_ms < ? ORDER BY ts_ms DESC LIMIT 1`,
    ),
    readingAfter: sqlite.prepare(
      `SELECT ts_ms AS tsMs, value FROM readings
       WHERE reactor_id = ? AND signal = ? AND ts_ms > ? ORDER BY ts_ms LIMIT 1`,
    ),
    newestReadingMs: sqlite.prepare(
      'SELECT max(ts_ms) AS tsMs FROM readings WHERE reactor_id = ? AND signal = ?',
    ),
    oldestReadingMs: sqlite.prepare(
      'SELECT min(ts_ms) AS tsMs FROM readings WHERE reactor_id = ? AND signal = ?',
    ),
    reactorIds: sqlite.prepare('SELECT id FROM reactors ORDER BY id'),
    chains: sqlite.prepare(
      `SELECT reactor_id AS reactorId, settings_key AS settingsKey, state_json AS stateJson,
              fitted_up_to_h AS fittedUpToH, readings_seen_rowid AS readingsSeenRowid,
              model_version AS modelVersion
       FROM assimilator_chains`,
    ),
    // NOT INDEXED: walk only the rows stored since (a rowid range), not the reactor's whole history.
    oldestStoredBetween: sqlite.prepare(
      `SELECT min(ts_ms) AS tsMs FROM readings NOT INDEXED
       WHERE rowid > ? AND rowid <= ? AND reactor_id = ? AND ts_ms >= ? AND ts_ms <= ?`,
    ),
    readingsHighWater: sqlite.prepare('SELECT max(rowid) AS rowid FROM readings'),
    insertFit: sqlite.prepare(
      `INSERT INTO fits (reactor_id, window_start_ms, window_end_ms, window_start_h, window_end_h,
         fitted_at_ms, status, reason, detail, refit, cold_start, loss, iterations, duration_ms,
         residual_summary_json, model_version, network_terms_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertParameter: sqlite.prepare(
      `INSERT INTO fit_parameters (fit_id, name, value, free, sd_log, sd_log_data, lower95, upper95, determined,
         prior_sd_log)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertCombination: sqlite.prepare(
      `INSERT INTO fit_combinations (fit_id, rank, label, exponents_json, value, sd_log, sd_log_data, name,
         meaning, lower95, upper95, determined)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertComposition: sqlite.prepare(
      'INSERT INTO fit_composition (fit_id, quantity, value, sd, lower95, upper95) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    insertDocuments: sqlite.prepare(
      `INSERT INTO fit_documents (fit_id, trajectory_json, forecast_json, residuals_json, window_file_json,
         posterior_json)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    upsertChain: sqlite.prepare(
      `INSERT INTO assimilator_chains (reactor_id, settings_key, state_json, fitted_up_to_h,
         readings_seen_rowid, last_fit_id, updated_at_ms, model_version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (reactor_id) DO UPDATE SET
         settings_key = excluded.settings_key,
         model_version = excluded.model_version,
         state_json = excluded.state_json,
         fitted_up_to_h = excluded.fitted_up_to_h,
         readings_seen_rowid = excluded.readings_seen_rowid,
         last_fit_id = excluded.last_fit_id,
         updated_at_ms = excluded.updated_at_ms`,
    ),
  };
}
