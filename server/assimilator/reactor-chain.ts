/**
 * One reactor's estimator chain (assimilation/'s EstimatorChain) hosted on the database: the plant
 * clock read from stored readings, and late readings found by their rowids as well as announced.
 * Everything numeric, and the schedule itself, is the chain's.
 */
import {
  type ChainOptions,
  type CompiledModel,
  type DesignPosterior,
  EstimatorChain,
  type FittedWindow,
  type PlantData,
  posteriorAtWindowEnd,
} from '../../assimilation';

export interface WindowSource {
  /** The plant data a window [start, end] needs. */
  window(reactorId: string, startH: number, endH: number): PlantData;
  /** A mark that grows with every reading stored (the highest rowid), read before a window. */
  readingsHighWater(): number;
  /** The oldest reading of the reactor stamped in [fromH, toH] with a mark in (afterRowid, upToRowid]; null if none. */
  oldestStoredBetween(
    reactorId: string,
    afterRowid: number,
    upToRowid: number,
    fromH: number,
    toH: number,
  ): number | null;
  /** The oldest and newest online readings, plant hours (±∞ if none). */
  onlineSpanH(reactorId: string): { oldestH: number; newestH: number };
}

/** One window's fit, ready to store. */
export interface StoredWindow extends FittedWindow {
  reactorId: string;
  fittedAtMs: number;
  /** `readingsHighWater()` just before the window's readings were read: a reading stored later is not in this fit. */
  readingsSeenRowid: number;
  /** The belief at the window's end, for experiment design; null for a failed fit. */
  posterior: DesignPosterior | null;
  /** The model the fit was made with (server/assimilator/reactor-models.ts). */
  modelVersion: string;
}

export class ReactorChain {
  readonly chain: EstimatorChain;
  /** `readingsHighWater()` when the newest fit read its data; null before the first. */
  readingsSeenRowid: number | null = null;

  constructor(
    readonly reactorId: string,
    model: CompiledModel,
    options: ChainOptions,
    /** Which model file `model` is: stored with every fit. */
    readonly modelVersion: string,
    private readonly now: () => number = Date.now,
  ) {
    this.chain = new EstimatorChain(model, options);
  }

  /** The plant clock and the oldest online reading, read from the database (at start). */
  readClock(source: WindowSource): void {
    const { oldestH, newestH } = source.onlineSpanH(this.reactorId);
    if (Number.isFinite(oldestH)) this.chain.noteReadings(oldestH, true);
    if (Number.isFinite(newestH)) this.chain.noteClock(newestH);
  }

  /**
   * New readings were stored, spanning plant hours [oldestH, newestH], up to rowid `highestRowid`.
   * Late ones that a fit's database check has already seen (its mark at or above their rowids) are
   * not acted on again.
   */
  noteReadings(
    oldestH: number,
    newestH: number,
    online: boolean,
    highestRowid = Number.POSITIVE_INFINITY,
  ): void {
    if (online) this.chain.noteClock(newestH);
    const seen = this.readingsSeenRowid !== null && highestRowid <= this.readingsSeenRowid;
    if (!seen) this.chain.noteReadings(oldestH, online);
  }

  /**
   * Looks in the database for late readings stored since the newest fit read its data, up to
   * `highWater`, and notes the oldest. Notices make refits prompt; this makes them certain, also when a
   * notice went to a worker that stopped before acting on it. Returns the oldest such reading, or null.
   */
  noteStoredSince(source: WindowSource, highWater: number): number | null {
    const heldFromH = this.chain.heldFromH;
    if (this.readingsSeenRowid === null || heldFromH === null) return null;
    const oldestH = source.oldestStoredBetween(
      this.reactorId,
      this.readingsSeenRowid,
      highWater,
      heldFromH,
      this.chain.fittedUpToH,
    );
    if (oldestH !== null) this.chain.noteReadings(oldestH, false);
    return oldestH;
  }

  dueCount(): number {
    return this.chain.dueCount();
  }

  isDue(): boolean {
    return this.chain.isDue();
  }

  /** Fits the next due window, after any rewind for late data; null when none is due. */
  fitNext(source: WindowSource): StoredWindow | null {
    const readingsSeenRowid = source.readingsHighWater();
    this.noteStoredSince(source, readingsSeenRowid);
    this.readingsSeenRowid = readingsSeenRowid;
    const fitted = this.chain.fitNext(
      (startH, endH) => source.window(this.reactorId, startH, endH),
      () => performance.now(),
    );
    if (!fitted) return null;
    const { outcome } = fitted;
    const posterior =
      outcome.status === 'ok'
        ? posteriorAtWindowEnd(
            this.chain.model,
            this.chain.settings.freeParams,
            outcome.fit,
            fitted.windowEndH,
          )
        : null;
    return {
      ...fitted,
      reactorId: this.reactorId,
      fittedAtMs: this.now(),
      readingsSeenRowid,
      modelVersion: this.modelVersion,
      posterior,
    };
  }
}
