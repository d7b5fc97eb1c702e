/**
 * The alert rules' kinds as the settings page edits them: each kind's fields (server/alerts/alert-rules.ts
 * is the validator; these are its form) and a rule in words. A rule is edited as text fields and
 * turned back into the rule object for PUT /api/alert-rules/:id; the server names any problem.
 */
import { type AlarmSeverity, alertRuleKinds, plantSignals } from '../../contract/api';
import type { AlertRule } from './alerts-api';
import { parameterOrder } from './model-info';

export type RuleKind = AlertRule['kind'];

export const ruleKinds: readonly RuleKind[] = alertRuleKinds;

export const ruleKindWords: Record<RuleKind, string> = {
  'satellite-fraction': 'satellite fraction high',
  'parameter-band': 'parameter outside its baseline band',
  'sensor-stale': 'sensor stale',
  'reading-range': 'readings out of range',
  'fit-failures': 'fits failing',
  residuals: 'model mismatch (residuals)',
};

export const ruleSignals = plantSignals;

export interface RuleField {
  key: string;
  label: string;
  input: 'number' | 'select';
  options?: readonly string[];
  /** May be left empty (then left out of the rule). */
  optional?: boolean;
  step?: string;
  /** The value a new rule starts with. */
  initial: string;
  /** Shown only when another field has this value (the parameter baseline's two forms). */
  when?: { key: string; value: string };
}

/** Form-only key: which form of baseline a parameter-band rule has. */
const baselineForm = 'baselineForm';

export const kindFields: Record<RuleKind, readonly RuleField[]> = {
  'satellite-fraction': [
    { key: 'threshold', label: 'threshold (fraction 0–1)', input: 'number', step: 'any', initial: '0.02' },
    {
      key: 'confidence',
      label: 'band confidence',
      input: 'select',
      options: ['0.9', '0.95', '0.99'],
      initial: '0.95',
    },
  ],
  'parameter-band': [
    { key: 'parameter', label: 'parameter', input: 'select', options: parameterOrder, initial: 'gB' },
    { key: 'k', label: 'k (standard deviations)', input: 'number', step: 'any', initial: '3' },
    {
      key: baselineForm,
      label: 'baseline',
      input: 'select',
      options: ['learned', 'fixed'],
      initial: 'learned',
    },
    {
      key: 'firstFits',
      label: 'learned from first fits',
      input: 'number',
      step: '1',
      initial: '12',
      when: { key: baselineForm, value: 'learned' },
    },
    {
      key: 'skipFits',
      label: 'after skipping',
      input: 'number',
      step: '1',
      initial: '6',
      when: { key: baselineForm, value: 'learned' },
    },
    {
      key: 'baselineValue',
      label: 'baseline value',
      input: 'number',
      step: 'any',
      initial: '',
      when: { key: baselineForm, value: 'fixed' },
    },
    {
      key: 'sdLog',
      label: 'baseline sd (log)',
      input: 'number',
      step: 'any',
      initial: '0.2',
      when: { key: baselineForm, value: 'fixed' },
    },
  ],
  'sensor-stale': [
    { key: 'signal', label: 'signal', input: 'select', options: ruleSignals, initial: 'od' },
    {
      key: 'staleMinutes',
      label: 'stale after (wall-clock min)',
      input: 'number',
      step: 'any',
      initial: '10',
    },
  ],
  'reading-range': [
    { key: 'signal', label: 'signal', input: 'select', options: ruleSignals, initial: 'od' },
    { key: 'min', label: 'below (min)', input: 'number', step: 'any', optional: true, initial: '' },
    { key: 'max', label: 'above (max)', input: 'number', step: 'any', optional: true, initial: '' },
  ],
  'fit-failures': [
    { key: 'consecutive', label: 'failed fits in a row', input: 'number', step: '1', initial: '3' },
  ],
  residuals: [{ key: 'maxRms', label: 'largest residual RMS', input: 'number', step: 'any', initial: '3' }],
};

export interface RuleDraft {
  id: string;
  kind: RuleKind;
  name: string;
  /** Comma-separated reactor ids; empty: every reactor. */
  reactors: string;
  severity: AlarmSeverity;
  enabled: boolean;
  pendingMinutes: string;
  keepFiringMinutes: string;
  fields: Record<string, string>;
}

const text = (v: unknown) => (v === undefined || v === null ? '' : String(v));

export function initialFields(kind: RuleKind): Record<string, string> {
  return Object.fromEntries(kindFields[kind].map((f) => [f.key, f.initial]));
}

export function newDraft(kind: RuleKind = 'reading-range'): RuleDraft {
  return {
    id: '',
    kind,
    name: '',
    reactors: '',
    severity: 'major',
    enabled: true,
    pendingMinutes: '0',
    keepFiringMinutes: '0',
    fields: initialFields(kind),
  };
}

export function draftOf(rule: AlertRule): RuleDraft {
  const fields = initialFields(rule.kind);
  for (const f of kindFields[rule.kind]) if (f.key in rule) fields[f.key] = text(rule[f.key]);
  if (rule.kind === 'parameter-band') {
    const baseline = (rule.baseline ?? {}) as Record<string, unknown>;
    if ('value' in baseline) {
      fields[baselineForm] = 'fixed';
      fields.baselineValue = text(baseline.value);
      fields.sdLog = text(baseline.sdLog);
    } else {
      fields[baselineForm] = 'learned';
      fields.firstFits = text(baseline.firstFits);
      fields.skipFits = text(baseline.skipFits ?? 6);
    }
  }
  return {
    id: rule.id,
    kind: rule.kind,
    name: rule.name ?? '',
    reactors: (rule.reactors ?? []).join(', '),
    severity: rule.severity,
    enabled: rule.enabled,
    pendingMinutes: text(rule.pendingMinutes),
    keepFiringMinutes: text(rule.keepFiringMinutes),
    fields,
  };
}

/** A number from a field; an empty field is left out (the server says when it is needed). */
function numberOf(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : Number.NaN;
}

/**
 * The rule to send: the original's other fields kept (a description, fields this form does not
 * know), the form's written over them.
 */
export function ruleOf(draft: RuleDraft, original?: AlertRule): AlertRule {
  const rule: Record<string, unknown> = original ? { ...original } : {};
  for (const f of kindFields[original?.kind ?? draft.kind]) delete rule[f.key];
  delete rule.baseline;
  Object.assign(rule, {
    id: draft.id.trim(),
    kind: draft.kind,
    severity: draft.severity,
    enabled: draft.enabled,
    pendingMinutes: numberOf(draft.pendingMinutes) ?? 0,
    keepFiringMinutes: numberOf(draft.keepFiringMinutes) ?? 0,
  });
  if (draft.name.trim()) rule.name = draft.name.trim();
  else delete rule.name;
  const reactors = draft.reactors
    .split(/[\s,]+/)
    .map((r) => r.trim())
    .filter(Boolean);
  if (reactors.length > 0) rule.reactors = reactors;
  else delete rule.reactors;
  const f = draft.fields;
  if (draft.kind === 'parameter-band') {
    rule.parameter = f.parameter;
    rule.k = numberOf(f.k);
    rule.baseline =
      f[baselineForm] === 'fixed'
        ? { value: numberOf(f.baselineValue), sdLog: numberOf(f.sdLog) }
        : { firstFits: numberOf(f.firstFits), skipFits: numberOf(f.skipFits) ?? 6 };
  } else {
    for (const field of kindFields[draft.kind]) {
      const value = f[field.key] ?? '';
      if (field.input === 'select') rule[field.key] = value;
      else {
        const n = numberOf(value);
        if (n !== undefined) rule[field.key] = n;
      }
    }
  }
  // JSON drops what is undefined; a NaN (not a number typed) goes as null and the server names it.
  return JSON.parse(JSON.stringify(rule)) as AlertRule;
}

const pct = (x: unknown) => `${Number((Number(x) * 100).toPrecision(3))} %`;

/** The condition in words. */
export function ruleCondition(rule: AlertRule): string {
  const r = rule as Record<string, unknown>;
  switch (rule.kind) {
    case 'satellite-fraction':
      return `the satellite fraction’s lower ${pct(r.confidence ?? '0.95')} bound is above ${pct(r.threshold)}`;
    case 'parameter-band': {
      const b = (r.baseline ?? {}) as Record<string, unknown>;
      const baseline =
        'value' in b
          ? `${b.value} (sd of log ${b.sdLog})`
          : `learned from the reactor’s first ${b.firstFits} fits after skipping ${b.skipFits ?? 6}`;
      return `${r.parameter} is more than ${r.k ?? 3} standard deviations from its baseline, ${baseline}`;
    }
    case 'sensor-stale':
      return `no ${r.signal} reading has arrived for ${r.staleMinutes} min (wall clock)`;
    case 'reading-range': {
      const parts = [
        r.min !== undefined ? `below ${r.min}` : null,
        r.max !== undefined ? `above ${r.max}` : null,
      ].filter(Boolean);
      return `a reading of ${r.signal} is ${parts.join(' or ')}`;
    }
    case 'fit-failures':
      return `${r.consecutive ?? 3} fits in a row have failed`;
    case 'residuals':
      return `the RMS of a fit’s standardized residuals is above ${r.maxRms ?? 3}`;
  }
}
