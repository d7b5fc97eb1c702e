/**
 * One fit of one reactor against PostgreSQL, with nothing kept in the process between fits: the
 * chain is restored from `assimilator_chains`, the clock and late arrivals read, the next due window
 * read and fitted, and the fit stored with the chain's new state in one transaction. So any
 * assimilator process can take the next window of any reactor (fit-jobs.ts decides which one may).
 *
 * The chain asks for its window's data synchronously (assimilation/'s `WindowLoader`), the database
 * answers asynchronously: a first pass learns which window the chain wants (the loader stops it
 * there), the window is read, and a second chain restored from the same state fits it.
 */
import type pg from 'pg';
import {
  type ChainOptions,
  type CompiledModel,
  type PlantData,
  plantDataFrom,
  type Reading,
} from '../../assimilation';
import { plantHoursFromMs } from '../../contract/time';
import {
  chainOf,
  clockOf,
  collectFitWrites,
  forgetSeenArrivals,
  nextFitId,
  oldestArrivedBetween,
  oldestReadingMs,
  type PgChainRow,
  windowReadings,
} from '../../db/pg/assimilation-store';
import { fitWriter } from './fit-store';
import { clockSignals, constantSignals, estimatorNameOf, inputSignals, plantSignals } from './plant-signals';
import { ReactorChain, type StoredWindow, type WindowSource } from './reactor-chain';

const msPerHour = 3_600_000;

/** The chain's loader stops here in the first pass, with the window it asked for. */
class WindowWanted {
  constructor(
    readonly startH: number,
    readonly endH: number,
  ) {}
}

interface ReactorState {
  chainRow: PgChainRow | undefined;
  arrivals: number;
  newestOnlineH: number;
  oldestOnlineH: number;
  /** Oldest reading time of the arrivals the stored chain has not seen (plant hours), or null. */
  oldestUnseenH: number | null;
}

export interface PgFitResult {
  fitted: StoredWindow;
  fitId: number;
}

export class PgReactorFit {
  constructor(
    private readonly model: CompiledModel,
    private readonly chainOptions: ChainOptions,
    /** Which model file `model` is: stored with every fit. */
    private readonly modelVersion: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Fits the reactor's next due window and stores it; null when none is due. */
  async fitNext(client: pg.ClientBase, reactorId: string): Promise<PgFitResult | null> {
    const state = await this.readState(client, reactorId);
    let wanted: WindowWanted | undefined;
    const probe = this.chainFrom(reactorId, state);
    try {
      if (
        probe.fitNext(
          this.source(state, (startH, endH) => {
            throw new WindowWanted(startH, endH);
          }),
        ) === null
      )
        return null;
    } catch (error) {
      if (!(error instanceof WindowWanted)) throw error;
      wanted = error;
    }
    if (!wanted) throw new Error('the chain fitted a window without reading it');
    const data = await this.readWindow(client, reactorId, wanted.startH, wanted.endH);
    const chain = this.chainFrom(reactorId, state);
    const fitted = chain.fitNext(
      this.source(state, (startH, endH) => {
        if (startH !== wanted.startH || endH !== wanted.endH)
          throw new Error(
            `the chain asked for [${startH}, ${endH}] after [${wanted.startH}, ${wanted.endH}]`,
          );
        return data;
      }),
    );
    if (!fitted) throw new Error('the chain fitted nothing in its second pass');
    const fitId = await this.store(client, fitted, chain);
    return { fitted, fitId };
  }

  private async readState(client: pg.ClientBase, reactorId: string): Promise<ReactorState> {
    const chainRow = await chainOf(client, reactorId);
    // The arrival count before the readings: whatever commits after it is looked at by the next fit.
    const clock = await clockOf(client, reactorId);
    const oldestOnlineMs = await oldestReadingMs(client, reactorId, clockSignals);
    const seen = chainRow?.readingsSeenRowid ?? null;
    const oldestUnseenMs =
      seen !== null && clock.arrivals > seen
        ? await oldestArrivedBetween(client, reactorId, seen, clock.arrivals)
        : null;
    return {
      chainRow,
      arrivals: clock.arrivals,
      newestOnlineH:
        clock.newestOnlineMs === null ? Number.NEGATIVE_INFINITY : plantHoursFromMs(clock.newestOnlineMs),
      oldestOnlineH: oldestOnlineMs === null ? Number.POSITIVE_INFINITY : plantHoursFromMs(oldestOnlineMs),
      oldestUnseenH: oldestUnseenMs === null ? null : plantHoursFromMs(oldestUnseenMs),
    };
  }

  /** A chain restored from the stored state, its clock read. */
  private chainFrom(reactorId: string, state: ReactorState): ReactorChain {
    const chain = new ReactorChain(reactorId, this.model, this.chainOptions, this.modelVersion, this.now);
    chain.readClock(
      this.source(state, () => {
        throw new Error('reading the clock reads no window');
      }),
    );
    if (state.chainRow && chain.chain.restore(state.chainRow))
      chain.readingsSeenRowid = state.chainRow.readingsSeenRowid;
    return chain;
  }

  private source(state: ReactorState, window: (startH: number, endH: number) => PlantData): WindowSource {
    return {
      window: (_reactorId, startH, endH) => window(startH, endH),
      onlineSpanH: () => ({ oldestH: state.oldestOnlineH, newestH: state.newestOnlineH }),
      readingsHighWater: () => state.arrivals,
      // Arrivals log each commit's oldest reading only: one older than the chain holds counts as its
      // oldest held hour (a refit of all it holds, where SQLite's per-reading look would skip it).
      oldestStoredBetween: (_reactorId, _after, _upTo, fromH, toH) => {
        const h = state.oldestUnseenH;
        if (h === null || h > toH) return null;
        return Math.max(h, fromH);
      },
    };
  }

  /** Cuts one window out of `readings` as window-data.ts does on SQLite. */
  private async readWindow(client: pg.ClientBase, reactorId: string, startH: number, endH: number) {
    // A millisecond of slack each side: the estimator cuts the window exactly, in hours.
    const fromMs = Math.floor(startH * msPerHour) - 1;
    const toMs = Math.ceil(endH * msPerHour) + 1;
    const rows = await windowReadings(client, reactorId, fromMs, toMs, {
      inside: plantSignals,
      before: [...inputSignals, ...constantSignals],
      after: inputSignals,
    });
    const readings: Reading[] = rows.map((r) => ({
      timeH: plantHoursFromMs(r.tsMs),
      signal: estimatorNameOf[r.signal as keyof typeof estimatorNameOf],
      value: r.value,
    }));
    readings.sort((a, b) => a.timeH - b.timeH);
    return plantDataFrom(readings);
  }

  private async store(client: pg.ClientBase, fitted: StoredWindow, chain: ReactorChain): Promise<number> {
    await client.query('BEGIN');
    try {
      const fitId = await nextFitId(client);
      const collected = collectFitWrites(fitId);
      fitWriter(collected.writes)(fitted, chain.chain.snapshot());
      for (const query of collected.queries()) await client.query(query);
      await forgetSeenArrivals(client, fitted.reactorId, fitted.readingsSeenRowid);
      await client.query('COMMIT');
      return fitId;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  }
}
