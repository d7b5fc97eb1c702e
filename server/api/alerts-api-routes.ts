/**
 * A small router for the alert and webhook API, in the shape of the service's: a handler answers
 * its own paths and returns false for any other, so the service chains it before its own.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { HttpError } from './api-error';
import { sendError } from './http-responses';

export type AlertsRouteHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  params: string[],
  url: URL,
) => Promise<void>;

export interface AlertsRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  pattern: RegExp;
  handler: AlertsRouteHandler;
}

const maxBodyBytes = 64 * 1024;

export function routeHandler(
  routes: readonly AlertsRoute[],
  owns: (path: string) => boolean,
  log: Logger,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!owns(url.pathname)) return false;
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const matching = routes.filter((r) => r.pattern.test(url.pathname));
    const route = matching.find((r) => r.method === method);
    if (!route) {
      if (matching.length > 0) {
        res.setHeader('allow', matching.map((r) => r.method).join(', '));
        void sendError(req, res, 405, 'method not allowed', `${req.method} ${url.pathname}`);
      } else void sendError(req, res, 404, 'not found', `no API path ${url.pathname}`);
      return true;
    }
    const params = route.pattern.exec(url.pathname)!.slice(1);
    void run(route.handler, req, res, params, url, log);
    return true;
  };
}

async function run(
  handler: AlertsRouteHandler,
  req: IncomingMessage,
  res: ServerResponse,
  raw: string[],
  url: URL,
  log: Logger,
): Promise<void> {
  try {
    const params = raw.map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        throw new HttpError(400, 'malformed path', 'bad percent-encoding');
      }
    });
    await handler(req, res, params, url);
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
    // Never the request body: it may hold a webhook secret.
    log.error({ err: error, method: req.method, path: url.pathname }, 'request failed');
    await sendError(req, res, 500, 'internal error', 'the failure is logged');
  }
}

/** The request body as JSON (≤ 64 KiB); undefined when empty. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
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
