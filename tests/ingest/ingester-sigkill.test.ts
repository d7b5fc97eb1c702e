/**
 * Fault tests with the ingester as a separate process, alone or inside the whole service (server.ts):
 * it is SIGKILLed mid-stream and started again. No committed row may be lost, the broker's redelivery
 * of what was never acknowledged fills the gap, and nothing is stored twice.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawnAckedPublisher } from '../fixtures/acked-publisher';
import { waitFor } from '../fixtures/ingest-harness';
import { type IngesterProcess, spawnIngester } from '../fixtures/ingester-process';
import { type Mosquitto, startMosquitto } from '../fixtures/mosquitto';
import { publishReadingStream, readingValue } from '../fixtures/reading-publisher';
import { startServiceProcess } from '../service/service-harness';

let mosquitto: Mosquitto;
const running: IngesterProcess[] = [];

beforeAll(async () => {
  mosquitto = await startMosquitto();
});
afterAll(async () => {
  for (const p of running) p.child.kill('SIGKILL');
  await mosquitto?.stop();
});

function startIngester(databasePath: string, clientId: string): IngesterProcess {
  const p = spawnIngester({
    MQTT_URL: mosquitto.url,
    MQTT_CLIENT_ID: clientId,
    DATABASE_PATH: databasePath,
  });
  running.push(p);
  return p;
}

async function kill(p: IngesterProcess): Promise<void> {
  p.child.kill('SIGKILL');
  expect(await p.exited).toBeNull();
}

function readingsOf(path: string): Map<number, number> {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db.prepare('SELECT ts_ms AS ts, value FROM readings').all() as {
      ts: number;
      value: number;
    }[];
    return new Map(rows.map((r) => [r.ts, r.value]));
  } finally {
    db.close();
  }
}

function countOf(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM readings').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Rows, and each rollup width's count of readings: a reading stored or counted twice shows in either. */
function expectStoredOnce(path: string, count: number): void {
  expect(countOf(path)).toBe(count);
  const db = new Database(path, { readonly: true });
  try {
    const rollups = db
      .prepare(
        'SELECT bucket_width_ms AS width, sum(count) AS n FROM reading_rollups GROUP BY bucket_width_ms',
      )
      .all();
    expect(rollups).toEqual([
      { width: 60_000, n: count },
      { width: 900_000, n: count },
    ]);
  } finally {
    db.close();
  }
}

it('keeps every committed row across a SIGKILL mid-stream, and redelivery fills the gap', async () => {
  const path = join(mosquitto.dir, 'sigkill.db');
  const count = 60_000;
  const firstTsMs = Date.now() - 86_400_000;
  const first = startIngester(path, 'sigkill-ingester');
  await first.ready;
  const publishing = publishReadingStream({ url: mosquitto.url, count, firstTsMs });
  await waitFor('a third of the stream committed', () => countOf(path) >= count / 3);
  await kill(first);

  const committedAtKill = readingsOf(path);
  expect(committedAtKill.size).toBeGreaterThan(0);
  expect(committedAtKill.size).toBeLessThan(count);

  const second = startIngester(path, 'sigkill-ingester');
  await second.ready;
  await publishing;
  await waitFor('the whole stream stored', () => countOf(path) >= count, 45_000);
  second.child.kill('SIGTERM');
  expect(await second.exited).toBe(0);

  const final = readingsOf(path);
  expect(final.size).toBe(count);
  expectStoredOnce(path, count);
  for (const [ts, value] of committedAtKill) expect(final.get(ts)).toBe(value);
  for (let i = 0; i < count; i++) {
    if (final.get(firstTsMs + i) !== readingValue(i)) throw new Error(`reading ${i} missing or wrong`);
  }
});

it('keeps every reading acknowledged to an independent device across a SIGKILL of the whole service', async () => {
  const path = join(mosquitto.dir, 'service.db');
  const count = 12_000;
  const firstTsMs = Date.now() - 86_400_000;
  const env = { MQTT_URL: mosquitto.url, MQTT_CLIENT_ID: 'sigkill-service', DATABASE_PATH: path };
  const first = await startServiceProcess(env);
  const publisher = spawnAckedPublisher({
    url: mosquitto.url,
    count,
    firstTsMs,
    maxInFlight: 500,
    ratePerSecond: 4000,
    protocolVersion: 5,
    ackedFile: join(mosquitto.dir, 'service.acked'),
  });
  await waitFor('a third of the stream committed', () => countOf(path) >= count / 3);
  first.child.kill('SIGKILL');
  expect(await first.stop()).toBeNull();
  const committedAtKill = readingsOf(path);
  expect(committedAtKill.size).toBeLessThan(count);

  const second = await startServiceProcess(env);
  const { acked } = await publisher.finished;
  expect(acked.every((a) => a === 1)).toBe(true);
  await waitFor('the whole stream stored', () => countOf(path) >= count, 30_000);
  expect(await second.stop()).toBe(0);

  const final = readingsOf(path);
  expectStoredOnce(path, count);
  for (const [ts, value] of committedAtKill) expect(final.get(ts)).toBe(value);
  for (let i = 0; i < count; i++) {
    if (final.get(firstTsMs + i) !== readingValue(i)) throw new Error(`reading ${i} missing or wrong`);
  }
}, 60_000);

it('does not acknowledge a reading before its commit: what the killed process held comes again', async () => {
  const path = join(mosquitto.dir, 'held.db');
  const count = 2000;
  const firstTsMs = Date.now() - 86_400_000;
  const first = startIngester(path, 'held-ingester');
  await first.ready;
  // Hold the write lock, so the ingester receives the stream but cannot commit any of it.
  const lock = new Database(path);
  lock.exec('BEGIN IMMEDIATE');
  await publishReadingStream({ url: mosquitto.url, count, firstTsMs });
  // Time for the ingester to have read the messages from its socket (were they acknowledged, they would be lost).
  await new Promise((resolve) => setTimeout(resolve, 500));
  await kill(first);
  lock.exec('ROLLBACK');
  lock.close();
  expect(countOf(path)).toBe(0);

  const second = startIngester(path, 'held-ingester');
  await second.ready;
  await waitFor('the redelivered stream stored', () => countOf(path) >= count, 30_000);
  second.child.kill('SIGTERM');
  expect(await second.exited).toBe(0);
  expect(readingsOf(path).size).toBe(count);
});
