/**
 * The estimates endpoint's JSON, built from cached per-fit JSON where it can, is exactly the JSON of
 * the fits read afresh — for every `trajectories` mode, cold or warm, short ranges or long.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PlantSignal } from '../../contract/api';
import { type OpenDatabase, openDatabase } from '../../db/open-database';
import {
  asyncServiceReads,
  prepareServiceReadStatements,
  type ServiceReads,
} from '../../db/service-read-statements';
import { FitJsonCache, fitRecordsInRange, fitRecordsJson } from '../../server/api/fit-records';
import { AssimilatorCore } from '../../server/assimilator/assimilator-core';
import { defaultAssimilatorSettings } from '../../server/assimilator/assimilator-settings';
import { BatchedWriter } from '../../server/ingest/batched-writer';
import { mqttSignalOf } from '../../simulator/live-publisher';
import { generatePlantHistory } from '../../simulator/plant-history';

const epochMs = Date.UTC(2016, 0, 1);
const hourMs = 3_600_000;
let dir: string;
let database: OpenDatabase;
let reads: ServiceReads;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cw-fit-records-'));
  database = openDatabase(join(dir, 'db.sqlite'), { synchronous: 'normal' });
  const writer = new BatchedWriter(database.sqlite);
  for (const s of generatePlantHistory({ scenario: 'steady', days: 2, seed: 8 }).samples) {
    writer.accept({
      reactorId: 'r1',
      signal: mqttSignalOf[s.signal] as PlantSignal,
      tsMs: Math.round(epochMs + s.timeH * hourMs),
      value: s.value,
      receivedAtMs: 0,
    });
  }
  writer.flush();
  const core = new AssimilatorCore({
    sqlite: database.sqlite,
    settings: defaultAssimilatorSettings,
    onFit: () => {},
    log: () => {},
  });
  core.start();
  while (core.step()) {}
  reads = asyncServiceReads(prepareServiceReadStatements(database.sqlite));
}, 120_000);

afterAll(() => {
  database?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('serves the same JSON from its cache as from the database', async () => {
  const all = await fitRecordsInRange(reads, 'r1', 0, Number.MAX_SAFE_INTEGER, 'all');
  expect(all).toHaveLength(36);
  const ranges: [number, number][] = [
    [0, Number.MAX_SAFE_INTEGER],
    [epochMs + 20 * hourMs, epochMs + 25 * hourMs],
    [epochMs + 47 * hourMs, epochMs + 48 * hourMs],
  ];
  const cache = new FitJsonCache(64 * 1024 * 1024);
  for (const pass of ['cold', 'warm']) {
    for (const [from, to] of ranges) {
      for (const mode of ['all', 'latest', 'none'] as const) {
        const expected = JSON.stringify(await fitRecordsInRange(reads, 'r1', from, to, mode));
        expect(await fitRecordsJson(reads, cache, 'r1', from, to, mode), `${pass} ${mode} ${from}`).toBe(
          expected,
        );
      }
    }
  }
  expect(cache.size).toBe(36);
  const latest = JSON.parse(await fitRecordsJson(reads, cache, 'r1', 0, Number.MAX_SAFE_INTEGER, 'latest'));
  expect(latest.at(-1).trajectory.tMs).toHaveLength(49);
  expect(latest[0].trajectory).toBeNull();
});

it('keeps the cache within its budget, newest use last out', async () => {
  // Records differ in size (a fit may report more combinations than another): the cache keeps the
  // newest ones whose JSON (2 bytes a character) fits the budget.
  const sizes = (await fitRecordsInRange(reads, 'r1', 0, Number.MAX_SAFE_INTEGER, 'none')).map(
    (r) => JSON.stringify(r).length * 2,
  );
  const budget = Math.max(...sizes) * 5.5;
  let kept = 0;
  for (let i = sizes.length - 1, bytes = 0; i >= 0 && bytes + sizes[i] <= budget; i--, kept++)
    bytes += sizes[i];
  const cache = new FitJsonCache(budget);
  const json = await fitRecordsJson(reads, cache, 'r1', 0, Number.MAX_SAFE_INTEGER, 'none');
  expect(kept).toBeGreaterThanOrEqual(5);
  expect(kept).toBeLessThan(sizes.length);
  expect(cache.size).toBe(kept);
  expect(json).toBe(JSON.stringify(await fitRecordsInRange(reads, 'r1', 0, Number.MAX_SAFE_INTEGER, 'none')));
});
