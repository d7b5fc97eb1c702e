/**
 * The service path for fits: the assimilator stores a fit, the alerts read it back by id
 * (satellite fraction, parameters, residuals), and a baseline learned from a reactor's first fits is
 * read from the stored fits, so that it is the same after a restart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { prepareAlertStatements } from '../../db/alert-statements';
import type { OpenDatabase } from '../../db/open-database';
import { fitComposition, fitDocuments, fitParameters, fits } from '../../db/schema';
import { loadAlertSettings } from '../../server/alerts/alert-settings';
import { type Alerting, startAlerting } from '../../server/alerts/alerting';
import { fitEvidenceById } from '../../server/alerts/fit-evidence';
import { silentLogger } from '../fixtures/ingest-harness';
import { openAlertsDatabase } from './alerts-harness';

const hourMs = 3_600_000;
let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

function storeFit(
  db: OpenDatabase,
  endH: number,
  fields: { status?: 'ok' | 'failed'; refit?: boolean; gB?: number; fraction?: number; residuals?: number[] },
): number {
  const status = fields.status ?? 'ok';
  const id = db.db
    .insert(fits)
    .values({
      reactorId: 'r1',
      windowStartMs: (endH - 12) * hourMs,
      windowEndMs: endH * hourMs,
      windowStartH: endH - 12,
      windowEndH: endH,
      fittedAtMs: Date.now(),
      status,
      reason: status === 'ok' ? null : 'solver-failure',
      detail: null,
      refit: fields.refit ?? false,
      coldStart: false,
      loss: status === 'ok' ? 10 : null,
      iterations: 5,
      durationMs: 12,
    })
    .returning({ id: fits.id })
    .get().id;
  if (status === 'failed') return id;
  const gB = fields.gB ?? 3;
  db.db
    .insert(fitParameters)
    .values([
      {
        fitId: id,
        name: 'gB',
        value: gB,
        free: true,
        sdLog: 0.02,
        sdLogData: 0.05,
        lower95: gB * 0.96,
        upper95: gB * 1.04,
        determined: true,
      },
      { fitId: id, name: 'mu0', value: 0.3, free: false },
    ])
    .run();
  db.db
    .insert(fitComposition)
    .values({ fitId: id, quantity: 'satellite_fraction', value: fields.fraction ?? 0.011, sd: 0.001 })
    .run();
  db.db
    .insert(fitDocuments)
    .values({
      fitId: id,
      residualsJson: JSON.stringify({
        tMs: [0, 1, 2],
        signal: ['od', 'od', 'substrate'],
        value: fields.residuals ?? [0.5, null, -1],
      }),
    })
    .run();
  return id;
}

async function alertingOn(db: OpenDatabase): Promise<Alerting> {
  const alerting = await startAlerting({
    database: db,
    broker: undefined,
    topicPrefix: 'culturewatch',
    settings: loadAlertSettings({
      ALERT_RULES: JSON.stringify([
        {
          id: 'gb-drift',
          kind: 'parameter-band',
          parameter: 'gB',
          baseline: { firstFits: 4, skipFits: 2 },
          k: 3,
          severity: 'minor',
        },
        { id: 'satellite-high', kind: 'satellite-fraction', threshold: 0.017, severity: 'major' },
        { id: 'mismatch', kind: 'residuals', maxRms: 2, severity: 'warning' },
      ]),
    }),
    serviceUrl: 'http://localhost:3000',
    logger: silentLogger,
  });
  cleanup.push(() => alerting.stop());
  return alerting;
}

describe('alerts over stored fits', () => {
  it('reads a stored fit as evidence: free parameters, satellite fraction, finite residuals', () => {
    const db = openAlertsDatabase(['r1']);
    cleanup.push(() => db.close());
    const ok = storeFit(db, 20, { gB: 3.2, fraction: 0.02 });
    const failed = storeFit(db, 21, { status: 'failed' });
    expect(fitEvidenceById(prepareAlertStatements(db.sqlite), ok)).toEqual({
      kind: 'fit',
      reactorId: 'r1',
      fitId: ok,
      windowEndMs: 20 * hourMs,
      status: 'ok',
      reason: null,
      refit: false,
      satelliteFraction: { value: 0.02, sd: 0.001 },
      params: { gB: { value: 3.2, sdLog: 0.02 } },
      standardizedResiduals: [0.5, -1],
    });
    expect(fitEvidenceById(prepareAlertStatements(db.sqlite), failed)).toMatchObject({
      status: 'failed',
      reason: 'solver-failure',
      params: null,
    });
    expect(fitEvidenceById(prepareAlertStatements(db.sqlite), 999)).toBeUndefined();
  });

  it('takes a learned baseline from the first stored fits, the same after a restart', async () => {
    const db = openAlertsDatabase(['r1']);
    cleanup.push(() => db.close());
    // Two cold-start fits far off, a failed one and a refit (neither counts), then four near 3.
    storeFit(db, 12, { gB: 9 });
    storeFit(db, 13, { gB: 7 });
    storeFit(db, 14, { status: 'failed' });
    storeFit(db, 13, { gB: 50, refit: true });
    for (const [h, gB] of [
      [15, 3.0],
      [16, 3.1],
      [17, 2.9],
      [18, 3.0],
    ])
      storeFit(db, h, { gB });

    // A restarted service: the baseline is known at once, so a drifted fit fires.
    const alerting = await alertingOn(db);
    const drifted = storeFit(db, 19, { gB: 4.5 });
    alerting.fitStored(drifted);
    const active = alerting.reactorAlert('r1');
    expect(active).toMatchObject({ level: 'minor', activeCount: 1 });
    expect(active?.summary).toMatch(/^gB 4.5 is [\d.]+ sd above its baseline 3 \(limit 3\)$/);

    // A fit back near the baseline clears it; a satellite fraction high with confidence fires another.
    alerting.fitStored(storeFit(db, 20, { gB: 3.05, fraction: 0.03 }));
    expect(alerting.reactorAlert('r1')).toMatchObject({ level: 'major', activeCount: 1 });
    // Residuals RMS √((9+9)/2) = 3 > 2.
    alerting.fitStored(storeFit(db, 21, { gB: 3.0, residuals: [3, -3] }));
    expect(alerting.reactorAlert('r1')).toMatchObject({ level: 'warning', activeCount: 1 });
  });
});
