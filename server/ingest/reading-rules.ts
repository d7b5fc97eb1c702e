/** When one reading (a value at a time, for a signal) is plausible enough to store. */
import type { PlantSignal } from '../../contract/api';
import { isoTimestampMs } from '../../contract/time';
import type { RejectionReason } from './rejection-reasons';

/**
 * Physically plausible values, in the units the plant publishes. Concentrations that sit near zero
 * (substrate, the inhibitors A and B) may read a little negative through sensor noise; OD may not.
 */
export const plausibleRanges: Record<PlantSignal, { min: number; max: number }> = {
  od: { min: 0, max: 1000 },
  substrate: { min: -5, max: 10_000 },
  /** Dilution rate, 1/h. */
  dilution: { min: 0, max: 10 },
  /** Feed substrate concentration S0. */
  feed: { min: 0, max: 10_000 },
  'assay/X': { min: -5, max: 10_000 },
  'assay/Y': { min: -5, max: 10_000 },
  'assay/A': { min: -5, max: 10_000 },
  'assay/B': { min: -5, max: 10_000 },
};

export const maxFutureSkewMs = 5 * 60_000;
/** Epoch ms below this (March 1973) are almost surely epoch seconds sent by mistake. */
const secondsMistakeBelowMs = 1e11;

export type RuleResult<T> = { ok: true; value: T } | { ok: false; reason: RejectionReason; detail: string };

/** A `ts` field: an ISO-8601 string with a zone, or integer epoch ms. */
export function timestampMs(ts: unknown, receivedAtMs: number): RuleResult<number> {
  let ms: number;
  if (typeof ts === 'number') {
    if (!Number.isInteger(ts))
      return { ok: false, reason: 'timestamp-invalid', detail: 'epoch ms must be an integer' };
    if (ts >= 0 && ts < secondsMistakeBelowMs) {
      return {
        ok: false,
        reason: 'timestamp-looks-like-seconds',
        detail: `${ts} reads as 1970–1973; send epoch ms`,
      };
    }
    ms = ts;
  } else if (typeof ts === 'string') {
    const parsed = isoTimestampMs(ts);
    if (parsed === undefined) {
      return {
        ok: false,
        reason: 'timestamp-invalid',
        detail:
          'not ISO-8601 with a zone naming a real moment (e.g. 2024-05-01T12:00:00Z; no 02-30, no T24:00)',
      };
    }
    ms = parsed;
  } else if (ts === undefined) {
    return { ok: false, reason: 'timestamp-missing', detail: 'a JSON reading needs "ts"' };
  } else {
    return { ok: false, reason: 'timestamp-invalid', detail: `ts is ${ts === null ? 'null' : typeof ts}` };
  }
  if (ms < 0) return { ok: false, reason: 'timestamp-before-1970', detail: `${ms} ms` };
  if (ms > receivedAtMs + maxFutureSkewMs) {
    return {
      ok: false,
      reason: 'timestamp-in-future',
      detail: `${Math.round((ms - receivedAtMs) / 1000)} s ahead`,
    };
  }
  return { ok: true, value: ms };
}

/** A `value` field: a finite JSON number inside the signal's plausible range. */
export function plausibleValue(value: unknown, signal: PlantSignal): RuleResult<number> {
  if (typeof value !== 'number') {
    return {
      ok: false,
      reason: 'value-not-number',
      detail: `value is ${value === null ? 'null' : typeof value}`,
    };
  }
  if (!Number.isFinite(value)) return { ok: false, reason: 'value-not-finite', detail: String(value) };
  const range = plausibleRanges[signal];
  if (value < range.min || value > range.max) {
    return {
      ok: false,
      reason: 'value-out-of-range',
      detail: `${value} outside [${range.min}, ${range.max}] for ${signal}`,
    };
  }
  return { ok: true, value };
}
