/**
 * The simulator and the ingester agree on the MQTT contract: every sample of every scenario passes
 * the ingester's rules, and a live simulated plant published through the embedded broker ends up in
 * the database reading for reading.
 */
import { afterEach, expect, it } from 'vitest';
import { openDatabase } from '../../db/open-database';
import { startEmbeddedBroker } from '../../server/broker/embedded-broker';
import { Ingester } from '../../server/ingest/ingester';
import { defaultMessageLimits, validateMessage } from '../../server/ingest/message-validator';
import { defaultPlantEpochMs, LivePublisher, mqttSignalOf } from '../../simulator/live-publisher';
import { generatePlantHistory } from '../../simulator/plant-history';
import type { PlantSample } from '../../simulator/plant-sample';
import { PlantSimulation } from '../../simulator/plant-simulation';
import { scenarioNames } from '../../simulator/scenarios';
import { recordingSink, silentLogger, waitFor } from '../fixtures/ingest-harness';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup.length = 0;
});

it('accepts every sample of every scenario, as the live publisher would send it', () => {
  const now = Date.now();
  const epoch = defaultPlantEpochMs(now);
  for (const scenario of scenarioNames) {
    const { samples } = generatePlantHistory({ scenario, days: 14, seed: 11, assays: true });
    const sink = recordingSink();
    for (const s of samples) {
      const payload = Buffer.from(
        JSON.stringify({ ts: Math.round(epoch + s.timeH * 3_600_000), value: s.value }),
      );
      validateMessage(
        `culturewatch/r1/${mqttSignalOf[s.signal]}`,
        payload,
        now,
        'culturewatch',
        defaultMessageLimits,
        sink,
      );
    }
    expect({ scenario, rejected: sink.rejected.slice(0, 3) }).toEqual({ scenario, rejected: [] });
    expect(sink.accepted).toHaveLength(samples.length);
  }
});

it('stores a live simulated plant, published through the embedded broker, reading for reading', async () => {
  const broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1', logger: silentLogger });
  cleanup.push(() => broker.close());
  const { sqlite } = openDatabase(':memory:');
  cleanup.push(() => void sqlite.close());
  const ingester = new Ingester({
    broker: { url: broker.url, protocol: '3.1.1' },
    clientId: 'sim-ingester',
    topicPrefix: 'culturewatch',
    sqlite,
    logger: silentLogger,
  });
  cleanup.push(() => ingester.stop());
  await ingester.start();

  const plant = new PlantSimulation({ seed: 3, assays: true });
  function* live(): Generator<PlantSample> {
    for (;;) yield* plant.advance(1);
  }
  const publisher = new LivePublisher({
    url: broker.url,
    clientOptions: { protocolVersion: 4 },
    reactors: [{ reactorId: 'demo-1', samples: live() }],
    plantHoursPerSecond: 100,
    backfillPlantDays: 2,
  });
  cleanup.push(() => publisher.stop());
  await publisher.start();
  await publisher.backfilled;
  await new Promise((resolve) => setTimeout(resolve, 300));
  await publisher.stop();
  const { published } = publisher.metrics();
  await waitFor(
    'every published reading stored',
    () => ingester.metrics().readingsStored === published,
    10_000,
    () => ingester.metrics(),
  );
  expect(ingester.metrics().rejectionsByReason).toEqual({});
  const signals = sqlite.prepare('SELECT DISTINCT signal FROM readings ORDER BY signal').pluck().all();
  expect(signals).toEqual(expect.arrayContaining(['dilution', 'feed', 'od', 'substrate']));
  // Two plant days of 15-minute od readings at least, on the virtual calendar in the past.
  const od = sqlite
    .prepare("SELECT count(*) AS n, max(ts_ms) AS last FROM readings WHERE signal = 'od'")
    .get() as {
    n: number;
    last: number;
  };
  expect(od.n).toBeGreaterThan(2 * 24 * 4);
  expect(od.last).toBeLessThan(Date.now());
});
