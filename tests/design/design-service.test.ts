/**
 * Experiment design in the running service (`node --import tsx server.ts`, simulator off) reading a
 * real mosquitto, fed 18 plant-hours of a plant with no assays: the advice from the newest fit's
 * posterior, its validation, an accepted program recorded (who, when) and published retained on
 * `culturewatch/<reactor>/$dilution-program` for the plant's control system, a program outside its
 * limits refused and never published, and an assay entered by hand refitting the windows it falls in.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AcceptedProgramView,
  AcceptProgramRequest,
  ApiError,
  AssayEntryView,
  DesignAdviceView,
  FitRecord,
} from '../../contract/api';
import type { DilutionProgramMessage } from '../../contract/mqtt';
import { defaultPlantEpochMs } from '../../simulator/live-publisher';
import { generatePlantHistory } from '../../simulator/plant-history';
import { type Mosquitto, startMosquitto } from '../fixtures/mosquitto';
import {
  publishHistory,
  type ServiceProcess,
  startServiceProcess,
  waitUntil,
} from '../service/service-harness';

const hourMs = 3_600_000;
const history = generatePlantHistory({ scenario: 'steady', days: 0.75, seed: 11, assays: false });
const plantEpochMs = defaultPlantEpochMs(Date.now());
const tsOf = (timeH: number) => Math.round(plantEpochMs + timeH * hourMs);
/** Windows of 12 h every hour ending before the newest reading (18 h): ends 12 … 17. */
const expectedWindows = 6;
const topic = 'culturewatch/r1/$dilution-program';

let mosquitto: Mosquitto;
let service: ServiceProcess;
let dir: string;

const send = <T>(path: string, method: string, body: unknown) =>
  service.get<T>(path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

async function fitsDone(count: (fits: FitRecord[]) => boolean): Promise<FitRecord[]> {
  return waitUntil(
    'the windows fitted',
    async () => {
      const health = await service.get<{ worker: { queueDepth: number } }>('/healthz');
      const fits = await service.get<FitRecord[]>('/api/reactors/r1/estimates');
      return fits.status === 200 && health.body.worker.queueDepth === 0 && count(fits.body) && fits.body;
    },
    120_000,
    () => service.output().slice(-3000),
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cw-design-'));
  mosquitto = await startMosquitto();
  service = await startServiceProcess({
    DATABASE_PATH: join(dir, 'culturewatch.db'),
    MQTT_URL: mosquitto.url,
    MQTT_PROTOCOL: '5',
    MQTT_CLIENT_ID: 'cw-design-ingester',
  });
  await publishHistory(mosquitto.url, 'r1', history.samples, plantEpochMs);
  await fitsDone((fits) => new Set(fits.map((f) => f.windowEndMs)).size === expectedWindows);
}, 180_000);

afterAll(async () => {
  await service?.stop();
  await mosquitto?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let advice: DesignAdviceView;
const limits = { minPerHour: 0.18, maxPerHour: 0.32, maxChangePerHour: 0.05, maxDurationH: 24 };

describe('experiment design in the service', () => {
  it('ranks actions from the newest fit’s posterior, each program inside the limits asked for', async () => {
    const q = new URLSearchParams({
      horizonH: '24',
      targets: 'gB/vB,satellite_fraction',
      minPerHour: String(limits.minPerHour),
      maxPerHour: String(limits.maxPerHour),
      maxChangePerHour: String(limits.maxChangePerHour),
    });
    const response = await service.get<DesignAdviceView>(`/api/reactors/r1/design?${q}`);
    expect(response.status).toBe(200);
    advice = response.body;
    const fits = await service.get<FitRecord[]>('/api/reactors/r1/estimates?trajectories=none');
    const newest = fits.body.filter((f) => f.status === 'ok').at(-1)!;
    expect(advice.fitId).toBe(newest.id);
    expect(advice.atMs).toBe(newest.windowEndMs);
    expect(advice.targets).toEqual(['gB/vB', 'satellite_fraction']);
    expect(advice.criterion).toMatch(/A-optimal/);
    expect(advice.actions.map((a) => a.rank)).toEqual(advice.actions.map((_, k) => k + 1));
    const scores = advice.actions.map((a) => a.score);
    expect(scores).toEqual([...scores].sort((a, b) => a - b));
    expect(new Set(advice.actions.map((a) => a.kind))).toEqual(
      new Set(['hold', 'dilution-program', 'assay']),
    );
    // Assays of B are offered (B is never measured here), and each action has both bands per target.
    expect(advice.actions.some((a) => a.assay?.signal === 'B')).toBe(true);
    for (const action of advice.actions) {
      expect(action.bands.map((b) => b.target)).toEqual(advice.targets);
      for (const b of action.bands) {
        expect(b.today.lower95).toBeLessThan(b.today.upper95);
        expect(b.afterHorizon.lower95).toBeLessThan(b.afterHorizon.upper95);
      }
    }
    for (const action of advice.actions.filter((a) => a.kind === 'dilution-program')) {
      const { perHour, gridH } = action.program;
      expect(Math.min(...perHour)).toBeGreaterThanOrEqual(limits.minPerHour - 1e-9);
      expect(Math.max(...perHour)).toBeLessThanOrEqual(limits.maxPerHour + 1e-9);
      for (let k = 1; k < perHour.length; k++)
        expect(Math.abs(perHour[k] - perHour[k - 1])).toBeLessThanOrEqual(
          limits.maxChangePerHour * gridH + 1e-9,
        );
      expect(action.program.durationH).toBeLessThanOrEqual(limits.maxDurationH);
      expect(action.cost.withinLimits).toBe(true);
    }
  });

  it('refuses bad advice requests with a reason', async () => {
    const bad = async (query: string, status = 400) => {
      const r = await service.get<ApiError>(`/api/reactors/r1/design?${query}`);
      expect(r.status, query).toBe(status);
      return r.body;
    };
    expect((await bad('horizonH=soon')).detail).toMatch(/horizonH/);
    expect((await bad('horizonH=-3')).detail).toMatch(/horizonH/);
    expect((await bad('colour=red')).detail).toMatch(/colour/);
    expect((await bad('minPerHour=0.3&maxPerHour=0.2')).detail).toMatch(/highest dilution must be above/);
    expect((await bad('targets=happiness')).detail).toMatch(/unknown target "happiness"/);
    expect((await service.get<ApiError>('/api/reactors/nobody/design')).status).toBe(404);
  });

  it('records an accepted program with who and when, and publishes it retained for the plant', async () => {
    const chosen = advice.actions.find((a) => a.kind === 'dilution-program')!;
    const before = Date.now();
    const accept = await send<AcceptedProgramView>('/api/reactors/r1/dilution-programs', 'POST', {
      program: chosen.program,
      limits: advice.limits,
      summary: chosen.summary,
    } satisfies AcceptProgramRequest);
    expect(accept.status).toBe(201);
    const accepted = accept.body;
    expect(accepted.acceptedBy).toBe('operator');
    expect(accepted.acceptedAtMs).toBeGreaterThanOrEqual(before);
    expect(accepted.appliedBy).toBe('mqtt');
    // Designed from the last window's end, it runs from when it was accepted, its shape kept.
    expect(accepted.startMs).toBeGreaterThanOrEqual(before);
    expect(accepted.program.perHour).toEqual(chosen.program.perHour);
    expect(accepted.endMs - accepted.startMs).toBe(Math.round(chosen.program.durationH * hourMs));

    const listed = await service.get<AcceptedProgramView[]>('/api/reactors/r1/dilution-programs');
    expect(listed.body).toEqual([accepted]);

    // Retained: a control system that connects afterwards learns the program in force.
    const client = await mqtt.connectAsync(mosquitto.url, { protocolVersion: 5, clean: true });
    try {
      const message = new Promise<{ body: DilutionProgramMessage; retain: boolean }>((resolve) =>
        client.on('message', (_t, payload, packet) =>
          resolve({ body: JSON.parse(payload.toString()), retain: packet.retain }),
        ),
      );
      await client.subscribeAsync(topic, { qos: 1 });
      const { body, retain } = await message;
      expect(retain).toBe(true);
      expect(body).toMatchObject({
        reactorId: 'r1',
        programId: accepted.id,
        acceptedBy: 'operator',
        startMs: accepted.startMs,
        endMs: accepted.endMs,
        limits: advice.limits,
        summary: chosen.summary,
      });
      expect(body.setPoints.map((p) => p.perHour)).toEqual(chosen.program.perHour);
      expect(body.setPoints[0].tMs).toBe(accepted.startMs);
      expect(body.setPoints.at(-1)!.tMs).toBe(accepted.endMs);
    } finally {
      await client.endAsync();
    }
  });

  it('refuses a program outside its limits: nothing recorded, nothing published', async () => {
    const client = await mqtt.connectAsync(mosquitto.url, { protocolVersion: 5, clean: true });
    const ids: number[] = [];
    client.on('message', (_t, payload) =>
      ids.push((JSON.parse(payload.toString()) as DilutionProgramMessage).programId),
    );
    await client.subscribeAsync(topic, { qos: 1 });
    const chosen = advice.actions.find((a) => a.kind === 'dilution-program')!;
    const tooFast = chosen.program.perHour.map((_, k) => (k % 2 ? limits.maxPerHour : limits.minPerHour));
    tooFast[tooFast.length - 1] = tooFast[0];
    const cases: unknown[] = [
      { program: { ...chosen.program, perHour: tooFast }, limits: advice.limits, summary: 'too fast' },
      {
        program: { ...chosen.program, perHour: chosen.program.perHour.map(() => 0.5) },
        limits: advice.limits,
        summary: 'too high',
      },
      { program: chosen.program, limits: { ...advice.limits, maxPerHour: 0.1 }, summary: 'limits inverted' },
      { program: { ...chosen.program, perHour: [] }, limits: advice.limits, summary: 'empty' },
      { program: chosen.program, summary: 'no limits' },
    ];
    for (const body of cases) {
      const r = await send<ApiError>('/api/reactors/r1/dilution-programs', 'POST', body);
      expect(r.status, JSON.stringify(body).slice(-40)).toBe(400);
      expect(r.body.detail).toBeTruthy();
    }
    const listed = await service.get<AcceptedProgramView[]>('/api/reactors/r1/dilution-programs');
    expect(listed.body).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 300));
    await client.endAsync();
    // Only the retained program accepted before came.
    expect(ids).toEqual([listed.body[0].id]);
  });

  it('takes an assay entered by hand into the fits of the windows it falls in', async () => {
    const sampledAtMs = tsOf(15);
    const refused = async () => {
      const text = (await service.get<string>('/metrics')).body;
      const count = (reason: string) =>
        Number(
          text.match(
            new RegExp(`^culturewatch_readings_rejected_total\\{reason="${reason}"\\} (\\d+)`, 'm'),
          )?.[1] ?? 0,
        );
      return {
        order: count('assay-measured-before-sampled'),
        range: count('value-out-of-range'),
        signal: count('signal-unknown'),
        twice: count('assay-already-recorded'),
      };
    };
    const before = await refused();
    const bad = await send<ApiError>('/api/reactors/r1/assays', 'POST', {
      signal: 'B',
      value: 0.02,
      sampledAt: sampledAtMs,
      measuredAt: sampledAtMs - hourMs,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('assay-measured-before-sampled');
    expect(
      (
        await send<ApiError>('/api/reactors/r1/assays', 'POST', {
          signal: 'B',
          value: -10,
          sampledAt: sampledAtMs,
          measuredAt: sampledAtMs,
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await send<ApiError>('/api/reactors/r1/assays', 'POST', {
          signal: 'Z',
          value: 1,
          sampledAt: sampledAtMs,
          measuredAt: sampledAtMs,
        })
      ).status,
    ).toBe(400);

    const truthB = history.truth.states.B[history.truth.timeH.findIndex((t) => Math.abs(t - 15) < 1e-9)];
    const entry = await send<AssayEntryView>('/api/reactors/r1/assays', 'POST', {
      signal: 'B',
      value: truthB,
      sampledAt: new Date(sampledAtMs).toISOString(),
      measuredAt: sampledAtMs + 4 * hourMs,
    });
    expect(entry.status).toBe(201);
    expect(entry.body).toMatchObject({ signal: 'B', value: truthB, sampledAtMs, enteredBy: 'operator' });
    // The same sample again (a typo's correction, or a second click) would be a reading the store
    // ignores as a duplicate: refused, and nothing recorded.
    const again = await send<ApiError>('/api/reactors/r1/assays', 'POST', {
      signal: 'B',
      value: truthB * 1.5,
      sampledAt: sampledAtMs,
      measuredAt: sampledAtMs + 5 * hourMs,
    });
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('assay-already-recorded');
    const listed = await service.get<AssayEntryView[]>('/api/reactors/r1/assays');
    expect(listed.body).toEqual([entry.body]);
    // Each refusal counted by its reason in /metrics, beside the readings refused over MQTT.
    await waitUntil(
      'the refusals counted',
      async () => {
        const after = await refused();
        return (
          after.order === before.order + 1 &&
          after.range >= before.range + 1 &&
          after.signal === before.signal + 1 &&
          after.twice === before.twice + 1
        );
      },
      10_000,
    );

    // The windows ending 15, 16 and 17 h hold it: each is refitted with a residual of B at its time.
    const hasB = (f: FitRecord) =>
      f.residuals?.tMs.some((t, k) => t === sampledAtMs && f.residuals!.signal[k] === 'B') ?? false;
    const fits = await fitsDone((all) => all.filter((f) => f.refit && hasB(f)).length >= 3);
    const withB = fits.filter(hasB);
    expect(new Set(withB.map((f) => f.windowEndMs))).toEqual(new Set([tsOf(15), tsOf(16), tsOf(17)]));
    expect(withB.every((f) => f.refit)).toBe(true);
    // Before the entry, no fit saw B at all.
    expect(fits.filter((f) => !f.refit).some((f) => f.residuals?.signal.includes('B'))).toBe(false);
  }, 150_000);
});
