/**
 * Structure refinement as a background job of the live service: a plant whose structure is the
 * seed's (satellite Y1 on A and B) is published through mosquitto; an operator starts a refinement
 * of a model with one link the plant lacks (X growing on A). The job refuses bad requests with a
 * reason (counted in /metrics), refuses a second start while one runs, shows its progress, and ends
 * with the spurious link removed, the log, the evidence and both fits. Adopting the proposed model
 * through the model's PUT changes the reactor's model: the next fits carry its label, the earlier
 * fits keep theirs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { communityModel, compileModel, formatModelFile, linkLabel, parseModelFile } from '../../assimilation';
import type { ApiError, FitRecord, ReactorModelView, RefinementView } from '../../contract/api';
import { communityWith, seedLinks } from '../../simulator/community-plants';
import { defaultPlantEpochMs } from '../../simulator/live-publisher';
import { generatePlantHistory } from '../../simulator/plant-history';
import { type Mosquitto, startMosquitto } from '../fixtures/mosquitto';
import { publishHistory, type ServiceProcess, startServiceProcess, waitUntil } from './service-harness';

const truth = compileModel(communityModel('seed', '', communityWith(['Y1'], ['A', 'B'], seedLinks)));
const history = generatePlantHistory({
  scenario: 'steady',
  days: 3,
  seed: 4,
  model: truth,
  assays: { everyH: 6 },
});
const plantedFile = formatModelFile(
  communityModel(
    'seed-planted',
    'the seed with X on A',
    communityWith(['Y1'], ['A', 'B'], { ...seedLinks, 'uptake X A': { mu_max: 0.3, K: 0.1, yield: 1 } }),
  ),
);

let mosquitto: Mosquitto;
let service: ServiceProcess;
let dir: string;
let serviceEnv: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cw-refinements-'));
  mosquitto = await startMosquitto();
  serviceEnv = {
    DATABASE_PATH: join(dir, 'culturewatch.db'),
    MQTT_URL: mosquitto.url,
    MQTT_PROTOCOL: '5',
    MQTT_CLIENT_ID: 'cw-refinement-ingester',
    // A few live fits, not three days of them: the test is about the refinement.
    ASSIMILATOR_CATCH_UP_HOURS: '14',
  };
  service = await startServiceProcess(serviceEnv);
  await publishHistory(mosquitto.url, 'r1', history.samples, defaultPlantEpochMs(Date.now()));
  const od = history.samples.filter((s) => s.signal === 'od').length;
  await waitUntil(
    'every od reading stored',
    async () => {
      const db = new Database(join(dir, 'culturewatch.db'), { readonly: true });
      try {
        const row = db.prepare("SELECT count(*) AS n FROM readings WHERE signal = 'od'").get() as {
          n: number;
        };
        return row.n === od;
      } catch {
        return false; // not created yet
      } finally {
        db.close();
      }
    },
    90_000,
  );
}, 150_000);

afterAll(async () => {
  await service?.stop();
  await mosquitto?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const post = (body: unknown, reactor = 'r1') =>
  service.get<RefinementView & ApiError>(`/api/reactors/${reactor}/refinements`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

it('refuses bad requests with their reason, counted by reason', async () => {
  const cases: [unknown, number, RegExp][] = [
    [{ model: 'file' }, 400, /needs fileText/],
    [{ hours: -3 }, 400, /hours/],
    [{ model: 'file', fileText: plantedFile, colour: 'red' }, 400, /unknown body colour/],
    [{ model: 'file', fileText: plantedFile.replace('main: X', 'main: Q') }, 400, /line \d+/],
    [{ model: 'current' }, 400, /no community: section/],
  ];
  for (const [body, status, reason] of cases) {
    const r = await post(body);
    expect(r.status, JSON.stringify(body)).toBe(status);
    expect(`${r.body.error}: ${r.body.detail}`, JSON.stringify(body)).toMatch(reason);
  }
  expect((await post({}, 'nowhere')).status).toBe(404);
  expect((await service.get<RefinementView[]>('/api/reactors/r1/refinements')).body).toEqual([]);
  const metrics = (await service.get<string>('/metrics')).body;
  expect(metrics).toMatch(/culturewatch_refinements_refused_total\{reason="malformed-request"\} 3/);
  expect(metrics).toMatch(/culturewatch_refinements_refused_total\{reason="model-refused"\} 1/);
  expect(metrics).toMatch(/culturewatch_refinements_refused_total\{reason="not-a-community"\} 1/);
  expect(service.logs().filter((l) => l.msg === 'refinement refused').length).toBeGreaterThanOrEqual(6);
});

it('runs a refinement in the background that removes a planted spurious link; adopting it changes the model', async () => {
  const started = await post({ model: 'file', fileText: plantedFile, hours: 72 });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  expect(started.body).toMatchObject({
    status: 'running',
    source: 'file',
    model: { name: 'seed-planted' },
    settings: { hours: 72, alpha: 0.01 },
    progress: { linksTested: 0, linksTotal: 7 },
    result: null,
  });
  // One at a time per reactor, and the answer says which one runs.
  const second = await post({ model: 'file', fileText: plantedFile });
  expect(second.status).toBe(409);
  expect(second.body.detail).toMatch(new RegExp(`refinement ${started.body.id} .* is still running`));

  const done = await waitUntil(
    'the refinement done',
    async () => {
      const r = await service.get<RefinementView>(`/api/reactors/r1/refinements/${started.body.id}`);
      return r.body.status !== 'running' && r.body;
    },
    150_000,
    () => service.output().slice(-3000),
  );
  expect(done.status, done.error ?? '').toBe('done');
  expect(done.progress.linksTested).toBeGreaterThan(0);
  expect(done.progress.notes.length).toBeGreaterThan(0);
  const result = done.result!;
  const verdict = (label: string) => result.links.find((l) => l.link === label)?.verdict;
  expect(verdict('uptake X A')).toBe('removed');
  for (const label of ['production X B', 'inhibition X B', 'uptake Y1 B'])
    expect(verdict(label), label).toBe('kept');
  const step = result.steps.find((s) => s.link === 'uptake X A' && s.action === 'removed')!;
  expect(step.removal.p).toBeGreaterThanOrEqual(0.01);
  expect(step.reason).toMatch(/not needed \(Δloss .*p = .*\): removed/);
  // Both fits, comparable, over the same readings.
  expect(result.proposed.linksOn).toBeLessThan(result.current.linksOn);
  expect(result.proposed.readings).toBe(result.current.readings);
  expect(result.proposed.freeParameters).toBeLessThan(result.current.freeParameters);
  for (const fit of [result.current, result.proposed]) {
    expect(Number.isFinite(fit.aic) && Number.isFinite(fit.bic)).toBe(true);
    expect(fit.signals.series.od.length).toBe(fit.signals.timeH.length);
  }
  expect(result.readings.od.timeH.length).toBeGreaterThan(50);
  const proposed = parseModelFile(result.proposedModel.fileText);
  expect(proposed.community!.links.filter((l) => l.off).map(linkLabel)).toContain('uptake X A');
  expect(result.proposedModel.fileText).toMatch(
    /^# Refined by culturewatch \(refinement \d+ of reactor r1\)/,
  );
  const listed = (await service.get<RefinementView[]>('/api/reactors/r1/refinements')).body;
  expect(listed.map((r) => r.id)).toEqual([started.body.id]);
  expect(await service.get<string>('/metrics').then((m) => m.body)).toMatch(
    /culturewatch_refinements_total\{outcome="done"\} 1/,
  );

  // Adopt: the model's PUT with the proposed file; the next fits carry its label.
  const before = await waitUntil(
    'a fit with the built-in model',
    async () =>
      (await service.get<FitRecord[]>('/api/reactors/r1/estimates?trajectories=none')).body.find(
        (f) => f.status === 'ok',
      ),
    120_000,
  );
  const adopted = await service.get<ReactorModelView>('/api/reactors/r1/model', {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ fileText: result.proposedModel.fileText }),
  });
  expect(adopted.status).toBe(200);
  expect(adopted.body).toMatchObject({
    version: result.proposedModel.version,
    name: 'seed-planted',
    builtIn: false,
  });
  const adoptedAtMs = Date.now();
  const next = await waitUntil(
    'a fit with the adopted model',
    async () =>
      (await service.get<FitRecord[]>('/api/reactors/r1/estimates?trajectories=none')).body.find(
        (f) => f.status === 'ok' && f.fittedAtMs > adoptedAtMs,
      ),
    120_000,
    () => service.output().slice(-3000),
  );
  expect(next.model).toEqual({ version: result.proposedModel.version, name: 'seed-planted' });
  expect(Object.keys(next.params ?? {})).not.toContain('muMax_X_A');
  const old = (await service.get<FitRecord[]>('/api/reactors/r1/estimates?trajectories=none')).body.find(
    (f) => f.id === before.id,
  );
  expect(old?.model?.name).toBe('chemostat-satellite');
}, 400_000);

it('a refinement running when the service dies is marked interrupted, in words, at the next start', async () => {
  const started = await post({ model: 'file', fileText: plantedFile, hours: 72 });
  expect(started.status).toBe(202);
  service.child.kill('SIGKILL');
  await new Promise((resolve) => service.child.once('exit', resolve));
  service = await startServiceProcess(serviceEnv);
  const after = (await service.get<RefinementView>(`/api/reactors/r1/refinements/${started.body.id}`)).body;
  expect(after.status).toBe('interrupted');
  expect(after.error).toMatch(/interrupted: the service restarted while it ran; start it again/);
  expect(after.result).toBeNull();
  // Nothing runs any more: a new one may start.
  const again = await post({ model: 'file', fileText: plantedFile, hours: 72 });
  expect(again.status, JSON.stringify(again.body)).toBe(202);
  await waitUntil(
    'the new refinement done',
    async () => {
      const r = await service.get<RefinementView>(`/api/reactors/r1/refinements/${again.body.id}`);
      return r.body.status !== 'running' && r.body;
    },
    150_000,
  );
}, 300_000);
