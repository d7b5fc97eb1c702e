/**
 * The service's settings: server/config.ts (broker, database, retention, logging) plus the service's
 * own below, from environment variables over an optional JSON config file. Every default is here and
 * in server/README.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { isReactorId } from '../../contract/api';
import { builtInModel } from '../../simulator/model-files';
import { isScenarioName, type ScenarioName, scenarioNames } from '../../simulator/scenarios';
import { type AlertSettings, loadAlertSettings } from '../alerts/alert-settings';
import { type AssimilatorSettings, defaultAssimilatorSettings } from '../assimilator/assimilator-settings';
import type { AuthSettings } from '../auth/auth';
import { type Config, loadConfig, loopbackHosts, nonLoopbackListeners } from '../config';
import { ConfigError, onOff, parseSettings, positiveNumber, setting } from '../env-schema';
import { defaultHttpLimits, type HttpLimits } from '../http/http-limits';
import { loadOpcuaSettings, type OpcuaSettings } from '../opcua/opcua-settings';
import { loadSparkplugSettings, type SparkplugSettings } from '../sparkplug/sparkplug-settings';
import type { RecordRetentionSettings } from './record-retention';

const environment = z.object({
  PORT: setting(z.coerce.number().int().min(0).max(65535).default(3000)),
  HTTP_HOST: setting(z.string().default('127.0.0.1')),
  HTTP_HEADERS_TIMEOUT_MS: positiveNumber(defaultHttpLimits.headersTimeoutMs),
  HTTP_REQUEST_TIMEOUT_MS: positiveNumber(defaultHttpLimits.requestTimeoutMs),
  HTTP_IDLE_TIMEOUT_MS: positiveNumber(defaultHttpLimits.idleTimeoutMs),
  HTTP_MAX_CONNECTIONS_PER_CLIENT: setting(
    z.coerce.number().int().min(1).max(100_000).default(defaultHttpLimits.maxConnectionsPerClient),
  ),
  DASHBOARD: setting(z.enum(['production', 'dev', 'off']).default('production')),
  SIMULATOR: setting(onOff.optional()),
  SIMULATOR_REACTORS: setting(z.string().default('r1,r2:satellite-shift')),
  SIMULATOR_SCENARIO: setting(z.string().default('steady')),
  SIMULATOR_SEED: setting(z.coerce.number().int().default(1)),
  SIMULATOR_SPEED: positiveNumber(1),
  SIMULATOR_BACKFILL_DAYS: setting(z.coerce.number().min(0).max(60).default(3)),
  SIMULATOR_PROTOCOL: setting(z.enum(['json', 'sparkplug']).default('json')),
  ASSIMILATOR: setting(onOff.default(true)),
  ASSIMILATOR_WINDOW_HOURS: positiveNumber(defaultAssimilatorSettings.windowHours),
  ASSIMILATOR_STEP_HOURS: positiveNumber(defaultAssimilatorSettings.stepHours),
  ASSIMILATOR_FORECAST_HOURS: setting(
    z.coerce.number().min(0).max(168).default(defaultAssimilatorSettings.forecastHours),
  ),
  ASSIMILATOR_CATCH_UP_HOURS: positiveNumber(defaultAssimilatorSettings.catchUpHours),
  ASSIMILATOR_INITIAL_PARAMS: setting(z.string().default('{}')),
  ASSIMILATOR_STOP_TIMEOUT_MS: positiveNumber(defaultAssimilatorSettings.stopTimeoutMs),
  REALTIME_BATCH_MS: positiveNumber(250),
  ASSIMILATOR_SCAN_MS: positiveNumber(1000),
  ASSIMILATOR_JOB_EXPIRE_SECONDS: positiveNumber(300),
  ASSIMILATOR_JOB_BUDGET_MS: positiveNumber(2000),
  REALTIME_COALESCE_MS: setting(z.coerce.number().min(0).max(1000).default(5)),
  API_MAX_POINTS: setting(z.coerce.number().int().min(2).max(100_000).default(10_000)),
  API_DEFAULT_MAX_POINTS: setting(z.coerce.number().int().min(2).default(2000)),
  API_LTTB_RAW_LIMIT: setting(z.coerce.number().int().min(100).default(50_000)),
  API_FIT_CACHE_MB: setting(z.coerce.number().min(0).max(4096).default(64)),
  SHUTDOWN_TIMEOUT_MS: positiveNumber(15_000),
  LOG_FORMAT: setting(z.enum(['auto', 'json', 'pretty']).default('auto')),
  RETENTION_FIT_DOCUMENTS_DAYS: positiveNumber(30),
  RETENTION_FITS_DAYS: positiveNumber(1825),
  RETENTION_WEBHOOK_LOG_DAYS: positiveNumber(90),
  RETENTION_ALARM_EVENTS_DAYS: positiveNumber(1825),
  AUTH: setting(onOff.default(true)),
  SESSION_HOURS: positiveNumber(12),
  COOKIE_SECURE: setting(z.enum(['auto', 'on', 'off']).default('auto')),
  TRUST_PROXY: setting(z.string().default('')),
  LOGIN_ATTEMPTS_PER_15_MIN: setting(z.coerce.number().int().min(1).max(1000).default(10)),
});

export interface SimulatedReactor {
  id: string;
  scenario: ScenarioName;
}

export interface ServiceSettings {
  base: Config;
  auth: AuthSettings;
  http: { port: number; host: string; limits: HttpLimits };
  dashboard: 'production' | 'dev' | 'off';
  simulator: {
    enabled: boolean;
    reactors: SimulatedReactor[];
    seed: number;
    plantHoursPerSecond: number;
    backfillDays: number;
    /** `sparkplug`: the simulated plant is a Sparkplug B edge node (the host reads it). */
    protocol: 'json' | 'sparkplug';
  };
  /** Sparkplug B: the host application's mapping and the estimates' edge node (server/sparkplug/). */
  sparkplug: SparkplugSettings;
  /** The read-only OPC UA server (server/opcua/), off unless OPCUA_PORT is set. */
  opcua: OpcuaSettings;
  assimilator: { enabled: boolean } & AssimilatorSettings;
  /** The scaled deployment's fit jobs (server/assimilator/fit-jobs.ts). */
  fitJobs: { scanMs: number; expireSeconds: number; jobBudgetMs: number };
  realtime: { batchMs: number; coalesceMs: number };
  /** How long fits and the webhook log are kept (server/service/record-retention.ts). */
  recordRetention: RecordRetentionSettings;
  /** Alert rules and webhook delivery (server/alerts/alert-settings.ts). */
  alerts: AlertSettings;
  api: {
    maxPointsLimit: number;
    defaultMaxPoints: number;
    lttbRawLimit: number;
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
    if (!isReactorId(id)) throw new ConfigError(`SIMULATOR_REACTORS: invalid reactor id "${id}"`);
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

/**
 * Settings from the environment over the config file. Throws ConfigError naming every bad setting.
 * `scaled`: for a process of the scaled deployment (scaled-roles.ts), which runs on `DATABASE_URL`;
 * the one-process service runs on the SQLite file.
 */
export function loadServiceSettings(
  env: NodeJS.ProcessEnv = process.env,
  { scaled = false }: { scaled?: boolean } = {},
): ServiceSettings {
  const file = readConfigFile(env);
  const merged: NodeJS.ProcessEnv = { ...file.values, ...env };
  const base = loadConfig(merged);
  if (!scaled && base.database.url !== undefined)
    throw new ConfigError(
      'DATABASE_URL: the one-process service runs on SQLite (DATABASE_PATH); PostgreSQL is for the scaled deployment, its ingester, assimilator and web processes (deploy/scaled/README.md)',
    );
  if (scaled && base.database.url === undefined)
    throw new ConfigError(
      'DATABASE_URL: a process of the scaled deployment needs the postgres:// URL of its store',
    );
  const e = parseSettings(environment, merged);
  if (!e.AUTH) refuseAuthOffUnlessLoopback(merged, base);
  if (e.HTTP_HEADERS_TIMEOUT_MS > e.HTTP_REQUEST_TIMEOUT_MS)
    throw new ConfigError('HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS');
  if (e.ASSIMILATOR_STEP_HOURS > e.ASSIMILATOR_WINDOW_HOURS)
    throw new ConfigError('ASSIMILATOR_STEP_HOURS must not exceed ASSIMILATOR_WINDOW_HOURS');
  if (!scaled && e.ASSIMILATOR && base.database.path === ':memory:')
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
    http: {
      port: e.PORT,
      host: e.HTTP_HOST,
      limits: {
        headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
        requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
        idleTimeoutMs: e.HTTP_IDLE_TIMEOUT_MS,
        maxConnectionsPerClient: e.HTTP_MAX_CONNECTIONS_PER_CLIENT,
      },
    },
    dashboard: e.DASHBOARD,
    simulator: {
      enabled: e.SIMULATOR ?? base.mqtt.url === undefined,
      reactors: simulatedReactors(e.SIMULATOR_REACTORS, e.SIMULATOR_SCENARIO),
      seed: e.SIMULATOR_SEED,
      plantHoursPerSecond: e.SIMULATOR_SPEED,
      backfillDays: e.SIMULATOR_BACKFILL_DAYS,
      protocol: e.SIMULATOR_PROTOCOL,
    },
    sparkplug: loadSparkplugSettings(merged),
    opcua: loadOpcuaSettings(merged),
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
    fitJobs: {
      scanMs: e.ASSIMILATOR_SCAN_MS,
      expireSeconds: e.ASSIMILATOR_JOB_EXPIRE_SECONDS,
      jobBudgetMs: e.ASSIMILATOR_JOB_BUDGET_MS,
    },
    realtime: {
      batchMs: e.REALTIME_BATCH_MS,
      coalesceMs: Math.min(e.REALTIME_COALESCE_MS, e.REALTIME_BATCH_MS),
    },
    api: {
      maxPointsLimit: e.API_MAX_POINTS,
      defaultMaxPoints: Math.min(e.API_DEFAULT_MAX_POINTS, e.API_MAX_POINTS),
      lttbRawLimit: e.API_LTTB_RAW_LIMIT,
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
