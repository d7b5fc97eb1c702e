/**
 * The HTTP API (contract/api.ts): `/healthz`, `/metrics` and `/api/…`. Every bad request gets a 4xx
 * with a reason; an unexpected failure is logged and answered 500 without internals.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { DemoActionResult, DemoFaultKind, DemoStatus, Health, ReactorSummary } from '../../contract/api';
import type { ServiceReadStatements } from '../../db/service-read-statements';
import { HttpError } from './api-error';
import { streamCsv } from './export-csv';
import { FitJsonCache, fitRecordsJson } from './fit-records';
import { sendError, sendJson, sendText } from './http-responses';
import {
  dilutionBody,
  emptyBody,
  emptyQuery,
  estimatesQuery,
  faultBody,
  fitIdParameter,
  parseOr400,
  queryObject,
  rangeQuery,
  reactorIdParameter,
  readingsQuery,
} from './query-schemas';
import { reactorSummary } from './reactor-summary';
import { readingSeries } from './reading-series';

/** The simulator's steering, present only in simulator mode. */
export interface DemoControls {
  status(): DemoStatus;
  has(reactorId: string): boolean;
  satelliteShift(reactorId: string): DemoActionResult;
  dilution(reactorId: string, perHour: number): DemoActionResult;
  fault(reactorId: string, kind: DemoFaultKind, durationHours: number): DemoActionResult;
}

export interface ApiLimits {
  /** The largest `maxPoints` a client may ask for. */
  maxPointsLimit: number;
  defaultMaxPoints: number;
  /** Largest raw range downsampled by LTTB; beyond it, rollups. */
  lttbRawLimit: number;
  staleSensorSeconds: number;
  /** Memory kept for the JSON of stored fits. */
  fitCacheBytes: number;
}

export interface ApiContext {
  reads: ServiceReadStatements;
  topicPrefix: string;
  limits: ApiLimits;
  health(): Health;
  metricsText(): string;
  demo: DemoControls | undefined;
  /** A reactor's active alarms (server/alerts/); null when none, and the provisional state stands. */
  alarmState?: (reactorId: string) => ReactorSummary['alert'] | null;
  logger: Logger;
}

type Handler = (req: IncomingMessage, res: ServerResponse, params: string[], url: URL) => Promise<void>;

interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  handler: Handler;
}

const maxBodyBytes = 16 * 1024;

/** Returns a request handler that answers the API's paths and returns false for any other path. */
export function createApiHandler(ctx: ApiContext): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { reads } = ctx;
  const readingsSchema = readingsQuery(ctx.limits.maxPointsLimit, ctx.limits.defaultMaxPoints);
  const log = ctx.logger.child({ job: 'api' });
  const fitCache = new FitJsonCache(ctx.limits.fitCacheBytes);

  const knownReactor = (raw: string) => {
    const id = parseOr400(reactorIdParameter, raw, 'reactor id');
    const reactor = reads.reactor.get(id);
    if (!reactor) throw new HttpError(404, 'unknown reactor', `no reactor "${id}" has sent a reading`);
    return reactor;
  };

  const routes: Route[] = [
    {
      method: 'GET',
      pattern: /^\/healthz$/,
      handler: async (req, res) => {
        const health = ctx.health();
        await sendJson(req, res, health.status === 'ok' ? 200 : 503, health);
      },
    },
    {
      method: 'GET',
      pattern: /^\/metrics$/,
      handler: (req, res) =>
        sendText(req, res, 200, ctx.metricsText(), 'text/plain; version=0.0.4; charset=utf-8'),
    },
    {
      method: 'GET',
      pattern: /^\/api\/reactors$/,
      handler: async (req, res, _params, url) => {
        parseOr400(emptyQuery, queryObject(url.searchParams), 'query');
        const now = Date.now();
        const body = reads.reactors
          .all()
          .map((r) => reactorSummary(reads, r, { staleSensorSeconds: ctx.limits.staleSensorSeconds, now }))
          .map((s) => ({ ...s, alert: ctx.alarmState?.(s.id) ?? s.alert }));
        await sendJson(req, res, 200, body);
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/reactors\/([^/]+)\/readings$/,
      handler: async (req, res, [id], url) => {
        const reactor = knownReactor(id);
        const q = parseOr400(readingsSchema, queryObject(url.searchParams), 'query');
        const series = readingSeries(
          reads,
          { reactorId: reactor.id, signal: q.signal, fromMs: q.from, toMs: q.to, maxPoints: q.maxPoints },
          { lttbRawLimit: ctx.limits.lttbRawLimit, topicPrefix: ctx.topicPrefix, rejectionScan: 1000 },
        );
        await sendJson(req, res, 200, series);
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/reactors\/([^/]+)\/estimates$/,
      handler: async (req, res, [id], url) => {
        const reactor = knownReactor(id);
        const q = parseOr400(estimatesQuery, queryObject(url.searchParams), 'query');
        const json = fitRecordsJson(
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
      pattern: /^\/api\/reactors\/([^/]+)\/fits\/([^/]+)\/window$/,
      handler: async (req, res, [id, fitIdText], url) => {
        const reactor = knownReactor(id);
        const fitId = parseOr400(fitIdParameter, fitIdText, 'fit id');
        parseOr400(emptyQuery, queryObject(url.searchParams), 'query');
        const row = reads.windowFile.get(fitId, reactor.id);
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
      pattern: /^\/api\/reactors\/([^/]+)\/export\.csv$/,
      handler: async (req, res, [id], url) => {
        const reactor = knownReactor(id);
        const q = parseOr400(rangeQuery, queryObject(url.searchParams), 'query');
        const oldest = Math.min(
          ...['od', 'substrate', 'dilution', 'feed'].map(
            (s) => reads.oldestReadingMs.get(reactor.id, s)?.tsMs ?? Number.POSITIVE_INFINITY,
          ),
        );
        const newest = Math.max(
          ...['od', 'substrate', 'dilution', 'feed'].map(
            (s) => reads.newestReadingMs.get(reactor.id, s)?.tsMs ?? Number.NEGATIVE_INFINITY,
          ),
        );
        const fromMs = q.from ?? (Number.isFinite(oldest) ? oldest : 0);
        const toMs = q.to ?? (Number.isFinite(newest) ? newest + 1 : fromMs);
        await streamCsv(req, res, reads, reactor.id, fromMs, toMs);
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/demo$/,
      handler: async (req, res) => {
        await sendJson(req, res, 200, demoControls().status());
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/demo\/([^/]+)\/(satellite-shift|dilution|fault)$/,
      handler: async (req, res, [id, action]) => {
        const demo = demoControls();
        const reactorId = parseOr400(reactorIdParameter, id, 'reactor id');
        if (!demo.has(reactorId))
          throw new HttpError(404, 'unknown reactor', `"${reactorId}" is not a simulated reactor`);
        const body = await readJsonBody(req);
        let result: DemoActionResult;
        if (action === 'satellite-shift') {
          parseOr400(emptyBody, body ?? {}, 'body');
          result = demo.satelliteShift(reactorId);
        } else if (action === 'dilution') {
          result = demo.dilution(reactorId, parseOr400(dilutionBody, body, 'body').perHour);
        } else {
          const { kind, durationHours } = parseOr400(faultBody, body, 'body');
          result = demo.fault(reactorId, kind, durationHours);
        }
        log.info({ reactorId, action, body }, 'demo action');
        await sendJson(req, res, 200, result);
      },
    },
  ];

  function demoControls(): DemoControls {
    if (!ctx.demo) throw new HttpError(404, 'simulator is off', 'demo controls exist only in simulator mode');
    return ctx.demo;
  }

  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (!(path === '/healthz' || path === '/metrics' || path === '/api' || path.startsWith('/api/')))
      return false;
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    let matchedPath = false;
    for (const route of routes) {
      const match = route.pattern.exec(path);
      if (!match) continue;
      matchedPath = true;
      if (route.method !== method) continue;
      void run(route.handler, req, res, match.slice(1), url);
      return true;
    }
    if (matchedPath) {
      res.setHeader(
        'allow',
        routes
          .filter((r) => r.pattern.test(path))
          .map((r) => r.method)
          .join(', '),
      );
      void sendError(req, res, 405, 'method not allowed', `${req.method} ${path}`);
    } else void sendError(req, res, 404, 'not found', `no API path ${path}`);
    return true;
  };

  async function run(handler: Handler, req: IncomingMessage, res: ServerResponse, raw: string[], url: URL) {
    try {
      await handler(req, res, raw.map(decodeURIComponentSafe), url);
    } catch (error) {
      if (res.headersSent) {
        log.error({ err: error, url: req.url }, 'request failed after its headers were sent');
        res.destroy();
        return;
      }
      if (error instanceof HttpError) {
        await sendError(req, res, error.status, error.error, error.detail);
        return;
      }
      log.error({ err: error, url: req.url }, 'request failed');
      await sendError(req, res, 500, 'internal error', 'the failure is logged');
    }
  }
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new HttpError(400, 'malformed path', 'bad percent-encoding');
  }
}

/** The request body as JSON (≤ 16 KiB); undefined when empty. */
async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) throw new HttpError(413, 'body too large', `at most ${maxBodyBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'malformed body', 'not JSON');
  }
}
