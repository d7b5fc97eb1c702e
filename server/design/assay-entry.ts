/**
 * An assay result entered by hand: checked by the same rules as an assay over MQTT (its value's
 * plausible range, its times), and refused with a named reason otherwise.
 */
import type { AssayEntryRequest, AssaySignal, PlantSignal } from '../../contract/api';
import { assaySignals } from '../../contract/api';
import { plausibleValue, timestampMs } from '../ingest/reading-rules';
import type { RejectionReason } from '../ingest/rejection-reasons';

export type CheckedAssay =
  | {
      ok: true;
      signal: AssaySignal;
      readingSignal: PlantSignal;
      value: number;
      sampledAtMs: number;
      measuredAtMs: number;
    }
  | { ok: false; reason: RejectionReason; field: string; detail: string };

export function checkAssayEntry(body: unknown, nowMs: number): CheckedAssay {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return {
      ok: false,
      reason: 'assay-entry-shape-invalid',
      field: 'body',
      detail: 'an object {signal, value, sampledAt, measuredAt}',
    };
  const raw = body as Partial<Record<keyof AssayEntryRequest, unknown>>;
  const unknownKey = Object.keys(raw).find(
    (k) => !['signal', 'value', 'sampledAt', 'measuredAt'].includes(k),
  );
  if (unknownKey)
    return { ok: false, reason: 'assay-entry-shape-invalid', field: unknownKey, detail: 'unknown field' };
  const signal = raw.signal;
  if (typeof signal !== 'string' || !(assaySignals as readonly string[]).includes(signal))
    return {
      ok: false,
      reason: 'signal-unknown',
      field: 'signal',
      detail: `one of ${assaySignals.join(', ')}`,
    };
  const readingSignal = `assay/${signal}` as PlantSignal;
  const value = plausibleValue(raw.value, readingSignal);
  if (!value.ok) return { ok: false, reason: value.reason, field: 'value', detail: value.detail };
  const sampled = timestampMs(raw.sampledAt, nowMs);
  if (!sampled.ok)
    return {
      ok: false,
      reason: sampled.reason,
      field: 'sampledAt',
      detail: sampled.detail,
    };
  const measured = timestampMs(raw.measuredAt, nowMs);
  if (!measured.ok)
    return {
      ok: false,
      reason: measured.reason,
      field: 'measuredAt',
      detail: measured.detail,
    };
  if (measured.value < sampled.value)
    return {
      ok: false,
      reason: 'assay-measured-before-sampled',
      field: 'measuredAt',
      detail: 'a result cannot come before its sample',
    };
  return {
    ok: true,
    signal: signal as AssaySignal,
    readingSignal,
    value: value.value,
    sampledAtMs: sampled.value,
    measuredAtMs: measured.value,
  };
}
