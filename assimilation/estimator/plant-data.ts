/**
 * Plant readings for the estimator, per signal, sorted by time, in plant hours. Windows are cut from
 * these by binary search, so a long history costs nothing per window beyond the window's own data.
 */
export interface SignalSeries {
  t: Float64Array;
  v: Float64Array;
}

export interface PlantData {
  signals: Map<string, SignalSeries>;
}

export interface Reading {
  timeH: number;
  signal: string;
  value: number;
}

/** Groups readings by signal and sorts them; a later reading at the same time replaces an earlier one. */
export function plantDataFrom(readings: Iterable<Reading>): PlantData {
  const grouped = new Map<string, Map<number, number>>();
  for (const r of readings) {
    if (!Number.isFinite(r.timeH) || !Number.isFinite(r.value)) continue;
    let series = grouped.get(r.signal);
    if (!series) {
      series = new Map();
      grouped.set(r.signal, series);
    }
    series.set(r.timeH, r.value);
  }
  const signals = new Map<string, SignalSeries>();
  for (const [signal, byTime] of grouped) {
    const times = [...byTime.keys()].sort((a, b) => a - b);
    signals.set(signal, { t: Float64Array.from(times), v: Float64Array.from(times, (t) => byTime.get(t)!) });
  }
  return { signals };
}

/** Index of the first sample at or after t. */
export function lowerBound(t: Float64Array, value: number): number {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Samples with from ≤ t ≤ to. */
export function samplesBetween(series: SignalSeries, from: number, to: number): SignalSeries {
  const a = lowerBound(series.t, from);
  let b = lowerBound(series.t, to);
  while (b < series.t.length && series.t[b] === to) b++;
  return { t: series.t.subarray(a, b), v: series.v.subarray(a, b) };
}

/** Samples covering [from, to] for interpolation: those inside plus one neighbour on each side. */
export function samplesCovering(series: SignalSeries, from: number, to: number): SignalSeries {
  const a = Math.max(0, lowerBound(series.t, from) - 1);
  let b = lowerBound(series.t, to);
  while (b < series.t.length && series.t[b] <= to) b++;
  b = Math.min(series.t.length, b + 1);
  return { t: series.t.subarray(a, b), v: series.v.subarray(a, b) };
}

export function firstTime(data: PlantData): number {
  let first = Number.POSITIVE_INFINITY;
  for (const s of data.signals.values()) if (s.t.length) first = Math.min(first, s.t[0]);
  return first;
}

export function lastTime(data: PlantData): number {
  let last = Number.NEGATIVE_INFINITY;
  for (const s of data.signals.values()) if (s.t.length) last = Math.max(last, s.t[s.t.length - 1]);
  return last;
}
