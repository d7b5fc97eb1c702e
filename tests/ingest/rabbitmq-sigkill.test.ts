/**
 * The broker for zero loss (README, "Durability"): RabbitMQ's MQTT plugin, configured as
 * deploy/rabbitmq-culturewatch.conf, sends a QoS-1 PUBACK only once the message is on disk in the
 * ingester's durable queue. Killed (SIGKILL) mid-stream while the ingester is away, the case where
 * mosquitto loses its last seconds, it loses no acknowledged reading, and the database holds each once.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { brokerCrashRun, databaseIn } from '../fixtures/broker-crash-run';
import { type RabbitMq, startRabbitMq } from '../fixtures/rabbitmq';

let rabbitmq: RabbitMq;
beforeAll(async () => {
  rabbitmq = await startRabbitMq();
});
afterAll(async () => {
  await rabbitmq?.stop();
});

it('loses no acknowledged reading when RabbitMQ is killed while the ingester is away', async () => {
  const ratePerSecond = 2000;
  const run = await brokerCrashRun({
    broker: rabbitmq,
    databasePath: databaseIn(rabbitmq, 'away'),
    count: 4 * ratePerSecond,
    maxInFlight: 500,
    ratePerSecond,
    crashAtAcked: 3 * ratePerSecond,
    ingesterAway: true,
  });
  console.log(
    `RabbitMQ SIGKILL, ingester away: lost ${run.lost} of ${run.acked} acknowledged; ` +
      `${run.duplicateRows} duplicate rows`,
  );
  expect(run.publisherReconnects).toBeGreaterThan(0);
  expect(run.acked).toBe(4 * ratePerSecond);
  expect(run.lost, `lost readings, e.g. ${run.lostExamples.join(', ')}`).toBe(0);
  expect(run.stored).toBe(run.acked);
  expect(run.duplicateRows).toBe(0);
  expect(run.rollupExcess).toBe(0);
}, 45_000);
