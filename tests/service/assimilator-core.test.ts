/**
 * The assimilator's work in-process (what its worker thread runs): fair turns between reactors, a
 * failing reactor that does not starve the others, every fit stored with its reason and never a NaN,
 * late data refitting the windows it falls in (also when it arrived while no worker ran, or its notice
 * was lost), and the chain state surviving a round trip.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compileModel, EstimatorChain } from '../../assimilation';
import type { PlantSignal } from '../../contract/api';
import { type OpenDatabase, openDatabase } from '../../db/open-database';
import { AssimilatorCore } from '../../server/assimilator/assimilator-core';
import {
  type AssimilatorSettings,
  chainOptionsOf,
  defaultAssimilatorSettings,
} from '../../server/assimilator/assimilator-settings';
import { RoundRobin } from '../../server/assimilator/round-robin';
import type { FitNotice, ReadingsNotice } from '../../server/assimilator/worker-protocol';
import { BatchedWriter } from '../../server/ingest/batched-writer';
import type { AcceptedReading } from '../../server/ingest/message-validator';
import { mqttSignalOf } from '../../simulator/live-publisher';
import { builtInModel } from '../../simulator/model-files';
import { generatePlantHistory } from '../../simulator/plant-history';
import type { PlantSample } from '../../simulator/plant-sample';

const hourMs = 3_600_000;
const epochMs = Date.UTC(2016, 0, 1);
const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const step of cleanup.splice(0).reverse()) step();
});

interface Harness {
  database: OpenDatabase;
  core: AssimilatorCore;
  fits: FitNotice[];
  logs: string[];
  /**
   * Stores readings as the ingester does and tells the core, unless no worker is there to tell;
   * `receivedAtMs` is when the ingester stamped them (their commit may come later). Returns the notice.
   */
  store(reactorId: string, samples: PlantSample[], tell?: boolean, receivedAtMs?: number): ReadingsNotice;
  runUntilIdle(maxSteps?: number): number;
  /** A new core on the same database, as a restarted worker. */
  restart(): void;
}

function harness(settings: Partial<AssimilatorSettings> = {}): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'cw-assimilator-'));
  const database = openDatabase(join(dir, 'db.sqlite'), { synchronous: 'normal' });
  cleanup.push(() => {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const fits: FitNotice[] = [];
  const logs: string[] = [];
  const startCore = () => {
    const core = new AssimilatorCore({
      sqlite: database.sqlite,
      settings: { ...defaultAssimilatorSettings, ...settings },
      onFit: (fit) => fits.push(fit),
      log: (_level, msg) => logs.push(msg),
    });
    core.start();
    return core;
  };
  const writer = new BatchedWriter(database.sqlite);
  return {
    database,
    core: startCore(),
    fits,
    logs,
    restart() {
      this.core = startCore();
    },
    store(reactorId, samples, tell = true, receivedAtMs = Date.now()) {
      const readings: AcceptedReading[] = samples.map((s) => ({
        reactorId,
        signal: mqttSignalOf[s.signal] as PlantSignal,
        tsMs: Math.round(epochMs + s.timeH * hourMs),
        value: s.value,
        receivedAtMs,
      }));
      for (const r of readings) writer.accept(r);
      writer.flush();
      const { highest } = database.sqlite.prepare('SELECT max(rowid) AS highest FROM readings').get() as {
        highest: number;
      };
      const notice: ReadingsNotice = {
        reactorId,
        oldestTsMs: Math.min(...readings.map((r) => r.tsMs)),
        newestTsMs: Math.max(...readings.map((r) => r.tsMs)),
        online: readings.some((r) => ['od', 'substrate', 'dilution'].includes(r.signal)),
        highestRowid: highest,
      };
      if (tell) this.core.noteReadings([notice]);
      return notice;
    },
    runUntilIdle(maxSteps = 500) {
      let steps = 0;
      while (steps < maxSteps && this.core.step()) steps++;
      return steps;
    },
  };
}

/** A chain fitted on 30 h of readings (18 windows), the 12 h assay held back, and the readings after 30 h. */
function chainFittedTo30h(): { h: Harness; assay: PlantSample[]; later: PlantSample[] } {
  const h = harness();
  const plant = generatePlantHistory({ scenario: 'steady', days: 32 / 24, seed: 9, assays: true });
  const online = plant.samples.filter((s) => s.availableAtH === undefined);
  h.store(
    'r1',
    online.filter((s) => s.timeH <= 30),
  );
  h.runUntilIdle();
  expect(h.fits).toHaveLength(18);
  h.fits.length = 0;
  return {
    h,
    assay: plant.samples.filter((s) => s.availableAtH !== undefined && s.timeH === 12),
    later: online.filter((s) => s.timeH > 30),
  };
}

describe('assimilator turns', () => {
  it('round-robin serves the next item with work after the last one served', () => {
    const turns = new RoundRobin<string>();
    for (const id of ['a', 'b', 'c']) turns.add(id);
    const work: Record<string, number> = { a: 3, b: 1, c: 2 };
    const order: string[] = [];
    for (;;) {
      const next = turns.next((id) => work[id] > 0);
      if (!next) break;
      work[next]--;
      order.push(next);
    }
    expect(order).toEqual(['a', 'b', 'c', 'a', 'c', 'a']);
  });

  it('shares the worker fairly: a reactor whose fits all fail does not starve a healthy one', () => {
    const h = harness();
    const good = generatePlantHistory({ scenario: 'steady', days: 1, seed: 5 }).samples;
    // The same plant without its dilution readings: no window can be built, every fit fails.
    const broken = good.filter((s) => s.signal !== 'D');
    h.store('broken', broken);
    h.store('good', good);
    const initial = h.core.status();
    expect(initial.reactorsDue).toBe(2);
    h.runUntilIdle();
    const order = h.fits.map((f) => f.reactorId);
    // Windows ending at 12 … 23 h for each: they alternate while both have work.
    expect(order).toHaveLength(24);
    for (let i = 0; i < order.length; i += 2) expect(new Set(order.slice(i, i + 2)).size).toBe(2);
    const broke = h.fits.filter((f) => f.reactorId === 'broken');
    expect(broke.every((f) => f.status === 'failed' && f.reason === 'no-data')).toBe(true);
    expect(h.fits.filter((f) => f.reactorId === 'good').every((f) => f.status === 'ok')).toBe(true);
    expect(h.core.status()).toMatchObject({ queueDepth: 0, reactorsDue: 0, reactors: 2 });

    const sqlite = h.database.sqlite;
    // Every failure is stored with its reason and detail, and nothing stored is NaN or infinite.
    const failed = sqlite.prepare("SELECT * FROM fits WHERE status = 'failed'").all() as {
      reason: string;
      detail: string;
      loss: number | null;
    }[];
    expect(failed).toHaveLength(12);
    for (const f of failed) {
      expect(f.reason).toBe('no-data');
      expect(f.detail).toMatch(/no D readings/);
      expect(f.loss).toBeNull();
    }
    const nonFinite = sqlite
      .prepare(
        `SELECT (SELECT count(*) FROM fit_parameters WHERE value IS NULL OR abs(value) > 1e308 OR abs(sd_log) > 1e308)
              + (SELECT count(*) FROM fit_composition WHERE abs(value) > 1e308 OR abs(sd) > 1e308)
              + (SELECT count(*) FROM fits WHERE abs(loss) > 1e308) AS n`,
      )
      .get() as { n: number };
    expect(nonFinite.n).toBe(0);
    const docs = sqlite
      .prepare('SELECT trajectory_json AS t FROM fit_documents WHERE t IS NOT NULL')
      .all() as {
      t: string;
    }[];
    expect(docs).toHaveLength(12);
    for (const d of docs) expect(d.t).not.toMatch(/null|NaN|Infinity/);
  });

  it('refits the windows a late reading falls in, and only those', () => {
    const h = harness();
    const plant = generatePlantHistory({ scenario: 'steady', days: 30 / 24, seed: 9, assays: true });
    const online = plant.samples.filter((s) => s.availableAtH === undefined);
    const assay = plant.samples.filter((s) => s.availableAtH !== undefined && s.timeH === 12);
    expect(assay.length).toBeGreaterThan(0);
    h.store('r1', online);
    h.runUntilIdle();
    expect(h.fits).toHaveLength(18);
    expect(h.fits.some((f) => f.refit)).toBe(false);
    h.fits.length = 0;
    // The assay sampled at 12 h arrives now: the windows containing 12 h that the chain still holds
    // (it keeps the last 14 checkpoints: windows starting 16 … 3 h back) are fitted again.
    h.store('r1', assay);
    expect(h.core.status().queueDepth).toBeGreaterThan(0);
    h.runUntilIdle();
    const refitStarts = h.fits.map((f) => Math.round((f.windowEndMs - epochMs) / hourMs) - 12);
    expect(h.fits.every((f) => f.refit && f.status === 'ok')).toBe(true);
    expect(refitStarts[0]).toBeLessThanOrEqual(12);
    expect(refitStarts).toEqual(Array.from({ length: refitStarts.length }, (_, k) => refitStarts[0] + k));
    expect(refitStarts.at(-1)).toBe(17);
  });

  it('refits for late readings that arrived while no worker ran, once one starts again', () => {
    const h = harness();
    const plant = generatePlantHistory({ scenario: 'steady', days: 30 / 24, seed: 9, assays: true });
    const online = plant.samples.filter((s) => s.availableAtH === undefined);
    const assay = plant.samples.filter((s) => s.availableAtH !== undefined && s.timeH === 12);
    h.store('r1', online);
    h.runUntilIdle();
    expect(h.fits).toHaveLength(18);
    h.fits.length = 0;
    // A restart with nothing new has no work: on-time readings the chain has seen are not late.
    h.restart();
    expect(h.core.status().reactorsDue).toBe(0);
    // The worker stops (new settings, a crash); the assay is stored and its notice reaches nobody.
    // It was stamped on arrival a minute ago, before the last fit read its data, but committed only now.
    h.store('r1', assay, false, Date.now() - 60_000);
    h.restart();
    expect(h.logs.filter((m) => m.startsWith('late readings arrived while no assimilator ran'))).toHaveLength(
      1,
    );
    expect(h.core.status().reactorsDue).toBe(1);
    h.runUntilIdle();
    const refitStarts = h.fits.map((f) => Math.round((f.windowEndMs - epochMs) / hourMs) - 12);
    expect(h.fits.every((f) => f.refit && f.status === 'ok')).toBe(true);
    expect(refitStarts[0]).toBeLessThanOrEqual(12);
    expect(refitStarts.at(-1)).toBe(17);
    // Once refitted, the next restart finds nothing late.
    h.restart();
    expect(h.core.status().reactorsDue).toBe(0);
  });

  it('refits for a late reading whose notice never came, before its next fit marks it seen', () => {
    const { h, later, assay } = chainFittedTo30h();
    // The assay is stored, but its notice is lost (the worker that was told died before acting on it);
    // then new readings make the next window due, and its fit reads a mark above the assay's.
    h.store('r1', assay, false);
    h.store('r1', later);
    h.runUntilIdle();
    const refitStarts = h.fits
      .filter((f) => f.refit)
      .map((f) => Math.round((f.windowEndMs - epochMs) / hourMs) - 12);
    expect(refitStarts[0]).toBeLessThanOrEqual(12);
    expect(refitStarts.at(-1)).toBe(17);
    expect(h.fits.every((f) => f.status === 'ok')).toBe(true);
    // Nothing is left for a restart to find.
    h.restart();
    expect(h.core.status().reactorsDue).toBe(0);
  });

  it('refits once for a late reading whose notice comes after a fit has found it in the database', () => {
    const { h, later, assay } = chainFittedTo30h();
    // The assay is committed just as a fit starts: the fit's database check finds it, and its notice,
    // posted a moment later, is heard only after that fit.
    const late = h.store('r1', assay, false);
    h.store('r1', later);
    expect(h.core.step()).toBe(true);
    h.core.noteReadings([late]);
    h.runUntilIdle();
    const refitEnds = h.fits.filter((f) => f.refit).map((f) => f.windowEndMs);
    expect(refitEnds.length).toBeGreaterThan(0);
    expect(new Set(refitEnds).size).toBe(refitEnds.length);
  });

  it('stores the chain so that a new estimator continues it exactly', () => {
    const h = harness();
    h.store('r1', generatePlantHistory({ scenario: 'steady', days: 20 / 24, seed: 2 }).samples);
    h.runUntilIdle();
    const row = h.database.sqlite
      .prepare(
        'SELECT settings_key AS settingsKey, state_json AS stateJson, fitted_up_to_h AS fittedUpToH FROM assimilator_chains',
      )
      .get() as { settingsKey: string; stateJson: string; fittedUpToH: number };
    const model = compileModel(builtInModel());
    const options = chainOptionsOf(model, defaultAssimilatorSettings);
    const fresh = () => new EstimatorChain(model, options);
    const restored = fresh();
    expect(restored.restore(row)).toBe(true);
    expect(restored.snapshot()).toEqual(row);
    expect(restored.nextWindow?.startH).toBeCloseTo(row.fittedUpToH - 12 + 1, 9);
    expect(restored.nextWindow?.cold).toBe(false);
    // A chain from other settings or sizes, or with a non-finite number, is refused.
    const other = new EstimatorChain(model, {
      ...options,
      settings: { ...options.settings, freeParams: ['gA', 'gB'] },
    });
    expect(other.restore(row)).toBe(false);
    expect(other.restore({ ...row, settingsKey: other.settingsKey })).toBe(false);
    expect(fresh().restore({ ...row, stateJson: row.stateJson.replace(/\d+\.\d+/, '1e999') })).toBe(false);
    expect(fresh().restore({ ...row, stateJson: '{"version":1' })).toBe(false);
  });
});
