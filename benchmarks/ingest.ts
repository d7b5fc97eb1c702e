/**
 * Ingest throughput through a real mosquitto on loopback. `npm run bench:ingest [-- N [ROUNDS]]`
 *
 * Drain: each round queues N QoS-1 readings in mosquitto for a persistent session that is offline,
 * then lets the subscriber drain them and times it, so that the subscriber's own capacity is measured
 * and not the publisher's speed. The ingester's rate counts readings committed to SQLite (WAL, and
 * the configured `synchronous`); side by side, a subscriber that only counts messages gives the
 * ceiling of an mqtt.js client here, and the ratio of the two is the ingester's cost over it.
 * Live: an independent device (tests/fixtures/acked-publisher.ts, its own process) publishes N
 * readings with 500 QoS-1 messages in flight while the subscriber consumes, first message to last:
 * one reading per message, as most devices send, and batched, 50 readings per message (an array).
 * Beside each live rate, the CPU that the device, mosquitto and the subscriber spent per reading: on
 * two cores shared with other work the rates follow the machine's load, the CPU per reading much less.
 * Every pass ends its MQTT session, so that mosquitto queues nothing for it afterwards.
 * Sparkplug B against JSON: the same readings from an in-process device, at QoS 0 (as Sparkplug
 * requires) with at most 500 messages sent and not yet committed, one reading per message and 50
 * (a DDATA with 50 values of one metric at 50 times; a JSON array); committed by the ingester alone
 * (JSON) or through the Sparkplug host (decode, session, mapping) into the same ingester.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type IClientOptions } from 'mqtt';
import pino from 'pino';
import { openDatabase } from '../db/open-database';
import { Ingester } from '../server/ingest/ingester';
import { defaultMessageLimits } from '../server/ingest/message-validator';
import { SparkplugHost } from '../server/sparkplug/sparkplug-host';
import { parseSparkplugMapping } from '../server/sparkplug/sparkplug-mapping';
import { SparkplugEdgeNode } from '../simulator/sparkplug-edge-node';
import { spawnAckedPublisher } from '../tests/fixtures/acked-publisher';
import { endSession, processCpuSeconds } from '../tests/fixtures/broker-crash-run';
import { deployedAutosave, startMosquitto } from '../tests/fixtures/mosquitto';
import { publishReadingStream } from '../tests/fixtures/reading-publisher';

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
  // Each pass leaves no session behind, or mosquitto would queue the next passes' streams for it too.
  await endSession(mosquitto.url, 'bench-counter');
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
  await endSession(mosquitto.url, `bench-ingester-${round}`);
  database.close();
  rmSync(path, { force: true });
  return { rate, transactions };
}

interface LiveRate {
  /** Readings per second: sent by the device, and counted or committed by the subscriber. */
  publisher: number;
  subscriber: number;
  /**
   * CPU each process spent per reading while the device sent (µs): what the rates come to on an idle
   * machine, where the cores are not shared with other work.
   */
  cpuMicrosPerReading: { device: number; broker: number; subscriber: number };
  transactions?: number;
}

/**
 * Rate on a live stream from an independent device with 500 messages in flight, while `subscriber`
 * consumes: readings per second from its first message to the last reading counted or committed.
 */
async function livePass(subscriber: 'counter' | 'ingester', readingsPerMessage: number): Promise<LiveRate> {
  const path = join(mosquitto.dir, `bench-live-${subscriber}-${readingsPerMessage}.db`);
  const database = subscriber === 'ingester' ? openDatabase(path, { synchronous }) : undefined;
  let counted: () => number;
  let stop: () => Promise<void>;
  let transactions: (() => number) | undefined;
  if (database) {
    const ingester = new Ingester({
      broker: { url: mosquitto.url, protocol: '5' },
      clientId: `bench-live-ingester-${readingsPerMessage}`,
      topicPrefix: 'culturewatch',
      sqlite: database.sqlite,
      logger,
    });
    await ingester.start();
    counted = () => ingester.metrics().readingsStored;
    transactions = () => ingester.metrics().transactions;
    stop = () => ingester.stop();
  } else {
    const counter = await mqtt.connectAsync(mosquitto.url, {
      ...counterOptions,
      clientId: `bench-live-counter-${readingsPerMessage}`,
    });
    let messages = 0;
    counter.on('message', () => void messages++);
    await counter.subscribeAsync('culturewatch/#', { qos: 1 });
    counted = () => messages * readingsPerMessage;
    stop = () => counter.endAsync();
  }
  const firstTsMs = nextTsMs;
  nextTsMs += count;
  const publisher = spawnAckedPublisher({
    url: mosquitto.url,
    count,
    firstTsMs,
    maxInFlight: 500,
    ratePerSecond: 0,
    protocolVersion: 5,
    readingsPerMessage,
    ackedFile: `${path}.acked`,
  });
  const brokerCpuAtStart = processCpuSeconds(mosquitto.pid());
  const ownCpuAtStart = process.cpuUsage();
  while (counted() === 0) await new Promise((r) => setTimeout(r, 1));
  const firstMs = performance.now();
  while (counted() < count) await new Promise((r) => setTimeout(r, 2));
  const seconds = (performance.now() - firstMs) / 1000;
  const published = await publisher.finished;
  const own = process.cpuUsage(ownCpuAtStart);
  const result: LiveRate = {
    publisher: count / published.seconds,
    subscriber: count / seconds,
    cpuMicrosPerReading: {
      device: (published.cpuSeconds * 1e6) / count,
      broker: ((processCpuSeconds(mosquitto.pid()) - brokerCpuAtStart) * 1e6) / count,
      subscriber: (own.user + own.system) / count,
    },
    ...(transactions && { transactions: transactions() }),
  };
  await stop();
  await endSession(mosquitto.url, `bench-live-${subscriber}-${readingsPerMessage}`);
  database?.close();
  rmSync(path, { force: true });
  rmSync(`${path}.acked`, { force: true });
  return result;
}

/**
 * Readings committed per second on the JSON topics or through the Sparkplug host, from an
 * in-process device at QoS 0 holding at most 500 messages beyond what is committed.
 */
async function protocolPass(protocol: 'json' | 'sparkplug', readingsPerMessage: number): Promise<LiveRate> {
  const path = join(mosquitto.dir, `bench-${protocol}-${readingsPerMessage}.db`);
  const database = openDatabase(path, { synchronous });
  const broker = { url: mosquitto.url, protocol: '5' as const };
  const ingester = new Ingester({
    broker,
    clientId: `bench-${protocol}-ingester-${readingsPerMessage}`,
    topicPrefix: 'culturewatch',
    sqlite: database.sqlite,
    logger,
  });
  await ingester.start();
  const host =
    protocol === 'sparkplug'
      ? new SparkplugHost({
          broker,
          hostId: 'bench',
          mapping: parseSparkplugMapping(
            JSON.stringify({
              sources: [
                { group: 'bench', edgeNode: 'gw', device: 'R1', reactor: 'bench', metrics: { OD: 'od' } },
              ],
            }),
          ),
          intake: ingester.intake,
          topicPrefix: 'culturewatch',
          reorderTimeoutMs: 2000,
          rebirthIntervalMs: 5000,
          maxPayloadBytes: defaultMessageLimits.maxPayloadBytes,
          logger,
        })
      : undefined;
  await host?.start();
  const edge = host
    ? new SparkplugEdgeNode({
        url: mosquitto.url,
        clientOptions: { protocolVersion: 5 },
        group: 'bench',
        edgeNode: 'gw',
        devices: () => new Map([['R1', [{ name: 'OD', type: 'Double', value: null }]]]),
      })
    : undefined;
  await edge?.start();
  const json = edge ? undefined : await mqtt.connectAsync(mosquitto.url, { protocolVersion: 5 });
  const committed = () => ingester.metrics().readingsStored;
  const window = 500 * readingsPerMessage;
  const brokerCpuAtStart = processCpuSeconds(mosquitto.pid());
  const ownCpuAtStart = process.cpuUsage();
  const started = performance.now();
  let tsMs = nextTsMs;
  nextTsMs += count;
  for (let sent = 0; sent < count; sent += readingsPerMessage) {
    while (sent - committed() > window) await new Promise((r) => setImmediate(r));
    const values = Array.from({ length: readingsPerMessage }, (_, i) => ({
      ts: tsMs + i,
      value: 1 + (i % 7) / 10,
    }));
    tsMs += readingsPerMessage;
    if (edge)
      edge.publishDeviceData(
        'R1',
        values.map((v) => ({ name: 'OD', value: v.value, timestamp: v.ts })),
      );
    else
      json?.publish('culturewatch/bench/od', JSON.stringify(readingsPerMessage === 1 ? values[0] : values), {
        qos: 0,
      });
  }
  while (committed() < count) {
    if (performance.now() - started > 300_000)
      throw new Error(`${protocol}: ${committed()} of ${count} committed`);
    await new Promise((r) => setTimeout(r, 2));
  }
  const seconds = (performance.now() - started) / 1000;
  const own = process.cpuUsage(ownCpuAtStart);
  const rejected = Object.values(ingester.metrics().rejectionsByReason).reduce((a, b) => a + (b ?? 0), 0);
  if (rejected > 0) throw new Error(`${protocol}: ${rejected} readings rejected`);
  const result: LiveRate = {
    publisher: count / seconds,
    subscriber: count / seconds,
    cpuMicrosPerReading: {
      device: 0,
      broker: ((processCpuSeconds(mosquitto.pid()) - brokerCpuAtStart) * 1e6) / count,
      subscriber: (own.user + own.system) / count,
    },
    transactions: ingester.metrics().transactions,
  };
  await edge?.stop();
  await json?.endAsync();
  await host?.stop();
  await ingester.stop();
  await endSession(mosquitto.url, `bench-${protocol}-ingester-${readingsPerMessage}`);
  database.close();
  rmSync(path, { force: true });
  return result;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const k = (x: number) => `${(x / 1000).toFixed(1)}k/s`;

try {
  console.log(
    `bench:ingest — ${count} QoS-1 readings per round, ${rounds} rounds, mosquitto on loopback ` +
      `(deployed autosave, ${JSON.stringify(deployedAutosave())}), synchronous=${synchronous}`,
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
  console.log(
    `readings committed/s (median): ${k(ingesterRate)}   target ≥ 50k/s  ${ingesterRate >= 50_000 ? 'ok' : 'BELOW'}`,
  );
  console.log(`counting subscriber msgs/s (median): ${k(counterRate)}`);
  console.log(`ratio ingester/counter: ${ratio.toFixed(2)}   target ≥ 0.5  ${ratio >= 0.5 ? 'ok' : 'BELOW'}`);
  const live: Record<string, { counter: LiveRate; ingester: LiveRate }> = {};
  for (const readingsPerMessage of [1, 50]) {
    const counter = await livePass('counter', readingsPerMessage);
    const ingester = await livePass('ingester', readingsPerMessage);
    live[readingsPerMessage] = { counter, ingester };
    const what =
      readingsPerMessage === 1 ? 'one reading per message' : `${readingsPerMessage} readings per message`;
    const cpu = ({ cpuMicrosPerReading: c }: LiveRate) =>
      `CPU per reading: device ${c.device.toFixed(1)} µs, mosquitto ${c.broker.toFixed(1)} µs, ` +
      `subscriber ${c.subscriber.toFixed(1)} µs`;
    console.log(
      `live, ${what}, 500 in flight from a device in its own process: ratio ingester/counter ` +
        `${(ingester.subscriber / counter.subscriber).toFixed(2)}\n` +
        `  counting subscriber ${k(counter.subscriber)} (device sent ${k(counter.publisher)}; ${cpu(counter)})\n` +
        `  ingester ${k(ingester.subscriber)} committed in ${ingester.transactions} transactions ` +
        `(device sent ${k(ingester.publisher)}; ${cpu(ingester)})`,
    );
  }
  const protocols: Record<string, { json: LiveRate; sparkplug: LiveRate; ratio: number }> = {};
  for (const readingsPerMessage of [1, 50]) {
    const json = await protocolPass('json', readingsPerMessage);
    const sparkplug = await protocolPass('sparkplug', readingsPerMessage);
    const sparkplugRatio = sparkplug.subscriber / json.subscriber;
    protocols[readingsPerMessage] = { json, sparkplug, ratio: sparkplugRatio };
    const cpu = ({ cpuMicrosPerReading: c }: LiveRate) =>
      `CPU per reading: this process (device and subscriber) ${c.subscriber.toFixed(1)} µs, mosquitto ${c.broker.toFixed(1)} µs`;
    console.log(
      `Sparkplug B against JSON, ${readingsPerMessage} reading(s) per message, QoS 0, 500 messages ahead of the commits: ` +
        `ratio sparkplug/json ${sparkplugRatio.toFixed(2)}\n` +
        `  JSON topics ${k(json.subscriber)} committed (${cpu(json)})\n` +
        `  Sparkplug host ${k(sparkplug.subscriber)} committed (${cpu(sparkplug)})`,
    );
  }
  console.log(
    JSON.stringify({
      count,
      rounds,
      synchronous,
      ingesterRate,
      counterRate,
      ratio,
      live,
      protocols,
    }),
  );
} finally {
  await mosquitto.stop();
}
