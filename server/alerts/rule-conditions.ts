/**
 * Whether a rule's condition holds, given one piece of evidence: pure, with the little each rule
 * remembers between pieces (a run of failed fits, a baseline being learned) passed in and out.
 */
import type { PlantSignal } from '../../contract/api';
import { formatInUnit, satelliteFraction as fractionUnit, signalUnits } from '../../contract/display-units';
import { freshnessRank } from '../../contract/freshness';
import type { AlertEvidence, FitEvidence } from './alert-evidence';
import { type AlertRule, bandQuantiles, minuteMs, type RuleOfKind } from './alert-rules';

export interface ConditionObservation {
  holds: boolean;
  /** On the rule's evidence clock (plant time for fits and readings, the reactor's plant clock for staleness). */
  atMs: number;
  /** In words, for the alarm and its notifications. */
  summary: string;
  /** The numbers behind the summary, all finite. */
  values: Record<string, number>;
}

/** A baseline learned from a reactor's first successful fits (parameter-band rules). */
export interface LearnedBaseline {
  /** Successful fits seen so far, skipped ones included. */
  fitsSeen: number;
  logValues: number[];
  /** Set once enough fits are in: mean of log value and the spread used for the band. */
  frozen: { logValue: number; sdLog: number } | null;
}

export interface RuleMemory {
  /** fit-failures: failed fits in a row, and the window end last counted (a refit of it is not another). */
  consecutiveFailures: number;
  lastCountedWindowEndMs: number | null;
  baseline: LearnedBaseline | null;
}

export const emptyRuleMemory: RuleMemory = {
  consecutiveFailures: 0,
  lastCountedWindowEndMs: null,
  baseline: null,
};

export interface ConditionResult {
  /** null: the evidence says nothing about this rule (wrong kind, a failed fit for a band rule, …). */
  observation: ConditionObservation | null;
  memory: RuleMemory;
}

/** The smallest spread a learned baseline is given (sd of log): 1 %. */
const minimumLearnedSdLog = 0.01;

export function observeCondition(
  rule: AlertRule,
  evidence: AlertEvidence,
  memory: RuleMemory,
): ConditionResult {
  switch (rule.kind) {
    case 'satellite-fraction':
      return { observation: evidence.kind === 'fit' ? satelliteFraction(rule, evidence) : null, memory };
    case 'parameter-band':
      return evidence.kind === 'fit' ? parameterBand(rule, evidence, memory) : { observation: null, memory };
    case 'fit-failures':
      return evidence.kind === 'fit' ? fitFailures(rule, evidence, memory) : { observation: null, memory };
    case 'residuals':
      return { observation: evidence.kind === 'fit' ? residuals(rule, evidence) : null, memory };
    case 'model-mismatch':
      return { observation: evidence.kind === 'fit' ? modelMismatch(evidence) : null, memory };
    case 'reading-range': {
      if (evidence.kind !== 'reading' || evidence.signal !== rule.signal)
        return { observation: null, memory };
      const below = rule.min !== undefined && evidence.value < rule.min;
      const above = rule.max !== undefined && evidence.value > rule.max;
      const unit = signalUnits[evidence.signal as PlantSignal];
      const range = `[${rule.min === undefined ? '−∞' : formatInUnit(unit, rule.min)}, ${rule.max === undefined ? '∞' : formatInUnit(unit, rule.max)}]`;
      const values: Record<string, number> = { value: evidence.value };
      if (rule.min !== undefined) values.min = rule.min;
      if (rule.max !== undefined) values.max = rule.max;
      return {
        observation: {
          holds: below || above,
          atMs: evidence.tsMs,
          summary: `${rule.signal} ${formatInUnit(unit, evidence.value)} ${below ? 'below' : above ? 'above' : 'within'} ${range}`,
          values,
        },
        memory,
      };
    }
    case 'sensor-stale': {
      if (evidence.kind !== 'staleness') return { observation: null, memory };
      const f = evidence.freshness.signals[rule.signal];
      // A signal the reactor has never sent is not stale, only absent.
      if (!f) return { observation: null, memory };
      const ageMinutes = f.ageMs / minuteMs;
      const holds =
        rule.staleMinutes !== undefined
          ? ageMinutes > rule.staleMinutes
          : freshnessRank(f.level) >= freshnessRank(rule.level);
      const values: Record<string, number> = {
        ageMinutes,
        cadenceMinutes: f.cadenceMs / minuteMs,
        lastReadingAtMs: f.lastTsMs,
      };
      if (rule.staleMinutes !== undefined) values.staleMinutes = rule.staleMinutes;
      return {
        observation: {
          holds,
          atMs: evidence.freshness.plantNowMs,
          summary: `${rule.signal} ${f.words}${rule.staleMinutes !== undefined ? ` (limit ${rule.staleMinutes} min)` : ''}`,
          values,
        },
        memory,
      };
    }
  }
}

function satelliteFraction(
  rule: RuleOfKind<'satellite-fraction'>,
  fit: FitEvidence,
): ConditionObservation | null {
  const f = fit.satelliteFraction;
  if (fit.status !== 'ok' || !f || !Number.isFinite(f.value) || !Number.isFinite(f.sd)) return null;
  const z = bandQuantiles[rule.confidence];
  const lower = f.value - z * f.sd;
  const percent = Math.round(Number(rule.confidence) * 100);
  return {
    holds: lower > rule.threshold,
    atMs: fit.windowEndMs,
    summary: `satellite fraction ${formatInUnit(fractionUnit, f.value)} (lower ${percent} % bound ${formatInUnit(fractionUnit, lower)}) ${lower > rule.threshold ? 'above' : 'not above'} ${formatInUnit(fractionUnit, rule.threshold)}`,
    values: { satelliteFraction: f.value, sd: f.sd, lowerBound: lower, threshold: rule.threshold },
  };
}

function parameterBand(
  rule: RuleOfKind<'parameter-band'>,
  fit: FitEvidence,
  memory: RuleMemory,
): ConditionResult {
  const p = fit.params?.[rule.parameter];
  if (fit.status !== 'ok' || !p || !(p.value > 0) || !Number.isFinite(p.sdLog))
    return { observation: null, memory };
  const logValue = Math.log(p.value);
  let baseline: { logValue: number; sdLog: number };
  if ('value' in rule.baseline) {
    baseline = { logValue: Math.log(rule.baseline.value), sdLog: rule.baseline.sdLog };
  } else {
    const learned = learnBaseline(memory.baseline, logValue, rule.baseline.firstFits, rule.baseline.skipFits);
    memory = { ...memory, baseline: learned };
    if (!learned.frozen) return { observation: null, memory };
    baseline = learned.frozen;
  }
  const spread = Math.sqrt(baseline.sdLog ** 2 + p.sdLog ** 2);
  const deviation = (logValue - baseline.logValue) / spread;
  const holds = Math.abs(deviation) > rule.k;
  const baselineValue = Math.exp(baseline.logValue);
  return {
    observation: {
      holds,
      atMs: fit.windowEndMs,
      summary: `${rule.parameter} ${fmt(p.value)} is ${fmt(Math.abs(deviation))} sd ${deviation >= 0 ? 'above' : 'below'} its baseline ${fmt(baselineValue)} (limit ${rule.k})`,
      values: {
        value: p.value,
        sdLog: p.sdLog,
        baseline: baselineValue,
        baselineSdLog: baseline.sdLog,
        deviationSd: deviation,
        k: rule.k,
      },
    },
    memory,
  };
}

function learnBaseline(
  current: LearnedBaseline | null,
  logValue: number,
  firstFits: number,
  skipFits: number,
): LearnedBaseline {
  const learned = current ?? { fitsSeen: 0, logValues: [], frozen: null };
  if (learned.frozen) return learned;
  const fitsSeen = learned.fitsSeen + 1;
  const logValues = fitsSeen > skipFits ? [...learned.logValues, logValue] : learned.logValues;
  if (logValues.length < firstFits) return { fitsSeen, logValues, frozen: null };
  return { fitsSeen, logValues: [], frozen: baselineOf(logValues) };
}

/** Mean and spread (sample sd, at least 1 %) of log values: a learned baseline. */
/**
 * What a rule remembers before its first piece of evidence: a parameter-band rule with a learned
 * baseline starts from the reactor's first stored fits (`firstFitValues(parameter, count)`, oldest
 * first) when there are enough of them, so the baseline is the same after a restart and in a preview.
 */
export function startingMemory(
  rule: AlertRule,
  firstFitValues: ((parameter: string, count: number) => number[]) | undefined,
): RuleMemory {
  if (!firstFitValues || rule.kind !== 'parameter-band' || !('firstFits' in rule.baseline))
    return emptyRuleMemory;
  const { firstFits, skipFits } = rule.baseline;
  const values = firstFitValues(rule.parameter, skipFits + firstFits);
  if (values.length !== skipFits + firstFits || !values.every((v) => v > 0)) return emptyRuleMemory;
  const frozen = baselineOf(values.slice(skipFits).map(Math.log));
  return { ...emptyRuleMemory, baseline: { fitsSeen: values.length, logValues: [], frozen } };
}

export function baselineOf(logValues: readonly number[]): { logValue: number; sdLog: number } {
  const mean = logValues.reduce((s, x) => s + x, 0) / logValues.length;
  const variance = logValues.reduce((s, x) => s + (x - mean) ** 2, 0) / Math.max(1, logValues.length - 1);
  return { logValue: mean, sdLog: Math.max(Math.sqrt(variance), minimumLearnedSdLog) };
}

function fitFailures(
  rule: RuleOfKind<'fit-failures'>,
  fit: FitEvidence,
  memory: RuleMemory,
): ConditionResult {
  const again = memory.lastCountedWindowEndMs === fit.windowEndMs;
  let run = memory.consecutiveFailures;
  if (fit.status === 'ok') run = 0;
  else if (!again || run === 0) run += 1;
  const holds = run >= rule.consecutive;
  return {
    observation: {
      holds,
      atMs: fit.windowEndMs,
      summary:
        fit.status === 'ok'
          ? 'the last fit succeeded'
          : `${run} failed fit${run === 1 ? '' : 's'} in a row (limit ${rule.consecutive}), last: ${fit.reason ?? 'unknown'}`,
      values: { consecutiveFailures: run, limit: rule.consecutive },
    },
    memory: { ...memory, consecutiveFailures: run, lastCountedWindowEndMs: fit.windowEndMs },
  };
}

function residuals(rule: RuleOfKind<'residuals'>, fit: FitEvidence): ConditionObservation | null {
  if (fit.status !== 'ok' || !fit.standardizedResiduals) return null;
  let sum = 0;
  let n = 0;
  for (const r of fit.standardizedResiduals) {
    if (!Number.isFinite(r)) continue;
    sum += r * r;
    n++;
  }
  if (n === 0) return null;
  const rms = Math.sqrt(sum / n);
  return {
    holds: rms > rule.maxRms,
    atMs: fit.windowEndMs,
    summary: `standardized residuals RMS ${fmt(rms)} over ${n} observations (limit ${rule.maxRms})`,
    values: { rms, observations: n, maxRms: rule.maxRms },
  };
}

function modelMismatch(fit: FitEvidence): ConditionObservation | null {
  const m = fit.modelMismatch;
  if (fit.status !== 'ok' || !m) return null;
  const newest = m.points[m.points.length - 1]?.pValue ?? null;
  const values: Record<string, number> = { fireP: m.test.fireP, spanHours: m.test.spanHours };
  if (newest !== null) values.pValue = newest;
  if (m.sinceMs !== null) values.startedAtMs = m.sinceMs;
  if (m.firedAtMs !== null) values.firedAtMs = m.firedAtMs;
  const what = [
    ...(m.signals.length > 0 ? [`structure in the ${m.signals.join(', ')} residuals`] : []),
    ...(m.rates.length > 0 ? [`the network corrects ${m.rates.join(', ')} beyond its training`] : []),
  ];
  const p = newest === null ? '' : ` (Ljung–Box p ${fmt(newest)} over ${m.test.spanHours} h)`;
  return {
    holds: !m.explained,
    atMs: fit.windowEndMs,
    summary: m.explained
      ? `the model explains the plant${p}`
      : `the model no longer explains the plant since ${new Date(m.sinceMs ?? fit.windowEndMs).toISOString()}: ${what.join('; ') || 'residuals structured'}${p}`,
    values,
  };
}

/** Three significant digits, plain. */
function fmt(x: number): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  return Number(x.toPrecision(3)).toString();
}
