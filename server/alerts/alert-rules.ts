/**
 * Alert rules: what an operator writes (in `ALERT_RULES` of the settings, or through the API),
 * validated with zod. Durations are in minutes; pending and keep-firing run on the clock of the rule's
 * evidence (plant time for readings and fits, the reactor's plant clock for staleness).
 */
import { z } from 'zod';
import {
  type AlertRuleKind,
  alarmSeverities,
  onlineSignals,
  plantSignals,
  reactorIdPattern,
} from '../../contract/api';
import { builtInModel } from '../../simulator/model-files';
import { plainText } from '../http/request-input';

const parameterNames = builtInModel().parameters.map((p) => p.name) as [string, ...string[]];

/** Two-sided band confidence → its normal quantile (the band is value ± z·sd). */
export const bandQuantiles = {
  '0.9': 1.6448536269514722,
  '0.95': 1.959963984540054,
  '0.99': 2.5758293035489,
};

const minutes = (max: number) => z.number().finite().min(0).max(max);
const weekOfMinutes = 7 * 24 * 60;

const common = {
  id: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9_-]{0,63}$/,
      'lower-case letters, digits, - and _, at most 64, e.g. "satellite-high"',
    ),
  name: plainText(120).optional(),
  /** The reactors it applies to; absent: every reactor. */
  reactors: z.array(z.string().regex(reactorIdPattern, 'a reactor id')).min(1).optional(),
  severity: z.enum(alarmSeverities),
  enabled: z.boolean().default(true),
  /** How long the condition must hold before the alarm fires. */
  pendingMinutes: minutes(weekOfMinutes).default(0),
  /** How long the condition must be gone before the alarm clears. */
  keepFiringMinutes: minutes(weekOfMinutes).default(0),
  description: z.string().max(500).optional(),
};

const satelliteFraction = z.strictObject({
  ...common,
  kind: z.literal('satellite-fraction'),
  /** Fires when the lower bound of the band (value − z·sd) is above this fraction. */
  threshold: z.number().gt(0).lt(1),
  confidence: z.enum(['0.9', '0.95', '0.99']).default('0.95'),
});

const parameterBand = z.strictObject({
  ...common,
  kind: z.literal('parameter-band'),
  parameter: z.enum(parameterNames, { message: `one of ${parameterNames.join(', ')}` }),
  /**
   * The normal level, in natural units with its spread (sd of log), or learned from the reactor's
   * first successful fits (skipping the first few after a cold start).
   */
  baseline: z.union([
    z.strictObject({ value: z.number().gt(0).finite(), sdLog: z.number().gt(0).max(5) }),
    z.strictObject({
      firstFits: z.number().int().min(2).max(1000),
      skipFits: z.number().int().min(0).max(1000).default(6),
    }),
  ]),
  /** Fires when |log value − log baseline| > k · √(sd_baseline² + sd_fit²). */
  k: z.number().gt(0).max(20).default(3),
});

const sensorStale = z.strictObject({
  ...common,
  kind: z.literal('sensor-stale'),
  signal: z.enum(onlineSignals, { message: `one of ${onlineSignals.join(', ')}` }),
  /**
   * Fires while the signal is this or worse (contract/freshness.ts: judged on the plant clock
   * against the signal's usual cadence).
   */
  level: z.enum(['late', 'stale', 'offline']).default('stale'),
  /** Instead of the level: fires once the newest reading is this many minutes old (plant clock). */
  staleMinutes: z.number().gt(0).max(weekOfMinutes).optional(),
});

const readingRange = z
  .strictObject({
    ...common,
    kind: z.literal('reading-range'),
    signal: z.enum(plantSignals),
    min: z.number().finite().optional(),
    max: z.number().finite().optional(),
  })
  .refine((r) => r.min !== undefined || r.max !== undefined, { message: 'give min, max or both' })
  .refine((r) => r.min === undefined || r.max === undefined || r.min < r.max, {
    message: 'min must be below max',
    path: ['min'],
  });

const fitFailures = z.strictObject({
  ...common,
  kind: z.literal('fit-failures'),
  /** Fires after this many failed fits in a row; one good fit ends the run. */
  consecutive: z.number().int().min(1).max(1000).default(3),
});

const residuals = z.strictObject({
  ...common,
  kind: z.literal('residuals'),
  /** Fires while the root mean square of a fit's standardized residuals is above this (1 is a perfect model). */
  maxRms: z.number().gt(0).max(1000).default(3),
});

const modelMismatch = z.strictObject({
  ...common,
  kind: z.literal('model-mismatch'),
  // Fires while the mismatch signal (GET /api/reactors/:id/mismatch) says the model no longer
  // explains the plant; its test and threshold are the engine's, one for every reactor.
});

export const alertRuleSchema = z.discriminatedUnion('kind', [
  satelliteFraction,
  parameterBand,
  sensorStale,
  readingRange,
  fitFailures,
  residuals,
  modelMismatch,
]);

export type AlertRule = z.output<typeof alertRuleSchema>;
export type AlertRuleInput = z.input<typeof alertRuleSchema>;
export type RuleOfKind<K extends AlertRuleKind> = Extract<AlertRule, { kind: K }>;

export const alertRuleListSchema = z.array(alertRuleSchema).superRefine((rules, ctx) => {
  const seen = new Set<string>();
  rules.forEach((rule, i) => {
    if (seen.has(rule.id))
      ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `rule id "${rule.id}" twice` });
    seen.add(rule.id);
  });
});

export class AlertRuleError extends Error {}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(rule)'}: ${i.message}`).join('; ');
}

/** One rule from JSON-shaped input. Throws AlertRuleError naming every problem. */
export function parseAlertRule(input: unknown): AlertRule {
  const parsed = alertRuleSchema.safeParse(input);
  if (!parsed.success) throw new AlertRuleError(describeIssues(parsed.error));
  return parsed.data;
}

/** A list of rules (the `ALERT_RULES` setting). Throws AlertRuleError naming every problem. */
export function parseAlertRules(input: unknown): AlertRule[] {
  const parsed = alertRuleListSchema.safeParse(input);
  if (!parsed.success) throw new AlertRuleError(describeIssues(parsed.error));
  return parsed.data;
}

export function ruleAppliesTo(rule: AlertRule, reactorId: string): boolean {
  return rule.enabled && (rule.reactors === undefined || rule.reactors.includes(reactorId));
}

export function ruleDisplayName(rule: AlertRule): string {
  return rule.name ?? rule.id;
}

export const minuteMs = 60_000;
