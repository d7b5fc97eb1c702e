/**
 * Alert and webhook settings, from the same environment-over-config-file values as the rest of the
 * service (server/service/service-settings.ts merges them). Every default is here and in server/README.md.
 */
import { z } from 'zod';
import { ConfigError, parseSettings, setting } from '../env-schema';
import { type AlertRule, AlertRuleError, parseAlertRules } from './alert-rules';

/**
 * The rules when `ALERT_RULES` is not set. The satellite threshold suits the simulated plant, whose
 * satellite fraction sits near 0.011 and doubles in a satellite shift; set your own for a real one.
 */
export const defaultAlertRules: unknown[] = [
  {
    id: 'satellite-high',
    name: 'Satellite fraction high',
    kind: 'satellite-fraction',
    threshold: 0.017,
    severity: 'major',
    pendingMinutes: 60,
    keepFiringMinutes: 120,
  },
  { id: 'fit-failures', name: 'Fits failing', kind: 'fit-failures', consecutive: 3, severity: 'minor' },
  {
    id: 'od-stale',
    name: 'OD sensor stale',
    kind: 'sensor-stale',
    signal: 'od',
    level: 'stale',
    severity: 'major',
  },
  {
    id: 'substrate-stale',
    name: 'Substrate sensor stale',
    kind: 'sensor-stale',
    signal: 'substrate',
    level: 'stale',
    severity: 'major',
  },
  {
    id: 'model-mismatch',
    name: 'The model no longer explains the plant',
    kind: 'model-mismatch',
    severity: 'warning',
  },
];

const seconds = (fallback: number, max: number) =>
  setting(z.coerce.number().positive().max(max).default(fallback));

const environment = z.object({
  ALERT_RULES: setting(z.string().optional()),
  ALERTS_EXTERNAL_URL: setting(z.url({ protocol: /^https?$/ }).optional()),
  ALERTS_STALE_CHECK_SECONDS: seconds(30, 3600),
  WEBHOOK_TIMEOUT_SECONDS: seconds(10, 300),
  WEBHOOK_RETRY_INITIAL_SECONDS: seconds(2, 3600),
  WEBHOOK_RETRY_MAX_SECONDS: seconds(3600, 24 * 3600),
});

export interface AlertSettings {
  rules: AlertRule[];
  /** Links in notifications point here; unset: the service's own URL. */
  externalUrl: string | undefined;
  stalenessCheckMs: number;
  webhookTimeoutMs: number;
  webhookRetry: { initialMs: number; maxMs: number };
}

export function loadAlertSettings(env: Record<string, string | undefined>): AlertSettings {
  const e = parseSettings(environment, env);
  let rulesInput: unknown = defaultAlertRules;
  if (e.ALERT_RULES !== undefined) {
    try {
      rulesInput = JSON.parse(e.ALERT_RULES);
    } catch {
      throw new ConfigError('ALERT_RULES: not JSON (expected an array of rules)');
    }
  }
  let rules: AlertRule[];
  try {
    rules = parseAlertRules(rulesInput);
  } catch (error) {
    if (error instanceof AlertRuleError) throw new ConfigError(`ALERT_RULES: ${error.message}`);
    throw error;
  }
  if (e.WEBHOOK_RETRY_INITIAL_SECONDS > e.WEBHOOK_RETRY_MAX_SECONDS)
    throw new ConfigError('WEBHOOK_RETRY_INITIAL_SECONDS must not exceed WEBHOOK_RETRY_MAX_SECONDS');
  return {
    rules,
    externalUrl: e.ALERTS_EXTERNAL_URL?.replace(/\/+$/, ''),
    stalenessCheckMs: e.ALERTS_STALE_CHECK_SECONDS * 1000,
    webhookTimeoutMs: e.WEBHOOK_TIMEOUT_SECONDS * 1000,
    webhookRetry: {
      initialMs: e.WEBHOOK_RETRY_INITIAL_SECONDS * 1000,
      maxMs: e.WEBHOOK_RETRY_MAX_SECONDS * 1000,
    },
  };
}
