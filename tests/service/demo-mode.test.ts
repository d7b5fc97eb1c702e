/**
 * Demo mode as `npm start` runs it without MQTT_URL: the embedded broker, the simulator publishing
 * its reactors, fits coming in, and the demo controls steering the simulated plant.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type {
  AcceptedProgramView,
  ApiError,
  DemoActionResult,
  DemoStatus,
  FitRecord,
  ReactorSummary,
  ReadingSeries,
} from '../../contract/api';
import { freePort } from '../fixtures/mosquitto';
import { type ServiceProcess, startServiceProcess, waitUntil } from './service-harness';

let dir: string;
let service: ServiceProcess;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cw-demo-'));
  service = await startServiceProcess({
    DATABASE_PATH: join(dir, 'culturewatch.db'),
    MQTT_PORT: String(await freePort()),
    SIMULATOR: 'on',
    SIMULATOR_REACTORS: 'alpha,beta:satellite-shift',
    SIMULATOR_SPEED: '4',
    SIMULATOR_BACKFILL_DAYS: '0.75',
  });
}, 60_000);

afterAll(async () => {
  await service?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('runs the simulated plant through the embedded broker and fits it', async () => {
  const demo = await service.get<DemoStatus>('/api/demo');
  expect(demo.status).toBe(200);
  expect(demo.body).toEqual({ simulator: true, reactors: ['alpha', 'beta'], plantHoursPerSecond: 4 });
  const reactors = await waitUntil(
    'both reactors with an estimate',
    async () => {
      const r = await service.get<ReactorSummary[]>('/api/reactors');
      return r.body.length === 2 && r.body.every((x) => x.latestEstimate?.status === 'ok') ? r.body : false;
    },
    60_000,
    () => service.output().slice(-2000),
  );
  expect(reactors.map((r) => r.id)).toEqual(['alpha', 'beta']);
  for (const r of reactors) {
    expect(r.latest.od && r.latest.substrate && r.latest.dilution && r.latest.feed).toBeTruthy();
    expect(r.latestEstimate?.satelliteFraction?.value).toBeGreaterThan(0);
  }
  const fits = await service.get<FitRecord[]>('/api/reactors/alpha/estimates?trajectories=none');
  expect(fits.body.length).toBeGreaterThan(0);
});

it('steers the simulated plant from the demo controls', async () => {
  const post = (path: string, body: unknown) =>
    service.get<DemoActionResult & ApiError>(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const latestOd = (await service.get<ReactorSummary[]>('/api/reactors')).body[1].latest.od!.tsMs;
  const shift = await post('/api/demo/beta/satellite-shift', {});
  expect(shift.status).toBe(200);
  expect(shift.body).toMatchObject({ reactorId: 'beta', action: 'satellite-shift' });
  // From the plant's next reading not yet simulated: at most an hour or so past what was published.
  expect(shift.body.atMs).toBeGreaterThan(latestOd);
  expect(shift.body.atMs - latestOd).toBeLessThan(3 * 3_600_000);

  const dilution = await post('/api/demo/alpha/dilution', { perHour: 0.2 });
  expect(dilution.status).toBe(200);
  expect(dilution.body.action).toBe('dilution');
  const yieldShift = await post('/api/demo/alpha/yield-shift', {});
  expect(yieldShift.status).toBe(200);
  expect(yieldShift.body).toMatchObject({ reactorId: 'alpha', action: 'yield-shift' });
  expect((await post('/api/demo/alpha/yield-shift', { factor: 2 })).status).toBe(400);
  const fault = await post('/api/demo/alpha/fault', { kind: 'spike', durationHours: 1 });
  expect(fault.status).toBe(200);
  expect(fault.body.action).toBe('fault');

  expect((await post('/api/demo/alpha/dilution', { perHour: -1 })).status).toBe(400);
  expect((await post('/api/demo/alpha/dilution', { perHour: 'fast' })).status).toBe(400);
  expect((await post('/api/demo/alpha/fault', { kind: 'fire', durationHours: 1 })).status).toBe(400);
  expect((await post('/api/demo/alpha/satellite-shift', { factor: 2 })).status).toBe(400);
  expect((await post('/api/demo/gamma/satellite-shift', {})).status).toBe(404);
  const notJson = await service.get<ApiError>('/api/demo/alpha/dilution', {
    method: 'POST',
    body: '{perHour',
  });
  expect(notJson.status).toBe(400);
  expect(notJson.body.error).toBe('malformed body');
  expect((await service.get('/api/demo/alpha/dilution')).status).toBe(405);
});

it('runs an accepted dilution program in the simulated plant, from its next reading', async () => {
  // One hour up, one back, by 0.0125 1/h each 15 min: inside 0.05 1/h per h.
  const perHour = [0.24, 0.2525, 0.265, 0.2775, 0.29, 0.2775, 0.265, 0.2525, 0.24];
  const program = {
    shape: 'ramps',
    periodH: 2,
    lowPerHour: 0.24,
    highPerHour: 0.29,
    startMs: 0,
    gridH: 0.25,
    perHour,
    durationH: 2,
  };
  const limits = { minPerHour: 0.18, maxPerHour: 0.32, maxChangePerHour: 0.05, maxDurationH: 24 };
  const before = await waitUntil(
    'a dilution reading',
    async () => (await service.get<ReactorSummary[]>('/api/reactors')).body[0]?.latest.dilution?.tsMs,
    30_000,
  );
  const accepted = await service.get<AcceptedProgramView>('/api/reactors/alpha/dilution-programs', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ program, limits, summary: 'a test ramp' }),
  });
  expect(accepted.status).toBe(201);
  expect(accepted.body.appliedBy).toBe('simulator');
  // Not in the past: from the simulated plant's next reading.
  expect(accepted.body.startMs).toBeGreaterThan(before);
  const { startMs, endMs } = accepted.body;
  let last: unknown;
  const series = await waitUntil(
    'the program’s dilution readings',
    async () => {
      const r = await service.get<ReadingSeries>(
        `/api/reactors/alpha/readings?signal=dilution&from=${startMs}&to=${endMs + 1}`,
      );
      last = r.body;
      return r.body.tMs?.length === perHour.length && r.body;
    },
    30_000,
    () => ({ accepted: accepted.body, last }),
  );
  expect(series.tMs).toEqual(perHour.map((_, k) => startMs + k * 900_000));
  // The first reading's dilution was already under way; every later one is the program's set point.
  for (let k = 1; k < perHour.length; k++) expect(series.value[k]).toBeCloseTo(perHour[k], 9);
});
