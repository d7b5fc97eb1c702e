/**
 * The embedded broker's topic ACLs for Sparkplug B: a device may publish an edge node's births,
 * deaths and data only when every reactor the mapping gives that edge node is granted to it, may
 * read its own edge node's commands and the host's STATE, and may publish no command or STATE.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedBroker, startEmbeddedBroker } from '../../server/broker/embedded-broker';
import { parseSparkplugMapping } from '../../server/sparkplug/sparkplug-mapping';
import { silentLogger, waitFor } from '../fixtures/ingest-harness';
import { encode } from './sparkplug-harness';

const mapping = parseSparkplugMapping(
  JSON.stringify({
    sources: [
      { group: 'plant1', edgeNode: 'gw1', device: 'R1', reactor: 'r1', metrics: { OD: 'od' } },
      { group: 'plant1', edgeNode: 'gw2', device: 'R2', reactor: 'r2', metrics: { OD: 'od' } },
      { group: 'plant1', edgeNode: 'both', device: 'R1', reactor: 'r1', metrics: { OD: 'od' } },
      { group: 'plant1', edgeNode: 'both', device: 'R2', reactor: 'r2', metrics: { OD: 'od' } },
    ],
  }),
);

let broker: EmbeddedBroker;
let service: MqttClient;
const delivered: string[] = [];

beforeAll(async () => {
  broker = await startEmbeddedBroker({
    port: 0,
    host: '127.0.0.1',
    logger: silentLogger,
    access: {
      topicPrefix: 'culturewatch',
      isServiceClientId: (id) => id.startsWith('culturewatch-'),
      sparkplugReactors: (group, edgeNode) => mapping.reactorsOfEdgeNode(group, edgeNode),
      accounts: [
        {
          username: 'service',
          credential: { kind: 'secret', password: 'service-pw' },
          grant: { kind: 'service' },
        },
        {
          username: 'gw-r1',
          credential: { kind: 'secret', password: 'device-pw' },
          grant: { kind: 'device', reactors: new Set(['r1']) },
        },
      ],
    },
  });
  service = await mqtt.connectAsync(broker.url, {
    username: 'service',
    password: 'service-pw',
    reconnectPeriod: 0,
  });
  service.on('message', (topic) => delivered.push(topic));
  await service.subscribeAsync('spBv1.0/#', { qos: 1 });
});

afterAll(async () => {
  await service?.endAsync();
  await broker?.close();
});

const device = () =>
  mqtt.connectAsync(broker.url, { username: 'gw-r1', password: 'device-pw', reconnectPeriod: 0 });
const birth = () =>
  encode({ timestamp: Date.now(), seq: 0, metrics: [{ name: 'bdSeq', type: 'UInt64', value: 0 }] });

describe('Sparkplug topics on the embedded broker', () => {
  it('lets a device publish for the edge node of its reactor', async () => {
    const client = await device();
    await client.publishAsync('spBv1.0/plant1/NBIRTH/gw1', birth(), { qos: 1 });
    await client.publishAsync('spBv1.0/plant1/DDATA/gw1/R1', birth(), { qos: 1 });
    await waitFor('both delivered', () => delivered.includes('spBv1.0/plant1/DDATA/gw1/R1'));
    expect(delivered).toContain('spBv1.0/plant1/NBIRTH/gw1');
    await client.endAsync();
  });

  it.each([
    ['another reactor’s edge node', 'spBv1.0/plant1/NDATA/gw2'],
    ['an edge node that also speaks for another reactor', 'spBv1.0/plant1/NBIRTH/both'],
    ['an edge node the mapping does not know', 'spBv1.0/plant1/NBIRTH/stranger'],
    ['a command', 'spBv1.0/plant1/NCMD/gw1'],
    ['the host’s STATE', 'spBv1.0/STATE/culturewatch'],
  ])('closes the connection of a device that publishes for %s', async (_what, topic) => {
    const client = await device();
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish(topic, birth(), { qos: 1 });
    await closed;
    client.end(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(delivered).not.toContain(topic);
  });

  it('lets a device read its own edge node’s commands and the STATE, and nothing of another', async () => {
    const client = await device();
    for (const allowed of [
      'spBv1.0/plant1/NCMD/gw1',
      'spBv1.0/plant1/DCMD/gw1/+',
      'spBv1.0/STATE/culturewatch',
    ])
      expect((await client.subscribeAsync(allowed, { qos: 1 }))[0].qos).toBe(1);
    for (const refused of ['spBv1.0/plant1/NCMD/gw2', 'spBv1.0/plant1/NCMD/+', 'spBv1.0/#'])
      await expect(client.subscribeAsync(refused, { qos: 1 })).rejects.toThrow(/Subscribe error/);
    expect(client.connected).toBe(true);
    await client.endAsync();
  });
});
