/**
 * Alerts and webhooks speed. `node --import tsx benchmarks/alerts.ts [-- READINGS]`
 *
 * 1. Rule evaluation on the ingest path: stored readings of 20 reactors through the engine with the
 *    default rules plus a range rule per online signal, none firing (the common case): readings/s.
 * 2. Transitions: alarms toggling, each change committed with its event and outbox rows
 *    (synchronous FULL, as the service runs): transitions/s.
 * 3. Delivery: the sender draining those notifications to two loopback receivers: notifications/s,
 *    and the time from commit to receipt (p50/p95/p99) while changes keep coming.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import pino from 'pino';
import { openDatabase } from '../db/open-database';
import { reactors } from '../db/schema';
import { prepareWebhookStatements } from '../db/webhook-statements';
import { AlertEngine } from '../server/alerts/alert-engine';
import { parseAlertRules } from '../server/alerts/alert-rules';
import { defaultAlertRules } from '../server/alerts/alert-settings';
import { WebhookSender } from '../server/webhooks/webhook-sender';
import { tempDir } from '../tests/fixtures/ingest-harness';

const readingCount = Number(process.argv[2] ?? 200_000);
const log = pino({ level: 'silent' });
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

const database = openDatabase(join(tempDir('bench-alerts'), 'culturewatch.db'), { synchronous: 'full' });
const reactorIds = Array.from({ length: 20 }, (_, i) => `r${String(i + 1).padStart(2, '0')}`);
for (const id of reactorIds) database.db.insert(reactors).values({ id, firstSeenAtMs: 0 }).run();
const rules = parseAlertRules([
  ...defaultAlertRules,
  { id: 'od-range', kind: 'reading-range', signal: 'od', min: 0, max: 1e6, severity: 'major' },
  { id: 'substrate-range', kind: 'reading-range', signal: 'substrate', min: 0, max: 1e6, severity: 'major' },
  { id: 'dilution-range', kind: 'reading-range', signal: 'dilution', min: 0, max: 1e6, severity: 'minor' },
  { id: 'toggle', kind: 'reading-range', signal: 'feed', max: 1, severity: 'critical' },
]);
const engine = new AlertEngine({
  sqlite: database.sqlite,
  log,
  rules,
  externalUrl: 'http://localhost:3000',
});
await engine.start();

// 1. Evaluation, nothing firing, in batches as the ingester stores them.
const signals = ['od', 'substrate', 'dilution'];
let started = performance.now();
const batch = 500;
for (let i = 0; i < readingCount; i += batch) {
  const readings = [];
  for (let j = i; j < Math.min(i + batch, readingCount); j++) {
    readings.push({
      reactorId: reactorIds[j % reactorIds.length],
      signal: signals[j % signals.length],
      tsMs: j * 1000,
      value: 0.5,
      receivedAtMs: Date.now(),
    });
  }
  engine.onReadings(readings);
}
const evalSeconds = (performance.now() - started) / 1000;
console.log(
  `evaluation: ${readingCount} readings × ${rules.length} rules in ${evalSeconds.toFixed(2)} s = ${Math.round(readingCount / evalSeconds)} readings/s`,
);

// 3's receivers, so that 2's notifications have somewhere to go.
const sentAt = new Map<number, number>();
const latencies: number[] = [];
let received = 0;
const servers: Server[] = [];
for (let i = 0; i < 2; i++) {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        culturewatch: { eventId: number };
      };
      const at = sentAt.get(body.culturewatch.eventId);
      if (at !== undefined) latencies.push(performance.now() - at);
      received++;
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  prepareWebhookStatements(database.sqlite).insertWebhookEndpoint({
    name: `receiver ${i}`,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    secret: 'benchmark-secret-0123456789',
    severitiesJson: JSON.stringify(['critical', 'major', 'minor', 'warning']),
    enabled: true,
    createdAtMs: Date.now(),
    updatedAtMs: Date.now(),
  });
}

// 2. Transitions, the sender not yet running: the cost of the commits alone.
const transitions = 2000;
started = performance.now();
for (let i = 0; i < transitions; i++) {
  engine.onReadings([
    {
      reactorId: reactorIds[i % 20],
      signal: 'feed',
      tsMs: i * 1000,
      value: i % 40 < 20 ? 2 : 0.5,
      receivedAtMs: 0,
    },
  ]);
}
const transitionSeconds = (performance.now() - started) / 1000;
console.log(
  `transitions: ${transitions} (each with its event and 2 outbox rows, synchronous FULL) in ${transitionSeconds.toFixed(2)} s = ${Math.round(transitions / transitionSeconds)}/s`,
);

// 3. Delivery: drain the backlog, then a live stream of changes.
const sender = new WebhookSender({ sqlite: database.sqlite, log, pollMs: 1000 });
engine.onTransition((t) => {
  sentAt.set(t.eventId, performance.now());
  sender.wake();
});
started = performance.now();
await sender.start();
while (received < 2 * transitions) await new Promise((resolve) => setTimeout(resolve, 5));
const drainSeconds = (performance.now() - started) / 1000;
console.log(
  `delivery: ${2 * transitions} backlog notifications to 2 endpoints in ${drainSeconds.toFixed(2)} s = ${Math.round((2 * transitions) / drainSeconds)}/s`,
);
const live = 400;
for (let i = 0; i < live; i++) {
  engine.onReadings([
    {
      reactorId: reactorIds[i % 20],
      signal: 'feed',
      tsMs: (transitions + i) * 1000,
      value: (transitions + i) % 40 < 20 ? 2 : 0.5,
      receivedAtMs: 0,
    },
  ]);
  await new Promise((resolve) => setTimeout(resolve, 5));
}
while (received < 2 * (transitions + live)) await new Promise((resolve) => setTimeout(resolve, 5));
console.log(
  `commit → receipt while changes come every 5 ms: p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p95 ${percentile(latencies, 0.95).toFixed(1)} ms, p99 ${percentile(latencies, 0.99).toFixed(1)} ms (${latencies.length} notifications)`,
);

await sender.stop();
await engine.stop();
for (const server of servers) server.close();
database.close();
