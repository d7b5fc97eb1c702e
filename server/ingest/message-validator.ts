/**
 * Turns one MQTT message into accepted readings and counted rejections. Never throws on input:
 * every way a message can be wrong ends in a `Rejection` with a reason.
 */
import { isUtf8 } from 'node:buffer';
import type { PlantSignal } from '../../contract/api';
import { plausibleValue, timestampMs } from './reading-rules';
import type { Rejection, RejectionReason } from './rejection-reasons';
import { parseTopic } from './topics';

export interface AcceptedReading {
  reactorId: string;
  signal: PlantSignal;
  tsMs: number;
  value: number;
  receivedAtMs: number;
}

export interface ValidationSink {
  accept(reading: AcceptedReading): void;
  reject(rejection: Rejection): void;
}

export interface MessageLimits {
  maxPayloadBytes: number;
  /** Elements in one JSON array payload. */
  maxBatchReadings: number;
  /** A valid payload nests at most two deep (an array of objects); a little slack for extra fields. */
  maxNestingDepth: number;
}

export const defaultMessageLimits: MessageLimits = {
  maxPayloadBytes: 512 * 1024,
  maxBatchReadings: 1000,
  maxNestingDepth: 4,
};

const excerptChars = 256;
const bareNumber = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const bareNonFinite = /^[+-]?(nan|inf|infinity)$/i;
// Firmware printing a float with %f writes `nan`/`inf` into otherwise-JSON; name that precisely.
const nonFiniteInJson = /[:,[]\s*[+-]?(nan|inf|infinity)\s*[,}\]]/i;

/** `'service-output'` when the topic is the service's own (`…/$estimate`), which is not input. */
export function validateMessage(
  topic: string,
  payload: Buffer,
  receivedAtMs: number,
  topicPrefix: string,
  limits: MessageLimits,
  sink: ValidationSink,
): 'service-output' | undefined {
  // No closure per message (this runs for every one): rejections go through a plain function.
  const m: MessageContext = { sink, topic, payload, receivedAtMs };
  const where = parseTopic(topic, topicPrefix);
  if (where.kind === 'service-output') return 'service-output';
  if (where.kind === 'rejected') return void reject(m, where.reason, where.detail);
  const { reactorId, signal } = where;

  if (payload.length === 0) return void reject(m, 'payload-empty', 'empty payload');
  if (payload.length > limits.maxPayloadBytes) {
    return void reject(m, 'payload-too-large', `${payload.length} bytes > ${limits.maxPayloadBytes}`);
  }
  if (!isUtf8(payload)) return void reject(m, 'payload-not-utf8', 'payload is not UTF-8 text');
  const text = payload.toString('utf8').trim();

  if (bareNumber.test(text)) {
    const value = plausibleValue(Number(text), signal);
    if (!value.ok) return void reject(m, value.reason, value.detail);
    sink.accept({ reactorId, signal, tsMs: receivedAtMs, value: value.value, receivedAtMs });
    return;
  }
  if (bareNonFinite.test(text)) return void reject(m, 'value-not-finite', text);
  if (nestingExceeds(text, limits.maxNestingDepth)) {
    return void reject(m, 'nesting-too-deep', `nested deeper than ${limits.maxNestingDepth}`);
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    if (nonFiniteInJson.test(text)) return void reject(m, 'value-not-finite', 'NaN/Infinity is not JSON');
    return void reject(m, 'json-invalid', (error as Error).message.slice(0, 120));
  }

  if (Array.isArray(parsed)) {
    if (parsed.length === 0) return void reject(m, 'batch-empty', 'empty array');
    if (parsed.length > limits.maxBatchReadings) {
      return void reject(m, 'batch-too-large', `${parsed.length} readings > ${limits.maxBatchReadings}`);
    }
    // Each element stands alone: one bad reading in a device's buffered batch does not drop the others.
    for (let i = 0; i < parsed.length; i++) {
      const verdict = judgeReading(parsed[i], signal, receivedAtMs);
      if (verdict.ok)
        sink.accept({ reactorId, signal, tsMs: verdict.tsMs, value: verdict.value, receivedAtMs });
      else reject(m, verdict.reason, `element ${i}: ${verdict.detail}`, elementExcerpt(parsed[i]));
    }
    return;
  }
  if (parsed === null || typeof parsed !== 'object') {
    return void reject(
      m,
      'payload-shape-invalid',
      `a JSON ${parsed === null ? 'null' : typeof parsed} is not a reading`,
    );
  }
  const verdict = judgeReading(parsed, signal, receivedAtMs);
  if (!verdict.ok) return void reject(m, verdict.reason, verdict.detail);
  sink.accept({ reactorId, signal, tsMs: verdict.tsMs, value: verdict.value, receivedAtMs });
}

function reject(
  { sink, topic, payload, receivedAtMs }: MessageContext,
  reason: RejectionReason,
  detail: string,
  excerpt = payloadExcerpt(payload),
): void {
  sink.reject({
    receivedAtMs,
    topic: topic.length > excerptChars ? `${topic.slice(0, excerptChars)}…` : topic,
    payloadExcerpt: excerpt,
    payloadBytes: payload.length,
    reason,
    detail,
  });
}

interface MessageContext {
  sink: ValidationSink;
  topic: string;
  payload: Buffer;
  receivedAtMs: number;
}

type ReadingVerdict =
  | { ok: true; tsMs: number; value: number }
  | { ok: false; reason: RejectionReason; detail: string };

function judgeReading(element: unknown, signal: PlantSignal, receivedAtMs: number): ReadingVerdict {
  if (element === null || typeof element !== 'object' || Array.isArray(element)) {
    return { ok: false, reason: 'reading-shape-invalid', detail: 'a reading is {"ts": …, "value": …}' };
  }
  const fields = element as { ts?: unknown; value?: unknown };
  if (!('value' in fields)) return { ok: false, reason: 'reading-shape-invalid', detail: 'missing "value"' };
  const value = plausibleValue(fields.value, signal);
  if (!value.ok && value.reason !== 'value-out-of-range') return value;
  const ts = timestampMs(fields.ts, receivedAtMs);
  if (!ts.ok) return ts;
  if (!value.ok) return value;
  return { ok: true, tsMs: ts.value, value: value.value };
}

/** True when brackets outside strings nest deeper than `maxDepth`; a scan, so no parser recursion is risked. */
function nestingExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > maxDepth) return true;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return false;
}

function payloadExcerpt(payload: Buffer): string {
  if (payload.length <= excerptChars) return payload.toString('utf8');
  return `${payload.subarray(0, excerptChars).toString('utf8')}…`;
}

function elementExcerpt(element: unknown): string {
  const text = JSON.stringify(element) ?? String(element);
  return text.length > excerptChars ? `${text.slice(0, excerptChars)}…` : text;
}
