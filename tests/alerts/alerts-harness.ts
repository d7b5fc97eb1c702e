/**
 * Shared by the alert tests: a database with reactors, a webhook receiver on loopback that verifies
 * every signature and can fail, hang, or go down and come back on the same port, and the engine and
 * sender wired as the service wires them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { type OpenDatabase, openDatabase } from '../../db/open-database';
import { reactors } from '../../db/schema';
import { prepareWebhookStatements } from '../../db/webhook-statements';
import { AlertEngine } from '../../server/alerts/alert-engine';
import type { AlertRule } from '../../server/alerts/alert-rules';
import type { GrafanaWebhookBody } from '../../server/webhooks/grafana-payload';
import { WebhookSender } from '../../server/webhooks/webhook-sender';
import { verifyWebhookSignature } from '../../server/webhooks/webhook-signature';
import { silentLogger, tempDir } from '../fixtures/ingest-harness';

export function openAlertsDatabase(reactorIds: string[] = ['r1', 'r2'], path?: string): OpenDatabase {
  const db = openDatabase(path ?? join(tempDir('alerts'), 'culturewatch.db'), { synchronous: 'normal' });
  for (const id of reactorIds)
    db.db.insert(reactors).values({ id, firstSeenAtMs: 0 }).onConflictDoNothing().run();
  return db;
}

export function addEndpoint(
  db: OpenDatabase,
  fields: { name: string; url: string; secret: string; severities?: string[]; enabled?: boolean },
): number {
  return prepareWebhookStatements(db.sqlite).insertWebhookEndpoint({
    name: fields.name,
    url: fields.url,
    secret: fields.secret,
    severitiesJson: JSON.stringify(fields.severities ?? ['critical', 'major', 'minor', 'warning']),
    enabled: fields.enabled ?? true,
    createdAtMs: Date.now(),
    updatedAtMs: Date.now(),
  });
}

export interface ReceivedRequest {
  /** 1-based, in arrival order, including refused ones. */
  seq: number;
  idempotencyKey: string;
  timestamp: string;
  signatureValid: boolean;
  body: GrafanaWebhookBody;
  /** What the receiver answered (0: it never answered). */
  answeredStatus: number;
}

/**
 * A webhook receiver: answers 200 unless told to fail the next requests, hang, or be down (not
 * listening at all). Like a careful receiver, it keeps the first delivery per idempotency key.
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  /** Accepted (2xx) notifications, first per idempotency key, in order. */
  readonly accepted: ReceivedRequest[] = [];
  private readonly seenKeys = new Set<string>();
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private failuresLeft = 0;
  private failStatus = 500;
  hang = false;
  port = 0;
  /** Most requests ever open at once: the sender keeps one in flight per endpoint. */
  maxConcurrent = 0;
  private open = 0;

  constructor(private readonly secret: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/culturewatch?token=not-for-logs`;
  }

  /** The next `n` requests get `status`. */
  failNext(n: number, status = 500): void {
    this.failuresLeft = n;
    this.failStatus = status;
  }

  async up(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and drops every connection: the sender sees refused connections. */
  async down(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.open++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.open);
    res.once('close', () => this.open--);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const timestamp = String(req.headers['x-grafana-alerting-timestamp'] ?? '');
    const signature = String(req.headers['x-grafana-alerting-signature'] ?? '');
    const request: ReceivedRequest = {
      seq: this.requests.length + 1,
      idempotencyKey: String(req.headers['idempotency-key'] ?? ''),
      timestamp,
      signatureValid: verifyWebhookSignature(this.secret, timestamp, raw, signature, { maxAgeSeconds: 300 }),
      body: JSON.parse(raw) as GrafanaWebhookBody,
      answeredStatus: 0,
    };
    this.requests.push(request);
    if (this.hang) return; // never answers; the sender's time limit ends it
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      request.answeredStatus = this.failStatus;
      res.writeHead(this.failStatus).end('not now');
      return;
    }
    if (!request.signatureValid) {
      request.answeredStatus = 401;
      res.writeHead(401).end('bad signature');
      return;
    }
    request.answeredStatus = 200;
    if (!this.seenKeys.has(request.idempotencyKey)) {
      this.seenKeys.add(request.idempotencyKey);
      this.accepted.push(request);
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  }
}

export interface AlertStack {
  engine: AlertEngine;
  sender: WebhookSender;
  stop(): Promise<void>;
}

/** The engine and the sender, wired as the service does: each recorded transition wakes the sender. */
export async function startAlertStack(
  db: OpenDatabase,
  rules: AlertRule[],
  options: { log?: Logger; backoff?: { initialMs: number; maxMs: number }; requestTimeoutMs?: number } = {},
): Promise<AlertStack> {
  const log = options.log ?? silentLogger;
  const engine = new AlertEngine({
    sqlite: db.sqlite,
    log,
    rules,
    externalUrl: 'http://culturewatch.test',
    updateEveryMs: 0,
  });
  const sender = new WebhookSender({
    sqlite: db.sqlite,
    log,
    backoff: options.backoff ?? { initialMs: 40, maxMs: 300 },
    requestTimeoutMs: options.requestTimeoutMs ?? 2_000,
    pollMs: 200,
  });
  engine.onTransition(() => sender.wake());
  await engine.start();
  await sender.start();
  return {
    engine,
    sender,
    stop: async () => {
      await sender.stop();
      await engine.stop();
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
