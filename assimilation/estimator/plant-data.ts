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

/**
 * `older` and `newer` together, per signal sorted by time, keeping only samples at or after `fromH`;
 * where both hold a sample at the same time, `newer`'s wins.
 */
export function mergePlantData(older: PlantData, newer: PlantData, fromH: number): PlantData {
  const signals = new Map<string, SignalSeries>();
  for (const name of new Set([...older.signals.keys(), ...newer.signals.keys()])) {
    const a = older.signals.get(name) ?? { t: new Float64Array(0), v: new Float64Array(0) };
    const b = newer.signals.get(name) ?? { t: new Float64Array(0), v: new Float64Array(0) };
    const t: number[] = [];
    const v: number[] = [];
    let i = lowerBound(a.t, fromH);
    let j = lowerBound(b.t, fromH);
    while (i < a.t.length || j < b.t.length) {
      if (j >= b.t.length || (i < a.t.length && a.t[i] < b.t[j])) {
        t.push(a.t[i]);
        v.push(a.v[i++]);
      } else {
        if (i < a.t.length && a.t[i] === b.t[j]) i++;
        t.push(b.t[j]);
        v.push(b.v[j++]);
      }
    }
    if (t.length) signals.set(name, { t: Float64Array.from(t), v: Float64Array.from(v) });
  }
  return { signals };
}
