/**
 * A noisy signal near a threshold, through the whole engine, outbox and sender to a real receiver:
 * with pending and keep-firing times it makes one alarm (fired, then cleared when the signal really
 * goes away), not a storm of notifications.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { webhookOutbox } from '../../db/schema';
import { parseAlertRule } from '../../server/alerts/alert-rules';
import { waitFor } from '../fixtures/ingest-harness';
import { addEndpoint, openAlertsDatabase, sleep, startAlertStack, WebhookReceiver } from './alerts-harness';

const minute = 60_000;
const secret = 'flapping-secret-0123456789';

let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

/** Seeded normal noise (Box–Muller on a small LCG). */
function noise(seed: number): () => number {
  let state = seed;
  const uniform = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return (state + 1) / (2 ** 31 + 1);
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/**
 * Substrate read every minute for a day: 6 h well below the limit of 1, 12 h just above it (mean
 * 1.08, noise sd 0.05: about one reading in eighteen dips below), 6 h well below again.
 */
function hoveringSubstrate(seed: number): { tsMs: number; value: number }[] {
  const draw = noise(seed);
  const out: { tsMs: number; value: number }[] = [];
  for (let m = 0; m < 24 * 60; m++) {
    const mean = m >= 6 * 60 && m < 18 * 60 ? 1.08 : 0.8;
    out.push({ tsMs: m * minute, value: mean + 0.05 * draw() });
  }
  return out;
}

async function notificationsFor(pendingMinutes: number, keepFiringMinutes: number): Promise<string[]> {
  const db = openAlertsDatabase(['r1']);
  const receiver = new WebhookReceiver(secret);
  await receiver.up();
  addEndpoint(db, { name: 'pager', url: receiver.url, secret });
  const rule = parseAlertRule({
    id: 'substrate-high',
    kind: 'reading-range',
    signal: 'substrate',
    max: 1,
    severity: 'minor',
    pendingMinutes,
    keepFiringMinutes,
  });
  const stack = await startAlertStack(db, [rule]);
  cleanup.push(async () => {
    await stack.stop();
    await receiver.down();
    db.close();
  });
  // Readings arrive in batches of 15, as the ingester stores them.
  const readings = hoveringSubstrate(11).map((r) => ({
    reactorId: 'r1',
    signal: 'substrate',
    ...r,
    receivedAtMs: 0,
  }));
  for (let i = 0; i < readings.length; i += 15) stack.engine.onReadings(readings.slice(i, i + 15));
  const queued = db.db.select().from(webhookOutbox).all().length;
  await waitFor('every notification delivered', () => receiver.accepted.length === queued, 20_000);
  await sleep(100);
  return receiver.accepted.map((r) => r.body.culturewatch.transition);
}

describe('flapping', () => {
  it('noise around the threshold makes one fired and one cleared, not a storm', async () => {
    const damped = await notificationsFor(10, 30);
    expect(damped).toEqual(['fired', 'cleared']);
  });

  it('the same noise without pending and keep-firing times would storm (the rule is what stops it)', async () => {
    const bare = await notificationsFor(0, 0);
    expect(bare.length).toBeGreaterThan(40);
    expect(bare.slice(0, 4)).toEqual(['fired', 'cleared', 'fired', 'cleared']);
  });
});
