/**
 * How fresh a reactor's online signals are: the one list of levels and the one judgement, made by
 * the service (server/realtime/signal-freshness.ts) for the overview, the reactor page, `/metrics`
 * and the `sensor-stale` alert rule. A signal is judged on the reactor's plant clock (time.ts
 * `plantNowMs`: demo time runs fast) against its own usual cadence, so a sensor that reports every
 * 15 min and one that reports every 10 s are each late when their next reading is overdue.
 */
import { formatAge, formatSpan } from './time';

/** Mildest first. */
export const freshnessLevels = ['fresh', 'late', 'stale', 'offline'] as const;
export type FreshnessLevel = (typeof freshnessLevels)[number];

/**
 * Usual intervals past the newest reading (plus the delivery allowance) from which a signal is
 * late (its next reading is overdue), stale (the one after is nearly due too) and offline.
 */
export const freshnessIntervals = { late: 1.25, stale: 1.75, offline: 12 } as const;

/**
 * Wall-clock time a reading may take from the sensor into the database (MQTT, the batched writer)
 * on top; on a demo plant running 1 plant h a second it is worth a plant hour.
 */
export const deliveryAllowanceWallMs = 1000;

/** The cadence assumed until a signal has shown its own (the plant's 15-minute sampling). */
export const defaultCadenceMs = 15 * 60_000;

export interface SignalFreshness {
  level: FreshnessLevel;
  /** The newest reading's time (plant clock, epoch ms). */
  lastTsMs: number;
  /** Plant ms since the newest reading. */
  ageMs: number;
  /** The signal's usual interval between readings (plant ms): the median of its recent ones. */
  cadenceMs: number;
  /** The level and the age in words: "stale: last reading 40 min ago, usually every 15 min (plant time)". */
  words: string;
}

/** A reactor's freshness, judged at `atWallMs` (the service's clock) when its plant clock read `plantNowMs`. */
export interface ReactorFreshness {
  plantNowMs: number;
  atWallMs: number;
  /** Plant ms per wall ms: 1 for a real plant, the demo's speed × 3600 for a simulated one. */
  plantMsPerWallMs: number;
  /** Each online signal the reactor has sent. */
  signals: Partial<Record<string, SignalFreshness>>;
}

export function freshnessRank(level: FreshnessLevel): number {
  return freshnessLevels.indexOf(level);
}

/** The worst level among a reactor's signals ('fresh' when it has none). */
export function worstFreshness(freshness: ReactorFreshness | undefined): FreshnessLevel {
  let worst: FreshnessLevel = 'fresh';
  for (const s of Object.values(freshness?.signals ?? {}))
    if (s && freshnessRank(s.level) > freshnessRank(worst)) worst = s.level;
  return worst;
}

export function judgeFreshness(
  lastTsMs: number,
  cadenceMs: number,
  plantNowMs: number,
  plantMsPerWallMs: number,
): SignalFreshness {
  const ageMs = Math.max(0, plantNowMs - lastTsMs);
  const allowanceMs = deliveryAllowanceWallMs * plantMsPerWallMs;
  const past = (intervals: number) => ageMs > intervals * cadenceMs + allowanceMs;
  const level: FreshnessLevel = past(freshnessIntervals.offline)
    ? 'offline'
    : past(freshnessIntervals.stale)
      ? 'stale'
      : past(freshnessIntervals.late)
        ? 'late'
        : 'fresh';
  const words = `${level}: last reading ${formatAge(ageMs)}, usually every ${cadenceWords(cadenceMs)}${plantMsPerWallMs === 1 ? '' : ' (plant time)'}`;
  return { level, lastTsMs, ageMs, cadenceMs, words };
}

function cadenceWords(ms: number): string {
  return ms < 90_000 ? `${Math.max(1, Math.round(ms / 1000))} s` : formatSpan(ms);
}
