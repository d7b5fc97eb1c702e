/**
 * The overview of each reactor: latest readings, each online signal's freshness (said there, not
 * again in the alert), where its fits stand, latest estimate, and a provisional alert state from
 * failing fits for a reactor without active alarms.
 */
import { type AlertLevel, onlineSignals, plantSignals, type ReactorSummary } from '../../contract/api';
import type { ReactorFreshness } from '../../contract/freshness';
import type { ServiceReads } from '../../db/service-read-statements';
import { fitProgress } from './fit-progress';
import { latestEstimateSummary } from './fit-records';

/** Consecutive failed fits from which the alert is major rather than a warning. */
const failuresForMajor = 3;

export interface SummaryOptions {
  /** The reactor's signals' freshness now (server/realtime/signal-freshness.ts). */
  freshness: ReactorFreshness | undefined;
  /** The estimator's window and this reactor's windows it has queued; null when it is off. */
  estimator: { windowHours: number; windowsDue: number; running: boolean } | null;
  wallNowMs: number;
}

export async function reactorSummary(
  s: ServiceReads,
  reactor: { id: string; firstSeenAtMs: number },
  options: SummaryOptions,
): Promise<ReactorSummary> {
  const latest: ReactorSummary['latest'] = {};
  for (const signal of plantSignals) {
    const row = await s.latestReading.get(reactor.id, signal);
    if (row) latest[signal] = { tsMs: row.tsMs, value: row.value, receivedAtMs: row.receivedAtMs };
  }
  const problems: { level: AlertLevel; text: string }[] = [];
  const recent = await s.latestFits.all(reactor.id, failuresForMajor);
  const failedInRow = recent.findIndex((f) => f.status === 'ok');
  const failures = failedInRow < 0 ? recent.length : failedInRow;
  if (failures > 0) {
    problems.push({
      level: failures >= failuresForMajor ? 'major' : 'warning',
      text: `${failures >= failuresForMajor ? `the last ${failures} fits` : 'the last fit'} failed (${recent[0].reason})`,
    });
  }
  const order: AlertLevel[] = ['ok', 'warning', 'minor', 'major', 'critical'];
  const level = problems.reduce<AlertLevel>(
    (worst, p) => (order.indexOf(p.level) > order.indexOf(worst) ? p.level : worst),
    'ok',
  );
  const firstReadingMs = await firstReading(s, reactor.id);
  let newestReadingMs: number | null = null;
  for (const signal of onlineSignals) {
    const ts = latest[signal]?.tsMs;
    if (ts !== undefined && (newestReadingMs === null || ts > newestReadingMs)) newestReadingMs = ts;
  }
  const progress = fitProgress({
    firstReadingMs,
    newestReadingMs,
    newestFit: recent[0] ?? null,
    estimator: options.estimator,
    plantMsPerWallMs: options.freshness?.plantMsPerWallMs ?? 1,
    wallNowMs: options.wallNowMs,
  });
  return {
    id: reactor.id,
    firstSeenMs: reactor.firstSeenAtMs,
    ...(firstReadingMs !== undefined && { firstReadingMs }),
    latest,
    ...(options.freshness && { freshness: options.freshness }),
    ...(progress && { fitProgress: progress }),
    latestEstimate: await latestEstimateSummary(s, reactor.id),
    alert: {
      level,
      summary: problems.length === 0 ? 'no problems' : problems.map((p) => p.text).join('; '),
      activeCount: problems.length,
    },
  };
}

/**
 * The reactor's earliest reading on the plant calendar. Once retention has trimmed the raw readings,
 * the oldest 15-minute rollup stands in (its bucket start, at most 15 minutes early).
 */
export async function firstReading(s: ServiceReads, reactorId: string): Promise<number | undefined> {
  const bucketMs = 15 * 60_000;
  let first = Number.POSITIVE_INFINITY;
  for (const signal of onlineSignals) {
    const raw = (await s.oldestReadingMs.get(reactorId, signal))?.tsMs ?? null;
    const rollup = (await s.oldestRollupMs.get(reactorId, signal, bucketMs))?.tsMs ?? null;
    // Raw readings reach back to the start unless a rollup bucket older than their oldest remains.
    const oldest = raw !== null && (rollup === null || rollup > raw - bucketMs) ? raw : rollup;
    if (oldest !== null) first = Math.min(first, oldest);
  }
  return Number.isFinite(first) ? first : undefined;
}
