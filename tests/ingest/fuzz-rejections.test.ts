import { rmSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isReactorId, plantSignals as signals } from '../../contract/api';
import { type OpenDatabase, openDatabase } from '../../db/open-database';
import { type EmbeddedBroker, startEmbeddedBroker } from '../../server/broker/embedded-broker';
import { Ingester } from '../../server/ingest/ingester';
import { defaultMessageLimits, validateMessage } from '../../server/ingest/message-validator';
import { maxFutureSkewMs, plausibleRanges } from '../../server/ingest/reading-rules';
import { badMessages } from '../fixtures/bad-messages';
import { capturedLog, recordingSink, silentLogger, tempDir, waitFor } from '../fixtures/ingest-harness';

const prefix = 'culturewatch';

describe('each class of bad input ends in a counted rejection with its reason', () => {
  it('covers at least 30 classes, each rejected for the expected reason and nothing accepted', () => {
    const now = Date.now();
    const classes = badMessages(now);
    expect(classes.length).toBeGreaterThanOrEqual(30);
    for (const bad of classes) {
      const sink = recordingSink();
      validateMessage(bad.topic, bad.payload, now, prefix, defaultMessageLimits, sink);
      expect({
        name: bad.name,
        accepted: sink.accepted.length,
        reasons: sink.rejected.map((r) => r.reason),
      }).toEqual({
        name: bad.name,
        accepted: 0,
        reasons: Array(bad.rejections ?? 1).fill(bad.reason),
      });
      for (const r of sink.rejected) {
        expect(r.payloadExcerpt.length).toBeLessThanOrEqual(257);
        expect(r.topic.length).toBeLessThanOrEqual(257);
        expect(r.payloadBytes).toBe(bad.payload.length);
      }
    }
  });

  it('keeps the good readings of a batch and rejects only its bad elements', () => {
    const now = Date.now();
    const sink = recordingSink();
    const batch = [
      { ts: now - 2000, value: 1 },
      { ts: now - 1000, value: -1 },
      { ts: new Date(now - 500).toISOString(), value: 2 },
    ];
    validateMessage(
      'culturewatch/r1/od',
      Buffer.from(JSON.stringify(batch)),
      now,
      prefix,
      defaultMessageLimits,
      sink,
    );
    expect(sink.accepted.map((r) => [r.tsMs, r.value])).toEqual([
      [now - 2000, 1],
      [now - 500, 2],
    ]);
    expect(sink.rejected.map((r) => [r.reason, r.detail.startsWith('element 1:')])).toEqual([
      ['value-out-of-range', true],
    ]);
  });
});

describe('random mutations of good messages', () => {
  it('never throw, always end in readings or rejections, and let only finite plausible readings through', () => {
    const random = mulberry32(20240501);
    const now = Date.now();
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
    const tokens = [
      'NaN',
      '-',
      '"',
      ',',
      '{',
      '[',
      '}',
      ']',
      'null',
      '1e999',
      'Infinity',
      '\u0000',
      'é',
      '1',
      '.',
      'e',
    ];
    const topics = [
      'culturewatch/r1/od',
      'culturewatch/r-2/substrate',
      'culturewatch/R_3/assay/A',
      'culturewatch/r1/feed',
    ];
    let accepted = 0;
    let rejected = 0;
    for (let n = 0; n < 20_000; n++) {
      const ts = now - Math.floor(random() * 1e9);
      const good = pick([
        `{"ts":${ts},"value":${(random() * 200).toFixed(3)}}`,
        `[{"ts":${ts},"value":1.5},{"ts":"${new Date(ts).toISOString()}","value":2}]`,
        `${(random() * 50).toFixed(2)}`,
      ]);
      let text = good;
      for (let m = 1 + Math.floor(random() * 3); m > 0; m--) {
        const at = Math.floor(random() * (text.length + 1));
        const kind = random();
        if (kind < 0.4) text = text.slice(0, at) + pick(tokens) + text.slice(at);
        else if (kind < 0.7) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 4));
        else if (kind < 0.85) text = text.slice(0, at);
        else text = text + text.slice(at);
      }
      let topic = pick(topics);
      if (random() < 0.2) {
        const at = Math.floor(random() * (topic.length + 1));
        topic = topic.slice(0, at) + pick(['/', '+', '#', '..', '$', ' ', 'ü', '']) + topic.slice(at);
      }
      const payload = random() < 0.05 ? Buffer.from(text, 'latin1') : Buffer.from(text);
      const sink = recordingSink();
      const outcome = validateMessage(topic, payload, now, prefix, defaultMessageLimits, sink);
      if (outcome === 'service-output') continue;
      expect(sink.accepted.length + sink.rejected.length, `${topic} ${text}`).toBeGreaterThan(0);
      for (const r of sink.accepted) {
        expect(Number.isFinite(r.value)).toBe(true);
        expect(Number.isInteger(r.tsMs)).toBe(true);
        expect(r.tsMs).toBeGreaterThanOrEqual(0);
        expect(r.tsMs).toBeLessThanOrEqual(now + maxFutureSkewMs);
        expect(signals).toContain(r.signal);
        expect(isReactorId(r.reactorId)).toBe(true);
        expect(r.value).toBeGreaterThanOrEqual(plausibleRanges[r.signal].min);
        expect(r.value).toBeLessThanOrEqual(plausibleRanges[r.signal].max);
      }
      accepted += sink.accepted.length;
      rejected += sink.rejected.length;
    }
    // The mutations must actually exercise both paths.
    expect(accepted).toBeGreaterThan(1000);
    expect(rejected).toBeGreaterThan(1000);
  });
});

describe('bad input through the embedded broker', () => {
  let dir: string;
  let broker: EmbeddedBroker;
  let database: OpenDatabase;

  beforeAll(async () => {
    dir = tempDir('fuzz');
    broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1', logger: silentLogger });
    database = openDatabase(join(dir, 'fuzz.db'));
  });
  afterAll(async () => {
    database?.close();
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts each rejection by reason, keeps a bounded table, logs once per burst, and goes on ingesting', async () => {
    const log = capturedLog();
    const ingester = new Ingester({
      broker: { url: broker.url, protocol: '3.1.1' },
      clientId: 'fuzz-ingester',
      topicPrefix: prefix,
      sqlite: database.sqlite,
      logger: log.logger,
      writer: { maxStoredRejections: 10 },
      rejectionLogWindowMs: 60_000,
    });
    await ingester.start();
    const now = Date.now();
    const routed = badMessages(now).filter((b) => !b.validatorOnly);
    const expected: Record<string, number> = {};
    for (const b of routed) expected[b.reason] = (expected[b.reason] ?? 0) + (b.rejections ?? 1);
    const total = Object.values(expected).reduce((a, b) => a + b, 0);

    const device = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: 'fuzz-device' });
    for (const bad of routed) await device.publishAsync(bad.topic, bad.payload, { qos: 1 });
    await device.publishAsync('culturewatch/r1/od', JSON.stringify({ ts: now - 1, value: 4.2 }), { qos: 1 });
    await device.endAsync();

    await waitFor(
      'the good reading after the bad ones',
      () => ingester.metrics().readingsStored === 1,
      10_000,
      () => ingester.metrics(),
    );
    const metrics = ingester.metrics();
    expect(metrics.rejectionsByReason).toEqual(expected);
    expect(metrics.messagesReceived).toBe(routed.length + 1);
    expect(ingester.health().state).toBe('ready');

    const counted = database.sqlite.prepare('SELECT reason, count FROM rejection_counts').all() as {
      reason: string;
      count: number;
    }[];
    expect(Object.fromEntries(counted.map((c) => [c.reason, c.count]))).toEqual(expected);
    expect(database.sqlite.prepare('SELECT count(*) AS n FROM rejected_messages').get()).toEqual({ n: 10 });
    expect(database.sqlite.prepare('SELECT reactor_id, signal, ts_ms, value FROM readings').all()).toEqual([
      { reactor_id: 'r1', signal: 'od', ts_ms: now - 1, value: 4.2 },
    ]);

    await ingester.stop();
    const warnings = log.lines().filter((l) => l.msg.startsWith('rejected input'));
    expect(warnings.map((w) => w.msg)).toEqual(['rejected input', 'rejected input burst']);
    expect(warnings[1].rejected).toBe(total);
  });
});

/** A small seeded PRNG, so a failing fuzz case replays. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
