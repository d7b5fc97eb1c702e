import { afterEach, describe, expect, it } from 'vitest';
import type { OpenDatabase } from '../../db/open-database';
import { webhookDeliveries, webhookOutbox } from '../../db/schema';
import { parseAlertRule } from '../../server/alerts/alert-rules';
import { capturedLog, waitFor } from '../fixtures/ingest-harness';
import {
  type AlertStack,
  addEndpoint,
  openAlertsDatabase,
  sleep,
  startAlertStack,
  WebhookReceiver,
} from './alerts-harness';

const odHigh = parseAlertRule({
  id: 'od-high',
  kind: 'reading-range',
  signal: 'od',
  max: 1,
  severity: 'major',
});
const minute = 60_000;

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

/** Alternates od above and below the limit, one reading a minute: each reading is one transition. */
function toggle(stack: AlertStack, reactorId: string, fromMinute: number, count: number): void {
  for (let i = 0; i < count; i++) {
    const m = fromMinute + i;
    stack.engine.onReadings([
      { reactorId, signal: 'od', tsMs: m * minute, value: m % 2 === 0 ? 1.5 : 0.5, receivedAtMs: Date.now() },
    ]);
  }
}

function eventIdsInOutbox(db: OpenDatabase, endpointId: number): number[] {
  return db.db
    .select()
    .from(webhookOutbox)
    .all()
    .filter((r) => r.endpointId === endpointId)
    .sort((a, b) => a.id - b.id)
    .map((r) => r.alarmEventId);
}

describe('webhook delivery through the outbox', () => {
  it('survives a receiver that fails three times, then is down, then comes back: all arrive, in order, signed, once per key', async () => {
    const db = openAlertsDatabase();
    const log = capturedLog('debug');
    const flaky = new WebhookReceiver('flaky-secret-0123456789');
    const steady = new WebhookReceiver('steady-secret-0123456789');
    await flaky.up();
    await steady.up();
    flaky.failNext(3, 503);
    const flakyId = addEndpoint(db, { name: 'flaky', url: flaky.url, secret: 'flaky-secret-0123456789' });
    const steadyId = addEndpoint(db, { name: 'steady', url: steady.url, secret: 'steady-secret-0123456789' });
    const stack = await startAlertStack(db, [odHigh], { log: log.logger });
    cleanup.push(async () => {
      await stack.stop();
      await flaky.down();
      await steady.down();
      db.close();
    });

    // Phase 1: the first notification is refused three times, then accepted with the rest.
    toggle(stack, 'r1', 0, 6);
    toggle(stack, 'r2', 0, 2);
    await waitFor('the flaky receiver to accept phase 1', () => flaky.accepted.length === 8, 20_000);
    expect(flaky.requests.slice(0, 4).map((r) => r.answeredStatus)).toEqual([503, 503, 503, 200]);
    // The refused attempts were the same notification, under the same key.
    expect(new Set(flaky.requests.slice(0, 4).map((r) => r.idempotencyKey)).size).toBe(1);

    // Phase 2: the flaky receiver is down for a stretch while alarms keep changing.
    await flaky.down();
    const before = flaky.requests.length;
    toggle(stack, 'r1', 6, 7);
    stack.engine.acknowledge(1, 'alice');
    toggle(stack, 'r2', 2, 3);
    const total = 8 + 7 + 1 + 3;
    // The other endpoint is not held up by the dead one.
    await waitFor('the steady receiver to get everything', () => steady.accepted.length === total, 20_000);
    await sleep(800);
    const failedWhileDown = db.db
      .select()
      .from(webhookDeliveries)
      .all()
      .filter((d) => d.endpointId === flakyId && d.outcome === 'network-error');
    expect(failedWhileDown.length).toBeGreaterThanOrEqual(2);
    expect(flaky.requests.length).toBe(before);
    expect(stack.sender.health().state).toBe('disconnected');

    // Phase 3: it comes back on the same port and catches up.
    await flaky.up();
    await waitFor(
      'the flaky receiver to catch up',
      () => flaky.accepted.length === total,
      20_000,
      () => ({
        accepted: flaky.accepted.length,
      }),
    );
    await waitFor('the sender to be ready again', () => stack.sender.health().state === 'ready', 5_000);
    // Outcomes are recorded once each response is in.
    await waitFor('the outbox to be delivered', () =>
      db.db
        .select()
        .from(webhookOutbox)
        .all()
        .every((r) => r.state === 'delivered'),
    );

    for (const [receiver, endpointId] of [
      [flaky, flakyId],
      [steady, steadyId],
    ] as const) {
      // One request at a time per endpoint.
      expect(receiver.maxConcurrent).toBe(1);
      // Every request was signed correctly (the refused ones too).
      expect(receiver.requests.every((r) => r.signatureValid)).toBe(true);
      // In order: the receiver saw the notifications in the order of the changes.
      const arrived = receiver.accepted.map((r) => r.body.culturewatch.eventId);
      expect(arrived).toEqual(eventIdsInOutbox(db, endpointId));
      expect(arrived).toEqual([...arrived].sort((a, b) => a - b));
      // One key per change, never two keys for one change.
      const keysPerEvent = new Map<number, Set<string>>();
      for (const r of receiver.requests) {
        const keys = keysPerEvent.get(r.body.culturewatch.eventId) ?? new Set();
        keys.add(r.idempotencyKey);
        keysPerEvent.set(r.body.culturewatch.eventId, keys);
      }
      expect([...keysPerEvent.values()].every((keys) => keys.size === 1)).toBe(true);
      expect(keysPerEvent.size).toBe(total);
    }

    // Per alarm, the flaky receiver saw fired, cleared, fired, … in order, with the acknowledgement in place.
    const r1 = flaky.accepted.filter((r) => r.body.alerts[0].labels.reactor === 'r1');
    expect(r1.map((r) => r.body.culturewatch.transition)).toEqual([
      ...['fired', 'cleared', 'fired', 'cleared', 'fired', 'cleared', 'fired', 'cleared', 'fired', 'cleared'],
      ...['fired', 'cleared', 'fired', 'acknowledged'],
    ]);
    expect(r1.map((r) => r.body.status).slice(0, 2)).toEqual(['firing', 'resolved']);

    // The attempt log has every attempt with its outcome.
    const attempts = db.db
      .select()
      .from(webhookDeliveries)
      .all()
      .filter((d) => d.endpointId === flakyId);
    expect(attempts.filter((d) => d.outcome === 'http-error').map((d) => d.httpStatus)).toEqual([
      503, 503, 503,
    ]);
    expect(attempts.filter((d) => d.outcome === 'delivered')).toHaveLength(total);
    expect(
      db.db
        .select()
        .from(webhookOutbox)
        .all()
        .every((r) => r.state === 'delivered'),
    ).toBe(true);

    // Secrets never reach the log; neither does the URL's query string.
    const logText = JSON.stringify(log.lines());
    expect(logText).toContain('webhook delivery failed');
    expect(logText).not.toContain('flaky-secret');
    expect(logText).not.toContain('not-for-logs');
  });

  it('a receiver that never answers hits the time limit and holds up no one else', async () => {
    const db = openAlertsDatabase();
    const silent = new WebhookReceiver('silent-secret-0123456789');
    const steady = new WebhookReceiver('steady-secret-0123456789');
    await silent.up();
    await steady.up();
    silent.hang = true;
    const silentId = addEndpoint(db, { name: 'silent', url: silent.url, secret: 'silent-secret-0123456789' });
    addEndpoint(db, { name: 'steady', url: steady.url, secret: 'steady-secret-0123456789' });
    const stack = await startAlertStack(db, [odHigh], { requestTimeoutMs: 300 });
    cleanup.push(async () => {
      await stack.stop();
      await silent.down();
      await steady.down();
      db.close();
    });
    toggle(stack, 'r1', 0, 5);
    await waitFor('the steady receiver', () => steady.accepted.length === 5, 10_000);
    await waitFor(
      'two timed-out attempts',
      () =>
        db.db
          .select()
          .from(webhookDeliveries)
          .all()
          .filter((d) => d.endpointId === silentId && d.outcome === 'timeout').length >= 2,
      10_000,
    );
    // Still one notification at a time to the silent endpoint: the first, again and again, never two at once.
    expect(new Set(silent.requests.map((r) => r.body.culturewatch.eventId)).size).toBe(1);
    expect(silent.maxConcurrent).toBe(1);
    silent.hang = false;
    await waitFor('the silent receiver to catch up', () => silent.accepted.length === 5, 10_000);
    const timeouts = db.db
      .select()
      .from(webhookDeliveries)
      .all()
      .filter((d) => d.outcome === 'timeout');
    expect(timeouts.every((d) => d.httpStatus === null && d.error === 'no response within 300 ms')).toBe(
      true,
    );
  });

  it('sends only the severities an endpoint takes, and nothing to a disabled one', async () => {
    const db = openAlertsDatabase();
    const critical = new WebhookReceiver('critical-secret-0123456789');
    const off = new WebhookReceiver('off-secret-0123456789');
    await critical.up();
    await off.up();
    addEndpoint(db, {
      name: 'critical only',
      url: critical.url,
      secret: 'critical-secret-0123456789',
      severities: ['critical'],
    });
    addEndpoint(db, { name: 'off', url: off.url, secret: 'off-secret-0123456789', enabled: false });
    const rules = [
      odHigh,
      parseAlertRule({
        id: 'od-very-high',
        kind: 'reading-range',
        signal: 'od',
        max: 2,
        severity: 'critical',
      }),
    ];
    const stack = await startAlertStack(db, rules);
    cleanup.push(async () => {
      await stack.stop();
      await critical.down();
      await off.down();
      db.close();
    });
    stack.engine.onReadings([
      { reactorId: 'r1', signal: 'od', tsMs: 0, value: 2.5, receivedAtMs: Date.now() },
    ]);
    await waitFor('the critical notification', () => critical.accepted.length === 1, 10_000);
    await sleep(300);
    expect(critical.accepted[0].body.alerts[0].labels).toMatchObject({
      severity: 'critical',
      rule_id: 'od-very-high',
    });
    expect(off.requests).toHaveLength(0);
    expect(db.db.select().from(webhookOutbox).all()).toHaveLength(1);
  });
});
