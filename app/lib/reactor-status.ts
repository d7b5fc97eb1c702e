/**
 * What is wrong with a reactor, in words: the service's alert state, fits that failed or stopped,
 * sensors late, stale or offline (the service's judgement, contract/freshness.ts). Each problem has
 * a severity (for colour) and a sentence (so colour is never the only signal).
 */
import { type AlertLevel, type FitProgress, onlineSignals, type ReactorSummary } from '../../contract/api';
import type { FreshnessLevel } from '../../contract/freshness';

export type Severity = 'ok' | 'info' | 'warning' | 'alarm';

export interface Problem {
  severity: Severity;
  text: string;
  /** The state it puts the reactor in, where the severity's own words would mislead ("Catching up"). */
  state?: string;
}

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

/** Where the fits stand, as the service says (contract/api.ts `FitProgress`); up to date says nothing. */
const progressProblems: Record<FitProgress['state'], Omit<Problem, 'text'> | null> = {
  'first-window': { severity: 'info', state: 'Starting up' },
  'first-fit-due': { severity: 'info', state: 'Starting up' },
  'up-to-date': null,
  'catching-up': { severity: 'info', state: 'Catching up' },
  behind: { severity: 'warning' },
  off: { severity: 'info', state: 'Estimator off' },
};

function fitProblem(summary: ReactorSummary): Problem | null {
  const progress = summary.fitProgress;
  if (!progress) {
    return summary.latestEstimate
      ? null
      : {
          severity: 'info',
          state: 'Starting up',
          text: 'No fit yet: the first runs once a full window of readings is in',
        };
  }
  const problem = progressProblems[progress.state];
  return problem && { ...problem, text: progress.words };
}

export function reactorProblems(summary: ReactorSummary): Problem[] {
  const problems: Problem[] = [];
  if (summary.alert.level !== 'ok') {
    problems.push({
      severity: alertSeverity(summary.alert.level),
      text: `${summary.alert.level} alert${summary.alert.activeCount > 1 ? ` (${summary.alert.activeCount} active)` : ''}: ${summary.alert.summary}`,
    });
  }
  if (summary.latestEstimate?.status === 'failed')
    problems.push({ severity: 'warning', text: 'Last fit failed: showing the last good estimate' });
  const fit = fitProblem(summary);
  if (fit) problems.push(fit);
  problems.push(...staleSensors(summary));
  return problems;
}
