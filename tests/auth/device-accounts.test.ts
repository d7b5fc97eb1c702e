/**
 * Issue 22, devices and the connection: device accounts made in the dashboard's API, against the real
 * service (`node --import tsx server.ts`, AUTH on, the embedded broker, one device from MQTT_DEVICES)
 * and real MQTT. A new account logs in at once and its reading is stored; it may not publish to
 * another reactor; revoking it closes its open connection and refuses the next login; when it was
 * last seen follows its login and publish. Bad requests are refused with a reason, counted and
 * logged; only operators see or change the list.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerView, CreatedDeviceAccount, DeviceAccountView } from '../../contract/devices';
import { hashPassword } from '../../server/auth/password-hash';
import { freePort, type Mosquitto, startMosquitto } from '../fixtures/mosquitto';
import { type ServiceProcess, startServiceProcess, waitUntil } from '../service/service-harness';
import { HttpClient, passwords, seedAccounts } from './auth-harness';
import { closedWithin, storedReadings, tryConnect } from './mqtt-harness';

const gateway = { username: 'env-gateway', password: 'env-gateway-password-8812' };

function refusedCount(metricsText: string, reason: string): number {
  const line = metricsText
    .split('\n')
    .find((l) => l.startsWith(`culturewatch_device_account_requests_refused_total{reason="${reason}"}`));
  return line === undefined ? Number.NaN : Number(line.split(' ').pop());
}

async function publishReading(client: MqttClient, reactorId: string, tsMs: number, value: number) {
  await client.publishAsync(`culturewatch/${reactorId}/od`, JSON.stringify({ ts: tsMs, value }), { qos: 1 });
}

describe('device accounts made in the dashboard, on the embedded broker', () => {
  let folder: string;
  let databasePath: string;
  let service: ServiceProcess;
  let brokerUrl: string;
  let operator: HttpClient;
  let viewer: HttpClient;
  let created: CreatedDeviceAccount;
  const t0 = Date.now() - 60_000;
  const devices = async () => (await operator.call('GET', '/api/devices')).json<DeviceAccountView[]>();
  const device = async (username: string) => (await devices()).find((d) => d.username === username);
  const odValues = (reactorId: string) =>
    storedReadings(databasePath)
      .filter((r) => r.reactorId === reactorId && r.signal === 'od')
      .map((r) => r.value);

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'cw-device-accounts-'));
    databasePath = join(folder, 'culturewatch.db');
    await seedAccounts(databasePath);
    const port = await freePort();
    brokerUrl = `mqtt://127.0.0.1:${port}`;
    service = await startServiceProcess({
      AUTH: 'on',
      DATABASE_PATH: databasePath,
      MQTT_PORT: String(port),
      MQTT_DEVICES: JSON.stringify([
        { username: gateway.username, passwordHash: await hashPassword(gateway.password), reactors: ['*'] },
      ]),
    });
    operator = await HttpClient.loggedIn(service.url, 'alice', passwords.alice);
    viewer = await HttpClient.loggedIn(service.url, 'victor', passwords.victor);
  }, 90_000);

  afterAll(async () => {
    await service?.stop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('tells anyone logged in where devices connect: the embedded broker, its port, accounts', async () => {
    const answer = await viewer.call('GET', '/api/broker');
    expect(answer.status).toBe(200);
    const view = answer.json<BrokerView>();
    expect(view).toMatchObject({
      kind: 'embedded',
      plain: { bindHost: '127.0.0.1', port: Number(new URL(brokerUrl).port) },
      tls: null,
      access: 'accounts',
      topicPrefix: 'culturewatch',
    });
  });

  it('shows the list to operators only, with the environment’s device read-only', async () => {
    expect((await viewer.call('GET', '/api/devices')).status).toBe(403);
    expect((await viewer.call('POST', '/api/devices', { username: 'x', reactors: ['*'] })).status).toBe(403);
    const list = await devices();
    expect(list).toEqual([
      expect.objectContaining({ username: gateway.username, source: 'environment', reactors: '*' }),
    ]);
  });

  it('refuses a bad name, an unknown reactor, a taken name and a malformed body, each with a reason, counted', async () => {
    // A reading for r1 and r2 from the environment's gateway: the plant's reactors are known.
    const connected = await tryConnect(brokerUrl, { protocolVersion: 4, ...gateway });
    if (!connected.client) throw new Error(connected.error);
    await publishReading(connected.client, 'r1', t0, 0.5);
    await publishReading(connected.client, 'r2', t0, 0.6);
    await connected.client.endAsync();
    await waitUntil(
      'r1 and r2 stored',
      async () => odValues('r1').length > 0 && odValues('r2').length > 0,
      10_000,
    );

    const badName = await operator.call('POST', '/api/devices', { username: 'plant r1!', reactors: ['r1'] });
    expect(badName.status).toBe(400);
    expect(badName.json<{ detail: string }>().detail).toContain('letters, digits');
    const unknown = await operator.call('POST', '/api/devices', {
      username: 'plant-r9',
      reactors: ['r1', 'r99'],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json<{ detail: string }>().detail).toContain('“r99” has sent no readings');
    const taken = await operator.call('POST', '/api/devices', {
      username: gateway.username,
      reactors: ['r1'],
    });
    expect(taken.status).toBe(409);
    const mixed = await operator.call('POST', '/api/devices', { username: 'plant-x', reactors: ['*', 'r1'] });
    expect(mixed.status).toBe(400);
    const malformed = await operator.call('POST', '/api/devices', { username: 'plant-x', reactors: 'r1' });
    expect(malformed.status).toBe(400);
    operator.sendCsrf = false;
    const noCsrf = await operator.call('POST', '/api/devices', { username: 'plant-x', reactors: ['r1'] });
    operator.sendCsrf = true;
    expect(noCsrf.status).toBe(403);

    const metrics = (await viewer.call('GET', '/metrics')).text;
    expect(refusedCount(metrics, 'bad-name')).toBe(1);
    expect(refusedCount(metrics, 'unknown-reactor')).toBe(1);
    expect(refusedCount(metrics, 'name-taken')).toBe(1);
    expect(refusedCount(metrics, 'bad-reactors')).toBe(1);
    expect(refusedCount(metrics, 'malformed')).toBe(1);
    const logged = service.logs().filter((l) => l.msg === 'device account request refused');
    expect(logged.map((l) => l.reason)).toEqual([
      'bad-name',
      'unknown-reactor',
      'name-taken',
      'bad-reactors',
      'malformed',
    ]);
    expect((await devices()).map((d) => d.username)).toEqual([gateway.username]);
  });

  it('makes an account whose password is shown once; the device logs in at once and its reading is stored', async () => {
    const answer = await operator.call('POST', '/api/devices', { username: 'plant-r1', reactors: ['r1'] });
    expect(answer.status).toBe(201);
    created = answer.json<CreatedDeviceAccount>();
    expect(created).toMatchObject({
      username: 'plant-r1',
      reactors: ['r1'],
      source: 'dashboard',
      createdBy: 'alice',
    });
    expect(created.password.length).toBeGreaterThanOrEqual(24);
    // The list never shows it again.
    expect(JSON.stringify(await devices())).not.toContain(created.password);
    expect(service.output()).not.toContain(created.password);
    expect(await device('plant-r1')).toMatchObject({ lastConnectedAtMs: null, lastPublishedAtMs: null });
    const again = await operator.call('POST', '/api/devices', { username: 'plant-r1', reactors: ['r2'] });
    expect(again.status).toBe(409);

    const wrong = await tryConnect(brokerUrl, {
      protocolVersion: 4,
      username: 'plant-r1',
      password: 'guess-1234567',
    });
    expect(wrong.error).toMatch(/bad username or password/i);

    const beforeLogin = Date.now();
    const connected = await tryConnect(brokerUrl, {
      protocolVersion: 4,
      username: 'plant-r1',
      password: created.password,
    });
    if (!connected.client) throw new Error(connected.error);
    const client = connected.client;
    await publishReading(client, 'r1', t0 + 60_000, 0.731);
    await waitUntil('the reading of plant-r1 stored', async () => odValues('r1').includes(0.731), 10_000);
    const seen = await device('plant-r1');
    expect(seen?.connected).toBe(1);
    expect(seen?.lastConnectedAtMs).toBeGreaterThanOrEqual(beforeLogin);
    expect(seen?.lastPublishedAtMs).toBeGreaterThanOrEqual(seen?.lastConnectedAtMs ?? Number.NaN);

    // Another reactor's topic: refused, the connection closed, nothing stored.
    client.publish('culturewatch/r2/od', JSON.stringify({ ts: t0 + 60_000, value: 0.999 }), { qos: 1 });
    expect(await closedWithin(client, 5000)).toBe(true);
    client.end(true);
    await new Promise((r) => setTimeout(r, 500));
    expect(odValues('r2')).not.toContain(0.999);
  });

  it('revokes: the open connection is closed, the next login refused, the name not reused', async () => {
    const connected = await tryConnect(brokerUrl, {
      protocolVersion: 4,
      username: 'plant-r1',
      password: created.password,
    });
    if (!connected.client) throw new Error(connected.error);
    const client = connected.client;
    await waitUntil('plant-r1 connected', async () => (await device('plant-r1'))?.connected === 1, 5000);

    const revoked = await operator.call('DELETE', '/api/devices/plant-r1');
    expect(revoked.status).toBe(204);
    expect(await closedWithin(client, 5000)).toBe(true);
    client.end(true);
    const refused = await tryConnect(brokerUrl, {
      protocolVersion: 4,
      username: 'plant-r1',
      password: created.password,
    });
    expect(refused.error).toMatch(/bad username or password/i);
    const row = await device('plant-r1');
    expect(row?.revokedAtMs).toBeGreaterThan(0);
    expect(row?.connected).toBe(0);

    expect((await operator.call('DELETE', '/api/devices/plant-r1')).status).toBe(409);
    const environment = await operator.call('DELETE', `/api/devices/${gateway.username}`);
    expect(environment.status).toBe(409);
    expect(environment.json<{ detail: string }>().detail).toContain('MQTT_DEVICES');
    expect((await operator.call('DELETE', '/api/devices/nobody')).status).toBe(404);
    const reuse = await operator.call('POST', '/api/devices', { username: 'plant-r1', reactors: ['r1'] });
    expect(reuse.status).toBe(409);
    expect(reuse.json<{ detail: string }>().detail).toContain('revoked');
    // The environment's gateway still logs in beside the dashboard's accounts.
    const still = await tryConnect(brokerUrl, { protocolVersion: 4, ...gateway });
    expect(still.error).toBeUndefined();
    await still.client?.endAsync();
  });

  it('keeps when a device was last seen across a restart', async () => {
    const before = await device('plant-r1');
    await service.stop();
    service = await startServiceProcess({
      AUTH: 'on',
      DATABASE_PATH: databasePath,
      MQTT_PORT: new URL(brokerUrl).port,
    });
    operator = await HttpClient.loggedIn(service.url, 'alice', passwords.alice);
    const after = await device('plant-r1');
    expect(after?.lastConnectedAtMs).toBe(before?.lastConnectedAtMs);
    expect(after?.lastPublishedAtMs).toBeGreaterThan(0);
    expect(after?.revokedAtMs).toBe(before?.revokedAtMs);
  }, 60_000);
});

describe('with an external broker (mosquitto at MQTT_URL)', () => {
  let folder: string;
  let mosquitto: Mosquitto;
  let service: ServiceProcess;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'cw-device-accounts-external-'));
    const databasePath = join(folder, 'culturewatch.db');
    await seedAccounts(databasePath);
    mosquitto = await startMosquitto();
    service = await startServiceProcess({ AUTH: 'on', DATABASE_PATH: databasePath, MQTT_URL: mosquitto.url });
  }, 90_000);

  afterAll(async () => {
    await service?.stop();
    await mosquitto?.stop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('names the broker, and refuses to make an account it cannot make, saying why', async () => {
    const operator = await HttpClient.loggedIn(service.url, 'alice', passwords.alice);
    const view = (await operator.call('GET', '/api/broker')).json<BrokerView>();
    expect(view).toEqual({
      kind: 'external',
      url: mosquitto.url,
      host: '127.0.0.1',
      port: mosquitto.port,
      tls: false,
      topicPrefix: 'culturewatch',
    });
    const refused = await operator.call('POST', '/api/devices', { username: 'plant-r1', reactors: ['*'] });
    expect(refused.status).toBe(409);
    expect(refused.json<{ detail: string }>().detail).toContain('external broker');
    expect((await operator.call('GET', '/api/devices')).json()).toEqual([]);
  });
});
