/**
 * The plant data as stored. Times are integer epoch milliseconds (`…_at_ms`, `ts_ms`); values are
 * finite float64 (the ingester never lets NaN or ±Infinity through, and `NOT NULL` catches a NaN,
 * which SQLite would otherwise store as NULL).
 */
import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** A reactor registers itself with its first reading. */
export const reactors = sqliteTable('reactors', {
  id: text('id').primaryKey(),
  firstSeenAtMs: integer('first_seen_at_ms').notNull(),
});

/**
 * One raw reading. The key (reactor, signal, ts) makes a redelivered duplicate or an out-of-order
 * arrival harmless: the first value stored for a key wins.
 */
export const readings = sqliteTable(
  'readings',
  {
    reactorId: text('reactor_id')
      .notNull()
      .references(() => reactors.id),
    /** `od`, `substrate`, `dilution`, `feed`, or `assay/X|Y|A|B`. */
    signal: text('signal').notNull(),
    /** Measurement time (for a simulator, plant time on its virtual calendar). */
    tsMs: integer('ts_ms').notNull(),
    value: real('value').notNull(),
    /** Arrival time at the ingester: tells late data from on-time data. */
    receivedAtMs: integer('received_at_ms').notNull(),
  },
  (t) => [primaryKey({ columns: [t.reactorId, t.signal, t.tsMs] })],
);

/**
 * Mean (value_sum / count), min and max of a signal over fixed buckets, so that long ranges chart
 * cheaply. Sums rather than means are stored, so a late reading is added in without re-reading the bucket.
 */
export const readingRollups = sqliteTable(
  'reading_rollups',
  {
    reactorId: text('reactor_id')
      .notNull()
      .references(() => reactors.id),
    signal: text('signal').notNull(),
    bucketWidthMs: integer('bucket_width_ms').notNull(),
    bucketStartMs: integer('bucket_start_ms').notNull(),
    count: integer('count').notNull(),
    valueSum: real('value_sum').notNull(),
    valueMin: real('value_min').notNull(),
    valueMax: real('value_max').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.reactorId, t.signal, t.bucketWidthMs, t.bucketStartMs] }),
    check('reading_rollups_count_positive', sql`${t.count} > 0`),
  ],
);

/** The most recent rejected messages (the ingester trims it to a bound), for an operator to see why. */
export const rejectedMessages = sqliteTable('rejected_messages', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  receivedAtMs: integer('received_at_ms').notNull(),
  /** Truncated topic as received. */
  topic: text('topic').notNull(),
  /** The first bytes of the payload (or of the offending batch element), decoded as UTF-8. */
  payloadExcerpt: text('payload_excerpt').notNull(),
  payloadBytes: integer('payload_bytes').notNull(),
  reason: text('reason').notNull(),
  /** A short human explanation, e.g. "-0.3 is below 0 for od". */
  detail: text('detail').notNull(),
});

/** Every rejection ever, counted by reason (the stored examples above are bounded; these counts are not). */
export const rejectionCounts = sqliteTable('rejection_counts', {
  reason: text('reason').primaryKey(),
  count: integer('count').notNull(),
  lastRejectedAtMs: integer('last_rejected_at_ms').notNull(),
});

// ─── The live service's estimates (issue 5) ──────────────────────────────────────────────────────
// Written by the assimilator worker (server/assimilator/), read by the API. Every fit is kept, a
// failed one with its reason; a number that could not be computed is NULL, never NaN.

/** One window fit of one reactor, successful or not. */
export const fits = sqliteTable(
  'fits',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    reactorId: text('reactor_id')
      .notNull()
      .references(() => reactors.id),
    /** The window on the plant calendar (epoch ms) … */
    windowStartMs: integer('window_start_ms').notNull(),
    windowEndMs: integer('window_end_ms').notNull(),
    /** … and exactly as fitted, in plant hours (epoch ms / 3.6e6). */
    windowStartH: real('window_start_h').notNull(),
    windowEndH: real('window_end_h').notNull(),
    /** Wall clock when the fit finished. */
    fittedAtMs: integer('fitted_at_ms').notNull(),
    status: text('status', { enum: ['ok', 'failed'] }).notNull(),
    /** Why a fit failed: `solver-failure`, `iteration-limit`, `non-finite`, `no-data`, `exception`. */
    reason: text('reason'),
    detail: text('detail'),
    /** The window was fitted before and is fitted again because late data arrived in it. */
    refit: integer('refit', { mode: 'boolean' }).notNull(),
    /** The prior was the broad cold-start one, not carried from the window before. */
    coldStart: integer('cold_start', { mode: 'boolean' }).notNull(),
    /** Σρ(r) over the window's observations; NULL for a failed fit. */
    loss: real('loss'),
    iterations: integer('iterations').notNull(),
    durationMs: real('duration_ms').notNull(),
  },
  (t) => [
    index('fits_reactor_window_end').on(t.reactorId, t.windowEndMs),
    index('fits_reactor_status').on(t.reactorId, t.status),
    check('fits_failure_has_reason', sql`${t.status} = 'ok' OR ${t.reason} IS NOT NULL`),
  ],
);

/** Every parameter of a fit: the free ones with their uncertainty, the fixed ones with their value. */
export const fitParameters = sqliteTable(
  'fit_parameters',
  {
    fitId: integer('fit_id')
      .notNull()
      .references(() => fits.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** Natural units. */
    value: real('value').notNull(),
    /** Estimated by the fit; otherwise held fixed and the columns below are NULL. */
    free: integer('free', { mode: 'boolean' }).notNull(),
    /** Posterior sd of log(value) (0.05 ≈ ±5 %). */
    sdLog: real('sd_log'),
    /** sd of log(value) from this window's data alone (capped at 1000: no information). */
    sdLogData: real('sd_log_data'),
    lower95: real('lower95'),
    upper95: real('upper95'),
    /** The window's own data pin it down; otherwise an operator should not read it alone. */
    determined: integer('determined', { mode: 'boolean' }),
  },
  (t) => [primaryKey({ columns: [t.fitId, t.name] })],
);

/** The parameter combinations (products of powers) that a fit's data determine well, best first. */
export const fitCombinations = sqliteTable(
  'fit_combinations',
  {
    fitId: integer('fit_id')
      .notNull()
      .references(() => fits.id, { onDelete: 'cascade' }),
    rank: integer('rank').notNull(),
    label: text('label').notNull(),
    /** JSON object: parameter name → exponent. */
    exponentsJson: text('exponents_json').notNull(),
    value: real('value').notNull(),
    sdLog: real('sd_log').notNull(),
    sdLogData: real('sd_log_data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.fitId, t.rank] })],
);

/** The community at the window end: X, Y, A, B and the satellite fraction Y/(X+Y), each with its sd. */
export const fitComposition = sqliteTable(
  'fit_composition',
  {
    fitId: integer('fit_id')
      .notNull()
      .references(() => fits.id, { onDelete: 'cascade' }),
    quantity: text('quantity', { enum: ['X', 'Y', 'A', 'B', 'satellite_fraction'] }).notNull(),
    value: real('value').notNull(),
    sd: real('sd').notNull(),
  },
  (t) => [primaryKey({ columns: [t.fitId, t.quantity] })],
);

/** The bulky parts of a fit, apart so that listing fits stays cheap. JSON documents; NULL when absent. */
export const fitDocuments = sqliteTable('fit_documents', {
  fitId: integer('fit_id')
    .primaryKey()
    .references(() => fits.id, { onDelete: 'cascade' }),
  /** The model over the window: `{tMs, series, sd}` (contract/api.ts `Trajectory`). */
  trajectoryJson: text('trajectory_json'),
  /** The model a few hours past the window end, inputs held at their last value. */
  forecastJson: text('forecast_json'),
  /** Standardized residuals `{tMs, signal, value}`. */
  residualsJson: text('residuals_json'),
  /** The window as a window-problem file (shared/spec §2) with its prior, replayable with `culturewatch fit`. */
  windowFileJson: text('window_file_json'),
});

/**
 * Each reactor's estimator chain, so that it survives a restart: the checkpoints of the recent
 * windows (prior mean and covariance, warm start, parameters), written with each fit in one transaction.
 */
export const assimilatorChains = sqliteTable('assimilator_chains', {
  reactorId: text('reactor_id')
    .primaryKey()
    .references(() => reactors.id),
  /** The estimator settings the chain was built with; a chain from other settings starts afresh. */
  settingsKey: text('settings_key').notNull(),
  /** JSON: `{checkpoints: [{start, prior: {mean, covariance}, warmStart, params, cold}]}`. */
  stateJson: text('state_json').notNull(),
  /** End of the newest window ever fitted (plant hours): a reading at or before it is late. */
  fittedUpToH: real('fitted_up_to_h').notNull(),
  lastFitId: integer('last_fit_id'),
  updatedAtMs: integer('updated_at_ms').notNull(),
});
