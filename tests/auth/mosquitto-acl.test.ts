/**
 * Issue 7, MQTT on an external broker: Debian's mosquitto with `allow_anonymous false`, a
 * `password_file` made by `mosquitto_passwd` and deploy/mosquitto-culturewatch.acl as documented,
 * and the real service (AUTH on) logged in as `culturewatch`. A device's readings for its reactor
 * are stored; its publishes into another reactor, `$estimate` or `$alarm` are refused (MQTT 5: PUBACK
 * 0x87 Not authorized; MQTT 3.1.1: acknowledged and dropped) and nothing of them is stored; it reads
 * only its reactor; the service's `$estimate` goes out to the account allowed to read it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EstimateMessage } from '../../contract/mqtt';
import { type Mosquitto, startMosquitto, writeMosquittoPasswordFile } from '../fixtures/mosquitto';
import { type ServiceProcess, startServiceProcess, waitUntil } from '../service/service-harness';
import {
  plantEpochMs,
  plantHistory,
  publishAsDevice,
  publishableCount,
  storedFitIds,
  storedReactors,
  storedReadings,
  tryConnect,
} from './mqtt-harness';

const aclFile = fileURLToPath(new URL('../../deploy/mosquitto-culturewatch.acl', import.meta.url));
const accounts = {
  culturewatch: 'service-password-on-mosquitto-31',
  'sensor-r1': 'r1-device-password-0451',
  'sensor-r2': 'r2-device-password-7719',
  gateway: 'gateway-password-2290',
  scada: 'scada-password-5521',
} as const;
type Account = keyof typeof accounts;
const hourMs = 3_600_000;

function as(username: Account, protocolVersion: 4 | 5 = 5): IClientOptions {
  return { protocolVersion, username, password: accounts[username], reconnectPeriod: 0 };
}

/** The reason code of a refused QoS-1 publish (MQTT 5), or 0 when it was acknowledged. */
async function publishOutcome(
  client: MqttClient,
  topic: string,
  payload: string,
  retain = false,
): Promise<number> {
  try {
    await client.publishAsync(topic, payload, { qos: 1, retain });
    return 0;
  } catch (error) {
    return (error as { code?: number }).code ?? -1;
  }
}

/** What a subscription delivers within `ms` (retained messages arrive at once). */
async function heardWithin(client: MqttClient, filter: string, ms: number): Promise<string[]> {
  const heard: string[] = [];
  const onMessage = (topic: string, payload: Buffer) => heard.push(`${topic} ${payload.toString()}`);
  client.on('message', onMessage);
  await client.subscribeAsync(filter, { qos: 1 });
  await new Promise((r) => setTimeout(r, ms));
  client.off('message', onMessage);
  await client.unsubscribeAsync(filter);
  return heard;
}

describe('mosquitto with password_file and acl_file as documented', () => {
  let folder: string;
  let databasePath: string;
  let mosquitto: Mosquitto;
  let service: ServiceProcess;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'cw-mosquitto-acl-'));
    databasePath = join(folder, 'culturewatch.db');
    const passwordFile = join(folder, 'culturewatch.passwd');
    writeMosquittoPasswordFile(passwordFile, accounts);
    mosquitto = await startMosquitto({ auth: { passwordFile, aclFile } });
    service = await startServiceProcess({
      AUTH: 'on',
      DATABASE_PATH: databasePath,
      MQTT_URL: mosquitto.url,
      MQTT_PROTOCOL: '5',
      MQTT_USERNAME: 'culturewatch',
      MQTT_PASSWORD: accounts.culturewatch,
      MQTT_CLIENT_ID: 'cw-mosquitto-acl-ingester',
    });
    await waitUntil(
      'the ingester subscribed',
      async () => service.logs().some((l) => l.msg === 'ingester subscribed'),
      10_000,
    );
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    await mosquitto?.stop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('refuses a wrong password, an unknown user and an anonymous client', async () => {
    const wrong = await tryConnect(mosquitto.url, { ...as('sensor-r1'), password: 'not-the-password' });
    expect(wrong.error).toMatch(/not authorized/i);
    const unknown = await tryConnect(mosquitto.url, { ...as('sensor-r1', 4), username: 'intruder' });
    expect(unknown.error).toMatch(/not authorized/i);
    const anonymous = await tryConnect(mosquitto.url, { protocolVersion: 5, reconnectPeriod: 0 });
    expect(anonymous.error).toMatch(/not authorized/i);
  });

  it("stores a device's readings for its own reactor", async () => {
    const history = plantHistory(14);
    const acknowledged = await publishAsDevice(mosquitto.url, 'r1', history, as('sensor-r1'));
    expect(acknowledged).toBe(publishableCount(history));
    await waitUntil(
      'every r1 reading stored',
      async () => storedReadings(databasePath).length === acknowledged,
      20_000,
      () => storedReadings(databasePath).length,
    );
  }, 40_000);

  it('refuses publishes into another reactor, $estimate or $alarm, and stores nothing of them', async () => {
    const before = storedReadings(databasePath).length;
    const reading = JSON.stringify({ ts: plantEpochMs + 16 * hourMs, value: 0.5 });
    const v5 = await mqtt.connectAsync(mosquitto.url, as('sensor-r1', 5));
    const outcomes: Record<string, number> = {};
    for (const topic of [
      'culturewatch/r2/od',
      'culturewatch/r1/$estimate',
      'culturewatch/r1/$alarm',
      'culturewatch/r1/$dilution-program',
    ])
      outcomes[`sensor-r1 ${topic}`] = await publishOutcome(v5, topic, reading, true);
    const gateway = await mqtt.connectAsync(mosquitto.url, as('gateway', 5));
    outcomes['gateway culturewatch/r2/$estimate'] = await publishOutcome(
      gateway,
      'culturewatch/r2/$estimate',
      '{"forged":true}',
      true,
    );
    // 0x87 Not authorized, and the connection stays.
    expect(outcomes).toEqual({
      'sensor-r1 culturewatch/r2/od': 0x87,
      'sensor-r1 culturewatch/r1/$estimate': 0x87,
      'sensor-r1 culturewatch/r1/$alarm': 0x87,
      'sensor-r1 culturewatch/r1/$dilution-program': 0x87,
      'gateway culturewatch/r2/$estimate': 0x87,
    });
    expect(v5.connected && gateway.connected).toBe(true);

    // MQTT 3.1.1 has no way to say no: mosquitto acknowledges and drops.
    const v4 = await mqtt.connectAsync(mosquitto.url, as('sensor-r1', 4));
    expect(await publishOutcome(v4, 'culturewatch/r2/substrate', reading)).toBe(0);
    expect(await publishOutcome(v4, 'culturewatch/r1/$estimate', '{"forged":true}', true)).toBe(0);
    expect(v4.connected).toBe(true);

    // The same connections may still publish where they are allowed to; those readings arrive last.
    const ts = plantEpochMs + 16 * hourMs;
    expect(await publishOutcome(v4, 'culturewatch/r1/od', JSON.stringify({ ts, value: 0.41 }))).toBe(0);
    expect(await publishOutcome(gateway, 'culturewatch/r3/od', JSON.stringify({ ts, value: 0.43 }))).toBe(0);
    await waitUntil(
      'the two allowed readings',
      async () => storedReadings(databasePath).length === before + 2,
      5000,
    );
    expect(storedReadings(databasePath).filter((r) => r.tsMs === ts)).toEqual([
      { reactorId: 'r1', signal: 'od', tsMs: ts, value: 0.41 },
      { reactorId: 'r3', signal: 'od', tsMs: ts, value: 0.43 },
    ]);
    expect(storedReactors(databasePath)).toEqual(['r1', 'r3']);

    // No forged estimate was retained: a reader of estimates finds none for r2, and r1's is not forged.
    const scada = await mqtt.connectAsync(mosquitto.url, as('scada'));
    expect(await heardWithin(scada, 'culturewatch/r2/$estimate', 300)).toEqual([]);
    const r1Estimates = await heardWithin(scada, 'culturewatch/r1/$estimate', 300);
    expect(r1Estimates.join()).not.toContain('forged');
    for (const client of [v5, v4, gateway, scada]) await client.endAsync();
  });

  it('delivers to a device only its own reactor, without the service topics', async () => {
    const r1 = await mqtt.connectAsync(mosquitto.url, as('sensor-r1'));
    const heard: string[] = [];
    r1.on('message', (topic) => heard.push(topic));
    // mosquitto 2.0 grants the subscription and filters what it delivers.
    await r1.subscribeAsync('culturewatch/#', { qos: 1 });
    const r2 = await mqtt.connectAsync(mosquitto.url, as('sensor-r2'));
    const ts = plantEpochMs + 17 * hourMs;
    await r2.publishAsync('culturewatch/r2/od', JSON.stringify({ ts, value: 0.5 }), { qos: 1 });
    await r2.endAsync();
    const r1again = await mqtt.connectAsync(mosquitto.url, as('sensor-r1'));
    await r1again.publishAsync('culturewatch/r1/od', JSON.stringify({ ts, value: 0.5 }), { qos: 1 });
    await r1again.endAsync();
    await waitUntil('r1 hears its own reading', async () => heard.includes('culturewatch/r1/od'), 5000);
    await new Promise((r) => setTimeout(r, 300));
    await r1.endAsync();
    expect(heard.every((topic) => topic.startsWith('culturewatch/r1/'))).toBe(true);
    expect(heard.some((topic) => topic.includes('$'))).toBe(false);
    // The service heard r2 (it is stored).
    await waitUntil('r2 stored', async () => storedReactors(databasePath).includes('r2'), 5000);
  });

  it("publishes the service's $estimate, read by the account allowed to read it and not by the device", async () => {
    await waitUntil(
      'a stored fit of r1',
      async () => storedFitIds(databasePath, 'r1').length > 0,
      45_000,
      () => service.output().slice(-2000),
    );
    const scada = await mqtt.connectAsync(mosquitto.url, as('scada'));
    const estimates = await waitUntil(
      'the retained estimate',
      async () => {
        const heard = await heardWithin(scada, 'culturewatch/r1/$estimate', 200);
        return heard.length > 0 && heard;
      },
      10_000,
    );
    await scada.endAsync();
    const message = JSON.parse(estimates[0].slice(estimates[0].indexOf(' ') + 1)) as EstimateMessage;
    expect(message.reactorId).toBe('r1');
    expect(storedFitIds(databasePath, 'r1')).toContain(message.fitId);

    const device = await mqtt.connectAsync(mosquitto.url, as('sensor-r1'));
    expect(await heardWithin(device, 'culturewatch/r1/$estimate', 300)).toEqual([]);
    await device.endAsync();
  }, 60_000);
});
