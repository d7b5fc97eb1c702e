/**
 * Fault test against a real mosquitto with persistence on: the broker is restarted in the middle of
 * a stream of 100k QoS-1 readings, and the database must end with each reading exactly once.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type OpenDatabase, openDatabase } from '../../db/open-database';
import { Ingester } from '../../server/ingest/ingester';
import { silentLogger, waitFor } from '../fixtures/ingest-harness';
import { type Mosquitto, startMosquitto } from '../fixtures/mosquitto';
import { publishReadingStream, readingValue } from '../fixtures/reading-publisher';

const count = 100_000;
let mosquitto: Mosquitto;
let database: OpenDatabase;

beforeAll(async () => {
  mosquitto = await startMosquitto();
  database = openDatabase(join(mosquitto.dir, 'restart.db'));
});
afterAll(async () => {
  database?.close();
  await mosquitto?.stop();
});

it('loses and duplicates nothing when mosquitto restarts mid-stream of 100k readings', async () => {
  const ingester = new Ingester({
    broker: { url: mosquitto.url, protocol: '5' },
    clientId: 'restart-ingester',
    topicPrefix: 'culturewatch',
    sqlite: database.sqlite,
    logger: silentLogger,
    reconnectPeriodMs: 100,
  });
  await ingester.start();
  const firstTsMs = Date.now() - 7 * 86_400_000;
  let restart: Promise<void> | undefined;
  let storedAtRestart = -1;
  await publishReadingStream({
    url: mosquitto.url,
    count,
    firstTsMs,
    onAcked: (acked) => {
      if (acked === 30_000) {
        storedAtRestart = ingester.metrics().readingsStored;
        restart = mosquitto.restart();
      }
    },
  });
  await restart;
  const stored = () =>
    (database.sqlite.prepare('SELECT count(*) AS n FROM readings').get() as { n: number }).n;
  await waitFor(
    'all readings stored',
    () => stored() >= count,
    30_000,
    () => ingester.metrics(),
  );
  // A late duplicate would still be on its way: give redelivery a moment to show up if it exists.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const metrics = ingester.metrics();
  await ingester.stop();

  // The restart really fell inside the stream, and the ingester reconnected and subscribed again.
  expect(storedAtRestart).toBeGreaterThan(0);
  expect(storedAtRestart).toBeLessThan(count);
  expect(metrics.connects).toBeGreaterThanOrEqual(2);
  expect(metrics.subscribes).toBeGreaterThanOrEqual(2);

  const summary = database.sqlite
    .prepare(
      `SELECT count(*) AS rows, count(DISTINCT ts_ms) AS distinctTimes, min(ts_ms) AS first, max(ts_ms) AS last,
              sum(value) AS valueSum FROM readings WHERE reactor_id = 'r1' AND signal = 'od'`,
    )
    .get() as { rows: number; distinctTimes: number; first: number; last: number; valueSum: number };
  let expectedSum = 0;
  for (let i = 0; i < count; i++) expectedSum += readingValue(i);
  expect(summary.rows).toBe(count);
  expect(summary.distinctTimes).toBe(count);
  expect(summary.first).toBe(firstTsMs);
  expect(summary.last).toBe(firstTsMs + count - 1);
  expect(summary.valueSum).toBeCloseTo(expectedSum, 3);
  expect(metrics.readingsStored).toBe(count);
  // Rollups add each stored reading once: a redelivered duplicate counted twice would show here.
  const rollupCounts = database.sqlite
    .prepare('SELECT bucket_width_ms AS width, sum(count) AS n FROM reading_rollups GROUP BY bucket_width_ms')
    .all();
  expect(rollupCounts).toEqual([
    { width: 60_000, n: count },
    { width: 900_000, n: count },
  ]);
});
