/**
 * The reactors' data (contract/api.ts): the overview, reading series, fits, a fit's window file and
 * the CSV export.
 *   GET /api/reactors
 *   GET /api/reactors/:id/readings?signal=&from=&to=&maxPoints=
 *   GET /api/reactors/:id/estimates?from=&to=&trajectories=
 *   GET /api/reactors/:id/mismatch
 *   GET /api/reactors/:id/fits/:fitId/window
 *   GET /api/reactors/:id/export.csv?from=&to=
 */
import { type ModelMismatchView, onlineSignals, type ReactorSummary } from '../../contract/api';
import type { ReactorFreshness } from '../../contract/freshness';
import type { ServiceReads } from '../../db/service-read-statements';
import { HttpError } from '../http/http-error';
import { emptyQuery, idParameter, parseOr400, queryObject, reactorIdParameter } from '../http/request-input';
import { sendJson, sendText } from '../http/responses';
import type { Route } from '../http/router';
import { streamCsv } from './export-csv';
import { FitJsonCache, fitRecordsJson } from './fit-records';
import { estimatesQuery, rangeQuery, readingsQuery } from './query-schemas';
import { reactorSummary } from './reactor-summary';
import { readingSeries } from './reading-series';

export interface ApiLimits {
  /** The largest `maxPoints` a client may ask for. */
  maxPointsLimit: number;
  defaultMaxPoints: number;
  /** Largest raw range downsampled by LTTB; beyond it, rollups. */
  lttbRawLimit: number;
  /** Memory kept for the JSON of stored fits. */
  fitCacheBytes: number;
}

export interface ReactorsApiContext {
  /** SQLite's reads (asyncServiceReads) or PostgreSQL's (db/pg/service-reads.ts). */
  reads: ServiceReads;
  topicPrefix: string;
  limits: ApiLimits;
  /** The estimator's window and a reactor's windows it has queued; null when it is off. */
  estimatorOf: (reactorId: string) => { windowHours: number; windowsDue: number; running: boolean } | null;
  /** The reactor's signals' freshness now (server/realtime/signal-freshness.ts). */
  freshnessOf: (reactorId: string) => ReactorFreshness | undefined;
  /** A reactor's active alarms (server/alerts/); null when none, and the provisional state stands. */
  alarmState?: (reactorId: string) => ReactorSummary['alert'] | null;
  /** The model-mismatch state (server/mismatch/); without it the route is not served. */
  mismatchOf?: (reactorId: string) => ModelMismatchView | Promise<ModelMismatchView>;
}

const fitIdParameter = idParameter('a fit id (a positive whole number)');
/** The export's default range runs over the signals sampled all along (assays are sparse). */
const exportRangeSignals = [...onlineSignals, 'feed'] as const;

export function reactorsApiRoutes(ctx: ReactorsApiContext): Route[] {
  const { reads } = ctx;
  const readingsSchema = readingsQuery(ctx.limits.maxPointsLimit, ctx.limits.defaultMaxPoints);
  const fitCache = new FitJsonCache(ctx.limits.fitCacheBytes);

  const knownReactor = async (raw: string) => {
    const id = parseOr400(reactorIdParameter, raw, 'reactor id');
    const reactor = await reads.reactor.get(id);
    if (!reactor) throw new HttpError(404, 'unknown reactor', `no reactor "${id}" has sent a reading`);
    return reactor;
  };

  const routes: Route[] = [
    {
      method: 'GET',
      path: '/api/reactors',
      handle: async ({ req, res, url }) => {
        parseOr400(emptyQuery, queryObject(url.searchParams), 'query');
        const summaries = await Promise.all(
          (await reads.reactors.all()).map((r) =>
            reactorSummary(reads, r, {
              freshness: ctx.freshnessOf(r.id),
              estimator: ctx.estimatorOf(r.id),
              wallNowMs: Date.now(),
            }),
          ),
        );
        const body = summaries.map((s) => ({ ...s, alert: ctx.alarmState?.(s.id) ?? s.alert }));
        await sendJson(req, res, 200, body);
      },
    },
    {
      method: 'GET',
      path: '/api/reactors/:id/readings',
      handle: async ({ req, res, params, url }) => {
        const reactor = await knownReactor(params.id);
        const q = parseOr400(readingsSchema, queryObject(url.searchParams), 'query');
        const series = await readingSeries(
          reads,
          { reactorId: reactor.id, signal: q.signal, fromMs: q.from, toMs: q.to, maxPoints: q.maxPoints },
          { lttbRawLimit: ctx.limits.lttbRawLimit, topicPrefix: ctx.topicPrefix, rejectionScan: 1000 },
        );
        await sendJson(req, res, 200, series);
      },
    },
    {
      method: 'GET',
      path: '/api/reactors/:id/estimates',
      handle: async ({ req, res, params, url }) => {
        const reactor = await knownReactor(params.id);
        const q = parseOr400(estimatesQuery, queryObject(url.searchParams), 'query');
        const json = await fitRecordsJson(
          reads,
          fitCache,
          reactor.id,
          q.from ?? 0,
          q.to ?? Number.MAX_SAFE_INTEGER,
          q.trajectories,
        );
        await sendText(req, res, 200, json, 'application/json; charset=utf-8');
      },
    },
    {
      method: 'GET',
      path: '/api/reactors/:id/fits/:fitId/window',
      handle: async ({ req, res, params, url }) => {
        const reactor = await knownReactor(params.id);
        const fitId = parseOr400(fitIdParameter, params.fitId, 'fit id');
        parseOr400(emptyQuery, queryObject(url.searchParams), 'query');
        const row = await reads.windowFile.get(fitId, reactor.id);
        if (!row) throw new HttpError(404, 'unknown fit', `reactor ${reactor.id} has no fit ${fitId}`);
        if (!row.windowFileJson)
          throw new HttpError(404, 'no window file', `fit ${fitId} had no data to make a window of`);
        await sendText(req, res, 200, row.windowFileJson, 'application/json; charset=utf-8', {
          'content-disposition': `attachment; filename="${reactor.id}-fit-${fitId}-window.json"`,
        });
      },
    },
    {
      method: 'GET',
      path: '/api/reactors/:id/export.csv',
      handle: async ({ req, res, params, url }) => {
        const reactor = await knownReactor(params.id);
        const q = parseOr400(rangeQuery, queryObject(url.searchParams), 'query');
        let oldest = Number.POSITIVE_INFINITY;
        let newest = Number.NEGATIVE_INFINITY;
        for (const s of exportRangeSignals) {
          oldest = Math.min(oldest, (await reads.oldestReadingMs.get(reactor.id, s))?.tsMs ?? oldest);
          newest = Math.max(newest, (await reads.newestReadingMs.get(reactor.id, s))?.tsMs ?? newest);
        }
        const fromMs = q.from ?? (Number.isFinite(oldest) ? oldest : 0);
        const toMs = q.to ?? (Number.isFinite(newest) ? newest + 1 : fromMs);
        await streamCsv(req, res, reads, reactor.id, fromMs, toMs);
      },
    },
  ];
  const { mismatchOf } = ctx;
  if (mismatchOf)
    routes.push({
      method: 'GET',
      path: '/api/reactors/:id/mismatch',
      handle: async ({ req, res, params, url }) => {
        const reactor = await knownReactor(params.id);
        parseOr400(emptyQuery, queryObject(url.searchParams), 'query');
        await sendJson(req, res, 200, await mismatchOf(reactor.id));
      },
    });
  return routes;
}
