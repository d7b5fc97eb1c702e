/**
 * A model file with a neural term loads, trains and is used live: `culturewatch neural train` trains
 * the example hybrid on a day of readings, an operator sets it (with its weights file) on a reactor of
 * the running service, and the service's next fits are the hybrid's: labelled with its model and
 * version (which hashes the weights too), only the mechanistic parameters refitted while the stored
 * network stays as trained, and the network's contribution along each fit nonzero. A weights file
 * that does not fit the network the model declares, or a neural term without weights, is refused
 * with a reason and changes nothing. The mismatch API shows which rates the network corrects.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, expect, it, vi } from 'vitest';
import { refitParameterNames } from '../../assimilation';
import type { FitRecord, ModelMismatchView, ReactorModelView } from '../../contract/api';
import { modelVersionOf } from '../../server/assimilator/reactor-models';
import { main } from '../../server/cli/main';
import { builtInModel } from '../../simulator/model-files';
import { freePort } from '../fixtures/mosquitto';
import { type ServiceProcess, startServiceProcess, waitUntil } from './service-harness';

const dir = mkdtempSync(join(tmpdir(), 'cw-hybrid-live-'));
const hybridModelPath = fileURLToPath(
  new URL('../../models/chemostat-satellite-hybrid.yaml', import.meta.url),
);
let service: ServiceProcess | undefined;

afterAll(async () => {
  await service?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a culturewatch command in-process; its JSON on stdout is kept out of the test's output. */
async function culturewatch(...argv: string[]): Promise<number> {
  const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    return await main(argv);
  } finally {
    write.mockRestore();
  }
}

it('trains a hybrid with the command line, and the service fits it live with its network fixed', async () => {
  // Train: a day of a simulated plant, the example hybrid copied beside its new weights file.
  const modelPath = join(dir, 'chemostat-satellite-hybrid.yaml');
  copyFileSync(hybridModelPath, modelPath);
  const csv = join(dir, 'history.csv');
  expect(await culturewatch('simulate-plant', '--days', '1', '--seed', '3', '--out', csv)).toBe(0);
  expect(await culturewatch('neural', 'train', csv, '--model', modelPath, '--iterations', '5')).toBe(0);
  const fileText = readFileSync(modelPath, 'utf8');
  const weightsText = readFileSync(join(dir, 'chemostat-satellite-hybrid.weights.json'), 'utf8');
  const trained = JSON.parse(weightsText) as { contribution: Record<string, number> };
  const labels = ['Y per Y', 'A per Y', 'B per Y'];
  expect(Object.keys(trained.contribution)).toEqual(labels);

  const databasePath = join(dir, 'culturewatch.db');
  service = await startServiceProcess({
    DATABASE_PATH: databasePath,
    MQTT_PORT: String(await freePort()),
    SIMULATOR: 'on',
    SIMULATOR_REACTORS: 'r1',
    SIMULATOR_SPEED: '2',
    SIMULATOR_BACKFILL_DAYS: '0.75',
  });
  const s = service;
  // Before r1's first reading the reactor is unknown (404): no fits yet.
  const fits = async () => {
    const response = await s.get<FitRecord[]>('/api/reactors/r1/estimates?trajectories=none');
    return response.status === 200 ? response.body : [];
  };
  await waitUntil('a fit of r1', async () => (await fits()).find((f) => f.status === 'ok'), 90_000);
  const put = (body: unknown) =>
    s.get<ReactorModelView & { error?: string; detail?: string }>('/api/reactors/r1/model', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  // Refused, each with its reason, and nothing changes: no weights for the network; weights of
  // another network (the model now declares one hidden layer of 4); weights for a mechanistic model.
  const noWeights = await put({ fileText });
  expect(noWeights.status).toBe(400);
  expect(noWeights.body.detail).toMatch(/neural term needs its trained weights/);
  const otherShape = await put({ fileText: fileText.replace('hidden: [8, 8]', 'hidden: [4]'), weightsText });
  expect(otherShape.status).toBe(400);
  expect(otherShape.body.detail).toMatch(
    /weights file does not fit its network: network.hidden: the model declares \[4\], the file has \[8,8\]/,
  );
  const builtInText = readFileSync(
    fileURLToPath(new URL('../../models/chemostat-satellite.yaml', import.meta.url)),
    'utf8',
  );
  const mechanistic = await put({ fileText: builtInText, weightsText });
  expect(mechanistic.status).toBe(400);
  expect(mechanistic.body.detail).toMatch(/weights were given, but the model has no neural term/);
  expect((await s.get<ReactorModelView>('/api/reactors/r1/model')).body.builtIn).toBe(true);

  // Set: the view names the hybrid, its version covers the weights, and it shows the network.
  const changed = await put({ fileText, weightsText });
  expect(changed.status).toBe(200);
  const version = modelVersionOf(fileText, weightsText);
  expect(version).not.toBe(modelVersionOf(fileText));
  expect(changed.body).toMatchObject({ name: 'chemostat-satellite-hybrid', builtIn: false, version });
  expect(changed.body.network).toMatchObject({
    inputs: ['S', 'A', 'B'],
    hidden: [8, 8],
    outputs: labels,
    trainedContribution: trained.contribution,
  });
  const changedAtMs = Date.now();

  // Used live: the next fits are the hybrid's.
  const hybridFits = await waitUntil(
    'three fits of r1 with the hybrid',
    async () => {
      const after = (await fits()).filter((f) => f.status === 'ok' && f.fittedAtMs > changedAtMs);
      return after.length >= 3 ? after : undefined;
    },
    150_000,
  );
  const mechanisticNames = builtInModel().parameters.map((p) => p.name);
  for (const fit of hybridFits) {
    expect(fit.model).toEqual({ version, name: 'chemostat-satellite-hybrid' });
    // Only the mechanistic parameters are refitted: the network's weights are not among them.
    expect(Object.keys(fit.params ?? {}).sort()).toEqual(
      refitParameterNames.filter((n) => mechanisticNames.includes(n)).sort(),
    );
    expect(Object.keys(fit.networkTerms ?? {})).toEqual(labels);
    for (const label of labels) {
      const t = fit.networkTerms![label];
      expect(t.network, label).toBeGreaterThan(0);
      expect(Number.isFinite(t.mechanistic), label).toBe(true);
    }
  }
  // The mechanistic part moves from fit to fit; the network does not: the stored weights are the
  // trained file byte for byte, and every fit names that one version.
  expect(new Set(hybridFits.map((f) => JSON.stringify(f.params))).size).toBeGreaterThan(1);
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    const stored = db.prepare('SELECT weights_text AS w FROM models WHERE version = ?').get(version) as {
      w: string;
    };
    expect(stored.w).toBe(weightsText);
    const versions = db
      .prepare("SELECT DISTINCT model_version AS v FROM fits WHERE reactor_id = 'r1' AND fitted_at_ms > ?")
      .all(changedAtMs) as { v: string }[];
    expect(versions).toEqual([{ v: version }]);
  } finally {
    db.close();
  }

  // Which rates the network had to correct, window by window, against the mechanistic rate.
  const mismatch = (await s.get<ModelMismatchView>('/api/reactors/r1/mismatch')).body;
  expect(mismatch.test.growthFactor).toBeGreaterThan(1);
  expect(mismatch.network?.rates.map((r) => [r.label, r.rate])).toEqual([
    ['Y per Y', 'Y'],
    ['A per Y', 'A'],
    ['B per Y', 'B'],
  ]);
  for (const r of mismatch.network!.rates) {
    expect(r.trained).toBe(trained.contribution[r.label]);
    expect(r.windows.length).toBeGreaterThanOrEqual(3);
    expect(r.windows.every((w) => w.network > 0 && w.mechanistic >= 0)).toBe(true);
  }
}, 360_000);
