/**
 * The plant data as stored. Times are integer epoch milliseconds (`…_at_ms`, `ts_ms`); values are
 * finite float64 (the ingester never lets NaN or ±Infinity through, and `NOT NULL` catches a NaN,
 * which SQLite would otherwise store as NULL).
 */

import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';
import { alarmSeverities } from '../contract/api';
import { roles } from '../contract/auth';

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
    /**
     * JSON digest of the standardized residuals: `{rms, maxAbs, count, large: {tMs, signal, value}}`
     * (those beyond 3 σ), so that months of fits show their quality without every residual.
     */
    residualSummaryJson: text('residual_summary_json'),
    /** The model the fit was made with (`models.version`); NULL: stored before models were recorded (the built-in). */
    modelVersion: text('model_version'),
    /**
     * A hybrid model's fit: JSON `{label: {rate, network, mechanistic}}`, the RMS of what the network
     * added to each rate along the fitted window and of the mechanistic rate there; NULL otherwise.
     */
    networkTermsJson: text('network_terms_json'),
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
    /** The data pin it down; otherwise its band is what the prior and data allow together. */
    determined: integer('determined', { mode: 'boolean' }),
    /** The prior's own sd of log: where sd_log stays near it, the data said nothing. NULL in fits before it was stored. */
    priorSdLog: real('prior_sd_log'),
  },
  (t) => [primaryKey({ columns: [t.fitId, t.name] })],
);

/** The model's named parameter combinations (products of powers) with their bands, in the model's order. */
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
    /** The model's name for it (`gB/vB`) and what it means; NULL in fits before they were named. */
    name: text('name'),
    meaning: text('meaning'),
    lower95: real('lower95'),
    upper95: real('upper95'),
    determined: integer('determined', { mode: 'boolean' }),
  },
  (t) => [primaryKey({ columns: [t.fitId, t.rank] })],
);

/**
 * The community at the window end: X, Y, A, B and the satellite fraction Y/(X+Y), each with its sd
 * and 95 % band (the states' in log space, the fraction's in logit space; NULL in fits before bands
 * were stored, which read as value ± 1.96 sd).
 */
export const fitComposition = sqliteTable(
  'fit_composition',
  {
    fitId: integer('fit_id')
      .notNull()
      .references(() => fits.id, { onDelete: 'cascade' }),
    quantity: text('quantity', { enum: ['X', 'Y', 'A', 'B', 'satellite_fraction'] }).notNull(),
    value: real('value').notNull(),
    sd: real('sd').notNull(),
    lower95: real('lower95'),
    upper95: real('upper95'),
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
  /** The belief at the window's end that experiment design starts from (assimilation `DesignPosterior`). */
  posteriorJson: text('posterior_json'),
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
  /**
   * The highest `readings` rowid when the newest fit read its readings. Rowids grow in commit order,
   * so a reading with a higher one, measured at or before fitted_up_to_h, is late data this chain
   * has not seen: the chain looks for such readings at start and before every fit.
   */
  readingsSeenRowid: integer('readings_seen_rowid'),
  lastFitId: integer('last_fit_id'),
  updatedAtMs: integer('updated_at_ms').notNull(),
  /** The model the chain runs (`models.version`); NULL: the built-in. A chain of another model starts afresh. */
  modelVersion: text('model_version'),
});

/**
 * Every model file a reactor has run, by version (the first 16 hex digits of the SHA-256 of its
 * text), so that a fit names the exact model it came from even after the reactor has changed model.
 */
export const models = sqliteTable('models', {
  version: text('version').primaryKey(),
  /** The file's `model:` name. */
  name: text('name').notNull(),
  fileText: text('file_text').notNull(),
  /** A model with a neural term: its trained weights file's text (`culturewatch neural train`); NULL otherwise. */
  weightsText: text('weights_text'),
  addedAtMs: integer('added_at_ms').notNull(),
});

/** The model each reactor runs, when an operator chose one; absent: the built-in. */
export const reactorModels = sqliteTable('reactor_models', {
  reactorId: text('reactor_id')
    .primaryKey()
    .references(() => reactors.id),
  modelVersion: text('model_version')
    .notNull()
    .references(() => models.version),
  setAtMs: integer('set_at_ms').notNull(),
  setBy: text('set_by').notNull(),
});

/**
 * The estimator settings an operator changed on the settings page (one row), over those from the
 * environment. Absent: the environment's stand.
 */
export const estimatorSettings = sqliteTable('estimator_settings', {
  id: integer('id').primaryKey(),
  /** `{windowHours, stepHours, forecastHours}`, validated by server/api/estimator-settings-api.ts. */
  settingsJson: text('settings_json').notNull(),
  updatedAtMs: integer('updated_at_ms').notNull(),
  updatedBy: text('updated_by').notNull(),
});

// ─── Experiment design (issue 16) ────────────────────────────────────────────────────────────────
// Written by server/design/.

/**
 * A dilution program an operator accepted: recorded with who and when, then published for the
 * plant's control system (or, in demo mode, run by the simulator). Never applied without this row.
 */
export const dilutionPrograms = sqliteTable(
  'dilution_programs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    reactorId: text('reactor_id')
      .notNull()
      .references(() => reactors.id),
    acceptedAtMs: integer('accepted_at_ms').notNull(),
    acceptedBy: text('accepted_by').notNull(),
    /** When the first set point applies and the last one ends, epoch ms. */
    startMs: integer('start_ms').notNull(),
    endMs: integer('end_ms').notNull(),
    /** `{shape, periodH, gridH, perHour[], …}` (assimilation `DilutionProgram`) and the limits it was checked against. */
    programJson: text('program_json').notNull(),
    limitsJson: text('limits_json').notNull(),
    summary: text('summary').notNull(),
    /** Where it went: `simulator` (demo mode) or `mqtt` (published for the plant's control system). */
    appliedBy: text('applied_by').notNull(),
  },
  (t) => [index('dilution_programs_reactor').on(t.reactorId, t.acceptedAtMs)],
);

/**
 * An offline assay result entered by hand. Its value also goes into `readings` through the ingest
 * path (as `assay/X|Y|A|B` at its sampling time), where the estimator reads it as late data.
 */
export const assayEntries = sqliteTable(
  'assay_entries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    reactorId: text('reactor_id')
      .notNull()
      .references(() => reactors.id),
    /** `assay/X`, `assay/Y`, `assay/A` or `assay/B`. */
    signal: text('signal').notNull(),
    value: real('value').notNull(),
    sampledAtMs: integer('sampled_at_ms').notNull(),
    measuredAtMs: integer('measured_at_ms').notNull(),
    enteredAtMs: integer('entered_at_ms').notNull(),
    enteredBy: text('entered_by').notNull(),
  },
  (t) => [index('assay_entries_reactor').on(t.reactorId, t.sampledAtMs)],
);

/**
 * A structure refinement of a reactor's model over its stored readings (server/refinement/), one
 * running at a time per reactor (the partial unique index). The result holds the log, the evidence
 * per link, both fits and the proposed model file; adopting it is the reactor's model PUT.
 */
export const refinements = sqliteTable(
  'refinements',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    reactorId: text('reactor_id')
      .notNull()
      .references(() => reactors.id),
    /** `running`, `done`, `failed`, `interrupted` (the service stopped while it ran). */
    status: text('status', { enum: ['running', 'done', 'failed', 'interrupted'] }).notNull(),
    requestedAtMs: integer('requested_at_ms').notNull(),
    requestedBy: text('requested_by').notNull(),
    finishedAtMs: integer('finished_at_ms'),
    /** Where the model came from: `current` (the reactor's), `community` (generated), `file`. */
    source: text('source').notNull(),
    modelName: text('model_name').notNull(),
    modelVersion: text('model_version').notNull(),
    /** The model file refined. */
    modelFileText: text('model_file_text').notNull(),
    /** `{hours, alpha}`. */
    settingsJson: text('settings_json').notNull(),
    /** `{linksTested, linksTotal, notes[]}` as it runs. */
    progressJson: text('progress_json').notNull(),
    /** Why it failed or was interrupted, in words. */
    error: text('error'),
    /** contract/api.ts `RefinementResultView`. */
    resultJson: text('result_json'),
  },
  (t) => [
    index('refinements_reactor').on(t.reactorId, t.requestedAtMs),
    uniqueIndex('refinements_one_running').on(t.reactorId).where(sql`status = 'running'`),
  ],
);

// ─── Alerts and webhooks (issue 8) ───────────────────────────────────────────────────────────────
// Written by server/alerts/ and server/webhooks/. An alarm's transition, its event and the webhook
// notifications it causes are committed in one transaction, so a notification is never lost or
// sent for a change that did not happen.

/**
 * Alert rules, the whole definition as validated JSON (server/alerts/alert-rules.ts). Rules from the
 * settings (`ALERT_RULES`) are written at each start unless an operator has edited them since.
 */
export const alertRules = sqliteTable('alert_rules', {
  /** Chosen by whoever writes the rule: `satellite-high`, `od-range`, … */
  id: text('id').primaryKey(),
  /** `satellite-fraction`, `parameter-band`, `sensor-stale`, `reading-range`, `fit-failures`, `residuals`. */
  kind: text('kind').notNull(),
  definitionJson: text('definition_json').notNull(),
  /** `config`: from the settings; `api`: written or edited by an operator (the settings no longer touch it). */
  source: text('source', { enum: ['config', 'api'] }).notNull(),
  createdAtMs: integer('created_at_ms').notNull(),
  updatedAtMs: integer('updated_at_ms').notNull(),
  updatedBy: text('updated_by').notNull(),
});

/**
 * One alarm per reactor and rule (ThingsBoard's lifecycle): active or cleared × acknowledged or not.
 * A condition that returns re-activates the same alarm (`fire_count` + 1) instead of adding another.
 * Times are wall-clock epoch ms, except `evidence_…`, on the clock of the evidence (plant time for
 * readings and fits, which for a simulator runs on its own calendar).
 */
export const alarms = sqliteTable(
  'alarms',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    reactorId: text('reactor_id')
      .notNull()
      .references(() => reactors.id),
    /** No foreign key: the history outlives a deleted rule. */
    ruleId: text('rule_id').notNull(),
    /** The rule's name and kind when the alarm last changed, for the history. */
    ruleName: text('rule_name').notNull(),
    ruleKind: text('rule_kind').notNull(),
    severity: text('severity', { enum: alarmSeverities }).notNull(),
    active: integer('active', { mode: 'boolean' }).notNull(),
    acknowledged: integer('acknowledged', { mode: 'boolean' }).notNull(),
    /** When the current (or last) episode fired. */
    firedAtMs: integer('fired_at_ms').notNull(),
    evidenceFiredAtMs: integer('evidence_fired_at_ms'),
    /** NULL while active. */
    clearedAtMs: integer('cleared_at_ms'),
    /** `system` when the condition went away, else the operator. */
    clearedBy: text('cleared_by'),
    acknowledgedAtMs: integer('acknowledged_at_ms'),
    acknowledgedBy: text('acknowledged_by'),
    /** The newest evidence seen while active. */
    lastEvidenceAtMs: integer('last_evidence_at_ms'),
    /** In words, e.g. "satellite fraction 0.031 (lower 95 % bound 0.024) above 0.02". */
    summary: text('summary').notNull(),
    /** JSON object of the numbers behind the summary (name → finite number). */
    valuesJson: text('values_json').notNull(),
    fireCount: integer('fire_count').notNull(),
    updatedAtMs: integer('updated_at_ms').notNull(),
  },
  (t) => [uniqueIndex('alarms_reactor_rule').on(t.reactorId, t.ruleId), index('alarms_active').on(t.active)],
);

/** Every transition of every alarm, with when and who: the history behind `GET /api/alerts`. */
export const alarmEvents = sqliteTable(
  'alarm_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    alarmId: integer('alarm_id')
      .notNull()
      .references(() => alarms.id),
    reactorId: text('reactor_id').notNull(),
    ruleId: text('rule_id').notNull(),
    kind: text('kind', { enum: ['fired', 'acknowledged', 'cleared'] }).notNull(),
    /** `system` for the rule engine, else the operator's name. */
    actor: text('actor').notNull(),
    atMs: integer('at_ms').notNull(),
    evidenceAtMs: integer('evidence_at_ms'),
    severity: text('severity', { enum: alarmSeverities }).notNull(),
    summary: text('summary').notNull(),
    valuesJson: text('values_json').notNull(),
    /** The alarm's state after this transition. */
    active: integer('active', { mode: 'boolean' }).notNull(),
    acknowledged: integer('acknowledged', { mode: 'boolean' }).notNull(),
  },
  (t) => [index('alarm_events_at').on(t.atMs), index('alarm_events_alarm').on(t.alarmId)],
);

/** Where notifications go. The secret signs each request and is never sent to a browser or logged. */
export const webhookEndpoints = sqliteTable('webhook_endpoints', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  url: text('url').notNull(),
  secret: text('secret').notNull(),
  /** JSON array of the severities sent: `["critical","major"]`. */
  severitiesJson: text('severities_json').notNull(),
  enabled: integer('enabled', { mode: 'boolean' }).notNull(),
  createdAtMs: integer('created_at_ms').notNull(),
  updatedAtMs: integer('updated_at_ms').notNull(),
  /** Deleted endpoints stay for their delivery log, with the secret wiped. */
  deletedAtMs: integer('deleted_at_ms'),
});

/**
 * Notifications to send, in the order of `id` per endpoint. The body is fixed when the row is
 * written; each attempt signs it afresh with its own timestamp.
 */
export const webhookOutbox = sqliteTable(
  'webhook_outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    endpointId: integer('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id),
    alarmEventId: integer('alarm_event_id')
      .notNull()
      .references(() => alarmEvents.id),
    /** Sent as `Idempotency-Key`, the same on every attempt. */
    idempotencyKey: text('idempotency_key').notNull(),
    bodyJson: text('body_json').notNull(),
    createdAtMs: integer('created_at_ms').notNull(),
    /** `cancelled`: its endpoint was deleted before it could be delivered. */
    state: text('state', { enum: ['pending', 'delivered', 'cancelled'] }).notNull(),
    attempts: integer('attempts').notNull(),
    nextAttemptAtMs: integer('next_attempt_at_ms').notNull(),
    lastError: text('last_error'),
    deliveredAtMs: integer('delivered_at_ms'),
  },
  (t) => [
    uniqueIndex('webhook_outbox_idempotency_key').on(t.idempotencyKey),
    uniqueIndex('webhook_outbox_endpoint_event').on(t.endpointId, t.alarmEventId),
    index('webhook_outbox_endpoint_state').on(t.endpointId, t.state, t.id),
    // Retention asks which alarm events a notification still needs.
    index('webhook_outbox_alarm_event').on(t.alarmEventId),
  ],
);

/** Every delivery attempt with its outcome. */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    outboxId: integer('outbox_id')
      .notNull()
      .references(() => webhookOutbox.id),
    endpointId: integer('endpoint_id').notNull(),
    /** 1 for the first attempt. */
    attempt: integer('attempt').notNull(),
    startedAtMs: integer('started_at_ms').notNull(),
    durationMs: real('duration_ms').notNull(),
    /** NULL when no response came (timeout, refused connection). */
    httpStatus: integer('http_status'),
    outcome: text('outcome', { enum: ['delivered', 'http-error', 'timeout', 'network-error'] }).notNull(),
    /** Short and secret-free: the status line, or the network error's code. */
    error: text('error'),
  },
  (t) => [
    index('webhook_deliveries_outbox').on(t.outboxId),
    index('webhook_deliveries_endpoint_started').on(t.endpointId, t.startedAtMs),
  ],
);

// ─── Who may see and change what (issue 7) ───────────────────────────────────────────────────────
// Written by server/auth/. Only hashes are stored: scrypt for passwords, SHA-256 for the random
// session ids and API tokens; the clear secrets exist only in the one response that hands them out.

/** A person who logs in to the dashboard. */
export const users = sqliteTable('users', {
  username: text('username').primaryKey(),
  role: text('role', { enum: roles }).notNull(),
  /** `scrypt$N$r$p$salt$hash` (server/auth/password-hash.ts). */
  passwordHash: text('password_hash').notNull(),
  /** Set for a generated one-time password: only a password change is allowed until it is replaced. */
  mustChangePassword: integer('must_change_password', { mode: 'boolean' }).notNull(),
  createdAtMs: integer('created_at_ms').notNull(),
  lastLoginAtMs: integer('last_login_at_ms'),
});

/** A logged-in browser. The cookie holds the id; the database only its SHA-256. */
export const sessions = sqliteTable(
  'sessions',
  {
    idSha256: text('id_sha256').primaryKey(),
    username: text('username')
      .notNull()
      .references(() => users.username, { onDelete: 'cascade' }),
    /** Sent back in `x-csrf-token` on every state-changing request of this session. */
    csrfToken: text('csrf_token').notNull(),
    createdAtMs: integer('created_at_ms').notNull(),
    /** Renewed by use (sliding expiry). */
    expiresAtMs: integer('expires_at_ms').notNull(),
  },
  (t) => [index('sessions_username').on(t.username), index('sessions_expires').on(t.expiresAtMs)],
);

/** Bearer tokens for scripts. Revoked tokens stay, for the record. */
export const apiTokens = sqliteTable('api_tokens', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  tokenSha256: text('token_sha256').notNull().unique(),
  name: text('name').notNull(),
  role: text('role', { enum: roles }).notNull(),
  createdAtMs: integer('created_at_ms').notNull(),
  createdBy: text('created_by').notNull(),
  lastUsedAtMs: integer('last_used_at_ms'),
  revokedAtMs: integer('revoked_at_ms'),
});

// ─── The devices' accounts on the embedded MQTT broker (issue 22) ─────────────────────────────────
// Written by server/broker/device-accounts.ts. Accounts from `MQTT_DEVICES` live in the environment,
// not here; their activity is kept here too.

/** A device account made in the dashboard. Revoked accounts stay, for the record; their names are not reused. */
export const deviceAccounts = sqliteTable('device_accounts', {
  username: text('username').primaryKey(),
  /** `scrypt$N$r$p$salt$hash` (server/auth/password-hash.ts). */
  passwordHash: text('password_hash').notNull(),
  /** JSON array of the reactor ids it may publish to, or `"*"` for every reactor (a gateway). */
  reactors: text('reactors').notNull(),
  createdAtMs: integer('created_at_ms').notNull(),
  createdBy: text('created_by').notNull(),
  revokedAtMs: integer('revoked_at_ms'),
});

/** When each device (of the dashboard or of `MQTT_DEVICES`) last logged in and last published. */
export const deviceActivity = sqliteTable('device_activity', {
  username: text('username').primaryKey(),
  lastConnectedAtMs: integer('last_connected_at_ms'),
  lastPublishedAtMs: integer('last_published_at_ms'),
});
