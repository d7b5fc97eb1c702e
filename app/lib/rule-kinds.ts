/**
 * The alert rules' kinds as the settings page edits them: each kind's fields, typed in the unit the
 * dashboard shows (contract/display-units.ts: the satellite fraction in percent) and checked here
 * against what the server's validator (server/alerts/alert-rules.ts) allows, so that the form names
 * the field and says what is allowed before anything is sent; and a rule in words. A rule is edited
 * as text fields and turned back into the rule object (in the API's units) for PUT /api/alert-rules/:id.
 */
import {
  type AlarmSeverity,
  alertRuleKinds,
  isReactorId,
  onlineSignals,
  type PlantSignal,
  plantSignals,
} from '../../contract/api';
import {
  type DisplayUnit,
  dimensionless,
  modelUnit,
  satelliteFraction,
  shownValue,
  signalUnits,
  standardDeviations,
  storedValue,
} from '../../contract/display-units';
import { freshnessLevels } from '../../contract/freshness';
import type { AlertRule } from './alerts-api';
import { type NumberLimits, numberProblem } from './field-checks';
import { model, parameterOrder } from './model-info';

export type RuleKind = AlertRule['kind'];

export const ruleKinds: readonly RuleKind[] = alertRuleKinds;

export const ruleKindWords: Record<RuleKind, string> = {
  'satellite-fraction': 'satellite fraction high',
  'parameter-band': 'parameter outside its baseline band',
  'sensor-stale': 'sensor stale',
  'reading-range': 'readings out of range',
  'fit-failures': 'fits failing',
  residuals: 'poor fit (residuals RMS)',
  'model-mismatch': 'the model no longer explains the plant',
};

export const ruleSignals: readonly PlantSignal[] = plantSignals;

export interface RuleField {
  key: string;
  label: string;
  input: 'number' | 'select';
  options?: readonly string[];
  /** May be left empty (then left out of the rule). */
  optional?: boolean;
  step?: string;
  /** The value a new rule starts with (in the unit shown). */
  initial: string;
  /** Shown only when another field has this value (the parameter baseline's two forms). */
  when?: { key: string; value: string };
  /** What the server accepts, in the unit shown. */
  limits?: NumberLimits;
  /**
   * The unit it is typed in (the API stores value ÷ scale): fixed, or that of the rule's signal or
   * parameter.
   */
  unit?: DisplayUnit | 'signal' | 'parameter';
}

/** Form-only key: which form of baseline a parameter-band rule has. */
const baselineForm = 'baselineForm';

const weekOfMinutes = 7 * 24 * 60;
const plantMinutes: DisplayUnit = { symbol: 'min', words: 'minutes (plant clock)', scale: 1 };

export const kindFields: Record<RuleKind, readonly RuleField[]> = {
  'satellite-fraction': [
    {
      key: 'threshold',
      label: 'threshold',
      input: 'number',
      step: 'any',
      initial: '2',
      unit: satelliteFraction,
      limits: { min: 0, max: 100, minExclusive: true, maxExclusive: true },
    },
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
    {
      key: 'k',
      label: 'k',
      input: 'number',
      step: 'any',
      initial: '3',
      unit: standardDeviations,
      limits: { min: 0, max: 20, minExclusive: true },
    },
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
      limits: { min: 2, max: 1000, integer: true },
    },
    {
      key: 'skipFits',
      label: 'after skipping (fits)',
      input: 'number',
      step: '1',
      initial: '6',
      when: { key: baselineForm, value: 'learned' },
      limits: { min: 0, max: 1000, integer: true },
    },
    {
      key: 'baselineValue',
      label: 'baseline value',
      input: 'number',
      step: 'any',
      initial: '',
      when: { key: baselineForm, value: 'fixed' },
      unit: 'parameter',
      limits: { min: 0, minExclusive: true },
    },
    {
      key: 'sdLog',
      label: 'baseline sd (of log)',
      input: 'number',
      step: 'any',
      initial: '0.2',
      when: { key: baselineForm, value: 'fixed' },
      limits: { min: 0, max: 5, minExclusive: true },
    },
  ],
  'sensor-stale': [
    { key: 'signal', label: 'signal', input: 'select', options: onlineSignals, initial: 'od' },
    {
      key: 'level',
      label: 'fires when the signal is',
      input: 'select',
      options: freshnessLevels.filter((l) => l !== 'fresh'),
      initial: 'stale',
    },
    {
      key: 'staleMinutes',
      label: 'or instead: older than',
      input: 'number',
      step: 'any',
      optional: true,
      initial: '',
      unit: plantMinutes,
      limits: { min: 0, max: weekOfMinutes, minExclusive: true },
    },
  ],
  'reading-range': [
    { key: 'signal', label: 'signal', input: 'select', options: ruleSignals, initial: 'od' },
    {
      key: 'min',
      label: 'below (min)',
      input: 'number',
      step: 'any',
      optional: true,
      initial: '',
      unit: 'signal',
      limits: {},
    },
    {
      key: 'max',
      label: 'above (max)',
      input: 'number',
      step: 'any',
      optional: true,
      initial: '',
      unit: 'signal',
      limits: {},
    },
  ],
  'fit-failures': [
    {
      key: 'consecutive',
      label: 'failed fits in a row',
      input: 'number',
      step: '1',
      initial: '3',
      limits: { min: 1, max: 1000, integer: true },
    },
  ],
  residuals: [
    {
      key: 'maxRms',
      label: 'largest residual RMS',
      input: 'number',
      step: 'any',
      initial: '3',
      unit: standardDeviations,
      limits: { min: 0, max: 1000, minExclusive: true },
    },
  ],
  // Its test and threshold are the engine's (the reactor page's mismatch view shows them).
  'model-mismatch': [],
};

/** The unit a field is typed in, given the rest of the form. */
export function fieldUnit(field: RuleField, fields: Record<string, string>): DisplayUnit {
  if (field.unit === 'signal') return signalUnits[fields.signal as PlantSignal] ?? dimensionless;
  if (field.unit === 'parameter') {
    const p = model.parameters.find((x) => x.name === fields.parameter);
    return p ? modelUnit(p.unit) : dimensionless;
  }
  return field.unit ?? dimensionless;
}

/** The field's label with its unit: `threshold (%)`. */
export function fieldLabel(field: RuleField, fields: Record<string, string>): string {
  const symbol = fieldUnit(field, fields).symbol;
  return symbol ? `${field.label} (${symbol})` : field.label;
}

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
  // Numbers as shown on screen (a fraction as percent), given the signal or parameter now known.
  for (const f of kindFields[rule.kind]) {
    const stored = rule[f.key];
    if (f.input === 'number' && typeof stored === 'number')
      fields[f.key] = String(shownValue(fieldUnit(f, fields), stored));
  }
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
  const reactors = draftReactors(draft);
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
        if (n !== undefined) rule[field.key] = storedValue(fieldUnit(field, f), n);
      }
    }
  }
  // JSON drops what is undefined; a NaN (not a number typed) goes as null and the server names it.
  return JSON.parse(JSON.stringify(rule)) as AlertRule;
}

/** A rule's number as the operator typed it, in the unit shown: `1.7 %`, `0.0001 biomass conc.`. */
const inUnit = (x: unknown, unit: DisplayUnit) =>
  `${shownValue(unit, Number(x))}${unit.symbol ? ` ${unit.symbol}` : ''}`;
const pct = (x: unknown) => inUnit(x, satelliteFraction);

/** The condition in words. */
export function ruleCondition(rule: AlertRule): string {
  const r = rule as Record<string, unknown>;
  switch (rule.kind) {
    case 'satellite-fraction':
      return `the satellite fraction’s lower ${Math.round(Number(r.confidence ?? '0.95') * 100)} % bound is above ${pct(r.threshold)}`;
    case 'parameter-band': {
      const b = (r.baseline ?? {}) as Record<string, unknown>;
      const baseline =
        'value' in b
          ? `${b.value} (sd of log ${b.sdLog})`
          : `learned from the reactor’s first ${b.firstFits} fits after skipping ${b.skipFits ?? 6}`;
      return `${r.parameter} is more than ${r.k ?? 3} standard deviations from its baseline, ${baseline}`;
    }
    case 'sensor-stale':
      return r.staleMinutes !== undefined
        ? `the newest ${r.signal} reading is older than ${r.staleMinutes} min (plant clock)`
        : `${r.signal} is ${r.level ?? 'stale'} or worse: judged on the plant clock against its usual cadence`;
    case 'reading-range': {
      const unit = signalUnits[r.signal as PlantSignal] ?? dimensionless;
      const parts = [
        r.min !== undefined ? `below ${inUnit(r.min, unit)}` : null,
        r.max !== undefined ? `above ${inUnit(r.max, unit)}` : null,
      ].filter(Boolean);
      return `a reading of ${r.signal} is ${parts.join(' or ')}`;
    }
    case 'fit-failures':
      return `${r.consecutive ?? 3} fits in a row have failed`;
    case 'residuals':
      return `the RMS of a fit’s standardized residuals is above ${inUnit(r.maxRms ?? 3, standardDeviations)}`;
    case 'model-mismatch':
      return 'the fits’ residuals show structure that noise does not: the model no longer explains the plant';
  }
}

const idPattern = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** The reactor ids a draft names (comma- or space-separated). */
export function draftReactors(draft: RuleDraft): string[] {
  return draft.reactors
    .split(/[\s,]+/)
    .map((r) => r.trim())
    .filter(Boolean);
}

/**
 * Every problem of a draft, by the field it is in: named, with what is allowed. `knownReactors`
 * (from the API; null while unknown) refuses reactors the plant does not have.
 */
export function draftProblems(
  draft: RuleDraft,
  knownReactors: readonly string[] | null,
  isNew: boolean,
): Record<string, string> {
  const problems: Record<string, string> = {};
  if (isNew && !idPattern.test(draft.id.trim()))
    problems.id = `id: “${draft.id.trim()}” will not do; use lower-case letters, digits, - and _ (up to 64, starting with a letter or digit), e.g. satellite-high.`;
  if (draft.name.trim().length > 120) problems.name = 'name: at most 120 characters.';
  const reactors = draftReactors(draft);
  const malformed = reactors.filter((r) => !isReactorId(r));
  const unknown = knownReactors ? reactors.filter((r) => isReactorId(r) && !knownReactors.includes(r)) : [];
  if (malformed.length > 0 || unknown.length > 0) {
    const known = knownReactors && knownReactors.length > 0 ? knownReactors.join(', ') : 'none yet';
    problems.reactors = `reactors: ${[...malformed, ...unknown].map((r) => `“${r}”`).join(', ')} ${malformed.length + unknown.length === 1 ? 'is not a reactor' : 'are not reactors'} of this plant; the reactors are ${known} (leave empty for every reactor).`;
  }
  for (const [key, label] of [
    ['pendingMinutes', 'pending'],
    ['keepFiringMinutes', 'keep firing'],
  ] as const) {
    const problem = numberProblem(label, draft[key], { min: 0, max: weekOfMinutes }, { unitSymbol: 'min' });
    if (problem) problems[key] = problem;
  }
  const fields = draft.fields;
  for (const field of kindFields[draft.kind]) {
    if (field.input !== 'number' || (field.when && fields[field.when.key] !== field.when.value)) continue;
    const problem = numberProblem(field.label, fields[field.key] ?? '', field.limits ?? {}, {
      optional: field.optional,
      unitSymbol: fieldUnit(field, fields).symbol,
    });
    if (problem) problems[field.key] = problem;
  }
  if (draft.kind === 'reading-range' && !problems.min && !problems.max) {
    const min = fields.min?.trim() ?? '';
    const max = fields.max?.trim() ?? '';
    if (min === '' && max === '')
      problems.min = 'below (min) or above (max): give one or both, or the rule never fires.';
    else if (min !== '' && max !== '' && Number(min) >= Number(max))
      problems.min = `below (min): ${min} must be under above (max), ${max}.`;
  }
  return problems;
}
