/**
 * Models per reactor: an operator gives reactor r2 a model file of its own while r1 keeps the
 * built-in one. r2's chain starts afresh with the new model, r1's goes on; every fit names the model
 * it came from, and r2's earlier fits keep the built-in's name and version.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { communityModel, formatModelFile } from '../../assimilation';
import type { DesignAdviceView, FitRecord, ReactorModelView } from '../../contract/api';
import { communityWith, seedLinks } from '../../simulator/community-plants';
import { freePort } from '../fixtures/mosquitto';
import { type ServiceProcess, startServiceProcess, waitUntil } from './service-harness';

const dir = mkdtempSync(join(tmpdir(), 'cw-reactor-models-'));
let service: ServiceProcess | undefined;

afterAll(async () => {
  await service?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The seed's mechanism written as a community (satellite Y1): a second model with other names. */
const communityFile = formatModelFile(
  communityModel(
    'seed-community',
    'The seed as a community of X and Y1',
    communityWith(['Y1'], ['A', 'B'], seedLinks),
  ),
);

it('runs a second model beside the first, each fit labelled with its model', async () => {
  service = await startServiceProcess({
    DATABASE_PATH: join(dir, 'culturewatch.db'),
    MQTT_PORT: String(await freePort()),
    SIMULATOR: 'on',
    SIMULATOR_REACTORS: 'r1,r2',
    SIMULATOR_SPEED: '2',
    SIMULATOR_BACKFILL_DAYS: '0.75',
  });
  const s = service;
  const fits = async (reactor: string) =>
    (await s.get<FitRecord[]>(`/api/reactors/${reactor}/estimates?trajectories=none`)).body;
  const firstOf = (reactor: string) =>
    waitUntil(
      `a fit of ${reactor}`,
      async () => (await fits(reactor)).find((f) => f.status === 'ok'),
      90_000,
    );
  const builtInFit = await firstOf('r2');
  const builtIn = (await s.get<ReactorModelView>('/api/reactors/r2/model')).body;
  expect(builtIn).toMatchObject({ name: 'chemostat-satellite', builtIn: true, setBy: null });
  expect(builtIn.version).toMatch(/^[0-9a-f]{16}$/);
  expect(builtIn.rates.X).toBeDefined();
  expect(builtInFit.model).toEqual({ version: builtIn.version, name: 'chemostat-satellite' });

  const put = (body: unknown) =>
    s.get<ReactorModelView & { detail?: string }>('/api/reactors/r2/model', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  // A broken file is refused with its line, and nothing changes.
  const broken = await put({ fileText: communityFile.replace('main: X', 'main: Q') });
  expect(broken.status).toBe(400);
  expect(JSON.stringify(broken.body)).toMatch(/line \d+/);
  expect((await s.get<ReactorModelView>('/api/reactors/r2/model')).body.builtIn).toBe(true);

  const changed = await put({ fileText: communityFile });
  expect(changed.status).toBe(200);
  expect(changed.body).toMatchObject({ name: 'seed-community', builtIn: false, fileText: communityFile });
  expect(changed.body.version).not.toBe(builtIn.version);
  expect(changed.body.states).toEqual(['S', 'X', 'Y1', 'A', 'B']);
  expect(changed.body.links?.filter((l) => !l.off)).toHaveLength(6);
  const changedAtMs = Date.now();

  const newFit = await waitUntil(
    'a fit of r2 with its new model',
    async () => (await fits('r2')).find((f) => f.status === 'ok' && f.fittedAtMs > changedAtMs),
    90_000,
  );
  expect(newFit.model).toEqual({ version: changed.body.version, name: 'seed-community' });
  expect(newFit.coldStart).toBe(true);
  expect(Object.keys(newFit.params ?? {})).toContain('muMax_Y1_B');
  for (const q of ['X', 'Y', 'A', 'B', 'satellite_fraction'])
    expect(newFit.composition?.[q]?.value, q).toBeGreaterThan(0);
  // r1 goes on with the built-in model beside it.
  const besideFit = await waitUntil(
    'a fit of r1 after the change',
    async () => (await fits('r1')).find((f) => f.status === 'ok' && f.fittedAtMs > changedAtMs),
    90_000,
  );
  expect(besideFit.model).toEqual({ version: builtIn.version, name: 'chemostat-satellite' });
  expect(Object.keys(besideFit.params ?? {})).toContain('muBmax');
  // r2's fits from before keep the model they came from.
  const old = (await fits('r2')).find((f) => f.id === builtInFit.id);
  expect(old?.model).toEqual({ version: builtIn.version, name: 'chemostat-satellite' });
  expect(s.logs().some((l) => l.msg === 'the reactor runs another model now; its chain starts afresh')).toBe(
    true,
  );
  // The experiment advisor works from each reactor's own model.
  const design = (reactor: string) =>
    s.get<DesignAdviceView & { detail?: string }>(
      `/api/reactors/${reactor}/design?horizonH=12&minPerHour=0.18&maxPerHour=0.32&maxChangePerHour=0.05`,
    );
  const [r1Advice, r2Advice] = await Promise.all([design('r1'), design('r2')]);
  expect(r1Advice.status, r1Advice.body.detail).toBe(200);
  expect(r1Advice.body.model).toBe('chemostat-satellite');
  expect(r2Advice.status, r2Advice.body.detail).toBe(200);
  expect(r2Advice.body.model).toBe('seed-community');
  expect(r2Advice.body.actions.length).toBeGreaterThan(1);
}, 300_000);
