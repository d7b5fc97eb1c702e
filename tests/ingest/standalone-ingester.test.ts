/**
 * The ingester run alone (server/ingest/run-ingester.ts): its embedded broker has no device accounts,
 * so open it refuses to listen beyond this machine, and says which setting to change; with one shared
 * login it may.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { spawnIngester } from '../fixtures/ingester-process';
import { freePort } from '../fixtures/mosquitto';

const folder = mkdtempSync(join(tmpdir(), 'cw-standalone-ingester-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

it('refuses to start an open embedded broker on a non-loopback address', async () => {
  const ingester = spawnIngester({
    MQTT_URL: '',
    MQTT_BIND_HOST: '0.0.0.0',
    DATABASE_PATH: join(folder, 'refused.db'),
  });
  await expect(ingester.ready).rejects.toThrow(/exited \(1\)/);
  const fatal = ingester.logLines().find((line) => line.level === 60);
  expect(fatal?.msg).toMatch(/open embedded broker on a non-loopback address.*MQTT_URL.*MQTT_BIND_HOST/);
  expect(fatal?.MQTT_BIND_HOST).toBe('0.0.0.0');
}, 30_000);

it('starts one with a shared login on a non-loopback address', async () => {
  const ingester = spawnIngester({
    MQTT_URL: '',
    MQTT_BIND_HOST: '0.0.0.0',
    MQTT_PORT: String(await freePort()),
    MQTT_USERNAME: 'plant',
    MQTT_PASSWORD: 'one-shared-plant-password',
    DATABASE_PATH: join(folder, 'shared.db'),
  });
  await ingester.ready;
  ingester.child.kill('SIGTERM');
  expect(await ingester.exited).toBe(0);
}, 30_000);
