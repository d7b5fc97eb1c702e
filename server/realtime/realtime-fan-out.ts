/**
 * What the browsers are sent, to whatever broadcasts it: the socket.io server of a single process
 * (realtime-hub.ts), or, in a scaled deployment, a socket.io server on the PostgreSQL adapter that reaches
 * every web process through their adapter (an ingester's readings, an assimilator's fits). Readings
 * are batched per reactor: the first after a quiet spell goes out after `coalesceMs` with whatever
 * arrived with it, then at most one batch per `batchMs`.
 */
import type { AlarmEventView, FitRecord } from '../../contract/api';
import type { ReadingBatch } from '../../contract/realtime';
import type { AcceptedReading } from '../ingest/message-validator';

/** The part of a socket.io server that the fan-out uses. */
export interface Broadcaster {
  to(room: string): { emit(event: string, payload: unknown): unknown };
  emit(event: string, payload: unknown): unknown;
}

export interface FanOutOptions {
  batchMs: number;
  coalesceMs: number;
  /** Reactors already known, so that only new ones are announced. */
  knownReactors: Iterable<string>;
  /** Whether anyone listens in a room; unknown (the rooms are in other processes): everything is sent. */
  watched?: (room: string) => boolean;
}

export interface FanOutCounters {
  readingBatches: number;
  readingsSent: number;
  estimatesSent: number;
}

export const roomOf = (reactorId: string) => `reactor:${reactorId}`;

export class RealtimeFanOut {
  private readonly pending = new Map<string, ReadingBatch['readings']>();
  private readonly lastFlushMs = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly known: Set<string>;
  readonly counters: FanOutCounters = { readingBatches: 0, readingsSent: 0, estimatesSent: 0 };

  constructor(
    private readonly target: Broadcaster,
    private readonly options: FanOutOptions,
  ) {
    this.known = new Set(options.knownReactors);
  }

  /** Newly stored readings (wire to the ingester's `onReadingsStored`). */
  readingsStored(readings: readonly AcceptedReading[]): void {
    const watched = this.options.watched ?? (() => true);
    for (const r of readings) {
      if (!this.known.has(r.reactorId)) {
        this.known.add(r.reactorId);
        this.target.emit('reactor-updated', r.reactorId);
      }
      if (!watched(roomOf(r.reactorId))) continue;
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
    this.target.to(roomOf(fit.reactorId)).emit('estimate', fit);
    this.target.emit('reactor-updated', fit.reactorId);
    this.counters.estimatesSent++;
  }

  /** An alarm changed: every client hears it, and the overview refreshes that reactor. */
  alarmChanged(event: AlarmEventView): void {
    this.target.emit('alarm', event);
    this.target.emit('reactor-updated', event.reactorId);
  }

  /** Sends what is batched now (a process about to stop). */
  flushAll(): void {
    for (const reactorId of [...this.pending.keys()]) this.flush(reactorId);
  }

  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
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
    clearTimeout(this.timers.get(reactorId));
    this.timers.delete(reactorId);
    const readings = this.pending.get(reactorId);
    this.pending.delete(reactorId);
    if (!readings || readings.length === 0) return;
    this.lastFlushMs.set(reactorId, Date.now());
    const batch: ReadingBatch = { reactorId, readings };
    this.target.to(roomOf(reactorId)).emit('readings', batch);
    this.counters.readingBatches++;
    this.counters.readingsSent += readings.length;
  }
}
