/**
 * One signal of one reactor over a time range, at most `maxPoints` points, chosen so that months of
 * data stay fast and keep their shape:
 * - raw readings when the range holds no more than `maxPoints`;
 * - LTTB over the raw readings when it holds up to `lttbRawLimit` (a few days of 15-s data);
 * - otherwise rollups (1-minute, else 15-minute buckets), merged into wider buckets until they fit:
 *   mean with min and max, so no peak is lost. Rollups also serve ranges whose raw readings have
 *   passed their retention.
 */
import type { PlantSignal, ReadingSeries } from '../../contract/api';
import type { ServiceReads } from '../../db/service-read-statements';
import { lttbIndices } from './lttb';

export const rollupWidthsMs = [60_000, 15 * 60_000] as const;

export interface SeriesRequest {
  reactorId: string;
  signal: PlantSignal;
  /** Inclusive; default the oldest data. */
  fromMs?: number;
  /** Exclusive; default just after the newest reading. */
  toMs?: number;
  maxPoints: number;
}

export interface SeriesLimits {
  /** Largest raw range downsampled by LTTB; beyond it, rollups. */
  lttbRawLimit: number;
  /** Topic prefix, to find the rejected messages of this series. */
  topicPrefix: string;
  /** How many stored rejections of the series to look through. */
  rejectionScan: number;
}

export async function readingSeries(
  s: ServiceReads,
  q: SeriesRequest,
  limits: SeriesLimits,
): Promise<ReadingSeries> {
  const { reactorId, signal, maxPoints } = q;
  const oldestRaw = (await s.oldestReadingMs.get(reactorId, signal))?.tsMs ?? null;
  const oldestRollup = (await s.oldestRollupMs.get(reactorId, signal, rollupWidthsMs[1]))?.tsMs ?? null;
  const newestRaw = (await s.newestReadingMs.get(reactorId, signal))?.tsMs ?? null;
  const oldest = Math.min(oldestRaw ?? Number.POSITIVE_INFINITY, oldestRollup ?? Number.POSITIVE_INFINITY);
  const fromMs = q.fromMs ?? (Number.isFinite(oldest) ? oldest : 0);
  const toMs = q.toMs ?? (newestRaw !== null ? newestRaw + 1 : fromMs);
  const base = { reactorId, signal, fromMs, toMs };
  const rejected = await rejectedPoints(s, reactorId, signal, fromMs, toMs, limits);
  const withRejected = (series: ReadingSeries): ReadingSeries =>
    rejected.tMs.length > 0 ? { ...series, rejected } : series;
  if (toMs <= fromMs) {
    return withRejected({ ...base, source: 'raw', tMs: [], value: [], rawCount: 0 });
  }
  // How many raw readings the range holds, from the 15-minute rollups (a few thousand rows for
  // months) rather than by counting the raw readings themselves; exact where the rollups are.
  const coarse = rollupWidthsMs[1];
  const rolledUp =
    (await s.rollupCountSum.get(reactorId, signal, coarse, alignDown(fromMs, coarse), toMs))?.n ?? 0;
  const rawEstimate =
    oldestRollup === null ? ((await s.countReadings.get(reactorId, signal, fromMs, toMs))?.n ?? 0) : rolledUp;
  if (rawCoversRange(fromMs, oldestRaw, oldestRollup) && rawEstimate <= limits.lttbRawLimit) {
    const rows = await s.readings.all(reactorId, signal, fromMs, toMs);
    const tMs = rows.map((r) => r[0]);
    const value = rows.map((r) => r[1]);
    const rawCount = rows.length;
    if (rows.length <= maxPoints) return withRejected({ ...base, source: 'raw', tMs, value, rawCount });
    const kept = lttbIndices(tMs, value, maxPoints);
    return withRejected({
      ...base,
      source: 'lttb',
      tMs: kept.map((i) => tMs[i]),
      value: kept.map((i) => value[i]),
      rawCount,
    });
  }
  // The finest rollup that covers the range (1-minute buckets are kept for less long) and is not
  // too long to read, then merged down to maxPoints.
  const fine = rollupWidthsMs[0];
  const oldestFine = (await s.oldestRollupMs.get(reactorId, signal, fine))?.tsMs ?? null;
  const fineCovers =
    oldestFine !== null &&
    (oldestFine <= fromMs || oldestRollup === null || oldestFine < oldestRollup + coarse);
  const fineBuckets = Math.min(rawEstimate, Math.ceil((toMs - fromMs) / fine) + 1);
  // Where each point spans 15 minutes or more anyway, the coarse buckets are enough (and far fewer).
  const pointMs = (toMs - fromMs) / Math.max(1, maxPoints - 1);
  const widthMs = fineCovers && fineBuckets <= limits.lttbRawLimit && pointMs < coarse ? fine : coarse;
  const buckets = await s.rollups.all(reactorId, signal, widthMs, alignDown(fromMs, widthMs), toMs);
  const merged = mergeBuckets(buckets, fromMs, toMs, widthMs, maxPoints);
  const rawCount = buckets.reduce((n, b) => n + b[1], 0);
  return withRejected({ ...base, source: 'rollup', ...merged, rawCount });
}

/**
 * Raw readings tell the whole story of the range unless retention has removed its older part: then
 * the rollups (kept longer) reach back further than the oldest raw reading.
 */
function rawCoversRange(fromMs: number, oldestRaw: number | null, oldestRollup: number | null): boolean {
  if (oldestRollup === null) return true;
  if (oldestRaw === null) return false;
  return oldestRaw <= fromMs || oldestRollup > oldestRaw - rollupWidthsMs[1];
}

function alignDown(ms: number, widthMs: number): number {
  return ms - (((ms % widthMs) + widthMs) % widthMs);
}

/** Merges consecutive rollup buckets into groups of equal width, aligned to the epoch, ≤ maxPoints. */
function mergeBuckets(
  buckets: [number, number, number, number, number][],
  fromMs: number,
  toMs: number,
  widthMs: number,
  maxPoints: number,
): { tMs: number[]; value: number[]; min: number[]; max: number[] } {
  const span = toMs - alignDown(fromMs, widthMs);
  const groupMs = Math.max(widthMs, Math.ceil(span / Math.max(1, maxPoints - 1) / widthMs) * widthMs);
  const out = { tMs: [] as number[], value: [] as number[], min: [] as number[], max: [] as number[] };
  let key = Number.NaN;
  let count = 0;
  let sum = 0;
  let min = 0;
  let max = 0;
  const emit = () => {
    if (count === 0) return;
    out.tMs.push(key * groupMs);
    out.value.push(sum / count);
    out.min.push(min);
    out.max.push(max);
  };
  for (const [start, n, total, lo, hi] of buckets) {
    const k = Math.floor(start / groupMs);
    if (k !== key) {
      emit();
      key = k;
      count = 0;
      sum = 0;
      min = lo;
      max = hi;
    }
    count += n;
    sum += total;
    if (lo < min) min = lo;
    if (hi > max) max = hi;
  }
  emit();
  return out;
}

/**
 * The refused readings of this series whose time and value could be read (e.g. out of range), from
 * the bounded table of recent rejections, so that a chart can mark them.
 */
async function rejectedPoints(
  s: ServiceReads,
  reactorId: string,
  signal: PlantSignal,
  fromMs: number,
  toMs: number,
  limits: SeriesLimits,
): Promise<{ tMs: number[]; value: number[]; reason: string[] }> {
  const points: { tMs: number; value: number; reason: string }[] = [];
  for (const row of await s.rejectionsOfTopic.all(
    `${limits.topicPrefix}/${reactorId}/${signal}`,
    limits.rejectionScan,
  )) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(row.payloadExcerpt);
    } catch {
      continue;
    }
    for (const item of Array.isArray(parsed) ? parsed : [parsed]) {
      const { ts, value } = (item ?? {}) as { ts?: unknown; value?: unknown };
      const tMs = typeof ts === 'number' ? ts : typeof ts === 'string' ? Date.parse(ts) : Number.NaN;
      if (typeof value !== 'number' || !Number.isFinite(value) || !Number.isFinite(tMs)) continue;
      if (tMs >= fromMs && tMs < toMs) points.push({ tMs, value, reason: row.reason });
    }
  }
  points.sort((a, b) => a.tMs - b.tMs);
  return {
    tMs: points.map((p) => p.tMs),
    value: points.map((p) => p.value),
    reason: points.map((p) => p.reason),
  };
}
