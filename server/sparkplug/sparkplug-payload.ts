/**
 * Sparkplug B payloads, decoded with Eclipse Tahu's protobuf schema (sparkplug-payload) into plain
 * numbers. We read the generated message rather than Tahu's `decodePayload`: that one takes a
 * metric's value from the metric's own datatype, which Sparkplug 3.0 says DATA messages should
 * leave out (the host knows it from the birth), and returns 64-bit fields as Long objects.
 */
import proto from 'sparkplug-payload/lib/sparkplugPayloadProto.js';
import { sparkplug } from '../../contract/plant-protocols';

const Payload = proto.org.eclipse.tahu.protobuf.Payload;
type ProtoMetric = proto.org.eclipse.tahu.protobuf.Payload.IMetric;
type LongLike = number | { toNumber(): number; toSigned(): { toNumber(): number } };

/** Sparkplug datatypes (spec 3.0 §6.4.16) that carry a number. */
export const numericDatatypes: ReadonlySet<number> = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
export const booleanDatatype = 11;
const datatypeNames: Readonly<Record<number, string>> = {
  1: 'Int8',
  2: 'Int16',
  3: 'Int32',
  4: 'Int64',
  5: 'UInt8',
  6: 'UInt16',
  7: 'UInt32',
  8: 'UInt64',
  9: 'Float',
  10: 'Double',
  11: 'Boolean',
  12: 'String',
  13: 'DateTime',
  14: 'Text',
};

export function datatypeName(datatype: number | undefined): string {
  return datatype === undefined ? 'no datatype' : (datatypeNames[datatype] ?? `datatype ${datatype}`);
}

export interface DecodedMetric {
  name: string | undefined;
  alias: number | undefined;
  timestampMs: number | undefined;
  datatype: number | undefined;
  isNull: boolean;
  /** Its `engUnit` property, when the birth gives one. */
  engUnit: string | undefined;
  proto: ProtoMetric;
}

export interface DecodedPayload {
  timestampMs: number | undefined;
  /** 0–255 on every message but NDEATH. */
  seq: number | undefined;
  metrics: DecodedMetric[];
}

export type PayloadDecoding = { ok: true; payload: DecodedPayload } | { ok: false; detail: string };

const has = (object: object, field: string) => Object.hasOwn(object, field);

function longNumber(value: LongLike): number {
  return typeof value === 'number' ? value : value.toNumber();
}

/** Decodes a protobuf Sparkplug B payload; a payload that is not one is `ok: false` with why. */
export function decodeSparkplugPayload(bytes: Uint8Array): PayloadDecoding {
  let message: proto.org.eclipse.tahu.protobuf.Payload;
  try {
    message = Payload.decode(bytes);
  } catch (error) {
    return { ok: false, detail: `not a Sparkplug B protobuf payload: ${(error as Error).message}` };
  }
  let seq: number | undefined;
  if (has(message, 'seq')) {
    seq = longNumber(message.seq as LongLike);
    if (!(seq >= 0 && seq <= 255)) return { ok: false, detail: `seq ${seq} outside 0–255` };
  }
  const metrics = (message.metrics ?? []).map(decodeMetric);
  return {
    ok: true,
    payload: {
      timestampMs: has(message, 'timestamp') ? longNumber(message.timestamp as LongLike) : undefined,
      seq,
      metrics,
    },
  };
}

function decodeMetric(metric: ProtoMetric): DecodedMetric {
  return {
    name: has(metric, 'name') ? (metric.name ?? undefined) : undefined,
    alias: has(metric, 'alias') ? longNumber(metric.alias as LongLike) : undefined,
    timestampMs: has(metric, 'timestamp') ? longNumber(metric.timestamp as LongLike) : undefined,
    datatype: has(metric, 'datatype') ? (metric.datatype ?? undefined) : undefined,
    isNull: metric.isNull === true,
    engUnit: engUnitOf(metric),
    proto: metric,
  };
}

function engUnitOf(metric: ProtoMetric): string | undefined {
  const set = metric.properties;
  if (!set?.keys || !set.values) return undefined;
  const i = set.keys.indexOf(sparkplug.engineeringUnitProperty);
  const value = i >= 0 ? set.values[i] : undefined;
  return value && has(value, 'stringValue') ? (value.stringValue ?? undefined) : undefined;
}

/**
 * A metric's value read as a number of `datatype` (the birth's, for DATA that leaves it out);
 * undefined when it holds none. Int8–Int32 travel as unsigned 32 bits, Int64 as unsigned 64.
 */
export function numericValue(metric: ProtoMetric, datatype: number): number | undefined {
  if (has(metric, 'doubleValue')) return metric.doubleValue ?? undefined;
  if (has(metric, 'floatValue')) return metric.floatValue ?? undefined;
  if (has(metric, 'intValue')) {
    const bits = metric.intValue ?? 0;
    if (datatype === 1) return (bits << 24) >> 24;
    if (datatype === 2) return (bits << 16) >> 16;
    if (datatype === 3) return bits | 0;
    return bits >>> 0;
  }
  if (has(metric, 'longValue')) {
    const value = metric.longValue as LongLike;
    if (typeof value === 'number') return value;
    return datatype === 4 ? value.toSigned().toNumber() : value.toNumber();
  }
  return undefined;
}

/** A short text of a metric for the rejection log (the protobuf itself is binary). */
export function metricExcerpt(metric: DecodedMetric, datatype: number | undefined): string {
  const value =
    datatype !== undefined && numericDatatypes.has(datatype)
      ? numericValue(metric.proto, datatype)
      : undefined;
  return JSON.stringify({
    name: metric.name,
    alias: metric.alias,
    datatype: datatypeName(datatype),
    ...(metric.isNull ? { isNull: true } : { value: value === undefined ? null : String(value) }),
    timestamp: metric.timestampMs,
  });
}
