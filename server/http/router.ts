/**
 * The one router of the HTTP API. Each feature module (api/, auth/, alerts/, webhooks/) hands the
 * service its routes as a list; the router matches method and path, answers an unknown API path
 * 404 and a known path with another method 405 (with `Allow`). A handler's HttpError becomes its 4xx;
 * any other failure is logged and answered 500 without internals.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { HttpError } from './http-error';
import { HttpRefusals } from './http-refusals';
import { closeAfterAnswer } from './lingering-close';
import { bodyTooLarge, largestBodyBytes, maxBodyBytes } from './request-body';
import { sendError } from './responses';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteRequest {
  req: IncomingMessage;
  res: ServerResponse;
  /** The path's `:name` levels, percent-decoded. */
  params: Record<string, string>;
  url: URL;
}

export interface Route {
  method: Method;
  /** Literal levels and `:name` parameters, e.g. `/api/reactors/:id/readings`. */
  path: string;
  handle(request: RouteRequest): Promise<void>;
  /**
   * A body limit above the default (request-body.ts `maxBodyBytes`, at most `largestBodyBytes`),
   * for a route whose documents are larger; its handler reads the body with the same limit.
   */
  maxBodyBytes?: number;
}

/** The paths the router answers; every other one is the dashboard's. */
export function isApiPath(path: string): boolean {
  return path === '/healthz' || path === '/metrics' || path === '/api' || path.startsWith('/api/');
}

interface CompiledRoute {
  route: Route;
  pattern: RegExp;
  names: string[];
}

function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const source = route.path
    .split('/')
    .map((level) => {
      if (!level.startsWith(':')) return level.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(level.slice(1));
      return '([^/]+)';
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}$`), names };
}

/** Returns a request handler that answers every API path (true) and leaves the others (false). */
export function createRouter(
  routes: readonly Route[],
  logger: Logger,
  refusals: HttpRefusals = new HttpRefusals(),
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const log = logger.child({ job: 'http' });
  const compiled = routes.map(compile);
  const seen = new Set<string>();
  for (const { route } of compiled) {
    const key = `${route.method} ${route.path}`;
    if (seen.has(key)) throw new Error(`two routes for ${key}`);
    if ((route.maxBodyBytes ?? 0) > largestBodyBytes)
      throw new Error(`${key}: a body limit above ${largestBodyBytes} bytes (request-body.ts)`);
    seen.add(key);
  }

  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (!isApiPath(path)) return false;
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const matching = compiled.filter((c) => c.pattern.test(path));
    const match = matching.find((c) => c.route.method === method);
    if (!match) {
      if (matching.length > 0) {
        res.setHeader('allow', matching.map((c) => c.route.method).join(', '));
        void sendError(req, res, 405, 'method not allowed', `${req.method} ${path}`);
      } else void sendError(req, res, 404, 'not found', `no API path ${path}`);
      return true;
    }
    void run(match, req, res, url, log, refusals);
    return true;
  };
}

async function run(
  { route, pattern, names }: CompiledRoute,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  log: Logger,
  refusals: HttpRefusals,
): Promise<void> {
  try {
    // An announced body over the route's limit is refused before a byte of it is read.
    const limit = route.maxBodyBytes ?? maxBodyBytes;
    if (Number(req.headers['content-length'] ?? 0) > limit) throw bodyTooLarge(limit);
    const raw = pattern.exec(url.pathname)!.slice(1);
    const params: Record<string, string> = {};
    names.forEach((name, i) => {
      params[name] = decodePathLevel(raw[i]);
    });
    await route.handle({ req, res, params, url });
  } catch (error) {
    if (clientWentAway(req, error)) {
      // The client's doing, not ours: nothing to answer, nobody to answer to.
      refusals.refused('client-aborted');
      log.info({ method: req.method, route: route.path, path: url.pathname }, 'client went away mid-request');
      res.destroy();
      return;
    }
    if (res.headersSent) {
      log.error(
        { err: error, method: req.method, route: route.path },
        'request failed after its headers were sent',
      );
      res.destroy();
      return;
    }
    if (error instanceof HttpError) {
      if (error.refusal) refusals.refused(error.refusal);
      if (error.status === 413) closeAfterAnswer(res);
      await sendError(req, res, error.status, error.error, error.detail);
      return;
    }
    // Never the request body: it may hold a password or a webhook secret.
    log.error({ err: error, method: req.method, path: url.pathname, route: route.path }, 'request failed');
    await sendError(req, res, 500, 'internal error', 'the failure is logged');
  }
}

/** The client closed the connection before its request was read (Node's `aborted`). */
function clientWentAway(req: IncomingMessage, error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return !req.complete && (req.destroyed || code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE');
}

function decodePathLevel(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new HttpError(400, 'malformed path', 'bad percent-encoding');
  }
}
