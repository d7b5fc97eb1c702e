/**
 * For the MQTT half of issue 7: devices that connect with credentials (and TLS), publish readings
 * the way the live publisher does, and what the service stored, read straight from its SQLite file
 * (read-only), so that these tests need no HTTP login.
 */
import Database from 'better-sqlite3';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { defaultPlantEpochMs, mqttSignalOf } from '../../simulator/live-publisher';
import { generatePlantHistory } from '../../simulator/plant-history';
import type { PlantSample } from '../../simulator/plant-sample';
import { publishHistoryCounts } from '../service/service-harness';

export interface StoredReading {
  reactorId: string;
  signal: string;
  tsMs: number;
  value: number;
}

export function storedReadings(databasePath: string): StoredReading[] {
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare<[], StoredReading>(
        'SELECT reactor_id AS reactorId, signal, ts_ms AS tsMs, value FROM readings ORDER BY reactor_id, signal, ts_ms',
      )
      .all();
  } finally {
    db.close();
  }
}

export function storedReactors(databasePath: string): string[] {
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare<[], { id: string }>('SELECT id FROM reactors ORDER BY id')
      .all()
      .map((r) => r.id);
  } finally {
    db.close();
  }
}

export function storedFitIds(databasePath: string, reactorId: string): number[] {
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare<[string], { id: number }>("SELECT id FROM fits WHERE reactor_id = ? AND status = 'ok'")
      .all(reactorId)
      .map((r) => r.id);
  } finally {
    db.close();
  }
}

/** A connected client, or the broker's (or TLS handshake's) refusal as a message. */
export async function tryConnect(
  url: string,
  options: IClientOptions,
  /** Also settle, as an error, when the connection closes before CONNACK (a TLS handshake refused late). */
  settleOnClose = false,
): Promise<{ client: MqttClient; error?: undefined } | { client?: undefined; error: string }> {
  try {
    const client = await mqtt.connectAsync(
      url,
      { reconnectPeriod: 0, connectTimeout: 5000, ...options },
      !settleOnClose,
    );
    return { client };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Resolves when the broker closes the connection (or after `timeoutMs`, with false). */
export function closedWithin(client: MqttClient, timeoutMs: number): Promise<boolean> {
  if (!client.connected) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    client.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** A short stretch of simulated plant: enough for a 12-h window fit or two. */
export function plantHistory(hours: number, seed = 7): PlantSample[] {
  return generatePlantHistory({ scenario: 'steady', days: hours / 24, seed, assays: true }).samples;
}

export const plantEpochMs = defaultPlantEpochMs(Date.now());

/** How many samples of `history` the live publisher sends (it skips signals it has no topic for). */
export function publishableCount(history: PlantSample[]): number {
  return history.filter((s) => mqttSignalOf[s.signal] !== undefined && Number.isFinite(s.value)).length;
}

/** Publishes a plant history as a device (QoS 1, all at once): how many the broker acknowledged. */
export async function publishAsDevice(
  url: string,
  reactorId: string,
  samples: PlantSample[],
  clientOptions: IClientOptions,
): Promise<number> {
  const counts = await publishHistoryCounts(url, reactorId, samples, plantEpochMs, {
    reconnectPeriod: 0,
    ...clientOptions,
  });
  return counts.acknowledged;
}
