/**
 * The scaled deployment's throughput on this machine, against the one-process SQLite figures in the
 * same run. `npm run bench:scale [-- READINGS [REACTORS [HOURS]]]`
 *
 * Readings/s: READINGS (default 20,000) QoS-1 readings, one per message as most devices send, for 50
 * reactors, queued in mosquitto for the ingesters' sessions while they are stopped, then drained
 * (so that the ingesters' pace is measured, not the publisher's): one ingester process on SQLite
 * (server/ingest/run-ingester.ts, no shared group), then 1, 2 and 4 ingester processes on one
 * `$share` subscription writing to PostgreSQL (each with its socket.io adapter notifying the web
 * processes, as deployed). The rate is taken from the stored rows themselves: readings over the
 * span of their arrival times (first to last `received_at_ms`), all ingesters starting to drain at
 * once (the broker paused while they start). The publisher's own rate (500 in
 * flight, acknowledged by mosquitto) is printed beside: the ceiling of a live stream here.
 *
 * Fits/s: REACTORS (default 8) simulated steady plants over HOURS (default 20) of plant time: the
 * one-process assimilator on SQLite (its worker thread,
 * server/assimilator/assimilator-host.ts), and 1, 2 and 4 assimilator processes taking pg-boss jobs
 * (server/service/run-role.ts assimilator), all up before the readings land (one transaction). The
 * rate is fits over the span of their `fitted_at_ms`
 * (first fit to last, so process start-up is left out); each reactor's first window is a cold start.
 *
 * PostgreSQL (a cluster of its own, fsync on), mosquitto, the publisher and the processes measured
 * share this machine's cores, so more processes than cores measure contention, not scale-out. The
 * arithmetic for a site of 1,000 reactors is printed at the end.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import pino from 'pino';
import type { PlantSignal } from '../contract/api';
import { openDatabase } from '../db/open-database';
import { openPostgres } from '../db/pg/open-postgres';
import { AssimilatorHost } from '../server/assimilator/assimilator-host';
import { defaultAssimilatorSettings } from '../server/assimilator/assimilator-settings';
import { BatchedWriter, defaultWriterOptions } from '../server/ingest/batched-writer';
import type { AcceptedReading } from '../server/ingest/message-validator';
import { pgBatchStore } from '../server/ingest/pg-batch-commit';
import { endSession } from '../tests/fixtures/broker-crash-run';
import { type IngesterProcess, spawnIngester, spawnProcess } from '../tests/fixtures/ingester-process';
import { startMosquitto } from '../tests/fixtures/mosquitto';
import { type PlantMessage, plantMessages, publishPaced } from '../tests/fixtures/plant-stream';
import { startPostgres } from '../tests/fixtures/postgres';

const readingCount = Number(process.argv[2] ?? 20_000);
const fitReactors = Number(process.argv[3] ?? 8);
const fitHours = Number(process.argv[4] ?? 20);
const processCounts = [1, 2, 4];
const readingReactors = 50;

const logger = pino({ level: 'warn' });
const scratch = mkdtempSync(join(tmpdir(), 'cw-bench-scale-'));
const [postgres, mosquitto] = await Promise.all([startPostgres(), startMosquitto()]);
const loadAtStart = loadavg()[0];
let databases = 0;
const freshDatabase = () => postgres.createDatabase(`bench_${++databases}`);

const processEnv = {
  MQTT_URL: mosquitto.url,
  // Their "… ready" lines are at info.
  LOG_LEVEL: 'info',
  LOG_FORMAT: 'json',
  SIMULATOR: 'off',
  AUTH: 'off',
  HTTP_HOST: '127.0.0.1',
};

/** SIGTERM, and wait for the exit; then the broker forgets the process's session. */
async function stopAll(processes: IngesterProcess[], clientIds: string[]): Promise<void> {
  for (const p of processes) p.child.kill('SIGTERM');
  await Promise.all(processes.map((p) => p.exited));
  for (const id of clientIds) await endSession(mosquitto.url, id);
}

const waitUntil = async (what: string, done: () => Promise<boolean>, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

// --- readings -------------------------------------------------------------------------------

let nextTsMs = Date.UTC(2024, 0, 1);
/** Readings for 50 reactors, one per message, each with a time of its own (none is a duplicate). */
function readingMessages(): PlantMessage[] {
  const out: PlantMessage[] = [];
  for (let i = 0; i < readingCount; i++) {
    const reactorId = `r${(i % readingReactors) + 1}`;
    const tsMs = nextTsMs++;
    out.push({
      topic: `culturewatch/${reactorId}/od`,
      payload: `{"ts":${tsMs},"value":${1 + (i % 1000) / 10}}`,
      reactorId,
      signal: 'od',
      tsMs,
      value: 1 + (i % 1000) / 10,
      timeH: 0,
    });
  }
  return out;
}

interface Rate {
  count: number;
  seconds: number;
}
const perSecond = (r: Rate) => r.count / r.seconds;

/** The publisher's own rate in each pass (acknowledged by mosquitto): the ceiling of what is measured. */
const publishRates: number[] = [];

async function publishAll(): Promise<void> {
  const messages = readingMessages();
  const startedMs = performance.now();
  const acked = await publishPaced({
    url: mosquitto.url,
    messages,
    plantHoursPerSecond: Number.POSITIVE_INFINITY,
    maxInFlight: 500,
  });
  if (acked !== messages.length) throw new Error(`${acked} of ${messages.length} acknowledged`);
  publishRates.push(acked / ((performance.now() - startedMs) / 1000));
}

/**
 * The ingesters' own pace, not the publisher's: their sessions are made, they stop (gracefully: the
 * sessions stay), the readings are published and queued by mosquitto in those sessions (shared
 * round-robin among a group's members), then the ingesters start again and drain them. While they
 * start, mosquitto is paused (SIGSTOP), so that all of them begin to drain at the same moment: the
 * span measured is theirs together, not one's start-up.
 */
async function drained(
  spawnAll: (waitReady: boolean) => Promise<IngesterProcess[]>,
  clientIds: string[],
  span: () => Promise<{ count: number; first: number; last: number }>,
): Promise<Rate> {
  const first = await spawnAll(true);
  await stopAll(first, []);
  await publishAll();
  const broker = mosquitto.pid();
  process.kill(broker, 'SIGSTOP');
  let draining: IngesterProcess[] = [];
  try {
    draining = await spawnAll(false);
    await waitUntil(
      'every ingester connecting to the paused broker',
      async () => draining.every((p) => connectedToBroker().has(p.child.pid ?? -1)),
      120_000,
    );
  } finally {
    process.kill(broker, 'SIGCONT');
  }
  try {
    await Promise.all(draining.map((p) => p.ready));
    await waitUntil('every reading stored', async () => (await span()).count === readingCount, 600_000);
    const { count, first, last } = await span();
    return { count, seconds: (last - first) / 1000 };
  } finally {
    await stopAll(draining, clientIds);
  }
}

/** Processes with a TCP connection open to mosquitto's port (the kernel accepts it while mosquitto is stopped). */
function connectedToBroker(): Set<number> {
  const out = execFileSync('ss', ['-tnpH', 'state', 'established', 'dport', `= :${mosquitto.port}`], {
    encoding: 'utf8',
  });
  return new Set([...out.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])));
}

const spanOfReadings =
  'SELECT count(*) AS count, min(received_at_ms) AS first, max(received_at_ms) AS last FROM readings';

async function readingsIntoSqlite(): Promise<Rate> {
  const path = join(scratch, 'readings.db');
  const clientId = 'bench-sqlite-ingester';
  const spawnOne = async (waitReady: boolean) => {
    const ingester = spawnIngester({ ...processEnv, DATABASE_PATH: path, MQTT_CLIENT_ID: clientId });
    if (waitReady) await ingester.ready;
    return [ingester];
  };
  let db: Database.Database | undefined;
  try {
    return await drained(spawnOne, [clientId], async () => {
      db ??= new Database(path, { readonly: true });
      return db.prepare(spanOfReadings).get() as { count: number; first: number; last: number };
    });
  } finally {
    db?.close();
  }
}

async function readingsIntoPostgres(processes: number): Promise<Rate> {
  const url = await freshDatabase();
  const ids = Array.from({ length: processes }, (_, i) => `bench-pg-ingester-${processes}-${i + 1}`);
  const spawnOne = (clientId: string) =>
    spawnIngester({
      ...processEnv,
      DATABASE_URL: url,
      MQTT_CLIENT_ID: clientId,
      MQTT_SHARED_GROUP: `bench${processes}`,
    });
  const spawnAll = async (waitReady: boolean) => {
    if (!waitReady) return ids.map(spawnOne);
    // The first migrates the database; the others find it done.
    const started = [spawnOne(ids[0])];
    await started[0].ready;
    started.push(...ids.slice(1).map(spawnOne));
    await Promise.all(started.map((p) => p.ready));
    return started;
  };
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await drained(spawnAll, ids, async () => {
      const row = (await client.query<{ count: string; first: string; last: string }>(spanOfReadings))
        .rows[0];
      return { count: Number(row.count), first: Number(row.first), last: Number(row.last) };
    });
  } finally {
    await client.end();
  }
}

// --- fits -----------------------------------------------------------------------------------

const fitReadings: AcceptedReading[] = plantMessages(
  Array.from({ length: fitReactors }, (_, i) => `f${i + 1}`),
  fitHours,
).map((m) => ({
  reactorId: m.reactorId,
  signal: m.signal as PlantSignal,
  tsMs: m.tsMs,
  value: m.value,
  receivedAtMs: Date.now(),
}));

/** Windows every reactor has: from its first online reading plus a window, a step at a time. */
const expectedFits = (() => {
  const { windowHours, stepHours } = defaultAssimilatorSettings;
  let n = 0;
  for (let r = 1; r <= fitReactors; r++) {
    const times = fitReadings
      .filter((x) => x.reactorId === `f${r}` && x.signal !== 'feed')
      .map((x) => x.tsMs);
    const spanH = (Math.max(...times) - Math.min(...times)) / 3_600_000;
    for (let end = windowHours; end < spanH - 1e-9; end += stepHours) n++;
  }
  return n;
})();

interface FitRate extends Rate {
  meanFitMs: number;
}

const fitSpan = `SELECT count(*) AS count, min(fitted_at_ms) AS first, max(fitted_at_ms) AS last,
  avg(duration_ms) AS "meanFitMs" FROM fits WHERE NOT refit`;

function fitRateOf(row: { count: number; first: number; last: number; meanFitMs: number }): FitRate {
  return {
    count: Number(row.count),
    // n fits span n - 1 gaps between their ends; the first fit's own time is in the mean.
    seconds: (Number(row.last) - Number(row.first)) / 1000 + Number(row.meanFitMs) / 1000,
    meanFitMs: Number(row.meanFitMs),
  };
}

async function fitsOnSqlite(): Promise<FitRate> {
  const path = join(scratch, 'fits.db');
  const database = openDatabase(path);
  const writer = new BatchedWriter(database.sqlite);
  for (const r of fitReadings) writer.accept(r);
  writer.flush();
  const host = new AssimilatorHost({ databasePath: path, settings: defaultAssimilatorSettings, logger });
  await host.start();
  const span = () =>
    database.sqlite.prepare(fitSpan).get() as {
      count: number;
      first: number;
      last: number;
      meanFitMs: number;
    };
  try {
    await waitUntil('every window fitted on SQLite', async () => span().count >= expectedFits, 900_000);
    return fitRateOf(span());
  } finally {
    await host.stop();
    database.close();
  }
}

async function fitsOnPostgres(processes: number): Promise<FitRate> {
  const url = await freshDatabase();
  const store = await openPostgres(url, { applicationName: 'bench loader' });
  const ids = Array.from({ length: processes }, (_, i) => `bench-assimilator-${processes}-${i + 1}`);
  const started = ids.map((id) =>
    spawnProcess(
      'server/service/run-role.ts',
      'assimilator ready',
      { ...processEnv, DATABASE_URL: url, MQTT_CLIENT_ID: id, ASSIMILATOR_SCAN_MS: '500' },
      ['assimilator'],
    ),
  );
  await Promise.all(started.map((p) => p.ready));
  // Every assimilator is up before the readings land (in one transaction), so all start together.
  const writer = new BatchedWriter(
    pgBatchStore(store.pool, {
      maxStoredRejections: defaultWriterOptions.maxStoredRejections,
      now: Date.now,
    }),
  );
  for (const r of fitReadings) writer.accept(r);
  if (!(await writer.flush())) throw new Error('could not store the plant readings');
  const span = async () => (await store.pool.query(fitSpan)).rows[0];
  try {
    await waitUntil(
      'every window fitted on PostgreSQL',
      async () => Number((await span()).count) >= expectedFits,
      900_000,
    );
    return fitRateOf(await span());
  } finally {
    await stopAll(started, ids);
    await store.close();
  }
}

// --- the run --------------------------------------------------------------------------------

try {
  console.log(
    `bench:scale on ${availableParallelism()} cores, load average ${loadAtStart.toFixed(1)} at the start (other work on this machine: the rates are rough)`,
  );
  console.log(
    `\nreadings/s: ${readingCount} QoS-1 readings, one per message, 50 reactors, queued in mosquitto, then drained`,
  );
  const sqliteReadings = await readingsIntoSqlite();
  console.log(`  SQLite, 1 ingester process        ${perSecond(sqliteReadings).toFixed(0).padStart(7)} /s`);
  const pgReadings: Record<number, Rate> = {};
  for (const n of processCounts) {
    pgReadings[n] = await readingsIntoPostgres(n);
    console.log(
      `  PostgreSQL, ${n} ingester process${n > 1 ? 'es' : '  '} ${perSecond(pgReadings[n]).toFixed(0).padStart(7)} /s   ${(perSecond(pgReadings[n]) / perSecond(sqliteReadings)).toFixed(2)} × SQLite`,
    );
  }

  console.log(
    `  (the publisher, 500 in flight, got its acknowledgements at ${publishRates.map((r) => r.toFixed(0)).join(', ')} /s in these passes)`,
  );
  console.log(
    `\nfits/s: ${fitReactors} reactors × ${fitHours} h, ${expectedFits} windows (one cold start per reactor)`,
  );
  const sqliteFits = await fitsOnSqlite();
  console.log(
    `  SQLite, 1 process (worker thread)   ${perSecond(sqliteFits).toFixed(2).padStart(6)} /s   mean fit ${sqliteFits.meanFitMs.toFixed(0)} ms`,
  );
  const pgFits: Record<number, FitRate> = {};
  for (const n of processCounts) {
    pgFits[n] = await fitsOnPostgres(n);
    console.log(
      `  PostgreSQL, ${n} assimilator${n > 1 ? 's' : ' '}       ${perSecond(pgFits[n]).toFixed(2).padStart(6)} /s   mean fit ${pgFits[n].meanFitMs.toFixed(0)} ms   ${(perSecond(pgFits[n]) / perSecond(sqliteFits)).toFixed(2)} × SQLite`,
    );
  }
  console.log(`  load average at the end ${loadavg()[0].toFixed(1)}`);

  // A site of 1,000 reactors, on paper.
  const reactors = 1000;
  const bestReadings = Math.max(...processCounts.map((n) => perSecond(pgReadings[n])));
  const bestFits = Math.max(...processCounts.map((n) => perSecond(pgFits[n])));
  const fitsNeeded = reactors / (defaultAssimilatorSettings.stepHours * 3600);
  const simulatorReadingsPerHour = fitReadings.length / fitReactors / fitHours;
  const readingsNeeded = {
    'as simulated': (reactors * simulatorReadingsPerHour) / 3600,
    'od, substrate, dilution at 1 Hz each': reactors * 3,
  };
  console.log(
    `\n${reactors} reactors, on this machine's best figures (${bestReadings.toFixed(0)} readings/s, ${bestFits.toFixed(2)} fits/s):`,
  );
  console.log(
    `  fits: one window per reactor every ${defaultAssimilatorSettings.stepHours} h = ${reactors} / ${defaultAssimilatorSettings.stepHours * 3600} s = ${fitsNeeded.toFixed(3)} fits/s, ${((fitsNeeded / bestFits) * 100).toFixed(1)} % of it; catching up a day of backlog (24,000 fits) takes ${(24_000 / bestFits / 3600).toFixed(1)} h`,
  );
  for (const [how, perS] of Object.entries(readingsNeeded)) {
    console.log(
      `  readings, ${how}: ${perS.toFixed(1)}/s = ${((perS / bestReadings) * 100).toFixed(1)} % of it → ${Math.max(1, Math.ceil(perS / bestReadings))} machine(s) of this size for ingest`,
    );
  }
} finally {
  await mosquitto.stop();
  await postgres.stop();
  rmSync(scratch, { recursive: true, force: true });
}
