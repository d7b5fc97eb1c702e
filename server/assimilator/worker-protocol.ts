/** Messages between the assimilator host (main thread) and its worker. Plain, structured-clonable data. */
import { msFromPlantHours } from '../../contract/time';
import type { AssimilatorSettings } from './assimilator-settings';
import type { StoredWindow } from './reactor-chain';

export interface WorkerInit {
  databasePath: string;
  settings: AssimilatorSettings;
}

/** New readings committed for one reactor: the span of their plant times, epoch ms. */
export interface ReadingsNotice {
  reactorId: string;
  oldestTsMs: number;
  newestTsMs: number;
  /** The span includes online sensor readings (od, substrate, dilution), which move the plant clock. */
  online: boolean;
  /** The highest rowid of the commit: a chain whose database check has seen it need not act again. */
  highestRowid: number;
}

export type HostToWorker = { type: 'readings'; notices: ReadingsNotice[] } | { type: 'stop' };

export interface FitNotice {
  reactorId: string;
  fitId: number;
  status: 'ok' | 'failed';
  reason: string | null;
  refit: boolean;
  coldStart: boolean;
  iterations: number;
  durationMs: number;
  windowEndMs: number;
}

/** The notice of a stored fit, from the chain's result (the SQLite worker and the pg-boss jobs alike). */
export function fitNoticeOf(fitted: StoredWindow, fitId: number): FitNotice {
  const { outcome } = fitted;
  return {
    reactorId: fitted.reactorId,
    fitId,
    status: outcome.status,
    reason: outcome.status === 'failed' ? outcome.reason : null,
    refit: fitted.refit,
    coldStart: fitted.coldStart,
    iterations: outcome.iterations,
    durationMs: fitted.fitMs,
    windowEndMs: msFromPlantHours(fitted.windowEndH),
  };
}

export interface WorkerStatus {
  /** Windows due across all reactors. */
  queueDepth: number;
  /** Reactors with a window due. */
  reactorsDue: number;
  /** Windows due of each reactor that has some. */
  dueByReactor: Record<string, number>;
  reactors: number;
  /** The reactor being fitted, if any. */
  fitting: string | null;
}

export type WorkerToHost =
  | { type: 'ready'; status: WorkerStatus; restoredChains: number }
  | { type: 'fit'; fit: FitNotice; status: WorkerStatus }
  | { type: 'status'; status: WorkerStatus }
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; msg: string; data?: Record<string, unknown> }
  | { type: 'stopped' };
