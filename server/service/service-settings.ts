/**
 * The service's settings: server/config.ts (broker, database, retention, logging) plus the service's
 * own below, from environment variables over an optional JSON config file. Every default is here and
 * in server/README.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { builtInModel } from '../../simulator/model-files';
import { isScenarioName, type ScenarioName, scenarioNames } from '../../simulator/scenarios';
import { type AlertSettings, loadAlertSettings } from '../alerts/alert-settings';
import { type AssimilatorSettings, defaultAssimilatorSettings } from '../assimilator/assimilator-settings';
import { type Config, ConfigError, loadConfig, loopbackHosts, nonLoopbackListeners } from '../config';
import type { RecordRetentionSettings } from './record-retention';

const unsetIfEmpty = (value: unknown) => (value === '' ? undefined : value);
const positive = (fallback: number) =>
  z.preprocess(unsetIfEmpty, z.coerce.number().positive().finite().default(fallback));
const onOff = z.preprocess(
  (v) => (typeof v === 'string' ? v.toLowerCase() : v),
  z.enum(['on', 'off', 'true', 'false', '1', '0']).transform((v) => v === 'on' || v === 'true' || v === '1'),
);

const environment = z.object({
  PORT: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(0).max(65535).default(3000)),
  HTTP_HOST: z.preprocess(unsetIfEmpty, z.string().default('127.0.0.1')),
  DASHBOARD: z.preprocess(unsetIfEmpty, z.enum(['production', 'dev', 'off']).default('production')),
  SIMULATOR: z.preprocess(unsetIfEmpty, onOff.optional()),
  SIMULATOR_REACTORS: z.preprocess(unsetIfEmpty, z.string().default('r1,r2:satellite-shift')),
  SIMULATOR_SCENARIO: z.preprocess(unsetIfEmpty, z.string().default('steady')),
  SIMULATOR_SEED: z.preprocess(unsetIfEmpty, z.coerce.number().int().default(1)),
  SIMULATOR_SPEED: positive(1),
  SIMULATOR_BACKFILL_DAYS: z.preprocess(unsetIfEmpty, z.coerce.number().min(0).max(60).default(3)),
  ASSIMILATOR: z.preprocess(unsetIfEmpty, onOff.default(true)),
  ASSIMILATOR_WINDOW_HOURS: positive(defaultAssimilatorSettings.windowHours),
  ASSIMILATOR_STEP_HOURS: positive(defaultAssimilatorSettings.stepHours),
  ASSIMILATOR_FORECAST_HOURS: z.preprocess(
    unsetIfEmpty,
    z.coerce.number().min(0).max(168).default(defaultAssimilatorSettings.forecastHours),
  ),
  ASSIMILATOR_CATCH_UP_HOURS: positive(defaultAssimilatorSettings.catchUpHours),
  ASSIMILATOR_INITIAL_PARAMS: z.preprocess(unsetIfEmpty, z.string().default('{}')),
  ASSIMILATOR_STOP_TIMEOUT_MS: positive(defaultAssimilatorSettings.stopTimeoutMs),
  REALTIME_BATCH_MS: positive(250),
  REALTIME_COALESCE_MS: z.preprocess(unsetIfEmpty, z.coerce.number().min(0).max(1000).default(5)),
  API_MAX_POINTS: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(2).max(100_000).default(10_000)),
  API_DEFAULT_MAX_POINTS: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(2).default(2000)),
  API_LTTB_RAW_LIMIT: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(100).default(50_000)),
  STALE_SENSOR_SECONDS: positive(300),
  API_FIT_CACHE_MB: z.preprocess(unsetIfEmpty, z.coerce.number().min(0).max(4096).default(64)),
  SHUTDOWN_TIMEOUT_MS: positive(15_000),
  LOG_FORMAT: z.preprocess(unsetIfEmpty, z.enum(['auto', 'json', 'pretty']).default('auto')),
  RETENTION_FIT_DOCUMENTS_DAYS: positive(30),
  RETENTION_FITS_DAYS: positive(1825),
  RETENTION_WEBHOOK_LOG_DAYS: positive(90),
  RETENTION_ALARM_EVENTS_DAYS: positive(1825),
  AUTH: z.preprocess(unsetIfEmpty, onOff.default(true)),
  SESSION_HOURS: positive(12),
  COOKIE_SECURE: z.preprocess(unsetIfEmpty, z.enum(['auto', 'on', 'off']).default('auto')),
  TRUST_PROXY: z.preprocess(unsetIfEmpty, z.string().default('')),
  LOGIN_ATTEMPTS_PER_15_MIN: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(1).max(1000).default(10)),
});

export interface SimulatedReactor {
  id: string;
  scenario: ScenarioName;
}

/** Logins, sessions and tokens (server/auth/). */
export interface AuthSettings {
  /** Off only with an explicit loopback bind: then every request is an anonymous operator. */
  enabled: boolean;
  sessionHours: number;
  /** `auto`: Secure when the request came over TLS (directly, or via a trusted proxy's X-Forwarded-Proto). */
  cookieSecure: 'auto' | 'on' | 'off';
  /** Peer addresses whose X-Forwarded-For/-Proto are believed (`loopback` for a proxy on this host). */
  trustedProxies: string[];
  /** Failed logins allowed per username in any 15 minutes (per client address, five times as many). */
  loginAttemptsPer15Min: number;
}

export interface ServiceSettings {
  base: Config;
  auth: AuthSettings;
  http: { port: number; host: string };
  dashboard: 'production' | 'dev' | 'off';
  simulator: {
    enabled: boolean;
    reactors: SimulatedReactor[];
    seed: number;
    plantHoursPerSecond: number;
    backfillDays: number;
  };
  assimilator: { enabled: boolean } & AssimilatorSettings;
  realtime: { batchMs: number; coalesceMs: number };
  /** How long fits and the webhook log are kept (server/service/record-retention.ts). */
  recordRetention: RecordRetentionSettings;
  /** Alert rules and webhook delivery (server/alerts/alert-settings.ts). */
  alerts: AlertSettings;
  api: {
    maxPointsLimit: number;
    defaultMaxPoints: number;
    lttbRawLimit: number;
    staleSensorSeconds: number;
    fitCacheBytes: number;
  };
  shutdownTimeoutMs: number;
  logFormat: 'auto' | 'json' | 'pretty';
  /** The config file read, if any. */
  configFile: string | undefined;
}

/** `CONFIG_FILE`, else `culturewatch.config.json` in the working directory if it exists. */
function readConfigFile(env: NodeJS.ProcessEnv): {
  values: Record<string, string>;
  path: string | undefined;
} {
  const explicit = env.CONFIG_FILE;
  const path = explicit || (existsSync('culturewatch.config.json') ? 'culturewatch.config.json' : undefined);
  if (!path) return { values: {}, path: undefined };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`config file ${path}: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError(`config file ${path}: expected a JSON object of SETTING: value`);
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(key))
      throw new ConfigError(`config file ${path}: ${key}: not a setting name`);
    values[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return { values, path };
}

function simulatedReactors(list: string, defaultScenario: string): SimulatedReactor[] {
  if (!isScenarioName(defaultScenario))
    throw new ConfigError(`SIMULATOR_SCENARIO: expected one of ${scenarioNames.join(', ')}`);
  if (/^\d+$/.test(list)) {
    const n = Number(list);
    if (n < 1 || n > 500) throw new ConfigError('SIMULATOR_REACTORS: between 1 and 500 reactors');
    const width = String(n).length;
    return Array.from({ length: n }, (_, i) => ({
      id: `r${String(i + 1).padStart(width, '0')}`,
      scenario: defaultScenario,
    }));
  }
  const reactors = list.split(',').map((entry) => {
    const [id, scenario = defaultScenario] = entry.trim().split(':');
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id))
      throw new ConfigError(`SIMULATOR_REACTORS: invalid reactor id "${id}"`);
    if (!isScenarioName(scenario))
      throw new ConfigError(`SIMULATOR_REACTORS: ${id}: scenario must be one of ${scenarioNames.join(', ')}`);
    return { id, scenario };
  });
  if (new Set(reactors.map((r) => r.id)).size !== reactors.length)
    throw new ConfigError('SIMULATOR_REACTORS: a reactor id is listed twice');
  return reactors;
}

function initialParams(json: string): Record<string, number> {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new ConfigError('ASSIMILATOR_INITIAL_PARAMS: not JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError('ASSIMILATOR_INITIAL_PARAMS: expected {"name": value, …}');
  const known = builtInModel().parameters.map((p) => p.name);
  for (const [name, value] of Object.entries(raw)) {
    if (!known.includes(name))
      throw new ConfigError(
        `ASSIMILATOR_INITIAL_PARAMS: unknown parameter "${name}" (known: ${known.join(', ')})`,
      );
    if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value))
      throw new ConfigError(`ASSIMILATOR_INITIAL_PARAMS: ${name} must be a positive number`);
  }
  return raw as Record<string, number>;
}

/** AUTH=off opens every write to anyone who can connect, so it needs HTTP_HOST set to loopback, by hand. */
function refuseAuthOffUnlessLoopback(merged: NodeJS.ProcessEnv, base: Config): void {
  const host = merged.HTTP_HOST;
  if (!host || !loopbackHosts.has(host))
    throw new ConfigError(
      'AUTH=off needs an explicit loopback bind: set HTTP_HOST=127.0.0.1 (or ::1); ' +
        (host ? `HTTP_HOST is ${host}` : 'HTTP_HOST is not set'),
    );
  const [exposed] = nonLoopbackListeners(base.mqtt);
  if (exposed)
    throw new ConfigError(
      `AUTH=off opens the embedded broker too: ${exposed.setting} must be loopback, not ${exposed.host}`,
    );
}

/** Settings from the environment over the config file. Throws ConfigError naming every bad setting. */
export function loadServiceSettings(env: NodeJS.ProcessEnv = process.env): ServiceSettings {
  const file = readConfigFile(env);
  const merged: NodeJS.ProcessEnv = { ...file.values, ...env };
  const base = loadConfig(merged);
  const parsed = environment.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`bad settings: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  if (!e.AUTH) refuseAuthOffUnlessLoopback(merged, base);
  if (e.ASSIMILATOR_STEP_HOURS > e.ASSIMILATOR_WINDOW_HOURS)
    throw new ConfigError('ASSIMILATOR_STEP_HOURS must not exceed ASSIMILATOR_WINDOW_HOURS');
  if (e.ASSIMILATOR && base.database.path === ':memory:')
    throw new ConfigError('DATABASE_PATH: the assimilator runs in its own thread and needs a database file');
  return {
    base,
    auth: {
      enabled: e.AUTH,
      sessionHours: e.SESSION_HOURS,
      cookieSecure: e.COOKIE_SECURE,
      trustedProxies: e.TRUST_PROXY.split(',')
        .map((a) => a.trim())
        .filter((a) => a !== ''),
      loginAttemptsPer15Min: e.LOGIN_ATTEMPTS_PER_15_MIN,
    },
    http: { port: e.PORT, host: e.HTTP_HOST },
    dashboard: e.DASHBOARD,
    simulator: {
      enabled: e.SIMULATOR ?? base.mqtt.url === undefined,
      reactors: simulatedReactors(e.SIMULATOR_REACTORS, e.SIMULATOR_SCENARIO),
      seed: e.SIMULATOR_SEED,
      plantHoursPerSecond: e.SIMULATOR_SPEED,
      backfillDays: e.SIMULATOR_BACKFILL_DAYS,
    },
    assimilator: {
      enabled: e.ASSIMILATOR,
      windowHours: e.ASSIMILATOR_WINDOW_HOURS,
      stepHours: e.ASSIMILATOR_STEP_HOURS,
      forecastHours: e.ASSIMILATOR_FORECAST_HOURS,
      trajectoryStepHours: defaultAssimilatorSettings.trajectoryStepHours,
      catchUpHours: e.ASSIMILATOR_CATCH_UP_HOURS,
      initialParams: initialParams(e.ASSIMILATOR_INITIAL_PARAMS),
      stopTimeoutMs: e.ASSIMILATOR_STOP_TIMEOUT_MS,
    },
    realtime: {
      batchMs: e.REALTIME_BATCH_MS,
      coalesceMs: Math.min(e.REALTIME_COALESCE_MS, e.REALTIME_BATCH_MS),
    },
    api: {
      maxPointsLimit: e.API_MAX_POINTS,
      defaultMaxPoints: Math.min(e.API_DEFAULT_MAX_POINTS, e.API_MAX_POINTS),
      lttbRawLimit: e.API_LTTB_RAW_LIMIT,
      staleSensorSeconds: e.STALE_SENSOR_SECONDS,
      fitCacheBytes: e.API_FIT_CACHE_MB * 1024 * 1024,
    },
    recordRetention: {
      fitDocumentsDays: e.RETENTION_FIT_DOCUMENTS_DAYS,
      fitsDays: Math.max(e.RETENTION_FITS_DAYS, e.RETENTION_FIT_DOCUMENTS_DAYS),
      webhookLogDays: e.RETENTION_WEBHOOK_LOG_DAYS,
      alarmEventsDays: e.RETENTION_ALARM_EVENTS_DAYS,
      sweepMinutes: base.retention.sweepMinutes,
    },
    alerts: loadAlertSettings(merged),
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    logFormat: e.LOG_FORMAT,
    configFile: file.path,
  };
}
