/**
 * The embedded broker's TLS listener for devices on the network, against the real service (AUTH on):
 * `MQTT_SERVER_CERT_FILE`/`MQTT_SERVER_KEY_FILE` (a certificate from a CA made here with openssl),
 * `MQTT_SERVER_CA_FILE` to require client certificates, `MQTT_TLS_PORT`/`MQTT_TLS_BIND_HOST`. A
 * device's readings flow over TLS into the SQLite file; a client that does not trust the CA, has no
 * certificate or a wrong password is refused; the plain listener stays as it was; SIGHUP serves a
 * renewed certificate.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../server/auth/password-hash';
import { startEmbeddedBroker } from '../../server/broker/embedded-broker';
import { loadConfig } from '../../server/config';
import { silentLogger } from '../fixtures/ingest-harness';
import { freePort } from '../fixtures/mosquitto';
import { makeTestCa, type TestCa } from '../fixtures/test-ca';
import { type ServiceProcess, startServiceProcess, waitUntil } from '../service/service-harness';
import { plantEpochMs, storedReadings, tryConnect } from './mqtt-harness';

const devicePassword = 'r1-device-password-over-tls';

describe('the embedded broker over TLS', () => {
  let folder: string;
  let databasePath: string;
  let ca: TestCa;
  let service: ServiceProcess;
  let tlsUrl: string;
  let plainUrl: string;
  let device: IClientOptions;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'cw-embedded-tls-'));
    databasePath = join(folder, 'culturewatch.db');
    ca = makeTestCa(folder);
    const [plainPort, tlsPort] = [await freePort(), await freePort()];
    plainUrl = `mqtt://127.0.0.1:${plainPort}`;
    tlsUrl = `mqtts://127.0.0.1:${tlsPort}`;
    service = await startServiceProcess({
      AUTH: 'on',
      DATABASE_PATH: databasePath,
      ASSIMILATOR: 'off',
      MQTT_PORT: String(plainPort),
      MQTT_TLS_PORT: String(tlsPort),
      MQTT_TLS_BIND_HOST: '127.0.0.1',
      MQTT_SERVER_CERT_FILE: ca.serverCertFile,
      MQTT_SERVER_KEY_FILE: ca.serverKeyFile,
      MQTT_SERVER_CA_FILE: ca.caFile,
      MQTT_DEVICES: JSON.stringify([
        { username: 'sensor-r1', passwordHash: await hashPassword(devicePassword), reactors: ['r1'] },
      ]),
    });
    device = {
      protocolVersion: 4,
      username: 'sensor-r1',
      password: devicePassword,
      ca: readFileSync(ca.caFile),
      cert: readFileSync(ca.clientCertFile),
      key: readFileSync(ca.clientKeyFile),
      reconnectPeriod: 0,
    };
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('stores what a device publishes over TLS', async () => {
    const client = await mqtt.connectAsync(tlsUrl, device);
    const readings = [0, 1, 2].map((i) => ({ ts: plantEpochMs + i * 900_000, value: 0.4 + i / 100 }));
    await client.publishAsync('culturewatch/r1/od', JSON.stringify(readings), { qos: 1 });
    await client.endAsync();
    await waitUntil('three readings over TLS', async () => storedReadings(databasePath).length === 3, 10_000);
    expect(storedReadings(databasePath)).toEqual(
      readings.map(({ ts, value }) => ({ reactorId: 'r1', signal: 'od', tsMs: ts, value })),
    );
    const listening = service.logs().find((line) => line.msg === 'embedded MQTT broker listening');
    expect(listening).toMatchObject({ tlsHost: '127.0.0.1', clientCertificates: 'required' });
  });

  it('refuses a client that does not trust the CA, one without a certificate, and a wrong password', async () => {
    const { ca: _trusted, ...untrusting } = device;
    expect((await tryConnect(tlsUrl, untrusting)).error).toMatch(/self[- ]signed|unable to (get|verify)/i);
    const { cert: _cert, key: _key, ...withoutCertificate } = device;
    expect((await tryConnect(tlsUrl, withoutCertificate, true)).error).toBeDefined();
    // The broker's side of a refused handshake is logged as a refused connection, with the reason.
    await waitUntil(
      'the handshake refusal logged',
      async () =>
        service
          .logs()
          .some((l) => l.msg === 'MQTT connection refused' && String(l.reason).startsWith('tls-handshake')),
      5000,
    );
    const wrong = await tryConnect(tlsUrl, { ...device, password: 'not-the-password-at-all' });
    expect(wrong.error).toMatch(/bad username or password/i);
    // The plain listener is still there for the service's own clients, and asks for the same accounts.
    expect((await tryConnect(plainUrl, { protocolVersion: 4 })).error).toMatch(/bad username or password/i);
    expect(storedReadings(databasePath)).toHaveLength(3);
  });

  it('refuses settings that cannot work, naming them', () => {
    const files = { MQTT_SERVER_CERT_FILE: ca.serverCertFile, MQTT_SERVER_KEY_FILE: ca.serverKeyFile };
    expect(() => loadConfig({ MQTT_SERVER_CERT_FILE: ca.serverCertFile })).toThrow(
      /MQTT_SERVER_CERT_FILE and MQTT_SERVER_KEY_FILE go together/,
    );
    expect(() => loadConfig({ ...files, MQTT_URL: 'mqtts://broker.example:8883' })).toThrow(
      /only for the embedded broker/,
    );
    expect(() => loadConfig({ ...files, MQTT_SERVER_CERT_FILE: ca.serverKeyFile })).toThrow(
      /MQTT_SERVER_CERT_FILE: .* holds no PEM certificate/,
    );
    expect(() => loadConfig({ ...files, MQTT_SERVER_CA_FILE: join(folder, 'missing.crt') })).toThrow(
      /MQTT_SERVER_CA_FILE: cannot read/,
    );
    expect(() => loadConfig({ MQTT_TLS_PORT: '8884' })).toThrow(
      /MQTT_TLS_PORT: the embedded broker's TLS listener needs MQTT_SERVER_CERT_FILE/,
    );
    expect(loadConfig(files).mqtt.serverTls).toMatchObject({ port: 8883, bindHost: '0.0.0.0' });
  });

  it('closes what it started when the TLS port is taken, and says so', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const takenPort = (taken.address() as AddressInfo).port;
    const plainPort = await freePort();
    const start = startEmbeddedBroker({
      port: plainPort,
      host: '127.0.0.1',
      logger: silentLogger,
      tls: {
        port: takenPort,
        host: '127.0.0.1',
        cert: readFileSync(ca.serverCertFile),
        key: readFileSync(ca.serverKeyFile),
      },
    });
    await expect(start).rejects.toThrow(/EADDRINUSE/);
    // The plain listener that did start was closed again: its port is free.
    const again = createServer();
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.listen(plainPort, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => again.close(() => resolve()));
    await new Promise<void>((resolve) => taken.close(() => resolve()));
  });

  it('serves a renewed certificate after SIGHUP, and keeps the old one when a file is bad', async () => {
    const renewedFolder = join(folder, 'renewed');
    mkdirSync(renewedFolder);
    const renewed = makeTestCa(renewedFolder);
    for (const [from, to] of [
      [renewed.serverCertFile, ca.serverCertFile],
      [renewed.serverKeyFile, ca.serverKeyFile],
      [renewed.caFile, ca.caFile],
    ])
      copyFileSync(from, to);
    const renewedDevice = {
      ...device,
      ca: readFileSync(renewed.caFile),
      cert: readFileSync(renewed.clientCertFile),
      key: readFileSync(renewed.clientKeyFile),
    };
    // Until told, the broker serves the certificate it read at start.
    expect((await tryConnect(tlsUrl, renewedDevice)).error).toBeDefined();
    const reloaded = () =>
      service.logs().filter((l) => l.msg.startsWith('SIGHUP: the MQTT TLS files were read again'));
    service.child.kill('SIGHUP');
    await waitUntil('the reload', async () => reloaded().length === 1, 5000);
    const client = await tryConnect(tlsUrl, renewedDevice);
    expect(client.error).toBeUndefined();
    await client.client?.endAsync();
    expect((await tryConnect(tlsUrl, device)).error).toMatch(/self[- ]signed|unable to (get|verify)/i);

    writeFileSync(ca.serverCertFile, 'not a certificate');
    service.child.kill('SIGHUP');
    await waitUntil(
      'the failed reload',
      async () => service.logs().some((l) => l.level === 50 && l.msg.startsWith('SIGHUP: could not read')),
      5000,
    );
    const still = await tryConnect(tlsUrl, renewedDevice);
    expect(still.error).toBeUndefined();
    await still.client?.endAsync();
    expect((await service.get<{ status: string }>('/healthz')).status).toBe(200);
  });
});
