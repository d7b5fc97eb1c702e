/**
 * The Sparkplug B host against a real mosquitto, with edge nodes built from the same library:
 * births, data by alias, units converted, STATE with its will, rebirth after a seq gap, reordering
 * within the timeout, death and bdSeq, and every bad payload refused with its reason while the
 * readings around it are stored.
 */
import type { MqttClient } from 'mqtt';
import proto from 'sparkplug-payload/lib/sparkplugPayloadProto.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerConnection } from '../../server/broker/broker-connection';
import type { SparkplugEdgeNode } from '../../simulator/sparkplug-edge-node';
import { waitFor } from '../fixtures/ingest-harness';
import { type Mosquitto, startMosquitto } from '../fixtures/mosquitto';
import {
  edgeNodeId,
  encode,
  group,
  type HostHarness,
  plantDevices,
  plantEdgeNode,
  rawClient,
  rejections,
  startHost,
  storedReadings,
  waitForRejection,
} from './sparkplug-harness';

let mosquitto: Mosquitto;
let broker: BrokerConnection;
let h: HostHarness;
let observer: MqttClient;
const seen: { topic: string; payload: Buffer; retain: boolean }[] = [];

beforeAll(async () => {
  mosquitto = await startMosquitto();
  broker = { url: mosquitto.url, protocol: '5' };
  observer = await rawClient(mosquitto.url);
  observer.on('message', (topic, payload, packet) => seen.push({ topic, payload, retain: packet.retain }));
  await observer.subscribeAsync(['spBv1.0/#'], { qos: 1 });
  h = await startHost(broker);
});

afterAll(async () => {
  await observer?.endAsync();
  await h?.stop();
  await mosquitto?.stop();
});

const ncmdCount = () => seen.filter((m) => m.topic === `spBv1.0/${group}/NCMD/${edgeNodeId}`).length;

describe('the Sparkplug host application', () => {
  it('publishes its STATE birth, retained, as spec 3.0 JSON', async () => {
    const late = await rawClient(mosquitto.url);
    const state = new Promise<{ payload: Buffer; retain: boolean }>((resolve) =>
      late.on('message', (_t, payload, packet) => resolve({ payload, retain: packet.retain })),
    );
    await late.subscribeAsync('spBv1.0/STATE/culturewatch-test', { qos: 1 });
    const { payload, retain } = await state;
    await late.endAsync();
    expect(retain).toBe(true);
    const body = JSON.parse(payload.toString('utf8'));
    expect(body.online).toBe(true);
    expect(Number.isInteger(body.timestamp)).toBe(true);
  });

  let edge: SparkplugEdgeNode;
  const t0 = Date.now() - 60_000;

  it('stores births and data as readings, by alias, converted to the signals’ units', async () => {
    edge = plantEdgeNode(mosquitto.url, () => plantDevices({}, t0));
    await edge.start();
    await waitFor('birth readings', () => storedReadings(h.database, 'r1', 'dilution').length === 1);
    expect(storedReadings(h.database, 'r1', 'od')).toEqual([{ tsMs: t0, value: 1.2 }]);
    // 500 mg/L with concentrationUnit g/L; 0.005 1/min (the birth's engUnit) = 0.3 1/h.
    expect(storedReadings(h.database, 'r1', 'substrate')[0].value).toBeCloseTo(0.5, 6);
    expect(storedReadings(h.database, 'r1', 'dilution')[0].value).toBeCloseTo(0.3, 12);
    expect(storedReadings(h.database, 'r1', 'feed')).toHaveLength(1); // the node's own metric
    // R2's OD has no value yet (is_null): no reading, no refusal.
    expect(storedReadings(h.database, 'r2', 'od')).toEqual([]);

    edge.publishDeviceData('R1', [
      { name: 'OD600', value: 1.3, timestamp: t0 + 1000 },
      { name: 'Glucose', value: 480, timestamp: t0 + 1000 },
    ]);
    edge.publishDeviceData('R2', [{ name: 'OD600', value: 0.7, timestamp: t0 + 1000 }]);
    await waitFor('data readings', () => storedReadings(h.database, 'r2', 'od').length === 1);
    expect(storedReadings(h.database, 'r1', 'od').map((r) => r.value)).toEqual([1.2, 1.3]);
    expect(storedReadings(h.database, 'r1', 'substrate')[1].value).toBeCloseTo(0.48, 6);
    expect(rejections(h.database)).toEqual([]);
    expect(h.host.metrics().unmappedMetrics).toBeGreaterThan(0); // Temperature, bdSeq, Node Control/Rebirth
  });

  it('holds an early message until its predecessor comes, within the reorder timeout', async () => {
    const client = await rawClient(mosquitto.url);
    const a = edge.takeSeq();
    const b = edge.takeSeq();
    const od = edge.aliasOf('R1', 'OD600');
    const ddata = (seq: number, value: number, ts: number) =>
      encode({ timestamp: Date.now(), seq, metrics: [{ alias: od, type: 'Double', value, timestamp: ts }] });
    const topic = `spBv1.0/${group}/DDATA/${edgeNodeId}/R1`;
    await client.publishAsync(topic, ddata(b, 1.5, t0 + 3000));
    await client.publishAsync(topic, ddata(a, 1.4, t0 + 2000));
    await client.endAsync();
    await waitFor('reordered readings', () => storedReadings(h.database, 'r1', 'od').length === 4);
    expect(storedReadings(h.database, 'r1', 'od').map((r) => r.value)).toEqual([1.2, 1.3, 1.4, 1.5]);
    expect(rejections(h.database)).toEqual([]);
  });

  it('refuses data after a lost message, requests a rebirth, and takes the rebirth', async () => {
    const before = ncmdCount();
    edge.takeSeq(); // lost
    edge.publishDeviceData('R1', [{ name: 'OD600', value: 9.9, timestamp: t0 + 4000 }]);
    const [gap] = await waitForRejection(h.database, 'sparkplug-seq-gap');
    expect(gap.topic).toBe(`spBv1.0/${group}/DDATA/${edgeNodeId}/R1`);
    await waitFor('the rebirth', () => edge.metrics().rebirthRequests === 1);
    expect(ncmdCount()).toBeGreaterThan(before);
    edge.publishDeviceData('R1', [{ name: 'OD600', value: 1.6, timestamp: t0 + 5000 }]);
    await waitFor('data after the rebirth', () =>
      storedReadings(h.database, 'r1', 'od').some((r) => r.value === 1.6),
    );
    expect(storedReadings(h.database, 'r1', 'od').map((r) => r.value)).not.toContain(9.9);
    // The rebirth repeated the birth values with their timestamps: stored once.
    expect(storedReadings(h.database, 'r1', 'od').filter((r) => r.tsMs === t0)).toHaveLength(1);
  });

  it('refuses a payload that is not Sparkplug protobuf, and NaN, and keeps the rest', async () => {
    const client = await rawClient(mosquitto.url);
    await client.publishAsync(
      `spBv1.0/${group}/DDATA/${edgeNodeId}/R1`,
      Buffer.from('{"ts": 1, "value": 2}'),
    );
    await waitForRejection(h.database, 'sparkplug-payload-invalid');
    await client.publishAsync(
      `spBv1.0/${group}/BOGUS/${edgeNodeId}`,
      encode({ timestamp: Date.now(), seq: 0 }),
    );
    await waitForRejection(h.database, 'sparkplug-topic-malformed');
    await client.endAsync();
    edge.publishDeviceData('R1', [
      { name: 'OD600', value: Number.NaN, timestamp: t0 + 6000 },
      { name: 'Glucose', value: 470, timestamp: t0 + 6000 },
    ]);
    const [nan] = await waitForRejection(h.database, 'value-not-finite');
    expect(nan.topic).toBe('culturewatch/r1/od');
    expect(nan.detail).toContain('OD600');
    await waitFor(
      'the good metric beside it',
      () => storedReadings(h.database, 'r1', 'substrate').length === 3,
    );
    expect(storedReadings(h.database, 'r1', 'od').some((r) => Number.isNaN(r.value))).toBe(false);
  });

  it('reads a DATA metric that omits its datatype (3.0) by the birth’s', async () => {
    const seq = edge.takeSeq();
    const bytes = proto.org.eclipse.tahu.protobuf.Payload.encode({
      timestamp: Date.now(),
      seq,
      metrics: [{ alias: edge.aliasOf('R1', 'Glucose'), floatValue: 460, timestamp: t0 + 7000 }],
    }).finish();
    const client = await rawClient(mosquitto.url);
    await client.publishAsync(`spBv1.0/${group}/DDATA/${edgeNodeId}/R1`, Buffer.from(bytes));
    await client.endAsync();
    await waitFor(
      'the datatype-less reading',
      () => storedReadings(h.database, 'r1', 'substrate').length === 4,
    );
    expect(storedReadings(h.database, 'r1', 'substrate').at(-1)?.value).toBeCloseTo(0.46, 6);
  });

  it('refuses an alias no birth declared, and an NDEATH of an earlier session', async () => {
    const seq = edge.takeSeq();
    const client = await rawClient(mosquitto.url);
    await client.publishAsync(
      `spBv1.0/${group}/DDATA/${edgeNodeId}/R1`,
      encode({ timestamp: Date.now(), seq, metrics: [{ alias: 99, type: 'Double', value: 1 }] }),
    );
    await waitForRejection(h.database, 'sparkplug-alias-unknown');
    await client.publishAsync(
      `spBv1.0/${group}/NDEATH/${edgeNodeId}`,
      encode({ timestamp: Date.now(), metrics: [{ name: 'bdSeq', type: 'UInt64', value: edge.bdSeq + 7 }] }),
    );
    await client.endAsync();
    const [stale] = await waitForRejection(h.database, 'sparkplug-bdseq-stale');
    expect(stale.detail).toContain(`not the session's ${edge.bdSeq}`);
    // The session lives on: data is still taken.
    edge.publishDeviceData('R1', [{ name: 'OD600', value: 1.7, timestamp: t0 + 8000 }]);
    await waitFor('data after the stale death', () =>
      storedReadings(h.database, 'r1', 'od').some((r) => r.value === 1.7),
    );
  });

  it('after the edge node’s death, refuses its data for want of a birth and asks for one', async () => {
    await edge.stop();
    const client = await rawClient(mosquitto.url);
    const before = ncmdCount();
    await client.publishAsync(
      `spBv1.0/${group}/DDATA/${edgeNodeId}/R1`,
      encode({ timestamp: Date.now(), seq: 1, metrics: [{ alias: 3, type: 'Double', value: 2 }] }),
    );
    await client.endAsync();
    await waitForRejection(h.database, 'sparkplug-no-birth');
    await waitFor('a rebirth request', () => ncmdCount() > before);
    expect(storedReadings(h.database, 'r1', 'od').map((r) => r.value)).not.toContain(2);
  });

  it('publishes its STATE death on stop', async () => {
    await h.host.stop();
    await waitFor('the STATE death', () =>
      seen.some(
        (m) =>
          m.topic === 'spBv1.0/STATE/culturewatch-test' && JSON.parse(m.payload.toString()).online === false,
      ),
    );
  });
});
