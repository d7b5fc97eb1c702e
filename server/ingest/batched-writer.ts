/**
 * The one writer into the database. Readings and rejections queue here and are committed together,
 * one transaction per turn of the event loop (everything that arrived together) or per `maxRows`,
 * whichever comes first. Sequence numbers let the caller tell which queued items are committed.
 * On SQLite the commit is synchronous (prepared statements in a transaction); on PostgreSQL
 * (`BatchStore`, pg-batch-commit.ts) it is a promise, one in flight at a time, while the next batch
 * gathers.
 */
import type Database from 'better-sqlite3';
import { type IngestStatements, prepareIngestStatements } from '../../db/ingest-statements';
import type { AcceptedReading, ValidationSink } from './message-validator';
import type { Rejection } from './rejection-reasons';
import { RollupAccumulator } from './rollups';

export interface BatchedWriterOptions {
  maxRows: number;
  /** Rejected messages kept as examples; older ones are deleted (their counts stay). */
  maxStoredRejections: number;
  now: () => number;
  /**
   * After each successful commit, with the readings that were new (not duplicates; may be empty) and
   * the highest rowid among them (0 if none): rowids grow in commit order.
   */
  onCommitted?: (newReadings: AcceptedReading[], highestRowid: number) => void;
  /** A commit failed; the batch stays queued and is retried with backoff. */
  onCommitFailed?: (error: unknown, pendingRows: number) => void;
}

export const defaultWriterOptions: BatchedWriterOptions = {
  maxRows: 5000,
  maxStoredRejections: 1000,
  now: Date.now,
};

export interface WriterMetrics {
  transactions: number;
  readingsStored: number;
  duplicatesIgnored: number;
  rejectionsStored: number;
  commitFailures: number;
  pendingRows: number;
  largestBatchRows: number;
}

const maxRetryDelayMs = 5000;

export interface BatchResult {
  /** The readings that were new, not duplicates. */
  stored: AcceptedReading[];
  highestRowid: number;
  registered: Set<string>;
}

/** A store that commits a batch asynchronously (PostgreSQL); `known` are reactors already registered. */
export interface BatchStore {
  commit(
    readings: AcceptedReading[],
    rejections: Rejection[],
    known: ReadonlySet<string>,
  ): Promise<BatchResult>;
}

export class BatchedWriter implements ValidationSink {
  private readings: AcceptedReading[] = [];
  private rejections: Rejection[] = [];
  private readonly knownReactors = new Set<string>();
  private readonly commit: (
    readings: AcceptedReading[],
    rejections: Rejection[],
  ) => BatchResult | Promise<BatchResult>;
  private inFlight: Promise<boolean> | undefined;
  private readonly options: BatchedWriterOptions;
  private immediate: NodeJS.Immediate | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelayMs = 0;
  private closed = false;
  /** Items (readings or rejections) ever queued, and the prefix of them that is committed. */
  private enqueued = 0;
  private committed = 0;
  private readonly counters: Omit<WriterMetrics, 'pendingRows'> = {
    transactions: 0,
    readingsStored: 0,
    duplicatesIgnored: 0,
    rejectionsStored: 0,
    commitFailures: 0,
    largestBatchRows: 0,
  };

  constructor(store: Database.Database | BatchStore, options: Partial<BatchedWriterOptions> = {}) {
    this.options = { ...defaultWriterOptions, ...options };
    if ('commit' in store) {
      this.commit = (readings, rejections) => store.commit(readings, rejections, this.knownReactors);
    } else {
      const statements = prepareIngestStatements(store);
      this.commit = store.transaction((readings, rejections) =>
        this.writeBatch(statements, readings, rejections),
      );
    }
  }

  accept(reading: AcceptedReading): void {
    this.readings.push(reading);
    this.queued();
  }

  reject(rejection: Rejection): void {
    this.rejections.push(rejection);
    this.queued();
  }

  get enqueuedSeq(): number {
    return this.enqueued;
  }

  get committedSeq(): number {
    return this.committed;
  }

  /**
   * Commits everything queued now (after the commit in flight, if any). False if the commit failed
   * (the batch stays queued). A promise when the store is asynchronous.
   */
  flush(): boolean | Promise<boolean> {
    if (this.inFlight) return this.inFlight.then(() => this.flush());
    this.cancelSchedule();
    if (this.readings.length === 0 && this.rejections.length === 0) return true;
    const readings = this.readings;
    const rejections = this.rejections;
    const through = this.enqueued;
    this.readings = [];
    this.rejections = [];
    let result: BatchResult | Promise<BatchResult>;
    try {
      result = this.commit(readings, rejections);
    } catch (error) {
      return this.failed(error, readings, rejections);
    }
    if (!(result instanceof Promise)) return this.succeeded(result, readings, rejections, through);
    const done = result.then(
      (committed) => this.succeeded(committed, readings, rejections, through),
      (error) => this.failed(error, readings, rejections),
    );
    this.inFlight = done.finally(() => {
      this.inFlight = undefined;
      // What gathered meanwhile goes next (a failure's retry timer decides for itself).
      if (this.retryTimer === undefined && !this.closed && this.readings.length + this.rejections.length > 0)
        this.scheduleFlush();
    });
    return this.inFlight;
  }

  private failed(error: unknown, readings: AcceptedReading[], rejections: Rejection[]): false {
    this.counters.commitFailures++;
    this.readings = readings.concat(this.readings);
    this.rejections = rejections.concat(this.rejections);
    this.retryDelayMs = Math.min(maxRetryDelayMs, Math.max(50, this.retryDelayMs * 2));
    this.options.onCommitFailed?.(error, this.readings.length + this.rejections.length);
    if (!this.closed) this.retryTimer = setTimeout(() => this.flush(), this.retryDelayMs);
    return false;
  }

  private succeeded(
    result: BatchResult,
    readings: AcceptedReading[],
    rejections: Rejection[],
    through: number,
  ): true {
    const { stored, highestRowid, registered } = result;
    for (const id of registered) this.knownReactors.add(id);
    this.retryDelayMs = 0;
    this.committed = through;
    this.counters.transactions++;
    this.counters.readingsStored += stored.length;
    this.counters.duplicatesIgnored += readings.length - stored.length;
    this.counters.rejectionsStored += rejections.length;
    this.counters.largestBatchRows = Math.max(
      this.counters.largestBatchRows,
      readings.length + rejections.length,
    );
    this.options.onCommitted?.(stored, highestRowid);
    return true;
  }

  metrics(): WriterMetrics {
    return { ...this.counters, pendingRows: this.readings.length + this.rejections.length };
  }

  /** Stops scheduling; a final `flush()` is the caller's choice. */
  close(): void {
    this.closed = true;
    this.cancelSchedule();
  }

  private queued(): void {
    this.enqueued++;
    // While backing off after a failed commit, the retry timer alone decides when to try again; while
    // a commit is in flight, its end does.
    if (this.retryTimer !== undefined || this.closed || this.inFlight) return;
    if (this.readings.length + this.rejections.length >= this.options.maxRows) void this.flush();
    else this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.immediate !== undefined) return;
    this.immediate = setImmediate(() => {
      this.immediate = undefined;
      void this.flush();
    });
  }

  private cancelSchedule(): void {
    clearImmediate(this.immediate);
    clearTimeout(this.retryTimer);
    this.immediate = undefined;
    this.retryTimer = undefined;
  }

  /** Runs inside the transaction. Reactors join `knownReactors` only once it commits. */
  private writeBatch(s: IngestStatements, readings: AcceptedReading[], rejections: Rejection[]): BatchResult {
    const nowMs = this.options.now();
    const stored: AcceptedReading[] = [];
    let highestRowid = 0;
    const rollups = new RollupAccumulator();
    const registered = new Set<string>();
    for (const r of readings) {
      if (!this.knownReactors.has(r.reactorId) && !registered.has(r.reactorId)) {
        s.registerReactor.run(r.reactorId, nowMs);
        registered.add(r.reactorId);
      }
      const inserted = s.insertReadingIfNew.run(r.reactorId, r.signal, r.tsMs, r.value, r.receivedAtMs);
      if (inserted.changes > 0) {
        stored.push(r);
        highestRowid = Number(inserted.lastInsertRowid); // rowids only grow within a transaction
        rollups.add(r);
      }
    }
    for (const d of rollups.values()) {
      s.addToRollup.run(
        d.reactorId,
        d.signal,
        d.bucketWidthMs,
        d.bucketStartMs,
        d.count,
        d.valueSum,
        d.valueMin,
        d.valueMax,
      );
    }
    if (rejections.length > 0) {
      const byReason = new Map<string, number>();
      for (const j of rejections) {
        s.recordRejection.run(j.receivedAtMs, j.topic, j.payloadExcerpt, j.payloadBytes, j.reason, j.detail);
        byReason.set(j.reason, (byReason.get(j.reason) ?? 0) + 1);
      }
      for (const [reason, count] of byReason) s.countRejections.run(reason, count, nowMs);
      s.trimRejections.run(this.options.maxStoredRejections);
    }
    return { stored, highestRowid, registered };
  }
}
