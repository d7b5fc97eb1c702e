/**
 * The service's one HTTP port: every request passes the auth gate, then the router (the API), and
 * what the router does not answer goes to the dashboard. socket.io answers its own path.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { realtimePath } from '../../contract/realtime';
import type { Startable } from '../lifecycle';

type Handler = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface HttpListenerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Answers (true) what it refuses; else names the request's principal. */
  gate: Handler;
  /** Answers (true) the API's paths. */
  router: Handler;
  /** Everything else: the dashboard, or undefined when it is off. */
  dashboard: () => ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined;
  logger: Logger;
}

export class HttpListener implements Startable {
  readonly name = 'http server';
  /** Made at once, so that socket.io and the dashboard can attach before it listens. */
  readonly server: Server = createServer();
  private boundPort: number | undefined;

  constructor(private readonly options: HttpListenerOptions) {}

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
    // socket.io answers its own path; without this, Next would answer it too (a 308 on polling).
    if (req.url?.startsWith(`${realtimePath}/`)) return;
    if (this.options.gate(req, res) || this.options.router(req, res)) return;
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
}
