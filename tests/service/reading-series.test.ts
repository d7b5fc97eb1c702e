/**
 * `/readings` downsampling on 10 days of 15-second data: raw when it fits, LTTB over a few days of raw
 * readings, merged rollups (mean with min and max) beyond, and rollups again where retention has
 * removed the raw readings. A single spike survives every path.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenDatabase, openDatabase } from '../../db/open-database';
import {
  asyncServiceReads,
  prepareServiceReadStatements,
  type ServiceReads,
} from '../../db/service-read-statements';
import { lttbIndices } from '../../server/api/lttb';
import { readingSeries } from '../../server/api/reading-series';
import { BatchedWriter } from '../../server/ingest/batched-writer';

const startMs = Date.UTC(2020, 0, 1);
const stepMs = 15_000;
const days = 10;
const count = (days * 86_400_000) / stepMs;
const spikeIndex = 123_457 % count;
const valueAt = (i: number) => (i === spikeIndex ? 900 : 50 + 10 * Math.sin(i / 500));
const limits = { lttbRawLimit: 50_000, topicPrefix: 'culturewatch', rejectionScan: 1000 };

let dir: string;
let database: OpenDatabase;
let reads: ServiceReads;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cw-series-'));
  database = openDatabase(join(dir, 'db.sqlite'), { synchronous: 'normal' });
  const writer = new BatchedWriter(database.sqlite, { maxRows: 20_000 });
  for (let i = 0; i < count; i++) {
    writer.accept({
      reactorId: 'r1',
      signal: 'od',
      tsMs: startMs + i * stepMs,
      value: valueAt(i),
      receivedAtMs: 0,
    });
  }
  writer.flush();
  database.sqlite
    .prepare(
      `INSERT INTO rejected_messages (received_at_ms, topic, payload_excerpt, payload_bytes, reason, detail)
       VALUES (0, 'culturewatch/r1/od', ?, 30, 'value-out-of-range', 'below 0')`,
    )
    .run(JSON.stringify({ ts: startMs + 1000, value: -3 }));
  reads = asyncServiceReads(prepareServiceReadStatements(database.sqlite));
}, 60_000);

afterAll(() => {
  database?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('reading series', () => {
  it('keeps the extremes in LTTB', async () => {
    const t = Array.from({ length: 1000 }, (_, i) => i);
    const v = t.map((i) => (i === 321 ? 100 : Math.sin(i / 50)));
    const kept = lttbIndices(t, v, 50);
    expect(kept).toHaveLength(50);
    expect(kept[0]).toBe(0);
    expect(kept.at(-1)).toBe(999);
    expect(kept).toContain(321);
    expect([...kept].sort((a, b) => a - b)).toEqual(kept);
  });

  it('returns raw readings when the range holds no more than maxPoints', async () => {
    const s = await readingSeries(
      reads,
      { reactorId: 'r1', signal: 'od', fromMs: startMs, toMs: startMs + 100 * stepMs, maxPoints: 100 },
      limits,
    );
    expect(s.source).toBe('raw');
    expect(s.tMs).toHaveLength(100);
    expect(s.value[7]).toBe(valueAt(7));
    expect(s.rejected).toEqual({ tMs: [startMs + 1000], value: [-3], reason: ['value-out-of-range'] });
  });

  it('downsamples a day of raw readings by LTTB, keeping the spike', async () => {
    const from = startMs + (spikeIndex - 2000) * stepMs;
    const s = await readingSeries(
      reads,
      { reactorId: 'r1', signal: 'od', fromMs: from, toMs: from + 86_400_000, maxPoints: 500 },
      limits,
    );
    expect(s.source).toBe('lttb');
    expect(s.rawCount).toBe(5760);
    expect(s.tMs).toHaveLength(500);
    expect(Math.max(...s.value)).toBe(900);
  });

  it('merges rollups beyond the raw limit: ≤ maxPoints, mean inside min and max, nothing lost', async () => {
    const s = await readingSeries(reads, { reactorId: 'r1', signal: 'od', maxPoints: 2000 }, limits);
    expect(s.source).toBe('rollup');
    expect(s.fromMs).toBe(startMs);
    expect(s.toMs).toBe(startMs + (count - 1) * stepMs + 1);
    expect(s.rawCount).toBe(count);
    expect(s.tMs.length).toBeLessThanOrEqual(2000);
    expect(s.tMs.length).toBeGreaterThan(1000);
    for (let i = 0; i < s.tMs.length; i++) {
      expect(s.min![i]).toBeLessThanOrEqual(s.value[i]);
      expect(s.max![i]).toBeGreaterThanOrEqual(s.value[i]);
      if (i > 0) expect(s.tMs[i]).toBeGreaterThan(s.tMs[i - 1]);
    }
    expect(Math.max(...s.max!)).toBe(900);
    const mean = Array.from({ length: count }, (_, i) => valueAt(i)).reduce((a, b) => a + b) / count;
    const width = s.tMs[1] - s.tMs[0];
    const perPoint = width / stepMs;
    const weighted = s.value.reduce((a, v) => a + v * perPoint, 0) / (perPoint * s.value.length);
    expect(weighted).toBeCloseTo(mean, 1);
  });

  it('serves rollups where retention has removed the raw readings', async () => {
    const cutoff = startMs + 5 * 86_400_000;
    database.sqlite.prepare('DELETE FROM readings WHERE ts_ms < ?').run(cutoff);
    const early = await readingSeries(
      reads,
      { reactorId: 'r1', signal: 'od', fromMs: startMs, toMs: startMs + 86_400_000, maxPoints: 300 },
      limits,
    );
    expect(early.source).toBe('rollup');
    expect(early.rawCount).toBe(5760);
    expect(early.tMs[0]).toBe(startMs);
    const late = await readingSeries(
      reads,
      { reactorId: 'r1', signal: 'od', fromMs: cutoff, toMs: cutoff + 3_600_000, maxPoints: 300 },
      limits,
    );
    expect(late.source).toBe('raw');
    expect(late.tMs).toHaveLength(240);
  });
});
