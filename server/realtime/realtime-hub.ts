/**
 * socket.io on the service's HTTP server (contract/realtime.ts). A client joins a reactor's room and
 * receives its new readings and each new fit (realtime-fan-out.ts batches and addresses them); every
 * client hears `reactor-updated` when a reactor appears or has a new estimate. With `adapter` (a
 * scaled deployment, server/service/web-role.ts) the server is one of several web processes, and
 * what any process emits reaches the clients of all.
 */
import type { Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import { Server, type ServerOptions } from 'socket.io';
import { type AlarmEventView, type FitRecord, isReactorId } from '../../contract/api';
import { type ClientToServerEvents, realtimePath, type ServerToClientEvents } from '../../contract/realtime';
import type { AcceptedReading } from '../ingest/message-validator';
import { type Job, type JobHealth, JobStatus } from '../lifecycle';
import { type Broadcaster, RealtimeFanOut, roomOf } from './realtime-fan-out';

export interface RealtimeHubOptions {
  /** Least time between two batches of one reactor. */
  batchMs: number;
  /** How long the first reading after a quiet spell waits for others to join its batch. */
  coalesceMs: number;
  logger: Logger;
  /** Reactors already known, so that only new ones are announced. */
  knownReactors: Iterable<string>;
  /** socket.io's adapter: across processes (e.g. @socket.io/postgres-adapter); default in-memory. */
  adapter?: ServerOptions['adapter'];
}

export interface RealtimeMetrics {
  clients: number;
  readingBatches: number;
  readingsSent: number;
  estimatesSent: number;
}

/** Rooms one client may be in at once. */
const maxRoomsPerClient = 256;

/**
 * A job whose life follows the HTTP server's: socket.io is attached when the hub is made (before the
 * server listens, so no socket.io request meets the server without it), and the hub is stopped before
 * the server closes, since the server's close waits for the WebSockets the hub holds.
 */
export class RealtimeHub implements Job<RealtimeMetrics> {
  readonly name = 'realtime';
  private readonly status = new JobStatus();
  readonly io: Server<ClientToServerEvents, ServerToClientEvents>;
  private readonly fanOut: RealtimeFanOut;

  constructor(httpServer: HttpServer, options: RealtimeHubOptions) {
    this.io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer, {
      path: realtimePath,
      serveClient: false,
      ...(options.adapter && { adapter: options.adapter }),
    });
    const rooms = this.io.sockets.adapter.rooms;
    this.fanOut = new RealtimeFanOut(this.io as unknown as Broadcaster, {
      batchMs: options.batchMs,
      coalesceMs: options.coalesceMs,
      knownReactors: options.knownReactors,
      // With an adapter the rooms of other processes are not known here: send regardless.
      ...(!options.adapter && { watched: (room: string) => (rooms.get(room)?.size ?? 0) > 0 }),
    });
    this.io.on('connection', (socket) => {
      socket.on('join', (reactorId) => {
        if (typeof reactorId !== 'string' || !isReactorId(reactorId)) return;
        if (socket.rooms.size > maxRoomsPerClient) return;
        void socket.join(roomOf(reactorId));
      });
      socket.on('leave', (reactorId) => {
        if (typeof reactorId === 'string') void socket.leave(roomOf(reactorId));
      });
    });
  }

  /** Newly stored readings (wire to the ingester's `onReadingsStored`). */
  readingsStored(readings: readonly AcceptedReading[]): void {
    this.fanOut.readingsStored(readings);
  }

  /** A fit was stored: its record goes to the reactor's room, and the overview hears of it. */
  fitStored(fit: FitRecord): void {
    this.fanOut.fitStored(fit);
  }

  /** An alarm changed: every client hears it, and the overview refreshes that reactor. */
  alarmChanged(event: AlarmEventView): void {
    this.fanOut.alarmChanged(event);
  }

  /** Something of a reactor's summary changed (its signals' freshness): the overview refreshes it. */
  reactorChanged(reactorId: string): void {
    this.io.emit('reactor-updated', reactorId);
  }

  metrics(): RealtimeMetrics {
    return { clients: this.io.engine?.clientsCount ?? 0, ...this.fanOut.counters };
  }

  async start(): Promise<void> {
    this.status.set('ready');
  }

  health(): JobHealth {
    return this.status.health();
  }

  async stop(): Promise<void> {
    if (this.status.state === 'stopped') return;
    this.status.set('stopped');
    this.fanOut.stop();
    this.io.disconnectSockets(true);
    await new Promise<void>((resolve) => {
      this.io.close(() => resolve());
    });
  }
}
