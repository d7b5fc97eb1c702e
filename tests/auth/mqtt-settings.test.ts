/**
 * The MQTT half of issue 7 in small pieces: `MQTT_DEVICES` and the TLS files as settings (from the
 * environment and the config file), the topic ACL rules, the login cache and its cap on scrypt work,
 * and `culturewatch hash-password`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../server/auth/password-hash';
import { MqttAccounts } from '../../server/broker/mqtt-accounts';
import { mayPublish, mayRead, maySubscribe, type TopicGrant } from '../../server/broker/topic-acl';
import { loadConfig } from '../../server/config';
import { loadServiceSettings } from '../../server/service/service-settings';
import { makeTestCa, type TestCa } from '../fixtures/test-ca';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
let folder: string;
let hash: string;
let ca: TestCa;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'cw-mqtt-settings-'));
  hash = await hashPassword('a-device-password-1');
  ca = makeTestCa(folder);
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const devices = (list: unknown) => loadConfig({ MQTT_DEVICES: JSON.stringify(list) }).mqtt.devices;

describe('MQTT_DEVICES', () => {
  it('reads devices with their granted reactors, "*" for all', () => {
    expect(
      devices([
        { username: 'sensor-r1', passwordHash: hash, reactors: ['r1', 'r2'] },
        { username: 'gateway', passwordHash: hash, reactors: ['*'] },
      ]),
    ).toEqual([
      { username: 'sensor-r1', passwordHash: hash, reactors: ['r1', 'r2'] },
      { username: 'gateway', passwordHash: hash, reactors: 'all' },
    ]);
    expect(loadConfig({}).mqtt.devices).toEqual([]);
  });

  it('refuses unknown fields, bad hashes, duplicates and the service’s own names, naming the device', () => {
    const ok = { username: 'sensor-r1', passwordHash: hash, reactors: ['r1'] };
    const cases: [unknown, RegExp][] = [
      [[{ ...ok, password: 'plain' }], /MQTT_DEVICES\[0\] \(sensor-r1\): unknown field "password"/],
      [[{ ...ok, passwordHash: 'hunter2' }], /passwordHash: expected scrypt\$N\$r\$p\$salt\$hash/],
      [[{ ...ok, passwordHash: hash.replace('131072', '100000') }], /power of two/],
      [[{ ...ok, passwordHash: `${hash.slice(0, -8)}AAAA` }], /32 bytes/],
      [
        [ok, { ...ok, reactors: ['r2'] }],
        /MQTT_DEVICES\[1\] \(sensor-r1\): username "sensor-r1" is listed twice/,
      ],
      [[{ ...ok, reactors: ['r1', 'r1'] }], /a reactor is listed twice/],
      [[{ ...ok, reactors: [] }], /at least one reactor/],
      [[{ ...ok, reactors: ['*', 'r1'] }], /"\*" grants every reactor/],
      [[{ ...ok, reactors: ['culturewatch/r1'] }], /a reactor id/],
      [[{ ...ok, username: 'has:colon' }], /username/],
      [[{ ...ok, username: 'culturewatch-service' }], /belongs to the service/],
      [[{ ...ok, username: 'culturewatch-simulator' }], /belongs to the service/],
      [{ ...ok }, /expected a JSON array/],
    ];
    for (const [list, message] of cases) expect(() => devices(list), JSON.stringify(list)).toThrow(message);
    expect(() => loadConfig({ MQTT_DEVICES: '[{' })).toThrow(/MQTT_DEVICES: not JSON/);
    expect(() =>
      loadConfig({ MQTT_USERNAME: 'svc', MQTT_DEVICES: JSON.stringify([{ ...ok, username: 'svc' }]) }),
    ).toThrow(/belongs to the service/);
  });

  it('comes from the config file as a JSON array', () => {
    const file = join(folder, 'culturewatch.config.json');
    writeFileSync(
      file,
      JSON.stringify({ MQTT_DEVICES: [{ username: 'sensor-r1', passwordHash: hash, reactors: ['r1'] }] }),
    );
    const settings = loadServiceSettings({ CONFIG_FILE: file, ASSIMILATOR: 'off' } as Record<
      string,
      string
    > as NodeJS.ProcessEnv);
    expect(settings.base.mqtt.devices).toEqual([
      { username: 'sensor-r1', passwordHash: hash, reactors: ['r1'] },
    ]);
  });
});

describe('MQTT TLS files', () => {
  it('are read for mqtts:// only, a certificate with its key, and must hold PEM', () => {
    const url = 'mqtts://broker:8883';
    expect(loadConfig({ MQTT_URL: url, MQTT_CA_FILE: ca.caFile }).mqtt.tls).toEqual({
      caFile: ca.caFile,
      certFile: undefined,
      keyFile: undefined,
    });
    expect(() => loadConfig({ MQTT_URL: 'mqtt://broker', MQTT_CA_FILE: ca.caFile })).toThrow(
      /MQTT_CA_FILE: only for an mqtts:\/\/ MQTT_URL/,
    );
    expect(() => loadConfig({ MQTT_CA_FILE: ca.caFile })).toThrow(/only for an mqtts/);
    expect(() => loadConfig({ MQTT_URL: url, MQTT_CERT_FILE: ca.clientCertFile })).toThrow(/go together/);
    expect(() => loadConfig({ MQTT_URL: url, MQTT_CA_FILE: join(folder, 'missing.crt') })).toThrow(
      /MQTT_CA_FILE: cannot read/,
    );
    expect(() => loadConfig({ MQTT_URL: url, MQTT_CA_FILE: ca.serverKeyFile })).toThrow(/no PEM certificate/);
  });
});

describe('topic ACLs of the embedded broker', () => {
  const r1: TopicGrant = { kind: 'device', reactors: new Set(['r1']) };
  const all: TopicGrant = { kind: 'device', reactors: 'all' };
  const service: TopicGrant = { kind: 'service' };

  it('lets a device publish only under its reactors, never a $ level', () => {
    const allowed = ['cw/r1/od', 'cw/r1/assay/X', 'cw/r1/unknown-signal'];
    const refused = [
      'cw/r2/od',
      'cw/r1/$estimate',
      'cw/r1/$alarm',
      'cw/r1/assay/$x',
      'cw/r1',
      'cw/r1/',
      'x/r1/od',
    ];
    for (const topic of allowed) expect(mayPublish(r1, 'cw', topic), topic).toBe(true);
    for (const topic of [...refused, '$SYS/x']) expect(mayPublish(r1, 'cw', topic), topic).toBe(false);
    expect(mayPublish(all, 'cw', 'cw/r9/od')).toBe(true);
    expect(mayPublish(all, 'cw', 'cw/r9/$estimate')).toBe(false);
    expect(mayPublish(all, 'cw', 'cw/$x/od')).toBe(false);
    expect(mayPublish(service, 'cw', 'cw/r9/$estimate')).toBe(true);
    expect(mayPublish(service, 'cw', '$SYS/broker')).toBe(false);
    // A prefix of several levels.
    expect(mayPublish(r1, 'plant/a', 'plant/a/r1/od')).toBe(true);
    expect(mayPublish(r1, 'plant/a', 'plant/b/r1/od')).toBe(false);
  });

  it('keeps a device’s subscriptions and deliveries inside its reactors', () => {
    for (const filter of ['cw/r1/#', 'cw/r1/+', 'cw/r1/$estimate', 'cw/r1/assay/+'])
      expect(maySubscribe(r1, 'cw', filter), filter).toBe(true);
    for (const filter of ['cw/#', 'cw/+/od', '#', 'cw/r2/#', 'cw/r1', '$share/g/cw/r1/#', '$SYS/#'])
      expect(maySubscribe(r1, 'cw', filter), filter).toBe(false);
    expect(maySubscribe(all, 'cw', 'cw/#')).toBe(true);
    expect(maySubscribe(service, 'cw', '$share/g/cw/#')).toBe(true);
    expect(mayRead(r1, 'cw', 'cw/r1/$estimate')).toBe(true);
    expect(mayRead(r1, 'cw', 'cw/r2/od')).toBe(false);
  });
});

describe('device logins', () => {
  it('pay scrypt once per device and password, at most two at a time', async () => {
    const accounts = new MqttAccounts(
      [
        {
          username: 'sensor-r1',
          credential: { kind: 'scrypt', hash },
          grant: { kind: 'device', reactors: 'all' },
        },
      ],
      { maxConcurrentHashes: 2, maxWaiting: 1 },
    );
    const right = Buffer.from('a-device-password-1');
    // A reconnect storm: ten at once share one verification.
    const storm = await Promise.all(Array.from({ length: 10 }, () => accounts.login('sensor-r1', right)));
    expect(storm.every((r) => r.ok)).toBe(true);
    expect(accounts.counters.hashVerifications).toBe(1);
    expect((await accounts.login('sensor-r1', right)).ok).toBe(true);
    expect(accounts.counters.hashVerifications).toBe(1);

    // Four different wrong passwords at once: two verify, one waits, one is told the server is busy.
    const wrong = await Promise.all(
      ['w1', 'w2', 'w3', 'w4'].map((p) => accounts.login('sensor-r1', Buffer.from(`${p}-wrong-password`))),
    );
    expect(wrong.map((r) => (r.ok ? 'ok' : r.reason)).sort()).toEqual([
      'bad-password',
      'bad-password',
      'bad-password',
      'busy',
    ]);
    expect(accounts.counters.hashVerifications).toBe(4);
    // A refused password is remembered too.
    expect(await accounts.login('sensor-r1', Buffer.from('w1-wrong-password'))).toEqual({
      ok: false,
      reason: 'bad-password',
    });
    expect(accounts.counters.hashVerifications).toBe(4);
    // An unknown name pays a hash too (against a decoy), so timing does not tell which names exist.
    expect(await accounts.login('nobody', right)).toEqual({ ok: false, reason: 'unknown-user' });
    expect(accounts.counters.hashVerifications).toBe(5);
    expect(await accounts.login('nobody', right)).toEqual({ ok: false, reason: 'unknown-user' });
    expect(accounts.counters.hashVerifications).toBe(5);
    expect(await accounts.login(undefined, undefined)).toEqual({ ok: false, reason: 'no-credentials' });
  }, 20_000);
});

describe('culturewatch hash-password', () => {
  const run = (args: string[], input: string) =>
    spawnSync(process.execPath, ['bin/culturewatch.js', 'hash-password', ...args], {
      cwd: repoRoot,
      input,
      encoding: 'utf8',
    });

  it('prints the hash of the password on stdin, or a ready MQTT_DEVICES entry', async () => {
    const plain = run([], 'a-device-password-1\n');
    expect(plain.status).toBe(0);
    const printed = plain.stdout.trim();
    expect(await verifyPassword('a-device-password-1', printed)).toBe(true);
    expect(plain.stdout + plain.stderr).not.toContain('a-device-password-1');

    const entry = run(['--device', 'sensor-r1', '--reactors', 'r1,r2'], 'a-device-password-1');
    expect(entry.status).toBe(0);
    const parsed = JSON.parse(entry.stdout) as { username: string; passwordHash: string; reactors: string[] };
    expect(parsed).toMatchObject({ username: 'sensor-r1', reactors: ['r1', 'r2'] });
    expect(devices([parsed])).toHaveLength(1);
  }, 20_000);

  it('refuses a short password, a password on the command line and a bad reactor', () => {
    expect(run([], 'short\n')).toMatchObject({ status: 2, stdout: '' });
    expect(run(['a-device-password-1'], '')).toMatchObject({ status: 2, stdout: '' });
    const bad = run(['--device', 'x', '--reactors', 'r1,no good'], 'a-device-password-1');
    expect(bad).toMatchObject({ status: 2, stdout: '' });
    expect(bad.stderr).toMatch(/reactor id/);
  }, 20_000);
});
