/**
 * Every reactor's online signals, fresh, late, stale or offline (contract/freshness.ts), judged on
 * its plant clock against each signal's usual cadence. Held in memory: read from the database at
 * start, then fed what the ingester stores. A sweep every second tells the listeners of each
 * reactor whose levels changed (the overview and the reactor page reload its summary, the
 * `sensor-stale` rules are stepped), so a sensor that stops is seen without a reading to say so.
 */
import { onlineSignals } from '../../contract/api';
import { defaultCadenceMs, judgeFreshness, type ReactorFreshness } from '../../contract/freshness';
import { plantNowMs } from '../../contract/time';
import type { ServiceReadStatements } from '../../db/service-read-statements';
import { type Job, type JobHealth, JobStatus } from '../lifecycle';

/** Newest reading times kept per signal: the cadence is the median of the intervals between them. */
const cadenceSamples = 9;

interface SignalTrack {
  /** The newest reading times, oldest first, at most `cadenceSamples`. */
  times: number[];
  /** When the newest of them arrived (wall clock). */
  receivedAtMs: number;
}

export interface FreshnessOptions {
  reads: ServiceReadStatements;
  /** Plant ms per wall ms of a reactor (time.ts `realPlantRate`, `simulatedPlantRate`). */
  plantRateOf: (reactorId: string) => number;
  sweepMs?: number;
  now?: () => number;
}

export class SignalFreshnessMonitor implements Job<{ reactors: number; changes: number }> {
  readonly name = 'freshness';
  private readonly status: JobStatus;
  private readonly now: () => number;
  private readonly tracks = new Map<string, Map<string, SignalTrack>>();
  /** Each reactor's levels at the last sweep, e.g. `fresh fresh late`. */
  private readonly swept = new Map<string, string>();
  private readonly listeners = new Set<(reactorId: string, freshness: ReactorFreshness) => void>();
  private timer: NodeJS.Timeout | null = null;
  private changes = 0;

  constructor(private readonly options: FreshnessOptions) {
    this.now = options.now ?? Date.now;
    this.status = new JobStatus(this.now);
  }

  async start(): Promise<void> {
    const { reads } = this.options;
    for (const { id } of reads.reactors.all()) {
      for (const signal of onlineSignals) {
        const latest = reads.latestReading.get(id, signal);
        if (!latest) continue;
        const times = reads.recentReadingTimes
          .all(id, signal, cadenceSamples)
          .map((r) => r.tsMs)
          .reverse();
        this.trackOf(id).set(signal, { times, receivedAtMs: latest.receivedAtMs });
      }
    }
    for (const id of this.tracks.keys()) this.swept.set(id, levelsKey(this.freshnessOf(id)));
    this.timer = setInterval(() => this.sweep(), this.options.sweepMs ?? 1000);
    this.timer.unref();
    this.status.set('ready');
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.status.set('stopped');
  }

  health(): JobHealth {
    return this.status.health();
  }

  metrics() {
    return { reactors: this.tracks.size, changes: this.changes };
  }

  /** Newly stored readings (wire to the ingester's `onReadingsStored`); assays are not tracked. */
  readingsStored(
    readings: readonly { reactorId: string; signal: string; tsMs: number; receivedAtMs: number }[],
  ): void {
    for (const r of readings) {
      if (!(onlineSignals as readonly string[]).includes(r.signal)) continue;
      const track = this.trackOf(r.reactorId);
      const t = track.get(r.signal);
      if (!t) {
        track.set(r.signal, { times: [r.tsMs], receivedAtMs: r.receivedAtMs });
        continue;
      }
      const newest = t.times[t.times.length - 1];
      if (r.tsMs > newest) {
        t.times.push(r.tsMs);
        t.receivedAtMs = r.receivedAtMs;
      } else if (!t.times.includes(r.tsMs)) {
        // A late reading: it shortens an interval but does not move the clock.
        t.times.push(r.tsMs);
        t.times.sort((a, b) => a - b);
      }
      if (t.times.length > cadenceSamples) t.times.splice(0, t.times.length - cadenceSamples);
    }
  }

  /** The reactor's freshness now; undefined before its first online reading. */
  freshnessOf(reactorId: string, wallNowMs: number = this.now()): ReactorFreshness | undefined {
    const track = this.tracks.get(reactorId);
    if (!track || track.size === 0) return undefined;
    const rate = this.options.plantRateOf(reactorId);
    const arrivals = [...track.values()].map((t) => ({
      tsMs: t.times[t.times.length - 1],
      receivedAtMs: t.receivedAtMs,
    }));
    const plantNow = plantNowMs(arrivals, rate, wallNowMs) ?? 0;
    const signals: ReactorFreshness['signals'] = {};
    for (const [signal, t] of track)
      signals[signal] = judgeFreshness(t.times[t.times.length - 1], cadenceOf(t.times), plantNow, rate);
    return { plantNowMs: plantNow, atWallMs: wallNowMs, plantMsPerWallMs: rate, signals };
  }

  /** Every tracked reactor's freshness now. */
  all(wallNowMs: number = this.now()): Map<string, ReactorFreshness> {
    const out = new Map<string, ReactorFreshness>();
    for (const id of this.tracks.keys()) {
      const f = this.freshnessOf(id, wallNowMs);
      if (f) out.set(id, f);
    }
    return out;
  }

  /** Hears each reactor whose levels changed (also its first reading), at the sweep after. */
  onChange(listener: (reactorId: string, freshness: ReactorFreshness) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Judges every reactor now and tells the listeners of those whose levels changed. */
  sweep(wallNowMs: number = this.now()): void {
    for (const [id, freshness] of this.all(wallNowMs)) {
      const key = levelsKey(freshness);
      if (this.swept.get(id) === key) continue;
      this.swept.set(id, key);
      this.changes++;
      for (const listener of this.listeners) listener(id, freshness);
    }
  }

  private trackOf(reactorId: string): Map<string, SignalTrack> {
    let track = this.tracks.get(reactorId);
    if (!track) {
      track = new Map();
      this.tracks.set(reactorId, track);
    }
    return track;
  }
}

function levelsKey(freshness: ReactorFreshness | undefined): string {
  if (!freshness) return '';
  return onlineSignals.map((s) => freshness.signals[s]?.level ?? '-').join(' ');
}

/** The median interval between the times (oldest first); the default until there are two. */
export function cadenceOf(times: readonly number[]): number {
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++) if (times[i] > times[i - 1]) gaps.push(times[i] - times[i - 1]);
  if (gaps.length === 0) return defaultCadenceMs;
  gaps.sort((a, b) => a - b);
  const mid = gaps.length >> 1;
  return gaps.length % 2 ? gaps[mid] : (gaps[mid - 1] + gaps[mid]) / 2;
}
