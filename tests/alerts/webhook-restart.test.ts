import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { webhookDeliveries, webhookOutbox } from '../../db/schema';
import { AlertEngine } from '../../server/alerts/alert-engine';
import { parseAlertRule } from '../../server/alerts/alert-rules';
import { silentLogger, tempDir, waitFor } from '../fixtures/ingest-harness';
import { addEndpoint, openAlertsDatabase, startAlertStack, WebhookReceiver } from './alerts-harness';

const odHigh = parseAlertRule({
  id: 'od-high',
  kind: 'reading-range',
  signal: 'od',
  max: 1,
  severity: 'major',
});
const minute = 60_000;
const secret = 'restart-secret-0123456789';
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

const reading = (m: number, value: number) => ({
  reactorId: 'r1',
  signal: 'od',
  tsMs: m * minute,
  value,
  receivedAtMs: Date.now(),
});

describe('webhook outbox across restarts', () => {
  it('a restart with notifications pending loses none, and the alarm carries on where it was', async () => {
    const path = join(tempDir('alerts-restart'), 'culturewatch.db');
    const receiver = new WebhookReceiver(secret);
    await receiver.up();
    await receiver.down(); // its port is known, nothing listens there yet
    cleanup.push(() => receiver.down());

    // First life: five changes, none can be delivered.
    let db = openAlertsDatabase(['r1'], path);
    addEndpoint(db, { name: 'receiver', url: receiver.url, secret });
    let stack = await startAlertStack(db, [odHigh]);
    for (let m = 0; m < 5; m++) stack.engine.onReadings([reading(m, m % 2 === 0 ? 1.5 : 0.5)]);
    await waitFor('failed attempts', () => db.db.select().from(webhookDeliveries).all().length >= 2, 10_000);
    await stack.stop();
    const pending = db.db.select().from(webhookOutbox).all();
    expect(pending.map((r) => r.state)).toEqual(['pending', 'pending', 'pending', 'pending', 'pending']);
    db.close();

    // Second life: the receiver is back; everything arrives in order; the active alarm is known.
    await receiver.up();
    db = openAlertsDatabase(['r1'], path);
    stack = await startAlertStack(db, [odHigh]);
    const second = { db, stack };
    cleanup.push(async () => {
      await second.stack.stop();
      second.db.close();
    });
    await waitFor('the pending notifications', () => receiver.accepted.length === 5, 10_000);
    const cleared = stack.engine.onReadings([reading(5, 0.5)]);
    expect(cleared.map((t) => [t.kind, t.alarm.fireCount])).toEqual([['cleared', 3]]);
    await waitFor('the new notification', () => receiver.accepted.length === 6, 10_000);

    const transitions = receiver.accepted.map((r) => r.body.culturewatch.transition);
    expect(transitions).toEqual(['fired', 'cleared', 'fired', 'cleared', 'fired', 'cleared']);
    const eventIds = receiver.accepted.map((r) => r.body.culturewatch.eventId);
    expect(eventIds).toEqual([1, 2, 3, 4, 5, 6]);
    expect(receiver.requests.every((r) => r.signatureValid)).toBe(true);
    expect(receiver.requests).toHaveLength(6);
  });

  it('a sender killed mid-request sends that notification again, under the same idempotency key', async () => {
    const path = join(tempDir('alerts-kill'), 'culturewatch.db');
    const receiver = new WebhookReceiver(secret);
    await receiver.up();
    receiver.hang = true;
    cleanup.push(() => receiver.down());
    const db = openAlertsDatabase(['r1'], path);
    cleanup.push(() => db.close());
    addEndpoint(db, { name: 'receiver', url: receiver.url, secret });
    const engine = new AlertEngine({
      sqlite: db.sqlite,
      log: silentLogger,
      rules: [odHigh],
      externalUrl: 'http://culturewatch.test',
    });
    await engine.start();
    for (let m = 0; m < 3; m++) engine.onReadings([reading(m, m % 2 === 0 ? 1.5 : 0.5)]);

    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/alerts/sender-process.ts', path], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    cleanup.push(async () => {
      child.kill('SIGKILL');
      await exited;
    });
    await waitFor('the first request to be in flight', () => receiver.requests.length === 1, 30_000);
    child.kill('SIGKILL');
    await exited;
    expect(db.db.select().from(webhookDeliveries).all()).toHaveLength(0); // its outcome was never recorded

    receiver.hang = false;
    const stack = await startAlertStack(db, [odHigh]);
    cleanup.push(() => stack.stop());
    await waitFor('all three notifications', () => receiver.accepted.length === 3, 10_000);
    expect(receiver.requests).toHaveLength(4);
    // The interrupted one came again with the same key, so the receiver kept it once.
    expect(receiver.requests[1].idempotencyKey).toBe(receiver.requests[0].idempotencyKey);
    expect(receiver.accepted.map((r) => r.body.culturewatch.eventId)).toEqual([1, 2, 3]);
    // The outcome is recorded once the response is in.
    await waitFor('the outbox to be delivered', () =>
      db.db
        .select()
        .from(webhookOutbox)
        .all()
        .every((r) => r.state === 'delivered'),
    );
  });
});
