/**
 * The assimilator's thread: it fits in the background, hands each fit to its listeners, and when the
 * thread dies it is started again and carries on from the database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { PlantSignal } from '../../contract/api';
import { openDatabase } from '../../db/open-database';
import { AssimilatorHost } from '../../server/assimilator/assimilator-host';
import { defaultAssimilatorSettings } from '../../server/assimilator/assimilator-settings';
import type { FitNotice } from '../../server/assimilator/worker-protocol';
import { BatchedWriter } from '../../server/ingest/batched-writer';
import type { AcceptedReading } from '../../server/ingest/message-validator';
import { mqttSignalOf } from '../../simulator/live-publisher';
import { generatePlantHistory } from '../../simulator/plant-history';
import { silentLogger, waitFor } from '../fixtures/ingest-harness';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

it('fits in a worker thread, and restarts a worker that dies', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cw-host-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'db.sqlite');
  const database = openDatabase(path);
  cleanup.push(() => database.close());
  const epochMs = Date.UTC(2016, 0, 1);
  const toReading = (s: { timeH: number; signal: string; value: number }): AcceptedReading => ({
    reactorId: 'r1',
    signal: mqttSignalOf[s.signal] as PlantSignal,
    tsMs: Math.round(epochMs + s.timeH * 3_600_000),
    value: s.value,
    receivedAtMs: Date.now(),
  });
  const samples = generatePlantHistory({ scenario: 'steady', days: 1, seed: 4 }).samples;
  const first = samples.filter((s) => s.timeH <= 16).map(toReading);
  const rest = samples.filter((s) => s.timeH > 16).map(toReading);
  const writer = new BatchedWriter(database.sqlite);
  for (const r of first) writer.accept(r);
  writer.flush();

  const host = new AssimilatorHost({
    databasePath: path,
    settings: defaultAssimilatorSettings,
    logger: silentLogger,
  });
  cleanup.push(() => host.stop());
  const fits: FitNotice[] = [];
  host.onFit((fit) => fits.push(fit));
  await host.start();
  // Windows ending at 12 … 15 h, found from the database alone.
  await waitFor('four fits', () => fits.length === 4 && host.queueDepth === 0, 30_000);
  expect(fits.every((f) => f.status === 'ok')).toBe(true);

  // Kill the thread; the host starts another, which restores the chain.
  await (host as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
  await waitFor(
    'a restarted worker',
    () => host.metrics().workerRestarts === 1 && host.health().state === 'ready',
    30_000,
  );
  expect(host.metrics().restoredChains).toBe(1);

  for (const r of rest) writer.accept(r);
  writer.flush();
  const { highest } = database.sqlite.prepare('SELECT max(rowid) AS highest FROM readings').get() as {
    highest: number;
  };
  host.readingsStored(rest, highest);
  // Windows ending at 16 … 23 h, continuing the chain.
  await waitFor(
    'the rest',
    () => fits.length === 12,
    60_000,
    () => fits.length,
  );
  const windowEnds = fits.map((f) => (f.windowEndMs - epochMs) / 3_600_000);
  expect(windowEnds).toEqual(Array.from({ length: 12 }, (_, k) => 12 + k));
  expect(fits.slice(4).every((f) => !f.coldStart && f.status === 'ok')).toBe(true);
  await host.stop();
  expect(host.health().state).toBe('stopped');
}, 120_000);
