/**
 * Alerts in the running service (`server.ts` as a child process, embedded broker, assimilator off):
 * readings published over MQTT fire an alarm; the webhook endpoint is added and the alarm
 * acknowledged through the HTTP API; the reactor overview and `$alarm` show it; then the service
 * is stopped with notifications pending (the receiver is down) and started again — nothing is lost,
 * and the receiver gets every change, in order, signed, one idempotency key each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AlarmEventView, AlertsResponse, ReactorSummary, WebhookEndpointView } from '../../contract/api';
import type { AlarmMessage } from '../../contract/mqtt';
import { realtimePath } from '../../contract/realtime';
import { waitFor } from '../fixtures/ingest-harness';
import { freePort } from '../fixtures/mosquitto';
import { type ServiceProcess, startServiceProcess, waitUntil } from '../service/service-harness';
import { WebhookReceiver } from './alerts-harness';

const secret = 'service-webhook-secret-0123';
const receiver = new WebhookReceiver(secret);
let dir: string;
let mqttPort: number;
let service: ServiceProcess | undefined;
let subscriber: mqtt.MqttClient | undefined;
const alarmMessages: AlarmMessage[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cw-service-alerts-'));
  mqttPort = await freePort();
  await receiver.up();
});

afterAll(async () => {
  await subscriber?.endAsync();
  await service?.stop();
  await receiver.down();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function start(): Promise<ServiceProcess> {
  return startServiceProcess({
    DATABASE_PATH: join(dir, 'culturewatch.db'),
    MQTT_PORT: String(mqttPort),
    ASSIMILATOR: 'off',
    ALERT_RULES: JSON.stringify([
      { id: 'od-high', name: 'OD high', kind: 'reading-range', signal: 'od', max: 1, severity: 'major' },
    ]),
    WEBHOOK_RETRY_INITIAL_SECONDS: '0.05',
    WEBHOOK_RETRY_MAX_SECONDS: '0.5',
  });
}

async function publishOd(value: number): Promise<void> {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { protocolVersion: 4 });
  await client.publishAsync('culturewatch/r1/od', JSON.stringify({ ts: Date.now(), value }), { qos: 1 });
  await client.endAsync();
}

const post = (s: ServiceProcess, path: string, body: unknown) =>
  s.get(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

it('fires, notifies, survives a restart with notifications pending, and delivers them all in order', async () => {
  service = await start();
  const firstUrl = service.url;
  const created = await post(service, '/api/webhooks', { name: 'operations', url: receiver.url, secret });
  expect(created.status).toBe(201);
  expect(JSON.stringify(created.body)).not.toContain(secret);
  subscriber = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { protocolVersion: 4 });
  subscriber.on('message', (_topic, payload) => alarmMessages.push(JSON.parse(payload.toString('utf8'))));
  await subscriber.subscribeAsync('culturewatch/+/$alarm', { qos: 1 });

  const socket = io(service.url, { path: realtimePath, transports: ['websocket'] });
  const socketAlarms: AlarmEventView[] = [];
  socket.on('alarm', (event: AlarmEventView) => socketAlarms.push(event));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));

  await publishOd(1.6);
  await waitFor('the fired notification', () => receiver.accepted.length === 1, 20_000);
  const reactors = await service.get<ReactorSummary[]>('/api/reactors');
  expect(reactors.body.find((r) => r.id === 'r1')?.alert).toMatchObject({ level: 'major', activeCount: 1 });
  const open = await service.get<AlertsResponse>('/api/alerts');
  expect(open.body.alarms).toHaveLength(1);
  const ack = await post(service, `/api/alerts/${open.body.alarms[0].id}/acknowledge`, { by: 'dana' });
  expect(ack.status).toBe(200);
  await waitFor('the acknowledged notification', () => receiver.accepted.length === 2, 20_000);
  await waitFor('two $alarm messages', () => alarmMessages.length === 2, 20_000);
  await waitFor('two socket.io alarm events', () => socketAlarms.length === 2, 20_000);
  expect(socketAlarms.map((e) => [e.kind, e.actor, e.active, e.acknowledged])).toEqual([
    ['fired', 'system', true, false],
    ['acknowledged', 'dana', true, true],
  ]);
  socket.close();

  // The receiver goes down; two more changes wait in the outbox.
  await receiver.down();
  await publishOd(0.4);
  await publishOd(1.7);
  const current = service;
  // MQTT is unaffected by the webhook receiver's outage.
  await waitFor('four $alarm messages', () => alarmMessages.length === 4, 20_000);
  await waitUntil(
    'two notifications pending after a failed attempt',
    async () => {
      const [endpoint] = (await current.get<WebhookEndpointView[]>('/api/webhooks')).body;
      return endpoint.pendingCount === 2 && endpoint.lastAttempt?.outcome === 'network-error';
    },
    20_000,
  );
  expect(await service.stop()).toBe(0);
  await subscriber.endAsync();
  subscriber = undefined;

  // Back up, restarted: the pending notifications go out, in order.
  await receiver.up();
  service = await start();
  await waitFor('every notification', () => receiver.accepted.length === 4, 20_000);
  const bodies = receiver.accepted.map((r) => r.body);
  expect(bodies.map((b) => [b.status, b.culturewatch.transition])).toEqual([
    ['firing', 'fired'],
    ['firing', 'acknowledged'],
    ['resolved', 'cleared'],
    ['firing', 'fired'],
  ]);
  expect(bodies.map((b) => b.culturewatch.eventId)).toEqual([1, 2, 3, 4]);
  expect(receiver.requests.every((r) => r.signatureValid)).toBe(true);
  const keys = new Map<number, Set<string>>();
  for (const r of receiver.requests) {
    const set = keys.get(r.body.culturewatch.eventId) ?? new Set<string>();
    set.add(r.idempotencyKey);
    keys.set(r.body.culturewatch.eventId, set);
  }
  expect([...keys.values()].map((s) => s.size)).toEqual([1, 1, 1, 1]);
  expect(bodies[0].externalURL).toBe(firstUrl);
  expect(alarmMessages.map((m) => [m.reactorId, m.transition, m.actor])).toEqual([
    ['r1', 'fired', 'system'],
    ['r1', 'acknowledged', 'dana'],
    ['r1', 'cleared', 'system'],
    ['r1', 'fired', 'system'],
  ]);

  const history = await service.get<AlertsResponse>('/api/alerts?state=all');
  expect(history.body.alarms[0]).toMatchObject({ status: 'active-unacknowledged', fireCount: 2 });
  expect(history.body.events.map((e) => e.kind)).toEqual(['fired', 'cleared', 'acknowledged', 'fired']);
  expect(service.output()).not.toContain(secret);
});
