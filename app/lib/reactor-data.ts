/**
 * What the reactor page holds in memory: readings per signal (sorted, deduplicated by time) and one
 * compact record per fit. Only the newest fit keeps its trajectory, forecast and residuals, so a long
 * live session stays bounded; older fits keep what the history charts draw.
 */
import {
  type Composition,
  type FitRecord,
  type FitStatus,
  type ParameterCombination,
  type ParameterEstimate,
  type PlantSignal,
  plantSignals,
  type ReadingSeries,
} from '../../contract/api';
import type { ReadingBatch } from '../../contract/realtime';

/** Every signal but the feed concentration, which the model holds constant. */
export const chartedSignals: readonly PlantSignal[] = plantSignals.filter((s) => s !== 'feed');

/** A standardized residual beyond this marks the reading as an outlier of the fit. */
export const outlierResidual = 4;

export interface Points {
  t: number[];
  v: number[];
}

export interface RejectedPoints extends Points {
  reason: string[];
}

export interface FitPoint {
  id: number;
  windowStartMs: number;
  windowEndMs: number;
  fittedAtMs: number;
  status: FitStatus;
  reason: string | null;
  detail: string | null;
  refit: boolean;
  coldStart: boolean;
  loss: number | null;
  iterations: number;
  durationMs: number;
  /** The model the fit came from (null: the service did not say). */
  model: { version: string; name: string } | null;
  params: Record<string, ParameterEstimate> | null;
  combinations: ParameterCombination[] | null;
  composition: Composition | null;
  /** The model's od and substrate at the window's end (the filtered estimate). */
  modelAtEnd: { od?: number; substrate?: number };
  /** Root mean square and largest magnitude of the window's standardized residuals. */
  residualRms: number | null;
  residualMaxAbs: number | null;
  observations: number;
}

/** A fit's observation signal (the window file's names) as the MQTT signal it came from. */
export function plantSignalOfObservation(signal: string): string {
  if (signal === 'S') return 'substrate';
  if (signal === 'X' || signal === 'Y' || signal === 'A' || signal === 'B') return `assay/${signal}`;
  return signal;
}

function emptyPoints(): Points {
  return { t: [], v: [] };
}

/** Index of the first element ≥ x in a sorted array. */
export function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertPoint(points: Points, t: number, v: number): void {
  const n = points.t.length;
  if (n === 0 || t > points.t[n - 1]) {
    points.t.push(t);
    points.v.push(v);
    return;
  }
  const i = lowerBound(points.t, t);
  if (points.t[i] === t) {
    points.v[i] = v;
    return;
  }
  points.t.splice(i, 0, t);
  points.v.splice(i, 0, v);
}

function lastValue(series: Record<string, number[]> | undefined, key: string): number | undefined {
  const values = series?.[key];
  return values && values.length > 0 ? values[values.length - 1] : undefined;
}

export function compactFit(fit: FitRecord): FitPoint {
  let residualRms: number | null = fit.residualSummary?.rms ?? null;
  let residualMaxAbs: number | null = fit.residualSummary?.maxAbs ?? null;
  let observations = fit.residualSummary?.count ?? 0;
  const values = fit.residuals?.value ?? [];
  if (values.length > 0) {
    let sum = 0;
    let max = 0;
    for (const r of values) {
      sum += r * r;
      max = Math.max(max, Math.abs(r));
    }
    residualRms = Math.sqrt(sum / values.length);
    residualMaxAbs = max;
    observations = values.length;
  }
  return {
    id: fit.id,
    windowStartMs: fit.windowStartMs,
    windowEndMs: fit.windowEndMs,
    fittedAtMs: fit.fittedAtMs,
    status: fit.status,
    reason: fit.reason,
    detail: fit.detail,
    refit: fit.refit,
    coldStart: fit.coldStart ?? false,
    loss: fit.loss,
    iterations: fit.iterations,
    durationMs: fit.durationMs,
    model: fit.model ?? null,
    params: fit.params,
    combinations: fit.combinations,
    composition: fit.composition,
    modelAtEnd: {
      // Without a trajectory (long ranges fetch only the newest), OD is still X + Y of the composition.
      od:
        lastValue(fit.trajectory?.series, 'od') ??
        (fit.composition ? fit.composition.X.value + fit.composition.Y.value : undefined),
      substrate: lastValue(fit.trajectory?.series, 'substrate'),
    },
    residualRms,
    residualMaxAbs,
    observations,
  };
}

export class ReactorData {
  readonly readings = new Map<PlantSignal, Points>();
  readonly rejected = new Map<PlantSignal, RejectedPoints>();
  /** Fits by window end, newest last; a refit of the same window replaces the older fit. */
  fits: FitPoint[] = [];
  /** The newest successful fit in full (trajectory, forecast, residuals). */
  latestFit: FitRecord | null = null;
  /** Readings the fits call outliers, by `signal@tMs`. */
  readonly outliers = new Set<string>();
  /** Bumped on every change; charts redraw when it moves. */
  version = 0;
  /** Per source ('fits', 'signal:od', ...), so that a chart sends ECharts only the series that moved. */
  private readonly sourceVersions = new Map<string, number>();

  versionOf(source: string): number {
    return this.sourceVersions.get(source) ?? 0;
  }

  private touch(source: string): void {
    this.sourceVersions.set(source, this.versionOf(source) + 1);
    this.version++;
  }

  points(signal: PlantSignal): Points {
    let points = this.readings.get(signal);
    if (!points) {
      points = emptyPoints();
      this.readings.set(signal, points);
    }
    return points;
  }

  replaceReadings(series: ReadingSeries): void {
    this.readings.set(series.signal, { t: series.tMs.slice(), v: series.value.slice() });
    if (series.rejected) {
      this.rejected.set(series.signal, {
        t: series.rejected.tMs.slice(),
        v: series.rejected.value.slice(),
        reason: series.rejected.reason.slice(),
      });
    } else {
      this.rejected.delete(series.signal);
    }
    this.touch(`signal:${series.signal}`);
  }

  /** Merges readings fetched for a back-fill (after a reconnect). */
  mergeReadings(series: ReadingSeries): void {
    const points = this.points(series.signal);
    for (let i = 0; i < series.tMs.length; i++) insertPoint(points, series.tMs[i], series.value[i]);
    if (series.tMs.length > 0) this.touch(`signal:${series.signal}`);
  }

  appendBatch(batch: ReadingBatch): void {
    const signals = new Set<PlantSignal>();
    for (const r of batch.readings) {
      insertPoint(this.points(r.signal), r.tsMs, r.value);
      signals.add(r.signal);
    }
    for (const signal of signals) this.touch(`signal:${signal}`);
  }

  replaceFits(fits: FitRecord[]): void {
    this.fits = [];
    this.latestFit = null;
    this.outliers.clear();
    for (const fit of fits) this.addFit(fit, false);
    this.touch('fits');
  }

  addFit(fit: FitRecord, bump = true): void {
    const point = compactFit(fit);
    const i = lowerBound(
      this.fits.map((f) => f.windowEndMs),
      point.windowEndMs,
    );
    const existing = this.fits[i];
    if (existing && existing.windowEndMs === point.windowEndMs) {
      // Keep the later fit of one window (a refit after late data), but never let a failure hide
      // a good estimate made later.
      if (existing.fittedAtMs <= point.fittedAtMs) this.fits[i] = point;
    } else {
      this.fits.splice(i, 0, point);
    }
    // Outliers from the residuals themselves, or from the service's digest when they were left out.
    const residuals = fit.residuals ?? fit.residualSummary?.large;
    if (residuals) {
      const { tMs, signal, value } = residuals;
      for (let k = 0; k < value.length; k++) {
        if (Math.abs(value[k]) > outlierResidual) {
          this.outliers.add(`${plantSignalOfObservation(signal[k])}@${tMs[k]}`);
        }
      }
    }
    if (fit.status === 'ok' && (!this.latestFit || fit.windowEndMs >= this.latestFit.windowEndMs)) {
      this.latestFit = fit;
    }
    if (bump) this.touch('fits');
  }

  newestReadingMs(): number | null {
    let newest: number | null = null;
    for (const points of this.readings.values()) {
      const n = points.t.length;
      if (n > 0 && (newest === null || points.t[n - 1] > newest)) newest = points.t[n - 1];
    }
    return newest;
  }

  oldestReadingMs(): number | null {
    let oldest: number | null = null;
    for (const points of this.readings.values()) {
      if (points.t.length > 0 && (oldest === null || points.t[0] < oldest)) oldest = points.t[0];
    }
    return oldest;
  }

  /** Drops what lies before `fromMs` (a sliding live range), so memory stays bounded. */
  trimBefore(fromMs: number): void {
    for (const [signal, points] of this.readings) {
      const i = lowerBound(points.t, fromMs);
      const rejected = this.rejected.get(signal);
      const r = rejected ? lowerBound(rejected.t, fromMs) : 0;
      if (rejected && r > 0) {
        rejected.t.splice(0, r);
        rejected.v.splice(0, r);
        rejected.reason.splice(0, r);
      }
      if (i > 0) {
        points.t.splice(0, i);
        points.v.splice(0, i);
      }
      if (i > 0 || r > 0) this.touch(`signal:${signal}`);
    }
    const keepFrom = lowerBound(
      this.fits.map((f) => f.windowEndMs),
      fromMs,
    );
    if (keepFrom > 0) {
      this.fits.splice(0, keepFrom);
      this.touch('fits');
    }
    for (const key of this.outliers) {
      if (Number(key.slice(key.lastIndexOf('@') + 1)) < fromMs) this.outliers.delete(key);
    }
  }

  /** Readings of `signal` that some fit called outliers, as chart points. */
  outlierPoints(signal: PlantSignal): [number, number][] {
    const points = this.readings.get(signal);
    if (!points || this.outliers.size === 0) return [];
    const out: [number, number][] = [];
    for (const key of this.outliers) {
      const at = key.lastIndexOf('@');
      if (key.slice(0, at) !== signal) continue;
      const t = Number(key.slice(at + 1));
      const i = lowerBound(points.t, t);
      if (points.t[i] === t) out.push([t, points.v[i]]);
    }
    return out.sort((a, b) => a[0] - b[0]);
  }
}
