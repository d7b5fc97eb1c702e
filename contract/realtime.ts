import type { AlarmEventView, FitRecord, PlantSignal } from './api';

/**
 * socket.io events. A client emits `join` with a reactor id (and `leave`), and receives that
 * reactor's readings, batched at most every 250 ms, and each new estimate.
 */
export interface ReadingBatch {
  reactorId: string;
  readings: { signal: PlantSignal; tsMs: number; value: number }[];
}

export interface ServerToClientEvents {
  readings: (batch: ReadingBatch) => void;
  estimate: (fit: FitRecord) => void;
  /** Any reactor's summary changed (new reactor, new estimate, alert): for the overview. */
  'reactor-updated': (reactorId: string) => void;
  /** Every client hears each alarm change (fired, acknowledged, cleared) as it is recorded. */
  alarm: (event: AlarmEventView) => void;
}

export interface ClientToServerEvents {
  join: (reactorId: string) => void;
  leave: (reactorId: string) => void;
}

export const realtimePath = '/socket.io';
