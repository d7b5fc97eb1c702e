/** The ingester against the embedded broker (aedes, MQTT 3.1.1): what `npm start` uses with no MQTT_URL. */
import mqtt from 'mqtt';
import { afterEach, expect, it } from 'vitest';
import { type OpenDatabase, openDatabase } from '../../db/open-database';
import { type EmbeddedBroker, startEmbeddedBroker } from '../../server/broker/embedded-broker';
import { resolveBroker } from '../../server/broker/resolve-broker';
import { loadConfig } from '../../server/config';
import { Ingester } from '../../server/ingest/ingester';
import type { AcceptedReading } from '../../server/ingest/message-validator';
import { silentLogger, waitFor } from '../fixtures/ingest-harness';
import { freePort } from '../fixtures/mosquitto';
import { readingsInRange } from '../fixtures/stored-rows';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup.length = 0;
});

async function broker(
  port = 0,
  credentials: { username?: string; password?: string } = {},
): Promise<EmbeddedBroker> {
  const b = await startEmbeddedBroker({ port, host: '127.0.0.1', logger: silentLogger, ...credentials });
  cleanup.push(() => b.close());
  return b;
}

function database(): OpenDatabase {
  const d = openDatabase(':memory:');
  cleanup.push(() => d.close());
  return d;
}

it('ingests every payload form, and subscribes again when a broker without our session comes back', async () => {
  const first = await broker();
  const { db, sqlite } = database();
  const ingester = new Ingester({
    broker: { url: first.url, protocol: '3.1.1' },
    clientId: 'embedded-ingester',
    topicPrefix: 'culturewatch',
    sqlite,
    logger: silentLogger,
    reconnectPeriodMs: 50,
  });
  cleanup.push(() => ingester.stop());
  const heard: AcceptedReading[] = [];
  ingester.onReadingsStored((readings) => heard.push(...readings));
  await ingester.start();

  const t = Date.now() - 60_000;
  const device = await mqtt.connectAsync(first.url, {
    protocolVersion: 4,
    clientId: 'device',
    reconnectPeriod: 50,
  });
  cleanup.push(() => device.endAsync(true));
  await device.publishAsync('culturewatch/r1/od', JSON.stringify({ ts: t, value: 1 }), { qos: 1 });
  await device.publishAsync(
    'culturewatch/r1/od',
    JSON.stringify([
      { ts: new Date(t + 1000).toISOString(), value: 2 },
      { ts: t + 2000, value: 3 },
    ]),
    { qos: 1 },
  );
  await device.publishAsync('culturewatch/r1/assay/B', '0.25', { qos: 1 });
  await device.publishAsync('culturewatch/r1/$estimate', '{"fit":"ignored"}', { qos: 1 });
  await waitFor(
    'four readings and the ignored $estimate',
    () => ingester.metrics().readingsStored === 4 && ingester.metrics().serviceOutputIgnored === 1,
    5000,
    () => ingester.metrics(),
  );
  expect(readingsInRange(db, { reactorId: 'r1', signal: 'od', fromMs: 0, toMs: Date.now() })).toEqual([
    { tsMs: t, value: 1 },
    { tsMs: t + 1000, value: 2 },
    { tsMs: t + 2000, value: 3 },
  ]);
  expect(heard.map((r) => r.signal).sort()).toEqual(['assay/B', 'od', 'od', 'od']);
  expect(ingester.metrics()).toMatchObject({ serviceOutputIgnored: 1, subscribes: 1 });

  // A fresh broker on the same port knows nothing of our subscription (the Pioreactor data-loss case).
  const port = first.port;
  await first.close();
  await waitFor('the ingester to notice', () => ingester.health().state === 'disconnected');
  const second = await broker(port);
  await waitFor('a second subscription', () => ingester.metrics().subscribes === 2, 10_000);
  expect(ingester.health().state).toBe('ready');
  await waitFor('the device back', () => device.connected, 10_000);
  await device.publishAsync('culturewatch/r2/feed', JSON.stringify({ ts: t, value: 100 }), { qos: 1 });
  await waitFor('the reading after the restart', () => ingester.metrics().readingsStored === 5, 5000);
  expect(second.url).toBe(first.url);
});

it('refuses clients without the configured credentials', async () => {
  const b = await broker(0, { username: 'plant', password: 's3cret' });
  const refused = await mqtt
    .connectAsync(b.url, { protocolVersion: 4, username: 'plant', password: 'wrong', reconnectPeriod: 0 })
    .then(
      (c) => c.endAsync().then(() => 'connected'),
      (error: Error) => error.message,
    );
  expect(refused).toMatch(/Bad username or password/i);
  const accepted = await mqtt.connectAsync(b.url, {
    protocolVersion: 4,
    username: 'plant',
    password: 's3cret',
  });
  expect(accepted.connected).toBe(true);
  await accepted.endAsync();
});

it('starts the embedded broker only when MQTT_URL is unset', async () => {
  const external = await resolveBroker(
    loadConfig({ MQTT_URL: 'mqtts://plant-broker:8883', MQTT_USERNAME: 'u', MQTT_PASSWORD: 'p' }).mqtt,
    silentLogger,
  );
  expect(external.connection).toEqual({
    url: 'mqtts://plant-broker:8883',
    protocol: '5',
    username: 'u',
    password: 'p',
  });
  expect(external.simulatorConnection).toBe(external.connection);
  expect(external.embedded).toBeUndefined();

  const port = await freePort();
  const resolved = await resolveBroker(loadConfig({ MQTT_PORT: String(port) }).mqtt, silentLogger);
  cleanup.push(() => resolved.embedded?.close());
  expect(resolved.connection).toEqual({ url: `mqtt://127.0.0.1:${port}`, protocol: '3.1.1' });
  const client = await mqtt.connectAsync(resolved.connection.url, { protocolVersion: 4 });
  expect(client.connected).toBe(true);
  await client.endAsync();

  expect(() => loadConfig({ MQTT_URL: 'http://plant-broker' })).toThrow(/MQTT_URL/);
});
