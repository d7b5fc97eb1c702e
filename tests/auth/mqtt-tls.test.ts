/**
 * The documented production setting for MQTT: mosquitto run with deploy/mosquitto-culturewatch.conf
 * (its ports and paths swapped for test ones, client certificates required) and
 * deploy/mosquitto-culturewatch.acl, a CA made here with openssl, and the real service (AUTH on)
 * connecting with `MQTT_URL=mqtts://…`, `MQTT_CA_FILE`, `MQTT_CERT_FILE` and `MQTT_KEY_FILE`.
 * A device's readings flow over TLS; a client that does not trust the CA, or has no certificate, is refused;
 * a renewed client certificate is taken on SIGHUP, without a restart.
 */

import type { ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type IClientOptions } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Mosquitto, startMosquitto, writeMosquittoPasswordFile } from '../fixtures/mosquitto';
import { makeTestCa, type TestCa } from '../fixtures/test-ca';
import { type ServiceProcess, startServiceProcess, waitUntil } from '../service/service-harness';
import { plantEpochMs, storedReadings, tryConnect } from './mqtt-harness';

const deployConfig = fileURLToPath(new URL('../../deploy/mosquitto-culturewatch.conf', import.meta.url));
const aclFile = fileURLToPath(new URL('../../deploy/mosquitto-culturewatch.acl', import.meta.url));
const accounts = { culturewatch: 'service-password-over-tls-88', 'sensor-r1': 'r1-device-password-0451' };

/** The deploy file with test ports and paths; every line it swaps must be there. */
function adaptConfig(text: string, swaps: [string, string][]): string {
  let adapted = text;
  for (const [from, to] of swaps) {
    if (!adapted.includes(from)) throw new Error(`deploy/mosquitto-culturewatch.conf has no "${from}"`);
    adapted = adapted.replaceAll(from, to);
  }
  return adapted;
}

describe('MQTT over TLS as deployed (deploy/mosquitto-culturewatch.conf)', () => {
  let folder: string;
  let databasePath: string;
  let ca: TestCa;
  let mosquitto: Mosquitto;
  let service: ServiceProcess;
  let tlsUrl: string;
  let device: IClientOptions;
  /** mosquitto's `cafile`: the CA whose client certificates it takes (a copy, so that a test can change it). */
  let clientCaFile: string;

  /** The service with AUTH on, on the broker's TLS listener as `culturewatch`, with these TLS files. */
  const serviceSettings = (
    databasePath: string,
    clientId: string,
    files: { caFile: string; certFile: string; keyFile: string },
  ): Record<string, string> => ({
    AUTH: 'on',
    DATABASE_PATH: databasePath,
    ASSIMILATOR: 'off',
    MQTT_URL: tlsUrl,
    MQTT_PROTOCOL: '5',
    MQTT_USERNAME: 'culturewatch',
    MQTT_PASSWORD: accounts.culturewatch,
    MQTT_CA_FILE: files.caFile,
    MQTT_CERT_FILE: files.certFile,
    MQTT_KEY_FILE: files.keyFile,
    MQTT_CLIENT_ID: clientId,
  });

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'cw-mqtt-tls-'));
    databasePath = join(folder, 'culturewatch.db');
    ca = makeTestCa(folder);
    clientCaFile = join(folder, 'mosquitto-client-ca.crt');
    copyFileSync(ca.caFile, clientCaFile);
    const passwordFile = join(folder, 'culturewatch.passwd');
    writeMosquittoPasswordFile(passwordFile, accounts);
    mosquitto = await startMosquitto({
      config: ({ port, tlsPort, dir }) =>
        adaptConfig(readFileSync(deployConfig, 'utf8'), [
          ['/etc/mosquitto/culturewatch.passwd', passwordFile],
          ['/etc/mosquitto/culturewatch.acl', aclFile],
          ['persistence_location /var/lib/mosquitto/', `persistence_location ${dir}/`],
          ['listener 1883 127.0.0.1', `listener ${port} 127.0.0.1`],
          ['listener 8883', `listener ${tlsPort} 127.0.0.1`],
          ['/etc/mosquitto/certs/broker.crt', ca.serverCertFile],
          ['/etc/mosquitto/certs/broker.key', ca.serverKeyFile],
          ['/etc/mosquitto/certs/ca.crt', clientCaFile],
          ['#require_certificate true', 'require_certificate true'],
        ]),
    });
    tlsUrl = mosquitto.tlsUrl as string;
    service = await startServiceProcess(
      serviceSettings(databasePath, 'cw-tls-ingester', {
        caFile: ca.caFile,
        certFile: ca.clientCertFile,
        keyFile: ca.clientKeyFile,
      }),
    );
    device = {
      protocolVersion: 5,
      username: 'sensor-r1',
      password: accounts['sensor-r1'],
      ca: readFileSync(ca.caFile),
      cert: readFileSync(ca.clientCertFile),
      key: readFileSync(ca.clientKeyFile),
    };
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    await mosquitto?.stop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('connects the service over TLS, and a device’s readings flow to the database', async () => {
    await waitUntil(
      'the ingester on the TLS listener',
      async () =>
        (await service.get<{ broker: { state: string } }>('/healthz')).body.broker.state === 'ready',
      15_000,
      () => service.output().slice(-2000),
    );
    const client = await mqtt.connectAsync(tlsUrl, device);
    const readings = [0, 1, 2].map((i) => ({ ts: plantEpochMs + i * 900_000, value: 0.3 + i / 100 }));
    await client.publishAsync('culturewatch/r1/od', JSON.stringify(readings), { qos: 1 });
    await client.endAsync();
    await waitUntil('three readings over TLS', async () => storedReadings(databasePath).length === 3, 10_000);
    expect(storedReadings(databasePath)).toEqual(
      readings.map(({ ts, value }) => ({ reactorId: 'r1', signal: 'od', tsMs: ts, value })),
    );
  });

  it('fails the start with the reason when the service trusts another CA or its password is wrong', async () => {
    const elsewhere = join(folder, 'other-ca');
    mkdirSync(elsewhere);
    const otherCa = makeTestCa(elsewhere);
    const settings = serviceSettings(join(folder, 'refused.db'), 'cw-tls-refused', {
      caFile: otherCa.caFile,
      certFile: ca.clientCertFile,
      keyFile: ca.clientKeyFile,
    });
    await expect(startServiceProcess(settings)).rejects.toThrow(
      /exited \(1\) before ready[\s\S]*TLS certificate is not trusted[\s\S]*MQTT_CA_FILE/,
    );
    await expect(
      startServiceProcess({ ...settings, MQTT_CA_FILE: ca.caFile, MQTT_PASSWORD: 'not-the-password-at-all' }),
    ).rejects.toThrow(/exited \(1\) before ready[\s\S]*refused the connection[\s\S]*MQTT_PASSWORD/);
  }, 60_000);

  it('refuses a client that does not trust the CA, and one without a client certificate', async () => {
    const { ca: _trusted, ...untrusting } = device;
    const noCa = await tryConnect(tlsUrl, untrusting);
    expect(noCa.error).toMatch(/self[- ]signed|unable to (get|verify)/i);
    const { cert: _cert, key: _key, ...withoutCertificate } = device;
    const noCertificate = await tryConnect(tlsUrl, withoutCertificate, true);
    expect(noCertificate.error).toBeDefined();
    // Plain MQTT is only on loopback, and asks for the same accounts.
    const plainAnonymous = await tryConnect(mosquitto.url, { protocolVersion: 5 });
    expect(plainAnonymous.error).toMatch(/not authorized/i);
  });
  it('presents a renewed client certificate after SIGHUP, and keeps the old files when the new ones do not fit', async () => {
    const renewedFolder = join(folder, 'renewed-client');
    mkdirSync(renewedFolder);
    const renewed = makeTestCa(renewedFolder);
    const logged = (prefix: string) => service.logs().filter((l) => l.msg.startsWith(prefix)).length;
    const refused = () =>
      service.logs().filter((l) => l.msg.startsWith('SIGHUP: could not read the MQTT TLS files'));
    const brokerState = async () =>
      (await service.get<{ broker: { state: string } }>('/healthz')).body.broker.state;
    // A CA file that holds no certificate, then a renewal half done (a new key beside the old
    // certificate): both refused with the reason, and the old files stay in use.
    const caText = readFileSync(ca.caFile);
    writeFileSync(ca.caFile, 'not a certificate');
    service.child.kill('SIGHUP');
    await waitUntil('the first refused reload', async () => refused().length === 1, 5000);
    expect(refused()[0].err).toMatchObject({ message: expect.stringContaining('MQTT_CA_FILE') });
    writeFileSync(ca.caFile, caText);
    copyFileSync(renewed.clientKeyFile, ca.clientKeyFile);
    service.child.kill('SIGHUP');
    await waitUntil('the second refused reload', async () => refused().length === 2, 5000);
    expect(refused()[1].err).toMatchObject({ message: expect.stringContaining('MQTT_KEY_FILE') });
    expect(await brokerState()).toBe('ready');

    // The broker now takes client certificates of the new CA only: the service's old one is refused.
    copyFileSync(renewed.caFile, clientCaFile);
    await mosquitto.restart();
    await new Promise((r) => setTimeout(r, 3000)); // three reconnect periods
    expect(await brokerState()).not.toBe('ready');

    // The renewed certificate and key in place, then SIGHUP: the next reconnect gets through.
    copyFileSync(renewed.clientCertFile, ca.clientCertFile);
    copyFileSync(renewed.clientKeyFile, ca.clientKeyFile);
    service.child.kill('SIGHUP');
    await waitUntil(
      'the reload',
      async () => logged('SIGHUP: the MQTT TLS files were read again') === 1,
      5000,
    );
    await waitUntil(
      'the service back on the broker',
      async () => (await brokerState()) === 'ready',
      15_000,
      () => service.output().slice(-2000),
    );
    const before = storedReadings(databasePath).length;
    const client = await mqtt.connectAsync(tlsUrl, {
      ...device,
      cert: readFileSync(renewed.clientCertFile),
      key: readFileSync(renewed.clientKeyFile),
    });
    await client.publishAsync(
      'culturewatch/r1/od',
      JSON.stringify([{ ts: plantEpochMs + 86_400_000, value: 0.5 }]),
      {
        qos: 1,
      },
    );
    await client.endAsync();
    await waitUntil(
      'the reading after the renewal',
      async () => storedReadings(databasePath).length === before + 1,
      10_000,
    );
  }, 60_000);
  it('reads renewed files on SIGHUP while its start still waits for the broker', async () => {
    // After the test above, the broker takes client certificates of the renewed CA only.
    const staleFolder = join(folder, 'stale-client');
    mkdirSync(staleFolder);
    const stale = makeTestCa(staleFolder);
    let starting: ChildProcess | undefined;
    const startup = startServiceProcess(
      serviceSettings(join(folder, 'renewed-at-start.db'), 'cw-tls-renewed-at-start', {
        caFile: ca.caFile,
        certFile: stale.clientCertFile,
        keyFile: stale.clientKeyFile,
      }),
      (child) => {
        starting = child;
      },
    );
    await new Promise((r) => setTimeout(r, 4000)); // the start waits: the broker refuses this certificate
    expect(starting?.exitCode).toBeNull();
    const renewedFolder = join(folder, 'renewed-client');
    copyFileSync(join(renewedFolder, 'culturewatch-client.crt'), stale.clientCertFile);
    copyFileSync(join(renewedFolder, 'culturewatch-client.key'), stale.clientKeyFile);
    starting?.kill('SIGHUP');
    const renewedService = await startup;
    try {
      expect(renewedService.logs().some((l) => l.msg === 'SIGHUP: the MQTT TLS files were read again')).toBe(
        true,
      );
      expect((await renewedService.get<{ broker: { state: string } }>('/healthz')).body.broker.state).toBe(
        'ready',
      );
    } finally {
      await renewedService.stop();
    }
  }, 60_000);
});
