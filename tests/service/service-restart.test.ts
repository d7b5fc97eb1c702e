/**
 * The service stops and starts again on the same database: each reactor's estimator chain is
 * restored, and the next fit continues from the stored prior — warm, at the next window, without
 * fitting the history again from scratch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FitRecord } from '../../contract/api';
import { defaultPlantEpochMs } from '../../simulator/live-publisher';
import { generatePlantHistory } from '../../simulator/plant-history';
import { type Mosquitto, startMosquitto } from '../fixtures/mosquitto';
import { publishHistory, type ServiceProcess, startServiceProcess, waitUntil } from './service-harness';

const hourMs = 3_600_000;
const history = generatePlantHistory({ scenario: 'steady', days: 40 / 24, seed: 11 });
const plantEpochMs = defaultPlantEpochMs(Date.now());
const firstPart = history.samples.filter((s) => s.timeH <= 30);
const secondPart = history.samples.filter((s) => s.timeH > 30);

let mosquitto: Mosquitto;
let dir: string;
let service: ServiceProcess | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cw-service-restart-'));
  mosquitto = await startMosquitto();
});

afterAll(async () => {
  await service?.stop();
  await mosquitto?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function start(): Promise<ServiceProcess> {
  return startServiceProcess({
    DATABASE_PATH: join(dir, 'culturewatch.db'),
    MQTT_URL: mosquitto.url,
    MQTT_PROTOCOL: '5',
    MQTT_CLIENT_ID: 'cw-restart-ingester',
  });
}

/** Waits until the fits' windows end at every hour from 12 h up to (not including) `newestH`. */
async function fitsUpTo(s: ServiceProcess, newestH: number): Promise<FitRecord[]> {
  const windows = newestH - 12;
  return waitUntil(
    `windows ending before ${newestH} h`,
    async () => {
      const health = await s.get<{ worker: { queueDepth: number } }>('/healthz');
      const fits = await s.get<FitRecord[]>('/api/reactors/r1/estimates?trajectories=none');
      if (fits.status !== 200 || health.body.worker.queueDepth !== 0) return false;
      return new Set(fits.body.map((f) => f.windowEndMs)).size === windows ? fits.body : false;
    },
    60_000,
    () => s.output().slice(-2000),
  );
}

it('continues each reactor’s chain after a restart instead of starting cold', async () => {
  service = await start();
  await publishHistory(mosquitto.url, 'r1', firstPart, plantEpochMs);
  const before = await fitsUpTo(service, 30);
  expect(before).toHaveLength(18);
  expect(before[0].coldStart).toBe(true);
  const coldIterations = before[0].iterations;
  expect(await service.stop()).toBe(0);

  service = await start();
  const ready = service.logs().find((l) => l.msg === 'assimilator ready');
  expect(ready?.restoredChains).toBe(1);
  // Nothing new to fit until new readings come.
  const idle = await service.get<FitRecord[]>('/api/reactors/r1/estimates?trajectories=none');
  expect(idle.body).toHaveLength(18);

  await publishHistory(mosquitto.url, 'r1', secondPart, plantEpochMs);
  const after = await fitsUpTo(service, 40);
  // Ten new windows (ends 30 … 39 h), and no window fitted twice: the history is not refitted.
  expect(after).toHaveLength(18 + 10);
  expect(after.slice(0, 18)).toEqual(before);
  const added = after.slice(18);
  expect(added.map((f) => (f.windowStartMs - plantEpochMs) / hourMs)).toEqual(
    Array.from({ length: 10 }, (_, k) => 18 + k),
  );
  for (const fit of added) {
    expect(fit.status).toBe('ok');
    expect(fit.coldStart).toBe(false);
    expect(fit.refit).toBe(false);
  }
  // Warm: the first fit after the restart starts from the carried prior and converges quickly.
  expect(added[0].iterations).toBeLessThan(Math.max(10, coldIterations / 2));
  // And it agrees with the chain: the composition moves smoothly across the restart.
  const lastBefore = before.at(-1)!.composition!.satellite_fraction;
  const firstAfter = added[0].composition!.satellite_fraction;
  expect(Math.abs(firstAfter.value - lastBefore.value)).toBeLessThan(
    4 * Math.max(lastBefore.sd, firstAfter.sd),
  );
}, 120_000);
