/**
 * End to end, as deployed: the service (`node --import tsx server.ts`) on a temporary database with
 * the simulator off, reading a real mosquitto, fed 1.5 plant-days of a simulated plant. Checks the
 * readings in the API, the fits with parameters, uncertainties and composition, socket.io delivery,
 * the retained `$estimate`, the window file, the CSV, bad requests, and a graceful stop.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError, FitRecord, ReactorSummary, ReadingSeries } from '../../contract/api';
import type { EstimateMessage } from '../../contract/mqtt';
import { fitCommand } from '../../server/cli/fit-command';
import { defaultPlantEpochMs } from '../../simulator/live-publisher';
import { generatePlantHistory } from '../../simulator/plant-history';
import { type Mosquitto, startMosquitto } from '../fixtures/mosquitto';
import {
  listenToReactor,
  publishHistory,
  type RoomListener,
  type ServiceProcess,
  startServiceProcess,
  waitUntil,
} from './service-harness';

const hourMs = 3_600_000;
const days = 1.5;
const history = generatePlantHistory({ scenario: 'steady', days, seed: 7, assays: true });
const plantEpochMs = defaultPlantEpochMs(Date.now());
const tsOf = (timeH: number) => Math.round(plantEpochMs + timeH * hourMs);
/** Windows of 12 h every hour whose end lies before the newest reading (36 h): ends 12 … 35. */
const expectedWindows = 24;

let mosquitto: Mosquitto;
let service: ServiceProcess;
let listener: RoomListener;
let dir: string;
let published = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cw-service-e2e-'));
  mosquitto = await startMosquitto();
  service = await startServiceProcess({
    DATABASE_PATH: join(dir, 'culturewatch.db'),
    MQTT_URL: mosquitto.url,
    MQTT_PROTOCOL: '5',
    MQTT_CLIENT_ID: 'cw-e2e-ingester',
  });
  listener = await listenToReactor(service.url, 'r1');
  published = await publishHistory(mosquitto.url, 'r1', history.samples, plantEpochMs);
  // Every window fitted, nothing left in the assimilator's queue.
  await waitUntil(
    'every window fitted',
    async () => {
      const health = await service.get<{ worker: { queueDepth: number } }>('/healthz');
      const fits = await service.get<FitRecord[]>('/api/reactors/r1/estimates?trajectories=none');
      if (fits.status !== 200) return false;
      const ends = new Set(fits.body.map((f) => f.windowEndMs));
      return health.body.worker.queueDepth === 0 && ends.size === expectedWindows;
    },
    90_000,
    () => service.output().slice(-3000),
  );
}, 120_000);

afterAll(async () => {
  listener?.close();
  await service?.stop();
  await mosquitto?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the live service, end to end', () => {
  it('stores every published reading and serves it, raw and downsampled', async () => {
    expect(published).toBe(history.samples.length);
    const od = history.samples.filter((s) => s.signal === 'od');
    const raw = await service.get<ReadingSeries>('/api/reactors/r1/readings?signal=od');
    expect(raw.status).toBe(200);
    expect(raw.body.source).toBe('raw');
    expect(raw.body.rawCount).toBe(od.length);
    expect(raw.body.tMs).toEqual(od.map((s) => tsOf(s.timeH)));
    expect(raw.body.value).toEqual(od.map((s) => s.value));

    const from = new Date(tsOf(6)).toISOString();
    const to = new Date(tsOf(30)).toISOString();
    const lttb = await service.get<ReadingSeries>(
      `/api/reactors/r1/readings?signal=od&from=${from}&to=${to}&maxPoints=20`,
    );
    expect(lttb.status).toBe(200);
    expect(lttb.body.source).toBe('lttb');
    expect(lttb.body.tMs).toHaveLength(20);
    expect(lttb.body.rawCount).toBe(24 * 4);
    expect(lttb.body.tMs[0]).toBe(tsOf(6));
    expect(lttb.body.tMs[19]).toBe(tsOf(29.75));

    const dilution = await service.get<ReadingSeries>(
      `/api/reactors/r1/readings?signal=dilution&to=${tsOf(1)}`,
    );
    expect(dilution.body.value).toEqual(
      history.samples.filter((s) => s.signal === 'D' && s.timeH < 1).map((s) => s.value),
    );

    const reactors = await service.get<ReactorSummary[]>('/api/reactors');
    expect(reactors.body.map((r) => r.id)).toEqual(['r1']);
    const r1 = reactors.body[0];
    expect(r1.firstReadingMs).toBe(tsOf(0));
    expect(r1.latest.od?.tsMs).toBe(tsOf(36));
    expect(r1.latest['assay/Y']?.tsMs).toBe(tsOf(24));
    expect(r1.latestEstimate?.status).toBe('ok');
    expect(r1.alert.level).toBe('ok');
  });

  it('fits every window, with parameters, standard deviations, identifiability and composition', async () => {
    const { status, body: fits } = await service.get<FitRecord[]>('/api/reactors/r1/estimates');
    expect(status).toBe(200);
    expect(fits[0].coldStart).toBe(true);
    // Only the first window starts from the broad prior (again, if a late assay refits it).
    expect(fits.filter((f) => f.coldStart).every((f) => f.windowStartMs === tsOf(0))).toBe(true);
    expect(fits.filter((f) => f.windowStartMs > tsOf(0)).every((f) => !f.coldStart)).toBe(true);
    // The newest fit of each window (a late assay refits a window) succeeded.
    const newestByWindow = new Map<number, FitRecord>();
    for (const f of fits) newestByWindow.set(f.windowEndMs, f);
    expect([...newestByWindow.keys()]).toEqual(
      Array.from({ length: expectedWindows }, (_, k) => tsOf(12 + k)),
    );
    for (const fit of newestByWindow.values()) {
      expect(fit.status, `${fit.id}: ${fit.reason} ${fit.detail}`).toBe('ok');
      expect(fit.windowEndMs - fit.windowStartMs).toBe(12 * hourMs);
      expect(Number.isFinite(fit.loss)).toBe(true);
      expect(fit.iterations).toBeGreaterThanOrEqual(0);
      expect(fit.durationMs).toBeGreaterThan(0);
      expect(Object.keys(fit.params ?? {}).sort()).toEqual(
        ['IA', 'IB', 'KA', 'KB', 'gA', 'gB', 'muAmax', 'muBmax', 'vA', 'vB'].sort(),
      );
      for (const [name, p] of Object.entries(fit.params ?? {})) {
        expect(p.sdLog, name).toBeGreaterThan(0);
        expect(Number.isFinite(p.sdLogData), name).toBe(true);
        expect(p.lower95).toBeLessThan(p.value);
        expect(p.upper95).toBeGreaterThan(p.value);
        expect(typeof p.determined).toBe('boolean');
        // The prior's width is stored beside the band: a parameter the data did not narrow keeps it.
        expect(p.priorSdLog, name).toBeGreaterThan(0);
        if (!p.determined) expect(p.sdLog, name).toBeLessThanOrEqual(1.01 * (p.priorSdLog ?? 0));
      }
      expect(fit.fixed).toEqual({ mu0: 0.3, Ks: 1, gamma: 1, S0: 100 });
      for (const q of ['X', 'Y', 'A', 'B', 'satellite_fraction'] as const) {
        const c = fit.composition?.[q];
        expect(Number.isFinite(c?.value) && Number.isFinite(c?.sd) && (c?.sd ?? 0) > 0, q).toBe(true);
        // Bands in log (logit) space: never below zero, around the value, not symmetric.
        expect(c?.lower95, q).toBeGreaterThan(0);
        expect(c?.lower95, q).toBeLessThan(c?.value ?? 0);
        expect(c?.upper95, q).toBeGreaterThan(c?.value ?? 0);
      }
      expect(fit.composition?.satellite_fraction.upper95).toBeLessThan(1);
      // The model's named combinations, each with its band.
      expect(fit.combinations?.map((c) => c.name)).toEqual(['gB/vB', 'gA/vA', 'KB/IB', 'KA/IA']);
      for (const c of fit.combinations ?? []) {
        expect(c.lower95).toBeLessThan(c.value);
        expect(c.upper95).toBeGreaterThan(c.value);
        expect(c.meaning?.length).toBeGreaterThan(20);
      }
      for (const key of ['od', 'X', 'B']) {
        expect(
          fit.forecast?.lower?.[key].every((v, i) => v > 0 && v < (fit.forecast?.series[key][i] ?? 0)),
        ).toBe(true);
      }
      expect(fit.trajectory?.tMs).toHaveLength(49);
      expect(fit.forecast?.tMs).toHaveLength(24);
      expect(fit.forecast?.sd?.od.every((sd) => sd > 0)).toBe(true);
      expect(fit.residuals?.value.length).toBeGreaterThan(2 * 48);
      const values = fit.residuals?.value ?? [];
      expect(fit.residualSummary?.count).toBe(values.length);
      expect(fit.residualSummary?.rms).toBeCloseTo(
        Math.sqrt(values.reduce((a, v) => a + v * v, 0) / values.length),
        9,
      );
      expect(fit.residualSummary?.maxAbs).toBe(Math.max(...values.map(Math.abs)));
      expect(fit.residualSummary?.large.value).toEqual(values.filter((v) => Math.abs(v) > 3));
    }
    const last = [...newestByWindow.values()].at(-1)!;
    // The satellite fraction near the truth at the window end (about 1 %), with a band that says so.
    const truthIndex = history.truth.timeH.indexOf(35);
    const truth = history.truth.satelliteFraction[truthIndex];
    const sf = last.composition!.satellite_fraction;
    expect(Math.abs(sf.value - truth)).toBeLessThan(Math.max(4 * sf.sd, 0.2 * truth));
    // Most single parameters are not determined by od and substrate alone (spec §1), combinations are.
    expect(Object.values(last.params ?? {}).filter((p) => !p.determined).length).toBeGreaterThan(5);
    expect(last.combinations?.length).toBeGreaterThan(0);

    const noTrajectories = await service.get<FitRecord[]>('/api/reactors/r1/estimates?trajectories=latest');
    expect(noTrajectories.body.at(-1)?.trajectory).not.toBeNull();
    expect(noTrajectories.body[0].trajectory).toBeNull();
    expect(noTrajectories.body[0].params).toEqual(fits[0].params);
    expect(noTrajectories.body[0].residuals).toBeNull();
    expect(noTrajectories.body[0].residualSummary).toEqual(fits[0].residualSummary);
  });

  it('pushes readings (batched) and every estimate to a socket.io client in the reactor’s room', async () => {
    const stored = history.samples.length;
    await waitUntil(
      'every reading over socket.io',
      async () => listener.batches.reduce((n, b) => n + b.batch.readings.length, 0) >= stored,
      10_000,
      () => listener.batches.length,
    );
    const received = listener.batches.flatMap((b) => b.batch.readings);
    expect(received).toHaveLength(stored);
    expect(new Set(received.map((r) => `${r.signal}@${r.tsMs}`)).size).toBe(stored);
    // At most one batch per 250 ms, as the client sees them: one batch delivered late (a busy loop on
    // either side) makes the next gap short, so the gaps are held to 250 ms on average (timers may fire
    // a little early) and none to less than half of it.
    const gaps = listener.batches.slice(1).map((b, i) => b.atMs - listener.batches[i].atMs);
    if (gaps.length > 0) {
      expect(gaps.reduce((sum, gap) => sum + gap, 0) / gaps.length).toBeGreaterThanOrEqual(240);
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(125);
    }
    const fits = (await service.get<FitRecord[]>('/api/reactors/r1/estimates')).body;
    await waitUntil('every estimate', async () => listener.estimates.length >= fits.length, 10_000);
    expect(listener.estimates.map((f) => f.id)).toEqual(fits.map((f) => f.id));
    // The pushed record is the one the API serves.
    expect(listener.estimates.at(-1)).toEqual(fits.at(-1));
  });

  it('keeps the latest estimate retained on culturewatch/<reactor>/$estimate', async () => {
    const fits = (await service.get<FitRecord[]>('/api/reactors/r1/estimates?trajectories=none')).body;
    const latestOk = fits.filter((f) => f.status === 'ok').reduce((a, b) => (b.id > a.id ? b : a));
    const client = await mqtt.connectAsync(mosquitto.url, { protocolVersion: 5, clean: true });
    try {
      const message = new Promise<{ payload: Buffer; retain: boolean }>((resolve) =>
        client.on('message', (_topic, payload, packet) => resolve({ payload, retain: packet.retain })),
      );
      await client.subscribeAsync('culturewatch/r1/$estimate', { qos: 1 });
      const { payload, retain } = await message;
      expect(retain).toBe(true);
      const estimate = JSON.parse(payload.toString()) as EstimateMessage;
      expect(estimate.fitId).toBe(latestOk.id);
      expect(estimate.reactorId).toBe('r1');
      expect(estimate.composition).toEqual(latestOk.composition);
      expect(estimate.composition.B.lower95).toBeGreaterThan(0);
      expect(estimate.combinations).toEqual(latestOk.combinations);
      expect(estimate.combinations.find((c) => c.name === 'gB/vB')?.upper95).toBeGreaterThan(0);
      expect(estimate.satelliteFraction.lower95).toBeLessThan(estimate.satelliteFraction.value);
      expect(estimate.params.gB.sdLog).toBeGreaterThan(0);
    } finally {
      await client.endAsync();
    }
  });

  it('serves each fit’s window as a window-problem file that `culturewatch fit` replays', async () => {
    const fits = (await service.get<FitRecord[]>('/api/reactors/r1/estimates?trajectories=none')).body;
    const fit = fits.at(-1)!;
    const file = await service.get<string>(`/api/reactors/r1/fits/${fit.id}/window`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toContain(`r1-fit-${fit.id}-window.json`);
    const window = typeof file.body === 'string' ? JSON.parse(file.body) : file.body;
    expect(window.model).toBe('chemostat-satellite');
    expect(window.t0).toBeCloseTo(fit.windowStartH, 9);
    const path = join(dir, 'window.json');
    writeFileSync(path, JSON.stringify(window));
    const replay = fitCommand([path]) as {
      status: string;
      composition: { satellite_fraction: { value: number } };
    };
    expect(replay.status).toBe('ok');
    const live = fit.composition!.satellite_fraction.value;
    expect(Math.abs(replay.composition.satellite_fraction.value - live) / live).toBeLessThan(0.1);
  });

  it('exports readings and estimates as one wide CSV', async () => {
    const csv = await service.get<string>('/api/reactors/r1/export.csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = csv.body.trim().split('\n');
    const header = lines[0].split(',');
    expect(header.slice(0, 4)).toEqual(['time_iso', 'plant_hours', 'od', 'substrate']);
    expect(header).toContain('est_satellite_fraction');
    expect(header).toContain('gB_sd_log');
    // One row per reading time (every 15 min over 36 h); fits end on reading times.
    expect(lines).toHaveLength(1 + 145);
    const row12 = lines.find((l) => l.startsWith(new Date(tsOf(12)).toISOString()))!.split(',');
    expect(Number(row12[header.indexOf('od')])).toBe(
      history.samples.find((s) => s.signal === 'od' && s.timeH === 12)!.value,
    );
    expect(Number(row12[header.indexOf('est_satellite_fraction')])).toBeGreaterThan(0);
    // plant_hours counts from the reactor's first reading, as the charts do (not from 1970).
    const firstH = Math.min(...history.samples.filter((s) => s.signal === 'od').map((s) => s.timeH));
    expect(Number(row12[header.indexOf('plant_hours')])).toBeCloseTo(12 - firstH, 9);
    expect(Number(lines[1].split(',')[header.indexOf('plant_hours')])).toBe(0);
  });

  it('answers bad requests with a 4xx and a reason, never a 500', async () => {
    const cases: [string, number, RequestInit?][] = [
      ['/api/reactors/nope/readings?signal=od', 404],
      ['/api/reactors/bad%24id/readings?signal=od', 400],
      ['/api/reactors/r1/readings', 400],
      ['/api/reactors/r1/readings?signal=temperature', 400],
      ['/api/reactors/r1/readings?signal=od&from=yesterday', 400],
      ['/api/reactors/r1/readings?signal=od&from=2024-01-02T00:00:00Z&to=2024-01-01T00:00:00Z', 400],
      ['/api/reactors/r1/readings?signal=od&maxPoints=100000000000', 400],
      ['/api/reactors/r1/readings?signal=od&maxPoints=-5', 400],
      ['/api/reactors/r1/readings?signal=od&maxPoints=abc', 400],
      ['/api/reactors/r1/readings?signal=od&signal=substrate', 400],
      ['/api/reactors/r1/readings?signal=od&bogus=1', 400],
      ['/api/reactors/r1/readings?signal=od&from=1e400', 400],
      ['/api/reactors/r1/estimates?from=soon', 400],
      ['/api/reactors/r1/estimates?trajectories=some', 400],
      ['/api/reactors/r1/estimates?from=2024-01-02T00:00:00Z&to=2024-01-01T00:00:00Z', 400],
      ['/api/reactors/r1/fits/abc/window', 400],
      ['/api/reactors/r1/fits/99999999/window', 404],
      ['/api/reactors/r1/export.csv?to=never', 400],
      ['/api/reactors/%E0%A4%A/readings?signal=od', 400],
      ['/api/reactors?x=1', 400],
      ['/api/demo', 404],
      ['/api/demo/r1/satellite-shift', 404, { method: 'POST', body: '{}' }],
      ['/api/reactors', 405, { method: 'DELETE' }],
      ['/api/nothing-here', 404],
    ];
    for (const [path, expected, init] of cases) {
      const response = await service.get<ApiError>(path, init);
      expect(response.status, `${init?.method ?? 'GET'} ${path}: ${JSON.stringify(response.body)}`).toBe(
        expected,
      );
      expect(typeof response.body.error, path).toBe('string');
    }
    const inverted = await service.get<ApiError>(
      '/api/reactors/r1/readings?signal=od&from=2024-01-02T00:00:00Z&to=2024-01-01T00:00:00Z',
    );
    expect(inverted.body.error).toBe('inverted time range');
    const huge = await service.get<ApiError>('/api/reactors/r1/readings?signal=od&maxPoints=100000000000');
    expect(huge.body.detail).toContain('maxPoints');
  });

  it('reports health and Prometheus metrics', async () => {
    const health = await service.get<{ status: string; lastFitAgeSeconds: Record<string, number> }>(
      '/healthz',
    );
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    expect(health.body.lastFitAgeSeconds.r1).toBeGreaterThanOrEqual(0);
    const metrics = await service.get<string>('/metrics');
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics.body)?.[1]);
    expect(value('culturewatch_readings_accepted_total')).toBe(history.samples.length);
    expect(value('culturewatch_fits_total\\{status="ok"\\}')).toBeGreaterThanOrEqual(expectedWindows);
    expect(value('culturewatch_socket_clients')).toBe(1);
    expect(metrics.body).toMatch(/^culturewatch_fit_duration_seconds_count\{status="ok"\} \d+$/m);
  });

  it('stops gracefully on SIGTERM', async () => {
    listener.close();
    const code = await service.stop();
    expect(code).toBe(0);
    const messages = service.logs().map((l) => l.msg);
    expect(messages).toContain('assimilator stopped');
    expect(messages.at(-1)).toBe('stopped');
  });
});
