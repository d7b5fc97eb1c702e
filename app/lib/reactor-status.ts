/**
 * What is wrong with a reactor, in words: the service's alert state, fits that failed or stopped,
 * sensors late, stale or offline (the service's judgement, contract/freshness.ts). Each problem has
 * a severity (for colour) and a sentence (so colour is never the only signal).
 */
import { type AlertLevel, onlineSignals, type ReactorSummary } from '../../contract/api';
import type { FreshnessLevel } from '../../contract/freshness';
import { msPerHour } from '../../contract/time';
import { formatAge, formatSpan } from './time-format';

export type Severity = 'ok' | 'info' | 'warning' | 'alarm';

export interface Problem {
  severity: Severity;
  text: string;
  /** The state it puts the reactor in, where the severity's own words would mislead ("Catching up"). */
  state?: string;
}

/** What the status needs besides the summary: the estimator's window and the plant's speed. */
export interface StatusContext {
  /** Plant hours of readings a fit needs (the estimator settings' window). */
  windowHours: number | null;
  /** Plant hours per wall-clock second of a simulated reactor; null for a real plant (1 h per h). */
  plantHoursPerSecond: number | null;
}

export const unknownContext: StatusContext = { windowHours: null, plantHoursPerSecond: null };

/**
 * A fit that finished this recently (wall clock) means the estimator is working: fits behind the
 * readings are a backlog being worked through (after a start), not fits that stopped.
 */
export const workingWithinMs = 2 * 60_000;

/** Fits whose window ends this far behind the newest reading (plant time) are not keeping up. */
export const fitLagMs = 3 * msPerHour;

const severityRank: Record<Severity, number> = { ok: 0, info: 1, warning: 2, alarm: 3 };

export function worst(problems: readonly Problem[]): Severity {
  return problems.reduce<Severity>(
    (w, p) => (severityRank[p.severity] > severityRank[w] ? p.severity : w),
    'ok',
  );
}

/** The reactor's state in words: the worst problem's own state, or its severity's words. */
export function stateWords(problems: readonly Problem[]): string {
  const severity = worst(problems);
  return problems.find((p) => p.severity === severity && p.state)?.state ?? severityWords[severity];
}

/** Needs an operator: a warning or an alarm (starting up and catching up do not). */
export function needsAttention(problems: readonly Problem[]): boolean {
  return severityRank[worst(problems)] >= severityRank.warning;
}

export const severityWords: Record<Severity, string> = {
  ok: 'Running normally',
  info: 'Starting up',
  warning: 'Needs attention',
  alarm: 'Alarm',
};

function alertSeverity(level: AlertLevel): Severity {
  if (level === 'critical' || level === 'major') return 'alarm';
  if (level === 'minor' || level === 'warning') return 'warning';
  return 'ok';
}

export function newestReadingMs(summary: ReactorSummary): number | null {
  let newest: number | null = null;
  for (const r of Object.values(summary.latest))
    if (r && (newest === null || r.tsMs > newest)) newest = r.tsMs;
  return newest;
}

/** How each level reads on the card: late is said, stale needs attention, offline is an alarm. */
const freshnessProblems: Record<Exclude<FreshnessLevel, 'fresh'>, Omit<Problem, 'text'>> = {
  late: { severity: 'info', state: 'Readings late' },
  stale: { severity: 'warning', state: 'Readings stale' },
  offline: { severity: 'alarm', state: 'Sensor offline' },
};

/** Signals not sent yet, and those late, stale or offline. */
export function staleSensors(summary: ReactorSummary): Problem[] {
  const problems: Problem[] = [];
  for (const signal of onlineSignals) {
    const latest = summary.latest[signal];
    if (!latest) {
      problems.push({
        severity: signal === 'dilution' ? 'warning' : 'info',
        text: `No ${signal} readings yet — publish to culturewatch/${summary.id}/${signal}`,
      });
      continue;
    }
    const f = summary.freshness?.signals[signal];
    if (f && f.level !== 'fresh')
      problems.push({ ...freshnessProblems[f.level], text: `${signal} ${f.words}` });
  }
  return problems;
}

/** "about 40 s", "about 3 min", "about 4.5 h" (wall clock). */
function aboutWall(seconds: number): string {
  if (seconds < 90) return `about ${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 90 * 60) return `about ${Math.round(seconds / 60)} min`;
  return `about ${formatSpan(seconds * 1000)}`;
}

/** Before the first fit: how much of the first window is in, and when the fit comes. */
function firstFitProgress(summary: ReactorSummary, context: StatusContext): Problem {
  const newest = newestReadingMs(summary);
  const first = summary.firstReadingMs;
  if (context.windowHours === null || newest === null || first === undefined) {
    return {
      severity: 'info',
      state: 'Starting up',
      text: 'No fit yet: the first runs once a full window of readings is in',
    };
  }
  const inHours = Math.max(0, (newest - first) / msPerHour);
  const window = context.windowHours;
  const hours = (h: number) => String(Number(h.toFixed(1)));
  if (inHours >= window) {
    return {
      severity: 'info',
      state: 'Starting up',
      text: `${hours(window)} of ${hours(window)} h of readings in: the first fit is on its way`,
    };
  }
  const remainingH = window - inHours;
  const wallSeconds = remainingH * (context.plantHoursPerSecond ? 1 / context.plantHoursPerSecond : 3600);
  return {
    severity: 'info',
    state: 'Starting up',
    text: `${hours(inHours)} of ${hours(window)} h of readings in, first fit in ${aboutWall(wallSeconds)}`,
  };
}

export function reactorProblems(
  summary: ReactorSummary,
  nowMs: number,
  context: StatusContext = unknownContext,
): Problem[] {
  const problems: Problem[] = [];
  if (summary.alert.level !== 'ok') {
    problems.push({
      severity: alertSeverity(summary.alert.level),
      text: `${summary.alert.level} alert${summary.alert.activeCount > 1 ? ` (${summary.alert.activeCount} active)` : ''}: ${summary.alert.summary}`,
    });
  }
  const estimate = summary.latestEstimate;
  if (!estimate) {
    problems.push(firstFitProgress(summary, context));
  } else {
    if (estimate.status === 'failed') {
      problems.push({ severity: 'warning', text: 'Last fit failed: showing the last good estimate' });
    }
    const newestTs = newestReadingMs(summary);
    const lag = newestTs === null ? 0 : newestTs - estimate.windowEndMs;
    if (lag > fitLagMs) {
      const working = nowMs - estimate.fittedAtMs < workingWithinMs;
      problems.push(
        working
          ? {
              severity: 'info',
              state: 'Catching up',
              text: `Catching up: fits have reached ${formatSpan(lag)} behind the newest reading (plant time) and the estimator is working through the rest`,
            }
          : {
              severity: 'warning',
              text: `Fits lag the readings by ${formatSpan(lag)} (plant time), and none has finished for ${formatAge(nowMs - estimate.fittedAtMs).replace(' ago', '')}`,
            },
      );
    }
  }
  problems.push(...staleSensors(summary));
  return problems;
}
