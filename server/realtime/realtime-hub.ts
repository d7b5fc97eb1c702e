/**
 * socket.io on the service's HTTP server (contract/realtime.ts). A client joins a reactor's room and
 * receives its new readings, batched at most every `batchMs` per reactor (the first reading after a
 * quiet spell goes out after `coalesceMs`, with whatever arrived with it), and each new fit; every client hears `reactor-updated` when a
 * reactor appears or has a new estimate.
 */
import type { Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import { Server } from 'socket.io';
import { type AlarmEventView, type FitRecord, isReactorId } from '../../contract/api';
import {
  type ClientToServerEvents,
  type ReadingBatch,
  realtimePath,
  type ServerToClientEvents,
} from '../../contract/realtime';
import type { AcceptedReading } from '../ingest/message-validator';
import { type Job, type JobHealth, JobStatus } from '../lifecycle';

export interface RealtimeHubOptions {
  /** Least time between two batches of one reactor. */
  batchMs: number;
  /** How long the first reading after a quiet spell waits for others to join its batch. */
  coalesceMs: number;
  logger: Logger;
  /** Reactors already known, so that only new ones are announced. */
  knownReactors: Iterable<string>;
}

export interface RealtimeMetrics {
  clients: number;
  readingBatches: number;
  readingsSent: number;
  estimatesSent: number;
}

/** Rooms one client may be in at once. */
const maxRoomsPerClient = 256;
const roomOf = (reactorId: string) => `reactor:${reactorId}`;

/**
 * A job whose life follows the HTTP server's: socket.io is attached when the hub is made (before the
 * server listens, so no socket.io request meets the server without it), and the hub is stopped before
 * the server closes, since the server's close waits for the WebSockets the hub holds.
 */
export class RealtimeHub implements Job<RealtimeMetrics> {
  readonly name = 'realtime';
  private readonly status = new JobStatus();
  readonly io: Server<ClientToServerEvents, ServerToClientEvents>;
  private readonly pending = new Map<string, ReadingBatch['readings']>();
  private readonly lastFlushMs = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly known: Set<string>;
  private readonly counters = { readingBatches: 0, readingsSent: 0, estimatesSent: 0 };

  constructor(
    httpServer: HttpServer,
    private readonly options: RealtimeHubOptions,
  ) {
    this.known = new Set(options.knownReactors);
    this.io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer, {
      path: realtimePath,
      serveClient: false,
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
    const rooms = this.io.sockets.adapter.rooms;
    for (const r of readings) {
      if (!this.known.has(r.reactorId)) {
        this.known.add(r.reactorId);
        this.io.emit('reactor-updated', r.reactorId);
      }
      if (!rooms.get(roomOf(r.reactorId))?.size) continue;
      let batch = this.pending.get(r.reactorId);
      if (!batch) {
        batch = [];
        this.pending.set(r.reactorId, batch);
      }
      batch.push({ signal: r.signal, tsMs: r.tsMs, value: r.value });
    }
    for (const reactorId of this.pending.keys()) this.schedule(reactorId);
  }

  /** A fit was stored: its record goes to the reactor's room, and the overview hears of it. */
  fitStored(fit: FitRecord): void {
    this.io.to(roomOf(fit.reactorId)).emit('estimate', fit);
    this.io.emit('reactor-updated', fit.reactorId);
    this.counters.estimatesSent++;
  }

  /** An alarm changed: every client hears it, and the overview refreshes that reactor. */
  alarmChanged(event: AlarmEventView): void {
    this.io.emit('alarm', event);
    this.io.emit('reactor-updated', event.reactorId);
  }

  /** Something of a reactor's summary changed (its signals' freshness): the overview refreshes it. */
  reactorChanged(reactorId: string): void {
    this.io.emit('reactor-updated', reactorId);
  }

  metrics(): RealtimeMetrics {
    return { clients: this.io.engine?.clientsCount ?? 0, ...this.counters };
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
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.io.disconnectSockets(true);
    await new Promise<void>((resolve) => {
      this.io.close(() => resolve());
    });
  }

  private schedule(reactorId: string): void {
    if (this.timers.has(reactorId)) return;
    // After a quiet spell, wait a moment for the reading's siblings (a plant publishes its signals
    // together, but they may commit in separate turns); otherwise keep `batchMs` between batches.
    const wait = Math.max(
      this.options.coalesceMs,
      (this.lastFlushMs.get(reactorId) ?? 0) + this.options.batchMs - Date.now(),
    );
    this.timers.set(
      reactorId,
      setTimeout(() => this.flush(reactorId), wait),
    );
  }

  private flush(reactorId: string): void {
    this.timers.delete(reactorId);
    const readings = this.pending.get(reactorId);
    this.pending.delete(reactorId);
    if (!readings || readings.length === 0) return;
    this.lastFlushMs.set(reactorId, Date.now());
    this.io.to(roomOf(reactorId)).emit('readings', { reactorId, readings });
    this.counters.readingBatches++;
    this.counters.readingsSent += readings.length;
  }
}
