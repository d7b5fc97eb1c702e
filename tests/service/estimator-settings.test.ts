/**
 * An operator changes the estimator's window, step and forecast through the API: the assimilator
 * restarts with them, the next fits use them, and they outlive a restart of the service.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { EstimatorSettingsView, FitRecord } from '../../contract/api';
import { freePort } from '../fixtures/mosquitto';
import { type ServiceProcess, startServiceProcess, waitUntil } from './service-harness';

const dir = mkdtempSync(join(tmpdir(), 'cw-estimator-settings-'));
let service: ServiceProcess | undefined;
const start = async () =>
  startServiceProcess({
    DATABASE_PATH: join(dir, 'culturewatch.db'),
    MQTT_PORT: String(await freePort()),
    SIMULATOR: 'on',
    SIMULATOR_REACTORS: 'r1',
    SIMULATOR_SPEED: '2',
    SIMULATOR_BACKFILL_DAYS: '0.75',
  });

afterAll(async () => {
  await service?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const hours = (ms: number) => ms / 3.6e6;

it('applies new estimator settings to the next fits and keeps them across a restart', async () => {
  service = await start();
  const before = await service.get<EstimatorSettingsView>('/api/estimator-settings');
  expect(before.body).toMatchObject({ windowHours: 12, stepHours: 1, forecastHours: 6, source: 'config' });
  const fits = async () =>
    (await service!.get<FitRecord[]>('/api/reactors/r1/estimates?trajectories=all')).body;
  const first = await waitUntil(
    'a 12-h fit',
    async () => (await fits()).find((f) => f.status === 'ok'),
    60_000,
  );
  expect(hours(first.windowEndMs - first.windowStartMs)).toBeCloseTo(12, 6);

  const json = { 'content-type': 'application/json' };
  const bad = await service.get('/api/estimator-settings', {
    method: 'PUT',
    headers: json,
    body: JSON.stringify({ stepHours: 8, windowHours: 6 }),
  });
  expect(bad.status).toBe(400);
  const unknown = await service.get('/api/estimator-settings', {
    method: 'PUT',
    headers: json,
    body: JSON.stringify({ driftPerHour: 1 }),
  });
  expect(unknown.status).toBe(400);

  const put = await service.get<EstimatorSettingsView>('/api/estimator-settings', {
    method: 'PUT',
    headers: json,
    body: JSON.stringify({ windowHours: 6, stepHours: 2, forecastHours: 3 }),
  });
  expect(put.status).toBe(200);
  expect(put.body).toMatchObject({ windowHours: 6, stepHours: 2, forecastHours: 3, source: 'api' });
  // The answer comes once the old worker has finished its fit in hand: every fit after it is new.
  const changedAtMs = Date.now();
  const after = await waitUntil(
    'a fit with the new settings',
    async () => (await fits()).find((f) => f.status === 'ok' && f.fittedAtMs > changedAtMs),
    60_000,
  );
  expect(hours(after.windowEndMs - after.windowStartMs)).toBeCloseTo(6, 6);
  expect(after.coldStart).toBe(true);
  const forecast = after.forecast?.tMs ?? [];
  expect(hours(forecast[forecast.length - 1] - after.windowEndMs)).toBeCloseTo(3, 1);
  expect(service.logs().some((l) => l.msg === 'restarting the assimilator with new settings')).toBe(true);

  expect(await service.stop()).toBe(0);
  service = await start();
  const kept = await service.get<EstimatorSettingsView>('/api/estimator-settings');
  expect(kept.body).toMatchObject({ windowHours: 6, stepHours: 2, forecastHours: 3, source: 'api' });
}, 180_000);
