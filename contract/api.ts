/** HTTP API payloads (JSON). Times are epoch ms (`…Ms`) and, where the model is concerned, plant hours (`…H`). */
import type { ReactorFreshness } from './freshness';

/**
 * The plant's signals as they arrive over MQTT (`<prefix>/<reactor>/<signal>`): the one list, in the
 * order tables, charts and the CSV export show them.
 */
export const plantSignals = [
  'od',
  'substrate',
  'dilution',
  'feed',
  'assay/X',
  'assay/Y',
  'assay/A',
  'assay/B',
] as const;
export type PlantSignal = (typeof plantSignals)[number];

/** The sensors that report continuously: a reactor's plant clock, and what can go stale (an assay is sparse by nature). */
export const onlineSignals = ['od', 'substrate', 'dilution'] as const satisfies readonly PlantSignal[];

/** A reactor id, wherever one is written: MQTT topics, API paths, settings, alert rules. */
export const reactorIdPattern = /^[A-Za-z0-9_-]{1,64}$/;
/** `reactorIdPattern` in words, for error messages. */
export const reactorIdRule = '[A-Za-z0-9_-]{1,64}';

export function isReactorId(text: string): boolean {
  return reactorIdPattern.test(text);
}

export interface ValueWithSd {
  value: number;
  sd: number;
}

/** A value with its 95 % band. */
export interface BandedValue {
  value: number;
  lower95: number;
  upper95: number;
}

export type AlertLevel = 'ok' | 'warning' | 'minor' | 'major' | 'critical';

/** GET /api/reactors → ReactorSummary[] */
export interface ReactorSummary {
  id: string;
  firstSeenMs: number;
  /**
   * Optional (asked for by the dashboard): epoch ms of the reactor's earliest reading, on the
   * plant's calendar (firstSeenMs is when the service first heard of it, on the wall clock). The
   * dashboard counts plant hours from here; without it, it asks the readings API.
   */
  firstReadingMs?: number;
  /** Latest reading of each signal seen. */
  latest: Partial<
    Record<
      PlantSignal,
      {
        tsMs: number;
        value: number;
        /**
         * Optional (asked for by the dashboard): wall-clock epoch ms at which the service received
         * this reading. A simulated plant stamps readings on its own calendar, so only this tells
         * whether a sensor has gone stale; without it the dashboard compares signals with each other.
         */
        receivedAtMs?: number;
      }
    >
  >;
  /**
   * Optional (added by the service): each online signal fresh, late, stale or offline, judged on the
   * reactor's plant clock against the signal's usual cadence (contract/freshness.ts).
   */
  freshness?: ReactorFreshness;
  /** Optional (added by the service): where the fits stand against the readings, in words too. */
  fitProgress?: FitProgress;
  latestEstimate: EstimateSummary | null;
  alert: { level: AlertLevel; summary: string; activeCount: number };
}

/**
 * Where a reactor's fits stand (server/api/fit-progress.ts): before the first fit, how much of the
 * first window is in (`first-window`) or that the first fit is on its way (`first-fit-due`); after
 * it, fits following the readings (`up-to-date`), working through a backlog the estimator has queued
 * (`catching-up`, after a start), or behind with nothing queued (`behind`: needs an operator); `off`
 * without the estimator.
 */
export interface FitProgress {
  state: 'first-window' | 'first-fit-due' | 'up-to-date' | 'catching-up' | 'behind' | 'off';
  /** Plant hours of readings in, and the window a fit needs. */
  readingsHours: number;
  windowHours: number;
  /** Plant ms from the newest fit's window end to the newest reading; null before the first fit. */
  lagMs: number | null;
  /** This reactor's windows the estimator has queued. */
  windowsDue: number;
  /** Before the first fit: wall ms until a full window is in, at the plant's rate. */
  firstFitInWallMs: number | null;
  /** "7.5 of 12 h of readings in, first fit in about 4.5 h" */
  words: string;
}

export interface EstimateSummary {
  fitId: number;
  windowEndMs: number;
  /** Wall-clock time the fit finished. */
  fittedAtMs: number;
  status: FitStatus;
  satelliteFraction: BandedValue | null;
}

export type FitStatus = 'ok' | 'failed';

/**
 * A refitted parameter. Its band is what the prior and the data allow together; only where the data
 * pin it (`determined`) is the value worth reading alone.
 */
export interface ParameterEstimate {
  value: number;
  sdLog: number;
  /** sd of log from this window's data alone. */
  sdLogData: number;
  lower95: number;
  upper95: number;
  /** The data pin it to ±10 % (sd of log 0.1), far inside its prior. */
  determined: boolean;
  /**
   * Optional (fits stored before it was): the prior's own sd of log. Where sdLog is close to it, the
   * data have said nothing and the band is the prior's.
   */
  priorSdLog?: number;
}

/** One of the model's named products of powers of parameters (gB/vB…), with its band. */
export interface ParameterCombination {
  /** Optional (fits stored before combinations were named): the model's name, `gB/vB`. */
  name?: string;
  /** Optional, likewise: what it means for the process. */
  meaning?: string;
  /** The product written out, `gB · vB^-1`. */
  label: string;
  exponents: Record<string, number>;
  value: number;
  sdLog: number;
  sdLogData: number;
  lower95: number;
  upper95: number;
  determined: boolean;
}

/**
 * An estimate with its sd (linearized, natural units) and its 95 % band: a concentration's in log
 * space (never negative), the satellite fraction's in logit space (inside 0–1).
 */
export interface BandedEstimate extends ValueWithSd {
  lower95: number;
  upper95: number;
}

/**
 * The community at a fit's window end: X the main organism, Y the satellites together, their fraction,
 * and each metabolite by name (the built-in model's A and B); a model with several satellites also
 * lists each one by name. Which quantities there are is the reactor's model's (`ReactorModelView`).
 */
export interface Composition {
  X: BandedEstimate;
  Y: BandedEstimate;
  satellite_fraction: BandedEstimate;
  [quantity: string]: BandedEstimate;
}

/** The model's states and signals on a time grid (fitted window and forecast). */
export interface Trajectory {
  tMs: number[];
  /** States by name (S, X, Y, A, B) and signals (od, substrate), same length as tMs. */
  series: Record<string, number[]>;
  /** Standard deviations where known (forecast bands), same keys. */
  sd?: Record<string, number[]>;
  /**
   * Optional (fits stored before bands were): the 95 % band, same keys; for a positive quantity in
   * log space. The forecast's also holds the inputs' unknown future (from their recent course).
   */
  lower?: Record<string, number[]>;
  upper?: Record<string, number[]>;
}

/**
 * GET /api/reactors/:id/estimates?from=&to=&trajectories= → FitRecord[] (newest last), the fits whose
 * window ends in [from, to]. `trajectories` (added by the service): `all` (default) fills
 * `trajectory`, `forecast` and `residuals` on every fit; `latest` only on the newest one (long ranges);
 * `none` on none.
 */
export interface FitRecord {
  id: number;
  reactorId: string;
  windowStartMs: number;
  windowEndMs: number;
  windowStartH: number;
  windowEndH: number;
  fittedAtMs: number;
  status: FitStatus;
  /** Why a fit failed: solver-failure, iteration-limit, non-finite, no-data. */
  reason: string | null;
  detail: string | null;
  refit: boolean;
  /**
   * Optional (added by the service): the fit started from the broad cold-start prior rather than
   * the prior carried from the window before (the first window of a reactor, or after a settings change).
   */
  coldStart?: boolean;
  loss: number | null;
  iterations: number;
  durationMs: number;
  /**
   * Optional (added by the service): the model the fit was made with, by version (of its file) and
   * name; a reactor's fits from before a change of model keep the model they came from.
   */
  model?: { version: string; name: string } | null;
  params: Record<string, ParameterEstimate> | null;
  fixed: Record<string, number> | null;
  combinations: ParameterCombination[] | null;
  composition: Composition | null;
  /** Standardized residuals (h(x) − v)/σ of the window's observations. */
  residuals: { tMs: number[]; signal: string[]; value: number[] } | null;
  /**
   * Optional (asked for by the dashboard): a digest of `residuals` on every fit, also when
   * `trajectories=latest|none` leaves `residuals` out, so that months of fits can show their fit
   * quality without carrying every residual: root mean square, largest magnitude, count, and the
   * observations beyond 3 σ (the dashboard marks those beyond 4 as outliers).
   */
  residualSummary?: {
    rms: number;
    maxAbs: number;
    count: number;
    large: { tMs: number[]; signal: string[]; value: number[] };
  } | null;
  trajectory: Trajectory | null;
  forecast: Trajectory | null;
}

/**
 * GET /api/reactors/:id/mismatch → ModelMismatchView: whether the model still explains the plant,
 * from the residuals of the reactor's recent fits (Ljung–Box over a sliding span,
 * assimilation/mismatch/model-mismatch.ts). Plant time throughout.
 */
export interface ModelMismatchView {
  reactorId: string;
  /** False: "the model no longer explains the plant". */
  explained: boolean;
  /** When the current mismatch began (the first window of its run), and when it was declared; null when explained. */
  sinceMs: number | null;
  firedAtMs: number | null;
  /** The signals whose residuals show structure, and the rates a hybrid's network corrects beyond its training. */
  signals: string[];
  rates: string[];
  /** The test over the fits looked at: the span's p-value at each window end (null: too few readings yet). */
  points: { tMs: number; pValue: number | null }[];
  /** The test's settings: span (plant hours), lags, the p-value below which it fires. */
  test: { spanHours: number; lags: number; fireP: number; onsetP: number };
  /** The plant time looked back over (fits whose window ends in [fromMs, toMs]). */
  fromMs: number | null;
  toMs: number | null;
}

/** GET /api/reactors/:id/readings?signal=&from=&to=&maxPoints= */
export interface ReadingSeries {
  reactorId: string;
  signal: PlantSignal;
  fromMs: number;
  toMs: number;
  /** How the points were made: raw, LTTB-downsampled raw, or rollup buckets (mean with min/max). */
  source: 'raw' | 'lttb' | 'rollup';
  tMs: number[];
  value: number[];
  min?: number[];
  max?: number[];
  /** How many raw readings the range holds. */
  rawCount: number;
  /**
   * Optional (asked for by the dashboard): readings of this signal in the range that the ingester
   * refused but whose time and value could be read (e.g. value-out-of-range), so the charts can mark
   * them as rejected. `reason` is the rejection reason, same length as tMs.
   */
  rejected?: { tMs: number[]; value: number[]; reason: string[] };
}

/** GET /healthz */
export interface Health {
  status: 'ok' | 'degraded';
  broker: { state: string; detail?: string };
  database: { ok: boolean; path: string };
  worker: { state: string; queueDepth: number };
  /** Seconds since each reactor's last successful fit (wall clock). */
  lastFitAgeSeconds: Record<string, number | null>;
  uptimeSeconds: number;
}

/** An API error: every 4xx/5xx body. */
export interface ApiError {
  error: string;
  detail?: string;
}

/**
 * Demo controls, only in simulator mode (404 otherwise):
 * POST /api/demo/:id/satellite-shift  {}                                → DemoActionResult
 * POST /api/demo/:id/yield-shift      {}                                → DemoActionResult
 * POST /api/demo/:id/dilution         { perHour: number }               → DemoActionResult
 * POST /api/demo/:id/fault            { kind: DemoFaultKind, durationHours: number } → DemoActionResult
 * GET  /api/demo                                                        → DemoStatus
 */
export type DemoFaultKind = 'spike' | 'stuck-substrate' | 'gap';

export interface DemoActionResult {
  reactorId: string;
  action: 'satellite-shift' | 'yield-shift' | 'dilution' | 'fault';
  /** Plant time at which the change takes effect. */
  atMs: number;
}

export interface DemoStatus {
  simulator: boolean;
  reactors: string[];
  /** Plant hours per wall-clock second. */
  plantHoursPerSecond: number;
}

// ─── Alerts and webhooks (issue 8) ───────────────────────────────────────────────────────────────

/** Most severe first. */
export const alarmSeverities = ['critical', 'major', 'minor', 'warning'] as const;
export type AlarmSeverity = (typeof alarmSeverities)[number];

/** The kinds of alert rule (server/alerts/alert-rules.ts validates each). */
export const alertRuleKinds = [
  'satellite-fraction',
  'parameter-band',
  'sensor-stale',
  'reading-range',
  'fit-failures',
  'residuals',
  'model-mismatch',
] as const;
export type AlertRuleKind = (typeof alertRuleKinds)[number];

/** A change in an alarm's life; `system` is the rule engine, anything else an operator. */
export type AlarmTransitionKind = 'fired' | 'acknowledged' | 'cleared';

/**
 * One alarm: one per reactor and rule, re-activated when its condition returns. Times are wall-clock
 * epoch ms; `evidence…Ms` are on the evidence's clock (plant time for readings and fits).
 */
export interface AlarmView {
  id: number;
  reactorId: string;
  ruleId: string;
  ruleName: string;
  ruleKind: string;
  severity: AlarmSeverity;
  active: boolean;
  acknowledged: boolean;
  /** ThingsBoard's status: ACTIVE_UNACK, ACTIVE_ACK, CLEARED_UNACK, CLEARED_ACK. */
  status: 'active-unacknowledged' | 'active-acknowledged' | 'cleared-unacknowledged' | 'cleared-acknowledged';
  firedAtMs: number;
  evidenceFiredAtMs: number | null;
  clearedAtMs: number | null;
  clearedBy: string | null;
  acknowledgedAtMs: number | null;
  acknowledgedBy: string | null;
  lastEvidenceAtMs: number | null;
  summary: string;
  values: Record<string, number>;
  /** How many times it has fired. */
  fireCount: number;
}

export interface AlarmEventView {
  id: number;
  alarmId: number;
  reactorId: string;
  ruleId: string;
  kind: AlarmTransitionKind;
  actor: string;
  atMs: number;
  evidenceAtMs: number | null;
  severity: AlarmSeverity;
  summary: string;
  values: Record<string, number>;
  /** The alarm's state after the change. */
  active: boolean;
  acknowledged: boolean;
}

/**
 * GET /api/alerts?reactor=&state=active|all&from=&to=&limit= → AlertsResponse: the alarms (newest
 * fired first; `state=active`, the default, lists the active and the cleared-but-unacknowledged) and
 * the history of their changes in [from, to], newest first, at most `limit` (default 200, ≤ 5000).
 */
export interface AlertsResponse {
  alarms: AlarmView[];
  events: AlarmEventView[];
}

/**
 * POST /api/alerts/:id/acknowledge  { by?: string } → AlarmView
 * POST /api/alerts/:id/clear        { by?: string } → AlarmView
 * 409 when the alarm is already acknowledged (or already cleared).
 */
export interface AlarmActionRequest {
  /** Who did it, with AUTH=off only (default `operator`); otherwise the logged-in user is recorded. */
  by?: string;
}

/**
 * An alert rule as written in ALERT_RULES or through the API (validated by the server; the fields
 * beyond these depend on `kind` — see server/README.md).
 * GET /api/alert-rules → AlertRuleView[]; PUT /api/alert-rules/:id {rule} → AlertRuleView;
 * DELETE /api/alert-rules/:id → 204 (its active alarms are cleared by `system`).
 */
export interface AlertRuleView {
  rule: {
    id: string;
    kind: AlertRuleKind;
    name?: string;
    reactors?: string[];
    severity: AlarmSeverity;
    enabled: boolean;
    pendingMinutes: number;
    keepFiringMinutes: number;
    [field: string]: unknown;
  };
  source: 'config' | 'api';
  updatedAtMs: number;
  updatedBy: string;
}

/**
 * POST /api/alert-rules/preview {rule, days?: 1–90, default 7} → RulePreview: the rule replayed over
 * each reactor's stored fits and readings of the last `days` (plant clock) through the live engine's
 * condition and lifecycle, nothing written. Times are on the plant clock.
 */
export interface RulePreview {
  days: number;
  fromMs: number | null;
  toMs: number | null;
  /** False for a kind judged live only (sensor-stale). */
  replayed: boolean;
  /** Pieces of evidence replayed. */
  evidence: number;
  firings: { reactorId: string; atMs: number; clearedAtMs: number | null; summary: string }[];
  /** "Would have fired 3 times in the last 7 days (on r1, r2)" */
  words: string;
}

/**
 * A webhook endpoint as the API shows it: never its secret.
 * GET /api/webhooks → WebhookEndpointView[]; POST /api/webhooks WebhookEndpointRequest → 201 view;
 * PATCH /api/webhooks/:id Partial<WebhookEndpointRequest> → view; DELETE /api/webhooks/:id → 204
 * (its undelivered notifications are cancelled); GET /api/webhooks/:id/deliveries → WebhookDeliveryView[].
 */
export interface WebhookEndpointView {
  id: number;
  name: string;
  url: string;
  severities: AlarmSeverity[];
  enabled: boolean;
  /** Always true: a secret is required, and it is never sent back. */
  hasSecret: true;
  createdAtMs: number;
  updatedAtMs: number;
  /** Notifications waiting for this endpoint. */
  pendingCount: number;
  lastAttempt: WebhookDeliveryView | null;
}

export interface WebhookEndpointRequest {
  name: string;
  /** http:// or https://. */
  url: string;
  /** At least 16 characters; signs every request (hex HMAC-SHA256 of `timestamp + ":" + body`). */
  secret: string;
  /** Default: all four. */
  severities?: AlarmSeverity[];
  /** Default true. */
  enabled?: boolean;
}

export interface WebhookDeliveryView {
  id: number;
  outboxId: number;
  attempt: number;
  startedAtMs: number;
  durationMs: number;
  httpStatus: number | null;
  outcome: 'delivered' | 'http-error' | 'timeout' | 'network-error';
  error: string | null;
  /** The notification's transition and alarm. */
  alarmId: number;
  transition: AlarmTransitionKind;
}

/** POST /api/webhooks/:id/test {} → what the endpoint answered a signed test notification. */
export interface WebhookTestResult {
  startedAtMs: number;
  durationMs: number;
  outcome: WebhookDeliveryView['outcome'];
  httpStatus: number | null;
  error: string | null;
}

// ─── Estimator settings (issue 7: an operator may change them) ──────────────────────────────────

/**
 * The model a reactor runs (GET /api/reactors/:id/model): its file's name, version (the first 16
 * hex digits of the SHA-256 of its text), text, and its equations as the estimator reads them (a
 * community model's links written out). PUT the same path with `ReactorModelRequest` (operator) to
 * change it: the file is checked (an error names the line), stored, and the reactor's estimator
 * chain starts afresh with it; its earlier fits keep the model they came from (`FitRecord.model`).
 */
export interface ReactorModelView {
  reactorId: string;
  version: string;
  name: string;
  description: string;
  /** No model was chosen for the reactor: it runs the built-in one. */
  builtIn: boolean;
  setAtMs: number | null;
  setBy: string | null;
  fileText: string;
  states: string[];
  parameters: {
    name: string;
    description: string;
    unit: string;
    plantValue: number;
    usuallyFixed: boolean;
  }[];
  intermediates: [string, string][];
  rates: Record<string, string>;
  signals: Record<string, string>;
  /** A community model's links, each on or off. */
  links: { kind: string; organism: string; metabolite: string; off: boolean }[] | null;
}

export interface ReactorModelRequest {
  /** The model file (YAML), as `culturewatch model community` or a modeller writes it. */
  fileText: string;
}

/**
 * GET /api/estimator-settings → EstimatorSettingsView; PUT /api/estimator-settings
 * EstimatorSettingsRequest (operator) → the new view. A change restarts the assimilator's worker:
 * a new window or step starts every reactor's chain afresh (cold), a new forecast applies to the
 * next fits. 409 when the assimilator is off.
 */
export interface EstimatorSettingsView {
  /** Fitting window, plant hours (1–72). */
  windowHours: number;
  /** A new window every this many plant hours (0.25–window). */
  stepHours: number;
  /** Forecast past each window's end, plant hours (0–168). */
  forecastHours: number;
  /** `config`: from the environment or config file; `api`: changed by an operator. */
  source: 'config' | 'api';
  updatedAtMs: number | null;
  updatedBy: string | null;
  assimilatorEnabled: boolean;
}

export type EstimatorSettingsRequest = Partial<
  Pick<EstimatorSettingsView, 'windowHours' | 'stepHours' | 'forecastHours'>
>;

// ─── Experiment design (issue 16; server/design/) ───────────────────────────────────────────────

/** A band of one design target: its value, 95 % band and linearized sd, natural units. */
export interface DesignBandValue {
  value: number;
  lower95: number;
  upper95: number;
  sd: number;
}

export interface DesignTargetBand {
  target: string;
  label: string;
  today: DesignBandValue;
  afterHorizon: DesignBandValue;
  /** Predicted variance after the horizon over today's (of the log, or the logit for the fraction). */
  varianceRatio: number;
}

export interface DilutionLimitsView {
  minPerHour: number;
  maxPerHour: number;
  maxChangePerHour: number;
  maxDurationH: number;
}

/** A dilution program: set points every `gridH` hours from `startMs`, linear between. */
export interface DilutionProgramView {
  shape: 'hold' | 'steps' | 'ramps' | 'pulses';
  periodH: number;
  lowPerHour: number;
  highPerHour: number;
  startMs: number;
  gridH: number;
  perHour: number[];
  durationH: number;
}

export interface DesignActionView {
  rank: number;
  kind: 'hold' | 'dilution-program' | 'assay';
  summary: string;
  /** The criterion's value, lower is better (`DesignAdviceView.criterion`). */
  score: number;
  logDetRatio: number;
  bands: DesignTargetBand[];
  cost: {
    odMaxDeviation: number;
    substrateMaxDeviation: number;
    dilutionMinPerHour: number;
    dilutionMaxPerHour: number;
    dilutionMaxChangePerHour: number;
    withinLimits: boolean;
  };
  program: DilutionProgramView;
  assay: { signal: string; sigma: number; delayH: number; sampleAtMs: number; resultAtMs: number } | null;
}

/** `GET /api/reactors/:id/design`: what to do to learn more, from the newest fit's posterior. */
export interface DesignAdviceView {
  reactorId: string;
  /** The model the advice was computed with: the reactor's. */
  model: string;
  fitId: number;
  atMs: number;
  horizonH: number;
  targets: string[];
  criterion: string;
  limits: DilutionLimitsView;
  programsRefused: string | null;
  /** What limits every action, in words (the estimator's memory; targets no action narrows). */
  notes: string[];
  actions: DesignActionView[];
}

/** `POST /api/reactors/:id/dilution-programs`: an operator accepts a program. */
export interface AcceptProgramRequest {
  program: DilutionProgramView;
  limits: DilutionLimitsView;
  summary: string;
}

export interface AcceptedProgramView {
  id: number;
  reactorId: string;
  acceptedAtMs: number;
  acceptedBy: string;
  startMs: number;
  endMs: number;
  summary: string;
  program: DilutionProgramView;
  limits: DilutionLimitsView;
  /** Where it went: the simulator ran it (demo), or it was published on MQTT for the plant. */
  appliedBy: 'simulator' | 'mqtt';
}

/** The offline assays that can be entered by hand: the signals `assay/X|Y|A|B`. */
export const assaySignals = ['X', 'Y', 'A', 'B'] as const;
export type AssaySignal = (typeof assaySignals)[number];

/** `POST /api/reactors/:id/assays`: a lab result entered by hand (times ISO-8601 with a zone, or epoch ms). */
export interface AssayEntryRequest {
  signal: AssaySignal;
  value: number;
  sampledAt: string | number;
  measuredAt: string | number;
}

export interface AssayEntryView {
  id: number;
  reactorId: string;
  signal: AssaySignal;
  value: number;
  sampledAtMs: number;
  measuredAtMs: number;
  enteredAtMs: number;
  enteredBy: string;
}

/**
 * Structure refinement as a background job (server/refinement/): an operator starts one for a
 * reactor over its stored readings; one runs at a time per reactor.
 *   POST /api/reactors/:id/refinements   RefinementRequest (operator) → 202 RefinementView
 *   GET  /api/reactors/:id/refinements   → RefinementView[] (newest first)
 *   GET  /api/reactors/:id/refinements/:refinementId → RefinementView
 * Adopting the proposed model is the model's PUT with `result.proposedModel.fileText`.
 */
export interface RefinementRequest {
  /**
   * `current`: the reactor's model (it must be a community model); `community`: a generated one
   * with every link, of `satellites` × `metabolites`; `file`: `fileText`. Default: `current` when the
   * reactor's model is a community model, else `community`.
   */
  model?: 'current' | 'community' | 'file';
  fileText?: string;
  satellites?: number;
  metabolites?: number;
  /** Hours of the newest readings to fit (default 96). */
  hours?: number;
  /** Significance level of the likelihood-ratio tests (default 0.01). */
  alpha?: number;
}

/** `interrupted`: the service stopped or restarted while it ran (`error` says so). */
export type RefinementStatus = 'running' | 'done' | 'failed' | 'interrupted';

export interface RefinementTestView {
  /** How much worse the fit got (its loss: readings, continuity and priors). */
  deltaLoss: number;
  statistic: number;
  degreesOfFreedom: number;
  p: number;
}

export interface RefinementFitView {
  loss: number;
  dataLoss: number;
  readings: number;
  freeParameters: number;
  aic: number;
  bic: number;
  linksOn: number;
  /** The fit's od and substrate along the span, plant hours. */
  signals: { timeH: number[]; series: Record<string, number[]> };
}

export interface RefinementLinkView {
  /** "uptake Y1 B" */
  link: string;
  kind: 'uptake' | 'production' | 'inhibition';
  organism: string;
  metabolite: string;
  /** kept (needed), removed (insignificant), off (off in the refined file to begin with). */
  verdict: 'kept' | 'removed' | 'off';
  /** Kept, but its rate is not pinned down by the readings: it matters, flagged. */
  undetermined: boolean;
  /** Removed, and the readings exclude it even at its weakest plausible strength (else: unseen). */
  excluded: boolean;
  removal: RefinementTestView | null;
  exclusion: (RefinementTestView & { parameter: string; weakValue: number }) | null;
  parameters: { name: string; value: number; sdLog: number; priorSdLog: number }[];
  reason: string;
}

export interface RefinementResultView {
  /** Plant hours fitted, and the reactor's first reading (hour 0 on the charts). */
  span: { fromH: number; toH: number; segments: number; originH: number };
  fits: number;
  seconds: number;
  current: RefinementFitView;
  proposed: RefinementFitView;
  /** The log, in order: each link tested, kept or removed, and why. */
  steps: {
    round: number;
    link: string;
    action: 'kept' | 'removed';
    removal: RefinementTestView;
    exclusion: (RefinementTestView & { parameter: string; weakValue: number }) | null;
    reason: string;
  }[];
  links: RefinementLinkView[];
  /** The simplified model file (removed links `off`, the evidence in its header). */
  proposedModel: { name: string; version: string; fileText: string };
  /** The readings of the span (od, substrate; thinned to a few hundred), plant hours. */
  readings: Record<string, { timeH: number[]; value: number[] }>;
}

export interface RefinementView {
  id: number;
  reactorId: string;
  status: RefinementStatus;
  requestedAtMs: number;
  requestedBy: string;
  finishedAtMs: number | null;
  source: 'current' | 'community' | 'file';
  /** The model refined. */
  model: { name: string; version: string };
  settings: { hours: number; alpha: number };
  /** Links decided so far of those in the model, and the newest log lines. */
  progress: { linksTested: number; linksTotal: number; notes: string[] };
  /** Why it failed or was interrupted, in words. */
  error: string | null;
  result: RefinementResultView | null;
}
