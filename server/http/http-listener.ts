/**
 * The service's one HTTP port: every request passes the auth gate, then the router (the API), and
 * what the router does not answer goes to the dashboard. socket.io answers its own path.
 *
 * The port's own rules come first, so that no client can hold it: an announced body over the limit
 * is answered 413 before a byte of it is read; the headers, the whole request and an idle
 * connection each have a time limit (http-limits.ts); one client address may hold only so many
 * connections. Every refusal is counted (http-refusals.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { realtimePath } from '../../contract/realtime';
import type { Startable } from '../lifecycle';
import { type HttpLimits, keepAliveTimeoutMs } from './http-limits';
import type { HttpRefusalReason, HttpRefusals } from './http-refusals';
import { closeAfterAnswer, onLinger } from './lingering-close';
import { bodyTooLarge, maxBodyBytes } from './request-body';
import { sendError } from './responses';

type Handler = (req: IncomingMessage, res: ServerResponse) => boolean;
/** The gate may look the credentials up in a database server, so it may answer later. */
type Gate = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface HttpListenerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  limits: HttpLimits;
  /** A peer whose connections are not capped: a trusted reverse proxy carries many clients. */
  uncapped: (peer: string | undefined) => boolean;
  refusals: HttpRefusals;
  /** Answers (true) what it refuses; else names the request's principal. */
  gate: Gate;
  /** Answers (true) the API's paths. */
  router: Handler;
  /** Everything else: the dashboard, or undefined when it is off. */
  dashboard: () => ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined;
  logger: Logger;
}

/** Node's HTTP parser errors (`clientError`) as answers: its own defaults, and counted. */
const parserRefusals: Record<string, { status: number; text: string; reason: HttpRefusalReason }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, text: 'Request Timeout', reason: 'request-timeout' },
  HPE_HEADER_OVERFLOW: { status: 431, text: 'Request Header Fields Too Large', reason: 'headers-too-large' },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { status: 413, text: 'Payload Too Large', reason: 'body-too-large' },
};

export class HttpListener implements Startable {
  readonly name = 'http server';
  /** Made at once, so that socket.io and the dashboard can attach before it listens. */
  readonly server: Server;
  private boundPort: number | undefined;
  private readonly connectionsByPeer = new Map<string, number>();

  constructor(private readonly options: HttpListenerOptions) {
    const { limits } = options;
    this.server = createServer({
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: Math.min(keepAliveTimeoutMs, limits.idleTimeoutMs),
      // Node looks for expired headers and requests this often (30 s by default).
      connectionsCheckingInterval: Math.max(100, Math.min(1000, limits.headersTimeoutMs / 2)),
    });
    this.server.setTimeout(limits.idleTimeoutMs, (socket) => {
      this.options.refusals.refused('idle-timeout');
      socket.destroy();
    });
    this.server.on('connection', (socket) => this.capConnections(socket));
    this.server.on('clientError', (error, socket) => this.refuseUnreadable(error, socket));
  }

  async start(): Promise<void> {
    this.server.on('request', (req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => resolve());
    });
    this.boundPort = (this.server.address() as AddressInfo).port;
  }

  /** The port listened on (once started). */
  get port(): number {
    if (this.boundPort === undefined) throw new Error('the HTTP server is not listening');
    return this.boundPort;
  }

  /** http://host:port, with a wildcard bind shown as localhost. */
  get url(): string {
    const { host } = this.options;
    const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
    return `http://${shown.includes(':') ? `[${shown}]` : shown}:${this.port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    // socket.io's close (the realtime hub, stopped first) may have closed the server already.
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const announced = Number(req.headers['content-length'] ?? 0);
    if (announced > maxBodyBytes) {
      // Answered before the body is read; the connection closes after the answer.
      this.options.refusals.refused('body-too-large');
      const refusal = bodyTooLarge();
      closeAfterAnswer(res);
      void sendError(req, res, refusal.status, refusal.error, refusal.detail);
      return;
    }
    // socket.io answers its own path; without this, Next would answer it too (a 308 on polling).
    if (req.url?.startsWith(`${realtimePath}/`)) return;
    const gated = this.options.gate(req, res);
    if (gated === true) return;
    if (gated === false) {
      this.pass(req, res);
      return;
    }
    gated.then(
      (refused) => {
        if (!refused) this.pass(req, res);
      },
      (error: unknown) => {
        this.options.logger.error({ err: error, url: req.url }, 'could not check the credentials');
        if (!res.headersSent)
          void sendError(req, res, 503, 'unavailable', 'credentials could not be checked');
      },
    );
  }

  /** A request the gate let through: the API's, else the dashboard's. */
  private pass(req: IncomingMessage, res: ServerResponse): void {
    if (this.options.router(req, res)) return;
    const dashboard = this.options.dashboard();
    if (dashboard) {
      dashboard(req, res).catch((error: unknown) => {
        this.options.logger.error({ err: error, url: req.url }, 'dashboard request failed');
        if (!res.headersSent) res.writeHead(500).end();
      });
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('the dashboard is off (DASHBOARD=off); the API is under /api\n');
  }

  private capConnections(socket: Socket): void {
    const peer = socket.remoteAddress ?? '';
    if (this.options.uncapped(peer)) return;
    const held = this.connectionsByPeer.get(peer) ?? 0;
    if (held >= this.options.limits.maxConnectionsPerClient) {
      this.options.refusals.refused('too-many-connections');
      socket.end(
        'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 5\r\nContent-Length: 0\r\n\r\n',
      );
      socket.destroySoon();
      return;
    }
    this.connectionsByPeer.set(peer, held + 1);
    let counted = true;
    const release = () => {
      if (!counted) return;
      counted = false;
      const left = (this.connectionsByPeer.get(peer) ?? 1) - 1;
      if (left > 0) this.connectionsByPeer.set(peer, left);
      else this.connectionsByPeer.delete(peer);
    };
    socket.once('close', release);
    onLinger(socket, release);
  }

  private refuseUnreadable(error: Error & { code?: string }, socket: Duplex): void {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const refusal = parserRefusals[error.code ?? ''] ?? {
      status: 400,
      text: 'Bad Request',
      reason: 'malformed-request' as const,
    };
    this.options.refusals.refused(refusal.reason);
    socket.end(
      `HTTP/1.1 ${refusal.status} ${refusal.text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
    );
  }
}
