/**
 * Ingest throughput through a real mosquitto on loopback. `npm run bench:ingest [-- N [ROUNDS]]`
 *
 * Each round queues N QoS-1 readings in mosquitto for a persistent session that is offline, then
 * lets the subscriber drain them and times it, so that the subscriber's own capacity is measured
 * and not the publisher's speed. The ingester's rate counts readings committed to SQLite (WAL, and
 * the configured `synchronous`); side by side, a subscriber that only counts messages gives the
 * ceiling of an mqtt.js client here, and the ratio of the two is the ingester's cost over it.
 * Last, each runs against a live stream from a publisher in its own process, as in production.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type IClientOptions } from 'mqtt';
import pino from 'pino';
import { openDatabase } from '../db/open-database';
import { Ingester } from '../server/ingest/ingester';
import { startMosquitto } from '../tests/fixtures/mosquitto';
import { publishReadingStream } from '../tests/fixtures/reading-publisher';

if (process.argv[2] === '--publish') {
  // The live pass's publisher, in its own process: prints the seconds it took.
  const [url, n, firstTsMs] = process.argv.slice(3);
  const started = performance.now();
  await publishReadingStream({ url, count: Number(n), firstTsMs: Number(firstTsMs), maxInFlight: 2000 });
  process.stdout.write(`${(performance.now() - started) / 1000}\n`);
  process.exit(0);
}

const count = Number(process.argv[2] ?? 200_000);
const rounds = Number(process.argv[3] ?? 3);
const synchronous = process.env.DATABASE_SYNCHRONOUS === 'normal' ? 'normal' : 'full';
const logger = pino({ level: 'warn' });
const mosquitto = await startMosquitto();
let nextTsMs = Date.now() - 30 * 86_400_000;

const counterOptions: IClientOptions = {
  clientId: 'bench-counter',
  clean: false,
  protocolVersion: 5,
  properties: { sessionExpiryInterval: 3600, receiveMaximum: 65535 },
};

async function publishQueued(): Promise<number> {
  const firstTsMs = nextTsMs;
  nextTsMs += count;
  const started = performance.now();
  await publishReadingStream({ url: mosquitto.url, count, firstTsMs, maxInFlight: 2000 });
  return count / ((performance.now() - started) / 1000);
}

/** Messages per second for a subscriber that only counts. */
async function countingDrain(): Promise<number> {
  const subscriber = await mqtt.connectAsync(mosquitto.url, counterOptions);
  await subscriber.subscribeAsync('culturewatch/#', { qos: 1 });
  await subscriber.endAsync();
  await publishQueued();
  let received = 0;
  const started = performance.now();
  const client = mqtt.connect(mosquitto.url, counterOptions);
  await new Promise<void>((resolve) =>
    client.on('message', () => {
      if (++received === count) resolve();
    }),
  );
  const rate = count / ((performance.now() - started) / 1000);
  await client.endAsync();
  return rate;
}

/** Readings committed per second by the ingester, and its batching. */
async function ingesterDrain(round: number): Promise<{ rate: number; transactions: number }> {
  const path = join(mosquitto.dir, `bench-${round}.db`);
  const database = openDatabase(path, { synchronous });
  const make = () =>
    new Ingester({
      broker: { url: mosquitto.url, protocol: '5' },
      clientId: `bench-ingester-${round}`,
      topicPrefix: 'culturewatch',
      sqlite: database.sqlite,
      logger,
    });
  const first = make();
  await first.start();
  await first.stop();
  await publishQueued();
  const ingester = make();
  const started = performance.now();
  await ingester.start();
  while (ingester.metrics().readingsStored < count) await new Promise((r) => setTimeout(r, 2));
  const rate = count / ((performance.now() - started) / 1000);
  const { transactions } = ingester.metrics();
  await ingester.stop();
  database.close();
  rmSync(path, { force: true });
  return { rate, transactions };
}

/** Rate on a live stream: a publisher in its own process while `subscriber` consumes, first message to last. */
async function livePass(
  subscriber: 'counter' | 'ingester',
): Promise<{ publisher: number; subscriber: number }> {
  const path = join(mosquitto.dir, `bench-live-${subscriber}.db`);
  const database = subscriber === 'ingester' ? openDatabase(path, { synchronous }) : undefined;
  let done: () => boolean;
  let started: () => boolean;
  let stop: () => Promise<void>;
  if (database) {
    const ingester = new Ingester({
      broker: { url: mosquitto.url, protocol: '5' },
      clientId: 'bench-live-ingester',
      topicPrefix: 'culturewatch',
      sqlite: database.sqlite,
      logger,
    });
    await ingester.start();
    done = () => ingester.metrics().readingsStored >= count;
    started = () => ingester.metrics().messagesReceived > 0;
    stop = () => ingester.stop();
  } else {
    const counter = await mqtt.connectAsync(mosquitto.url, {
      ...counterOptions,
      clientId: 'bench-live-counter',
    });
    let counted = 0;
    counter.on('message', () => void counted++);
    await counter.subscribeAsync('culturewatch/#', { qos: 1 });
    done = () => counted >= count;
    started = () => counted > 0;
    stop = () => counter.endAsync();
  }
  const firstTsMs = nextTsMs;
  nextTsMs += count;
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(import.meta.url),
      '--publish',
      mosquitto.url,
      String(count),
      String(firstTsMs),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let publisherSeconds = Number.NaN;
  child.stdout.on('data', (chunk: Buffer) => {
    publisherSeconds = Number(chunk.toString().trim());
  });
  while (!started()) await new Promise((r) => setTimeout(r, 1));
  const firstMs = performance.now();
  while (!done()) await new Promise((r) => setTimeout(r, 2));
  const seconds = (performance.now() - firstMs) / 1000;
  await new Promise((resolve) => child.once('exit', resolve));
  await stop();
  database?.close();
  return { publisher: count / publisherSeconds, subscriber: count / seconds };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const k = (x: number) => `${(x / 1000).toFixed(1)}k/s`;

try {
  console.log(
    `bench:ingest — ${count} QoS-1 readings per round, ${rounds} rounds, mosquitto on loopback, synchronous=${synchronous}`,
  );
  const counterRates: number[] = [];
  const ingesterRates: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const counted = await countingDrain();
    const ingested = await ingesterDrain(round);
    counterRates.push(counted);
    ingesterRates.push(ingested.rate);
    console.log(
      `  round ${round + 1}: counting subscriber ${k(counted)}, ingester ${k(ingested.rate)} committed ` +
        `(${ingested.transactions} transactions, ${Math.round(count / ingested.transactions)} rows each)`,
    );
  }
  const ingesterRate = median(ingesterRates);
  const counterRate = median(counterRates);
  const ratio = ingesterRate / counterRate;
  const liveCounter = await livePass('counter');
  const liveIngester = await livePass('ingester');
  console.log(
    `readings committed/s (median): ${k(ingesterRate)}   target ≥ 50k/s  ${ingesterRate >= 50_000 ? 'ok' : 'BELOW'}`,
  );
  console.log(`counting subscriber msgs/s (median): ${k(counterRate)}`);
  console.log(`ratio ingester/counter: ${ratio.toFixed(2)}   target ≥ 0.5  ${ratio >= 0.5 ? 'ok' : 'BELOW'}`);
  console.log(
    `live stream (publisher in its own process): counter ${k(liveCounter.subscriber)} while the publisher sent ` +
      `${k(liveCounter.publisher)}; ingester ${k(liveIngester.subscriber)} committed while it sent ${k(liveIngester.publisher)}`,
  );
  console.log(
    JSON.stringify({
      count,
      rounds,
      synchronous,
      ingesterRate,
      counterRate,
      ratio,
      liveCounter,
      liveIngester,
    }),
  );
} finally {
  await mosquitto.stop();
}
