import mqtt from 'mqtt';
import { afterEach, expect, it } from 'vitest';
import { type EmbeddedBroker, startEmbeddedBroker } from '../../server/broker/embedded-broker';
import { defaultMessageLimits, validateMessage } from '../../server/ingest/message-validator';
import type { Job } from '../../server/lifecycle';
import {
  defaultPlantEpochMs,
  LivePublisher,
  type LivePublisherMetrics,
  mqttSignalOf,
} from '../../simulator/live-publisher';
import type { PlantSample } from '../../simulator/plant-sample';
import { recordingSink, silentLogger, waitFor } from '../fixtures/ingest-harness';

const hourMs = 3_600_000;
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup.length = 0;
});

interface Received {
  topic: string;
  ts: number;
  value: number;
  atMs: number;
}

async function brokerAndListener(): Promise<{ broker: EmbeddedBroker; received: Received[] }> {
  const broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1', logger: silentLogger });
  cleanup.push(() => broker.close());
  const listener = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
  cleanup.push(() => listener.endAsync(true));
  const received: Received[] = [];
  listener.on('message', (topic, payload) => {
    const { ts, value } = JSON.parse(payload.toString());
    received.push({ topic, ts, value, atMs: Date.now() });
  });
  await listener.subscribeAsync('culturewatch/#', { qos: 1 });
  return { broker, received };
}

/** Five plant days: od and D hourly, S0 once, two late assays, and two samples the publisher must skip. */
function syntheticHistory(): PlantSample[] {
  const samples: PlantSample[] = [{ timeH: 0, signal: 'S0', value: 100 }];
  for (let h = 0; h <= 120; h++) {
    samples.push({ timeH: h, signal: 'od', value: 50 + h / 10 });
    samples.push({ timeH: h, signal: 'D', value: 0.25 });
    if (h === 14) samples.push({ timeH: 10, signal: 'X', value: 42, availableAtH: 14.5 });
    if (h === 100) samples.push({ timeH: 80, signal: 'B', value: 0.3, availableAtH: 100.5 });
  }
  samples.push({ timeH: 60, signal: 'temperature', value: 37 });
  samples.push({ timeH: 61, signal: 'od', value: Number.NaN });
  return samples;
}

it('back-fills the first days at once, then publishes in accelerated plant time on the ingester’s topics', async () => {
  const { broker, received } = await brokerAndListener();
  const plantEpochMs = Date.UTC(2016, 0, 1);
  const rate = 50; // plant hours per second: the 72 live hours take 1.44 s
  const publisher = new LivePublisher({
    url: broker.url,
    clientOptions: { protocolVersion: 4 },
    reactors: [{ reactorId: 'sim-1', samples: syntheticHistory() }],
    plantHoursPerSecond: rate,
    backfillPlantDays: 2,
    plantEpochMs,
  });
  const job: Job<LivePublisherMetrics> = publisher;
  cleanup.push(() => job.stop());
  await publisher.start();
  const startedMs = Date.now();
  await publisher.backfilled;
  const backfillDoneMs = Date.now();
  // At once: paced, the 48 back-filled hours would have taken 0.96 s.
  expect(backfillDoneMs - startedMs).toBeLessThan(((48 / rate) * 1000) / 2);
  await publisher.finished;
  const total = 1 + 2 * 121 + 2;
  await waitFor('every message', () => received.length >= total, 5000);
  expect(received).toHaveLength(total);
  expect(publisher.health().state).toBe('sleeping');
  expect(publisher.metrics()).toMatchObject({
    published: total,
    acknowledged: total,
    backfilled: 1 + 2 * 49 + 1, // S0, od and D at hours 0..48, and the X assay due at 14.5
    skippedUnknownSignal: 1,
    skippedNonFinite: 1,
  });

  // After the back-fill, nothing arrives before its plant hour has come.
  const availableAtH: Record<string, number> = {
    'culturewatch/sim-1/assay/X': 14.5,
    'culturewatch/sim-1/assay/B': 100.5,
  };
  for (const r of received) {
    const publishAtH = availableAtH[r.topic] ?? (r.ts - plantEpochMs) / hourMs;
    if (publishAtH > 48) {
      expect(r.atMs - backfillDoneMs).toBeGreaterThanOrEqual(((publishAtH - 48) / rate) * 1000 - 20);
    }
  }

  // Signals map onto the MQTT contract, and every payload is one the ingester accepts.
  const topics = new Set(received.map((r) => r.topic));
  expect([...topics].sort()).toEqual(
    ['assay/B', 'assay/X', 'dilution', 'feed', 'od'].map((s) => `culturewatch/sim-1/${s}`),
  );
  for (const r of received) {
    const sink = recordingSink();
    const payload = Buffer.from(JSON.stringify({ ts: r.ts, value: r.value }));
    validateMessage(r.topic, payload, Date.now(), 'culturewatch', defaultMessageLimits, sink);
    expect(sink.rejected).toEqual([]);
  }

  // A late assay is stamped with its sampling time but arrives when it is available.
  const index = (topic: string, ts: number) => received.findIndex((r) => r.topic === topic && r.ts === ts);
  const assayX = index('culturewatch/sim-1/assay/X', plantEpochMs + 10 * hourMs);
  expect(assayX).toBeGreaterThan(index('culturewatch/sim-1/od', plantEpochMs + 14 * hourMs));
  expect(assayX).toBeLessThan(index('culturewatch/sim-1/od', plantEpochMs + 15 * hourMs));
  await publisher.stop();
  expect(publisher.health().state).toBe('stopped');
});

it('reads an endless history lazily, only as far as plant time has come, and stops when told', async () => {
  const { broker, received } = await brokerAndListener();
  let taken = 0;
  function* endless(): Generator<PlantSample> {
    for (let h = 0; ; h += 0.5) {
      taken++;
      yield { timeH: h, signal: 'od', value: 1 };
    }
  }
  const publisher = new LivePublisher({
    url: broker.url,
    clientOptions: { protocolVersion: 4 },
    reactors: [
      { reactorId: 'a', samples: endless() },
      { reactorId: 'b', samples: [{ timeH: 1, signal: 'substrate', value: 2 }] },
    ],
    plantHoursPerSecond: 100,
    backfillPlantDays: 1,
  });
  cleanup.push(() => publisher.stop());
  await publisher.start();
  await publisher.backfilled;
  await new Promise((resolve) => setTimeout(resolve, 300));
  await publisher.stop();
  const { published, plantHours } = publisher.metrics();
  expect(publisher.health().state).toBe('stopped');
  // At 100 plant-h/s, 0.3 s is about 30 plant hours past the 24 back-filled.
  expect(plantHours).toBeGreaterThan(40);
  expect(published).toBeGreaterThan(2 * 40);
  // Reactor a's samples read = its published ones plus the one looked ahead (b published one).
  expect(taken).toBe(published - 1 + 1);
  await waitFor('all published to arrive', () => received.length === published, 5000);
  const aTimes = received.filter((r) => r.topic === 'culturewatch/a/od').map((r) => r.ts);
  expect(aTimes).toEqual([...aTimes].sort((x, y) => x - y));
});

it('keeps plant time behind the wall clock: about a day at the default rate, then real time', async () => {
  const now = Date.now();
  const epoch = defaultPlantEpochMs(now);
  expect(epoch % hourMs).toBe(0);
  // At 1 plant-hour per second after 3 back-filled days, plant time reaches the wall clock after
  // (now − epoch − 72 h) / 3599 ms of wall time: about a day for a 10-year offset.
  expect((now - epoch - 72 * hourMs) / 3599 / 86_400_000).toBeGreaterThan(1);
  expect(mqttSignalOf.D).toBe('dilution');
  expect(mqttSignalOf.S0).toBe('feed');

  // A plant calendar that starts 24.5 h ago with 24 h back-filled has half an hour to go before it
  // reaches the wall clock; at 3600 plant-h/s that takes 0.14 s, and then it must stay there.
  const { broker, received } = await brokerAndListener();
  const plantEpochMs = now - 24.5 * hourMs;
  function* everyFortySeconds(): Generator<PlantSample> {
    for (let h = 0; h <= 200; h += 0.01) yield { timeH: h, signal: 'od', value: 1 };
  }
  const publisher = new LivePublisher({
    url: broker.url,
    clientOptions: { protocolVersion: 4 },
    reactors: [{ reactorId: 'r', samples: everyFortySeconds() }],
    plantHoursPerSecond: 3600,
    backfillPlantDays: 1,
    plantEpochMs,
  });
  cleanup.push(() => publisher.stop());
  await publisher.start();
  await publisher.backfilled;
  await new Promise((resolve) => setTimeout(resolve, 400));
  const { plantHours } = publisher.metrics();
  const wallH = (Date.now() - plantEpochMs) / hourMs;
  expect(plantHours).toBeLessThanOrEqual(wallH);
  expect(plantHours).toBeGreaterThan(wallH - 0.01);
  await publisher.stop();
  expect(Math.max(...received.map((r) => r.ts))).toBeLessThanOrEqual(Date.now());
  expect(received.length).toBeGreaterThan(100 * 24);
});
