/**
 * What is wrong with a reactor, in words: the service's alert state, fits that failed or stopped,
 * sensors gone quiet. Each problem has a severity (for colour) and a sentence (so colour is never
 * the only signal).
 */
import { type AlertLevel, onlineSignals, type ReactorSummary } from '../../contract/api';
import { msPerHour } from '../../contract/time';
import { formatAge, formatSpan } from './time-format';

export type Severity = 'ok' | 'info' | 'warning' | 'alarm';

export interface Problem {
  severity: Severity;
  text: string;
}

/** A sensor that has said nothing for this long (wall clock; the plant samples every 15 min) is stale. */
export const staleWallMs = 45 * 60_000;
/** Without receipt times: a sensor this far behind the reactor's newest reading (plant time) is stale. */
export const staleLagMs = 2 * msPerHour;
/** Fits whose window ends this far behind the newest reading (plant time) are not keeping up. */
export const fitLagMs = 3 * msPerHour;

const severityRank: Record<Severity, number> = { ok: 0, info: 1, warning: 2, alarm: 3 };

export function worst(problems: readonly Problem[]): Severity {
  return problems.reduce<Severity>(
    (w, p) => (severityRank[p.severity] > severityRank[w] ? p.severity : w),
    'ok',
  );
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

export function staleSensors(summary: ReactorSummary, nowMs: number): Problem[] {
  const problems: Problem[] = [];
  const newestTs = newestReadingMs(summary) ?? Number.NaN;
  for (const signal of onlineSignals) {
    const latest = summary.latest[signal];
    if (!latest) {
      problems.push({
        severity: signal === 'dilution' ? 'warning' : 'info',
        text: `No ${signal} readings yet — publish to culturewatch/${summary.id}/${signal}`,
      });
      continue;
    }
    if (latest.receivedAtMs !== undefined) {
      const quiet = nowMs - latest.receivedAtMs;
      if (quiet > staleWallMs) {
        problems.push({
          severity: 'warning',
          text: `${signal} sensor stale: last reading received ${formatAge(quiet)}`,
        });
      }
    } else if (Number.isFinite(newestTs) && newestTs - latest.tsMs > staleLagMs) {
      problems.push({
        severity: 'warning',
        text: `${signal} sensor stale: ${formatSpan(newestTs - latest.tsMs)} behind the other sensors (plant time)`,
      });
    }
  }
  return problems;
}

export function reactorProblems(summary: ReactorSummary, nowMs: number): Problem[] {
  const problems: Problem[] = [];
  if (summary.alert.level !== 'ok') {
    problems.push({
      severity: alertSeverity(summary.alert.level),
      text: `${summary.alert.level} alert${summary.alert.activeCount > 1 ? ` (${summary.alert.activeCount} active)` : ''}: ${summary.alert.summary}`,
    });
  }
  const estimate = summary.latestEstimate;
  if (!estimate) {
    problems.push({
      severity: 'info',
      text: 'No fit yet: the first runs once a full window of readings is in',
    });
  } else {
    if (estimate.status === 'failed') {
      problems.push({ severity: 'warning', text: 'Last fit failed: showing the last good estimate' });
    }
    const newestTs = newestReadingMs(summary);
    if (newestTs !== null && newestTs - estimate.windowEndMs > fitLagMs) {
      problems.push({
        severity: 'warning',
        text: `Fits lag the readings by ${formatSpan(newestTs - estimate.windowEndMs)} (plant time)`,
      });
    }
  }
  problems.push(...staleSensors(summary, nowMs));
  return problems;
}
