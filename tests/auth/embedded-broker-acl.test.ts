/**
 * Issue 7, MQTT on the embedded broker, against the real service (`node --import tsx server.ts`,
 * AUTH on, devices from MQTT_DEVICES): a device logs in with its password and may publish only
 * under its reactors, never the service's `$estimate` or `$alarm`; every refusal is counted in
 * /metrics and logged without the password; the service's own `$estimate` still goes out. What was
 * stored is read from the service's SQLite file. Then the demo simulator's account, in-process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EstimateMessage } from '../../contract/mqtt';
import { hashPassword } from '../../server/auth/password-hash';
import { resolveBroker } from '../../server/broker/resolve-broker';
import { loadConfig } from '../../server/config';
import { silentLogger } from '../fixtures/ingest-harness';
import { freePort } from '../fixtures/mosquitto';
import {
  type LogLine,
  type ServiceProcess,
  startServiceProcess,
  waitUntil,
} from '../service/service-harness';
import { HttpClient, passwords, seedAccounts } from './auth-harness';
import {
  closedWithin,
  plantEpochMs,
  plantHistory,
  publishAsDevice,
  publishableCount,
  storedFitIds,
  storedReactors,
  storedReadings,
  tryConnect,
} from './mqtt-harness';

const devicePasswords = { 'sensor-r1': 'r1-device-password-0451', 'sensor-r2': 'r2-device-password-7719' };
const ingesterClientId = 'cw-acl-ingester';
const hourMs = 3_600_000;

function refusedCount(metricsText: string, kind: string): number {
  const line = metricsText
    .split('\n')
    .find((l) => l.startsWith(`culturewatch_mqtt_refused_total{kind="${kind}"}`));
  return line === undefined ? Number.NaN : Number(line.split(' ').pop());
}

describe('the embedded broker with AUTH on: device accounts and topic ACLs', () => {
  let folder: string;
  let databasePath: string;
  let service: ServiceProcess;
  let brokerUrl: string;
  let viewer: HttpClient;
  const device = (
    name: keyof typeof devicePasswords,
    clientId = `${name}-${Math.random().toString(16).slice(2, 8)}`,
  ) => ({
    protocolVersion: 4 as const,
    clientId,
    username: name,
    password: devicePasswords[name],
  });
  const refusalLines = (msg: string): LogLine[] =>
    service.logs().filter((l) => l.level === 40 && l.msg === msg);
  const metric = async (kind: string) => refusedCount((await viewer.call('GET', '/metrics')).text, kind);

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'cw-embedded-acl-'));
    databasePath = join(folder, 'culturewatch.db');
    await seedAccounts(databasePath);
    const devices = await Promise.all(
      (['sensor-r1', 'sensor-r2'] as const).map(async (username) => ({
        username,
        passwordHash: await hashPassword(devicePasswords[username]),
        reactors: [username === 'sensor-r1' ? 'r1' : 'r2'],
      })),
    );
    const port = await freePort();
    brokerUrl = `mqtt://127.0.0.1:${port}`;
    service = await startServiceProcess({
      AUTH: 'on',
      DATABASE_PATH: databasePath,
      MQTT_PORT: String(port),
      MQTT_DEVICES: JSON.stringify(devices),
      MQTT_CLIENT_ID: ingesterClientId,
    });
    viewer = await HttpClient.loggedIn(service.url, 'victor', passwords.victor);
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('refuses a wrong password, an unknown device and an anonymous client; counts and logs each', async () => {
    const wrong = await tryConnect(brokerUrl, { ...device('sensor-r1'), password: 'not-the-password-123' });
    expect(wrong.error).toMatch(/bad username or password/i);
    const unknown = await tryConnect(brokerUrl, { ...device('sensor-r1'), username: 'intruder' });
    expect(unknown.error).toMatch(/bad username or password/i);
    const anonymous = await tryConnect(brokerUrl, { protocolVersion: 4 });
    expect(anonymous.error).toMatch(/bad username or password/i);

    const lines = await waitUntil(
      'three refusal log lines',
      async () => {
        const found = refusalLines('MQTT connection refused');
        return found.length === 3 && found;
      },
      5000,
    );
    expect(lines.map((l) => [l.username, l.reason])).toEqual([
      ['sensor-r1', 'bad-password'],
      ['intruder', 'unknown-user'],
      [undefined, 'no-credentials'],
    ]);
    expect(lines.every((l) => typeof l.clientId === 'string' && !('password' in l))).toBe(true);
    expect(service.output()).not.toContain('not-the-password-123');
    expect(await metric('connection')).toBe(3);
  });

  it('stores what a device publishes under its own reactor', async () => {
    const history = plantHistory(14);
    const acknowledged = await publishAsDevice(brokerUrl, 'r1', history, device('sensor-r1'));
    expect(acknowledged).toBe(publishableCount(history));
    await waitUntil(
      'every r1 reading stored',
      async () => storedReadings(databasePath).length === acknowledged,
      20_000,
      () => storedReadings(databasePath).length,
    );
    expect(storedReactors(databasePath)).toEqual(['r1']);
  }, 40_000);

  it('disconnects a device that publishes into another reactor, $estimate or $alarm; stores nothing of it', async () => {
    const forged = ['culturewatch/r2/od', 'culturewatch/r1/$estimate', 'culturewatch/r1/$alarm'];
    const before = storedReadings(databasePath).length;
    for (const topic of forged) {
      const { client, error } = await tryConnect(brokerUrl, device('sensor-r1'));
      expect(error).toBeUndefined();
      client?.publish(topic, JSON.stringify({ ts: plantEpochMs, value: 0.5 }), { qos: 1, retain: true });
      expect(await closedWithin(client!, 5000)).toBe(true);
      client?.end(true);
    }
    // The other device cannot forge its own reactor's estimate either, and nothing was retained there.
    const r2 = await tryConnect(brokerUrl, device('sensor-r2'));
    r2.client?.publish('culturewatch/r2/$estimate', '{"forged":true}', { qos: 1, retain: true });
    expect(await closedWithin(r2.client!, 5000)).toBe(true);
    r2.client?.end(true);
    const reader = await mqtt.connectAsync(brokerUrl, device('sensor-r2'));
    const retained: string[] = [];
    reader.on('message', (_topic, payload) => retained.push(payload.toString()));
    await reader.subscribeAsync('culturewatch/r2/$estimate', { qos: 1 });
    await new Promise((r) => setTimeout(r, 500));
    await reader.endAsync();
    expect(retained).toEqual([]);

    // The device's next reading for its own reactor is taken as before.
    const again = await mqtt.connectAsync(brokerUrl, device('sensor-r1'));
    const ts = plantEpochMs + 15 * hourMs;
    await again.publishAsync('culturewatch/r1/od', JSON.stringify({ ts, value: 0.42 }), { qos: 1 });
    await again.endAsync();
    await waitUntil(
      'the next r1 reading',
      async () => storedReadings(databasePath).length === before + 1,
      5000,
    );
    expect(storedReadings(databasePath).filter((r) => r.tsMs === ts)).toEqual([
      { reactorId: 'r1', signal: 'od', tsMs: ts, value: 0.42 },
    ]);
    expect(storedReactors(databasePath)).toEqual(['r1']);

    const lines = await waitUntil(
      'four publish refusals logged',
      async () => {
        const found = refusalLines('MQTT publish refused');
        return found.length >= 4 && found;
      },
      5000,
    );
    expect(lines.map((l) => [l.username, l.topic])).toEqual([
      ['sensor-r1', 'culturewatch/r2/od'],
      ['sensor-r1', 'culturewatch/r1/$estimate'],
      ['sensor-r1', 'culturewatch/r1/$alarm'],
      ['sensor-r2', 'culturewatch/r2/$estimate'],
    ]);
    expect(await metric('publish')).toBe(4);
    expect(service.output()).not.toContain(devicePasswords['sensor-r1']);
  });

  it("keeps a device's subscriptions inside its reactors", async () => {
    const client = await mqtt.connectAsync(brokerUrl, device('sensor-r1'));
    const filters = ['culturewatch/r2/#', 'culturewatch/#', '#', 'culturewatch/+/od', 'culturewatch/r1/#'];
    // mqtt.js turns a SUBACK with a failure into an error; the packet itself says what was granted.
    const suback = new Promise<number[]>((resolve) =>
      client.on('packetreceive', (packet) => {
        if (packet.cmd === 'suback') resolve(packet.granted as number[]);
      }),
    );
    await client.subscribeAsync(filters, { qos: 1 }).catch(() => undefined);
    expect(await suback).toEqual([128, 128, 128, 128, 1]);
    expect(client.connected).toBe(true);
    await client.endAsync();
    const lines = await waitUntil(
      'four subscription refusals logged',
      async () => {
        const found = refusalLines('MQTT subscription refused');
        return found.length >= 4 && found;
      },
      5000,
    );
    expect(lines.map((l) => l.topic)).toEqual(filters.slice(0, 4));
    expect(await metric('subscribe')).toBe(4);
  });

  it("publishes the service's $estimate, which a device of that reactor may read", async () => {
    const fitIds = await waitUntil(
      'a stored fit of r1',
      async () => {
        const ids = storedFitIds(databasePath, 'r1');
        return ids.length > 0 && ids;
      },
      45_000,
      () => service.output().slice(-2000),
    );
    const client = await mqtt.connectAsync(brokerUrl, device('sensor-r1'));
    const message = new Promise<EstimateMessage>((resolve) =>
      client.on('message', (_topic, payload) => resolve(JSON.parse(payload.toString()) as EstimateMessage)),
    );
    await client.subscribeAsync('culturewatch/r1/$estimate', { qos: 1 });
    const estimate = await message;
    await client.endAsync();
    expect(estimate.reactorId).toBe('r1');
    expect(storedFitIds(databasePath, 'r1')).toContain(estimate.fitId);
    expect(fitIds.length).toBeGreaterThan(0);
  }, 60_000);

  it("refuses the ingester's client id to a device, and the ingester keeps its session", async () => {
    const hijack = await tryConnect(brokerUrl, device('sensor-r1', ingesterClientId));
    expect(hijack.error).toMatch(/identifier rejected/i);
    const before = storedReadings(databasePath).length;
    const client = await mqtt.connectAsync(brokerUrl, device('sensor-r1'));
    await client.publishAsync(
      'culturewatch/r1/substrate',
      JSON.stringify({ ts: plantEpochMs + 15 * hourMs, value: 0.1 }),
      {
        qos: 1,
      },
    );
    await client.endAsync();
    await waitUntil(
      'the reading after the refused hijack',
      async () => storedReadings(databasePath).length === before + 1,
      5000,
    );
    await waitUntil(
      'the refusal logged',
      async () => refusalLines('MQTT connection refused').length === 4,
      5000,
    );
    expect(refusalLines('MQTT connection refused').at(-1)).toMatchObject({
      username: 'sensor-r1',
      clientId: ingesterClientId,
      reason: 'service-client-id',
    });
  });

  it("refuses a device another device's connected client id, so it cannot knock that device off", async () => {
    const sharedId = 'plant-r2-sensor';
    const owner = await mqtt.connectAsync(brokerUrl, {
      ...device('sensor-r2', sharedId),
      reconnectPeriod: 0,
    });
    const ownerClosed = closedWithin(owner, 1500);
    const intruder = await tryConnect(brokerUrl, device('sensor-r1', sharedId));
    expect(intruder.error).toMatch(/identifier rejected/i);
    expect(await ownerClosed).toBe(false);
    expect(owner.connected).toBe(true);
    await waitUntil(
      'the refusal logged',
      async () => refusalLines('MQTT connection refused').at(-1)?.reason === 'client-id-in-use',
      5000,
    );
    expect(refusalLines('MQTT connection refused').at(-1)).toMatchObject({
      username: 'sensor-r1',
      clientId: sharedId,
    });
    // The same account may take its own id over (a device reconnecting before the old link timed out).
    const takeover = await tryConnect(brokerUrl, device('sensor-r2', sharedId));
    expect(takeover.error).toBeUndefined();
    expect(await closedWithin(owner, 5000)).toBe(true);
    await takeover.client?.endAsync();
    // Once the id is free, any account may use it.
    const later = await tryConnect(brokerUrl, device('sensor-r1', sharedId));
    expect(later.error).toBeUndefined();
    await later.client?.endAsync();
  }, 30_000);
});

describe("the demo simulator's account", () => {
  it('is a device of the simulated reactors only; the service account may do everything', async () => {
    const port = await freePort();
    const resolved = await resolveBroker(loadConfig({ MQTT_PORT: String(port) }).mqtt, silentLogger, {
      authEnabled: true,
      topicPrefix: 'culturewatch',
      simulatedReactors: ['r7'],
    });
    try {
      const { connection, simulatorConnection, embedded } = resolved;
      expect(simulatorConnection.username).toBe('culturewatch-simulator');
      expect(connection.username).toBe('culturewatch-service');
      expect(simulatorConnection.password).not.toBe(connection.password);
      expect(connection.password?.length).toBeGreaterThanOrEqual(32);

      const service = await mqtt.connectAsync(connection.url, {
        protocolVersion: 4,
        username: connection.username,
        password: connection.password,
      });
      const heard: string[] = [];
      service.on('message', (topic) => heard.push(topic));
      await service.subscribeAsync('culturewatch/#', { qos: 1 });
      await service.publishAsync('culturewatch/r7/$estimate', '{}', { qos: 1 });

      const simulator = await mqtt.connectAsync(simulatorConnection.url, {
        protocolVersion: 4,
        reconnectPeriod: 0,
        username: simulatorConnection.username,
        password: simulatorConnection.password,
      });
      await simulator.publishAsync('culturewatch/r7/od', '1', { qos: 1 });
      simulator.publish('culturewatch/r8/od', '1', { qos: 1 });
      expect(await closedWithin(simulator, 5000)).toBe(true);
      simulator.end(true);
      await waitUntil(
        'the service to hear r7',
        async () => heard.length === 2,
        5000,
        () => heard,
      );
      expect(heard).toEqual(['culturewatch/r7/$estimate', 'culturewatch/r7/od']);
      expect(embedded?.metrics()).toEqual({
        refusedConnections: 0,
        refusedPublishes: 1,
        refusedSubscribes: 0,
      });
      await service.endAsync();
    } finally {
      await resolved.embedded?.close();
    }
  });
});
