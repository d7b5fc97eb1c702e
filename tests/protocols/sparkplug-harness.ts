/**
 * A Sparkplug host application beside a real ingester over a temporary database, on a real broker;
 * edge nodes built from the same library (simulator/sparkplug-edge-node.ts) and a raw client for
 * the payloads a conforming node would never send.
 */
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { UPayload } from 'sparkplug-payload/lib/sparkplugbpayload.js';
import { type OpenDatabase, openDatabase } from '../../db/open-database';
import type { BrokerConnection } from '../../server/broker/broker-connection';
import { Ingester } from '../../server/ingest/ingester';
import { defaultMessageLimits } from '../../server/ingest/message-validator';
import { SparkplugHost } from '../../server/sparkplug/sparkplug-host';
import { parseSparkplugMapping } from '../../server/sparkplug/sparkplug-mapping';
import { type EdgeMetric, SparkplugEdgeNode, sparkplugCodec } from '../../simulator/sparkplug-edge-node';
import { silentLogger, tempDir, waitFor } from '../fixtures/ingest-harness';
import { recentRejections } from '../fixtures/stored-rows';

export const group = 'plant1';
export const edgeNodeId = 'gw1';

/** R1 → r1 with units to convert; node metric `Feed` → r1's feed; R2 → r2. */
export const mappingJson = JSON.stringify({
  concentrationUnit: 'g/L',
  sources: [
    { group, edgeNode: edgeNodeId, reactor: 'r1', metrics: { Feed: 'feed' } },
    {
      group,
      edgeNode: edgeNodeId,
      device: 'R1',
      reactor: 'r1',
      metrics: {
        OD600: 'od',
        Glucose: { signal: 'substrate', unit: 'mg/L' },
        Dilution: 'dilution',
      },
    },
    { group, edgeNode: edgeNodeId, device: 'R2', reactor: 'r2', metrics: { OD600: 'od' } },
  ],
});

export interface HostHarness {
  database: OpenDatabase;
  ingester: Ingester;
  host: SparkplugHost;
  stop(): Promise<void>;
}

export async function startHost(
  broker: BrokerConnection,
  options: { reorderTimeoutMs?: number; hostId?: string } = {},
): Promise<HostHarness> {
  const database = openDatabase(join(tempDir('sparkplug'), 'cw.db'), { synchronous: 'normal' });
  const ingester = new Ingester({
    broker,
    clientId: `ingester-${Math.random().toString(16).slice(2, 8)}`,
    topicPrefix: 'culturewatch',
    sqlite: database.sqlite,
    logger: silentLogger,
  });
  await ingester.start();
  const host = new SparkplugHost({
    broker,
    hostId: options.hostId ?? 'culturewatch-test',
    mapping: parseSparkplugMapping(mappingJson),
    intake: ingester.intake,
    topicPrefix: 'culturewatch',
    reorderTimeoutMs: options.reorderTimeoutMs ?? 200,
    rebirthIntervalMs: 0,
    maxPayloadBytes: defaultMessageLimits.maxPayloadBytes,
    logger: silentLogger,
    reconnectPeriodMs: 200,
  });
  await host.start();
  return {
    database,
    ingester,
    host,
    stop: async () => {
      await host.stop();
      await ingester.stop();
      database.close();
    },
  };
}

/** Birth values of a plant gateway with two reactors' devices, in the plant's units. */
export function plantDevices(
  values: { od?: number; glucoseMgL?: number; dilutionPerMin?: number } = {},
  tsMs?: number,
): Map<string, EdgeMetric[]> {
  const at = tsMs === undefined ? {} : { timestamp: tsMs };
  return new Map([
    [
      'R1',
      [
        { name: 'OD600', type: 'Double', value: values.od ?? 1.2, ...at },
        { name: 'Glucose', type: 'Float', value: values.glucoseMgL ?? 500, engUnit: 'mg/L', ...at },
        { name: 'Dilution', type: 'Double', value: values.dilutionPerMin ?? 0.005, engUnit: '1/min', ...at },
        { name: 'Temperature', type: 'Double', value: 37, ...at },
      ],
    ],
    ['R2', [{ name: 'OD600', type: 'Double', value: null }]],
  ]);
}

export function plantEdgeNode(
  url: string,
  devices: () => ReadonlyMap<string, EdgeMetric[]>,
  clientOptions: mqtt.IClientOptions = {},
): SparkplugEdgeNode {
  return new SparkplugEdgeNode({
    url,
    clientOptions: { reconnectPeriod: 200, ...clientOptions },
    group,
    edgeNode: edgeNodeId,
    nodeMetrics: () => [{ name: 'Feed', type: 'Double', value: 100 }],
    devices,
  });
}

export async function rawClient(url: string, options: mqtt.IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(url, { reconnectPeriod: 0, ...options });
}

export function encode(payload: UPayload): Buffer {
  return Buffer.from(sparkplugCodec.encodePayload(payload));
}

export interface StoredRejection {
  topic: string;
  reason: string;
  detail: string | null;
  payloadExcerpt: string;
}

export function rejections(database: OpenDatabase): StoredRejection[] {
  return recentRejections(database.db, 1000) as StoredRejection[];
}

export async function waitForRejection(
  database: OpenDatabase,
  reason: string,
  count = 1,
): Promise<StoredRejection[]> {
  await waitFor(
    `${count} rejection(s) ${reason}`,
    () => rejections(database).filter((r) => r.reason === reason).length >= count,
    10_000,
    () => rejections(database).map((r) => r.reason),
  );
  return rejections(database).filter((r) => r.reason === reason);
}

export function storedReadings(
  database: OpenDatabase,
  reactorId: string,
  signal: string,
): { tsMs: number; value: number }[] {
  return database.sqlite
    .prepare('SELECT ts_ms AS tsMs, value FROM readings WHERE reactor_id = ? AND signal = ? ORDER BY ts_ms')
    .all(reactorId, signal) as { tsMs: number; value: number }[];
}
