/**
 * The mismatch signal as the service runs it: from the residuals of a reactor's stored fits (hourly
 * 12 h windows of 15-minute od and substrate readings, as the assimilator stores them), the mismatch
 * view says the model explains the plant on white residuals and, once a systematic misfit starts, that
 * it no longer does, since when and in which signals (the same read fit by fit or all at once); a
 * `model-mismatch` rule fires on it, and the rule's validator refuses fields it does not have.
 */

import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { NetworkTermsView } from '../../contract/api';
import type { OpenDatabase } from '../../db/open-database';
import { fitDocuments, fits, models } from '../../db/schema';
import { prepareServiceReadStatements } from '../../db/service-read-statements';
import { AlertRuleError, parseAlertRule } from '../../server/alerts/alert-rules';
import { loadAlertSettings } from '../../server/alerts/alert-settings';
import { startAlerting } from '../../server/alerts/alerting';
import { ReactorMismatches } from '../../server/mismatch/reactor-mismatch';
import { createRandomStream } from '../../simulator/seeded-random';
import { silentLogger } from '../fixtures/ingest-harness';
import { openAlertsDatabase } from './alerts-harness';

const hourMs = 3_600_000;
/** The reactor's plant hour 0, as epoch ms (fits carry both clocks). */
const originMs = Date.UTC(2026, 0, 1);
let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

/** Deterministic standard normals (the simulator's seeded stream). */
function normals(seed: number): () => number {
  const stream = createRandomStream(seed);
  return () => stream.normal();
}

/** Stores the window (endH − 12, endH] with a residual per reading: noise, plus `misfit(t)`. */
function storeWindow(
  db: OpenDatabase,
  endH: number,
  noise: () => number,
  misfit: (tH: number) => number,
  hybrid?: { modelVersion: string; networkTerms: NetworkTermsView },
): number {
  const id = db.db
    .insert(fits)
    .values({
      reactorId: 'r1',
      windowStartMs: originMs + (endH - 12) * hourMs,
      windowEndMs: originMs + endH * hourMs,
      windowStartH: endH - 12,
      windowEndH: endH,
      fittedAtMs: Date.now(),
      status: 'ok',
      reason: null,
      detail: null,
      refit: false,
      coldStart: false,
      loss: 10,
      iterations: 5,
      durationMs: 12,
      modelVersion: hybrid?.modelVersion ?? null,
      networkTermsJson: hybrid ? JSON.stringify(hybrid.networkTerms) : null,
    })
    .returning({ id: fits.id })
    .get().id;
  const residuals = { tMs: [] as number[], signal: [] as string[], value: [] as number[] };
  for (let k = 47; k >= 0; k--) {
    const t = endH - k * 0.25;
    for (const signal of ['od', 'substrate']) {
      residuals.tMs.push(originMs + t * hourMs);
      residuals.signal.push(signal);
      residuals.value.push(noise() + (signal === 'od' ? misfit(t) : 0));
    }
  }
  db.db
    .insert(fitDocuments)
    .values({ fitId: id, residualsJson: JSON.stringify(residuals) })
    .run();
  return id;
}

describe('the mismatch signal in the service', () => {
  it('explains white residuals; after a misfit starts, says since when and in which signal, and a model-mismatch rule fires', async () => {
    const db = openAlertsDatabase(['r1']);
    cleanup.push(() => db.close());
    const reads = prepareServiceReadStatements(db.sqlite);
    const mismatches = new ReactorMismatches(reads);
    const reactorMismatch = (id: string) => mismatches.of(id);
    const alerting = await startAlerting({
      database: db,
      broker: undefined,
      topicPrefix: 'culturewatch',
      settings: loadAlertSettings({
        ALERT_RULES: JSON.stringify([{ id: 'unexplained', kind: 'model-mismatch', severity: 'major' }]),
      }),
      serviceUrl: 'http://localhost:3000',
      logger: silentLogger,
    });
    cleanup.push(() => alerting.stop());

    expect(reactorMismatch('r1')).toMatchObject({ explained: true, points: [] });
    const noise = normals(11);
    const onsetH = 60;
    // A residual of one sign, growing: what a yield the model holds fixed leaves in od once it moves.
    const misfit = (t: number) => (t > onsetH ? Math.min(3, (t - onsetH) / 4) : 0);
    let firedAtH: number | null = null;
    for (let endH = 12; endH <= 84; endH++) {
      alerting.fitStored(storeWindow(db, endH, noise, misfit));
      const alert = alerting.reactorAlert('r1');
      if (endH <= onsetH) {
        expect(alert, `no alarm at ${endH} h, before the misfit`).toBeNull();
        expect(reactorMismatch('r1').explained).toBe(true);
      } else if (alert && firedAtH === null) {
        firedAtH = endH;
        expect(alert.level).toBe('major');
        expect(alert.summary).toMatch(/^the model no longer explains the plant since .*od residuals/);
      }
    }
    expect(firedAtH, 'the rule fired after the misfit started').not.toBeNull();
    expect(firedAtH!).toBeLessThanOrEqual(onsetH + 12);

    const view = reactorMismatch('r1');
    expect(view.explained).toBe(false);
    expect(view.signals).toEqual(['od']);
    expect(view.sinceMs!).toBeGreaterThanOrEqual(originMs + onsetH * hourMs);
    expect(view.sinceMs!).toBeLessThanOrEqual(view.firedAtMs!);
    expect(view.firedAtMs!).toBeLessThanOrEqual(originMs + firedAtH! * hourMs);
    // The fits of the last 72 plant hours, each window's p-value on the plant calendar.
    expect(view.toMs).toBe(originMs + 84 * hourMs);
    expect(view.fromMs).toBe(originMs + 12 * hourMs);
    expect(view.points.at(-1)).toMatchObject({ tMs: originMs + 84 * hourMs });
    expect(view.points.at(-1)!.pValue!).toBeLessThan(view.test.fireP);
    // Read fit by fit as they came, or all at once after a restart: the same.
    expect(new ReactorMismatches(reads).of('r1')).toEqual(view);
  });

  it("with a hybrid, fires when the network's correction grows beyond 3× its training, naming the rate", async () => {
    const db = openAlertsDatabase(['r1']);
    cleanup.push(() => db.close());
    // The example hybrid's weights file: what each output added over training.
    const weightsText = readFileSync(
      new URL('../../models/chemostat-satellite-hybrid.weights.json', import.meta.url),
      'utf8',
    );
    const trained = (JSON.parse(weightsText) as { contribution: Record<string, number> }).contribution;
    db.db
      .insert(models)
      .values({
        version: 'hybrid0000000001',
        name: 'chemostat-satellite-hybrid',
        fileText: 'model: …',
        weightsText,
        addedAtMs: 0,
      })
      .run();
    const mismatches = new ReactorMismatches(prepareServiceReadStatements(db.sqlite));
    const noise = normals(12);
    const onsetH = 48;
    // White residuals throughout; the satellite's correction at its training size, then growing to 5×.
    const growth = (endH: number) => (endH <= onsetH ? 1 : Math.min(5, 1 + (endH - onsetH) / 3));
    let grownAtH: number | null = null;
    for (let endH = 12; endH <= 72; endH++) {
      const networkTerms: NetworkTermsView = {
        'Y per Y': { rate: 'Y', network: growth(endH) * trained['Y per Y'], mechanistic: 0.01 },
        'A per Y': { rate: 'A', network: trained['A per Y'], mechanistic: 0.002 },
        'B per Y': { rate: 'B', network: trained['B per Y'], mechanistic: 0.02 },
      };
      storeWindow(db, endH, noise, () => 0, { modelVersion: 'hybrid0000000001', networkTerms });
      const view = mismatches.of('r1');
      if (endH <= onsetH) expect(view.explained, `explained at ${endH} h`).toBe(true);
      else if (!view.explained && grownAtH === null) grownAtH = endH;
    }
    // Beyond 3× from 55 h (1 + 7/3); the median over the last 24 windows passes it at 66 h, when
    // half of them are beyond (the 12th and 13th smallest, 3 and 3.33, average above 3), not before.
    expect(grownAtH).toBe(66);
    const view = mismatches.of('r1');
    expect(view).toMatchObject({ explained: false, signals: [], rates: ['Y per Y'] });
    expect(view.sinceMs).toBe(originMs + grownAtH! * hourMs);
    const y = view.network!.rates.find((r) => r.label === 'Y per Y')!;
    expect(y).toMatchObject({ rate: 'Y', trained: trained['Y per Y'], grown: true });
    expect(y.windows.at(-1)).toEqual({
      tMs: originMs + 72 * hourMs,
      network: 5 * trained['Y per Y'],
      mechanistic: 0.01,
    });
    expect(view.network!.rates.filter((r) => r.grown).map((r) => r.label)).toEqual(['Y per Y']);
  });

  it('validates a model-mismatch rule: no fields of its own', () => {
    expect(parseAlertRule({ id: 'm', kind: 'model-mismatch', severity: 'warning' })).toMatchObject({
      kind: 'model-mismatch',
      enabled: true,
      pendingMinutes: 0,
    });
    expect(() => parseAlertRule({ id: 'm', kind: 'model-mismatch', severity: 'warning', maxRms: 3 })).toThrow(
      AlertRuleError,
    );
  });
});
