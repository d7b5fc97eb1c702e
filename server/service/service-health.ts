/** `GET /healthz` (contract/api.ts `Health`): the broker, the database, the worker, each reactor's last good fit. */
import type { Health } from '../../contract/api';
import type { OpenDatabase } from '../../db/open-database';
import type { ServiceReadStatements } from '../../db/service-read-statements';
import type { JobHealth } from '../lifecycle';

export interface HealthSources {
  database: OpenDatabase;
  databasePath: string;
  reads: ServiceReadStatements;
  ingester: { health(): JobHealth };
  /** Absent when the assimilator is off. */
  assimilator: { health(): JobHealth; readonly queueDepth: number } | undefined;
  startedAtMs: number;
}

export function serviceHealth(sources: HealthSources): Health {
  const { reads, assimilator } = sources;
  let databaseOk = true;
  try {
    sources.database.sqlite.prepare('SELECT 1').get();
  } catch {
    databaseOk = false;
  }
  const now = Date.now();
  const lastFitAgeSeconds: Record<string, number | null> = {};
  for (const { id } of reads.reactors.all()) {
    const fit = reads.latestGoodFit.get(id);
    lastFitAgeSeconds[id] = fit ? Math.max(0, (now - fit.fittedAtMs) / 1000) : null;
  }
  const ingest = sources.ingester.health();
  const worker = assimilator?.health();
  const ok = ingest.state === 'ready' && databaseOk && (worker === undefined || worker.state === 'ready');
  return {
    status: ok ? 'ok' : 'degraded',
    broker: { state: ingest.state, ...(ingest.detail !== undefined && { detail: ingest.detail }) },
    database: { ok: databaseOk, path: sources.databasePath },
    worker: assimilator
      ? { state: worker?.state ?? 'init', queueDepth: assimilator.queueDepth }
      : { state: 'off', queueDepth: 0 },
    lastFitAgeSeconds,
    uptimeSeconds: (now - sources.startedAtMs) / 1000,
  };
}
