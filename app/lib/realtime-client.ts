'use client';
/**
 * One socket.io connection per browser tab, shared by every page and chart. Pages join a reactor's
 * room while they show it; after a lost connection they are told to back-fill what they missed.
 * It is authenticated by the session cookie, so it opens once the session is known
 * (`connectRealtime`, from SessionProvider); a refusal or a disconnect by the server (logged out,
 * session expired) has the session looked at again, which leads to the login page if it has ended.
 */
import { useEffect, useRef, useSyncExternalStore } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { AlarmEventView, FitRecord } from '../../contract/api';
import {
  type ClientToServerEvents,
  type ReadingBatch,
  realtimePath,
  type ServerToClientEvents,
} from '../../contract/realtime';
import { loadSession } from './api-client';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting';

type PlantSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let socket: PlantSocket | undefined;
let state: ConnectionState = 'connecting';
let everConnected = false;
const stateListeners = new Set<() => void>();

function setState(next: ConnectionState): void {
  if (next === state) return;
  state = next;
  for (const listener of stateListeners) listener();
}

export function plantSocket(): PlantSocket {
  if (socket) return socket;
  // WebSocket only: one connection, no long-polling handshake to upgrade from (a proxy in front of
  // the service must pass WebSocket upgrades on /socket.io/).
  socket = io({
    path: realtimePath,
    transports: ['websocket'],
    reconnectionDelay: 500,
    reconnectionDelayMax: 4000,
    // An attempt that opens a socket but never gets the handshake (a half-open proxy) is dropped and
    // retried after this long, rather than after socket.io's default 20 s.
    timeout: 5000,
    autoConnect: false,
  });
  const s = socket;
  s.on('connect', () => {
    everConnected = true;
    setState('connected');
  });
  s.on('disconnect', (reason) => {
    setState(everConnected ? 'reconnecting' : 'connecting');
    // The server ended it (a logout, an expired session): socket.io does not retry that by itself.
    if (reason === 'io server disconnect') void retryIfStillSignedIn(s);
  });
  s.on('connect_error', () => {
    setState(everConnected ? 'reconnecting' : 'connecting');
    // Refused by the server's guard ("unauthorized", "password change required"): not retried by
    // socket.io. A network failure is (`active` stays true).
    if (!s.active) void retryIfStillSignedIn(s);
  });
  return s;
}

let retrying = false;

async function retryIfStillSignedIn(s: PlantSocket): Promise<void> {
  if (retrying) return;
  retrying = true;
  try {
    // A session that ended sends the browser to the login page; one that must change its password
    // shows that form, and SessionProvider connects again afterwards.
    const session = await loadSession(true);
    if (session.kind === 'signed-in' && !session.view.mustChangePassword) {
      await new Promise((r) => setTimeout(r, 1000));
      if (!s.connected) s.connect();
    }
  } finally {
    retrying = false;
  }
}

/** Opens the shared connection (once the session is known; idempotent). */
export function connectRealtime(): void {
  const s = plantSocket();
  if (!s.connected && !s.active) s.connect();
}

function subscribeState(listener: () => void): () => void {
  plantSocket();
  stateListeners.add(listener);
  return () => stateListeners.delete(listener);
}

export function useConnectionState(): ConnectionState {
  return useSyncExternalStore(
    subscribeState,
    () => state,
    () => 'connecting',
  );
}

export interface ReactorStreamHandlers {
  onReadings?: (batch: ReadingBatch) => void;
  onEstimate?: (fit: FitRecord) => void;
  /** Called after a reconnect (and the room re-joined): fetch what arrived while away. */
  onBackfill?: () => void;
}

/** Joins a reactor's room while mounted; handlers may change between renders without re-joining. */
export function useReactorStream(reactorId: string, handlers: ReactorStreamHandlers): void {
  const latest = useRef(handlers);
  latest.current = handlers;
  useEffect(() => {
    const s = plantSocket();
    let wasDisconnected = false;
    const onConnect = () => {
      s.emit('join', reactorId);
      if (wasDisconnected) latest.current.onBackfill?.();
      wasDisconnected = false;
    };
    const onDisconnect = () => {
      wasDisconnected = true;
    };
    const onReadings = (batch: ReadingBatch) => {
      if (batch.reactorId === reactorId) latest.current.onReadings?.(batch);
    };
    const onEstimate = (fit: FitRecord) => {
      if (fit.reactorId === reactorId) latest.current.onEstimate?.(fit);
    };
    s.on('connect', onConnect);
    s.on('disconnect', onDisconnect);
    s.on('readings', onReadings);
    s.on('estimate', onEstimate);
    if (s.connected) s.emit('join', reactorId);
    return () => {
      if (s.connected) s.emit('leave', reactorId);
      s.off('connect', onConnect);
      s.off('disconnect', onDisconnect);
      s.off('readings', onReadings);
      s.off('estimate', onEstimate);
    };
  }, [reactorId]);
}

/** At most one call per this long: while fits catch up, summaries change many times a second. */
const updatesEveryMs = 1500;

/**
 * Calls back when a reactor's summary changed (with its id; several ids in one period come as
 * null, meaning "any"), at most once per 1.5 s, and after a reconnect (null).
 */
export function useReactorUpdates(onUpdate: (reactorId: string | null) => void): void {
  const latest = useRef(onUpdate);
  latest.current = onUpdate;
  useEffect(() => {
    const s = plantSocket();
    let wasDisconnected = false;
    let pending: string | null | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let lastCallMs = 0;
    const fire = () => {
      timer = undefined;
      lastCallMs = Date.now();
      const id = pending ?? null;
      pending = undefined;
      latest.current(id);
    };
    const request = (reactorId: string | null) => {
      pending = pending === undefined ? reactorId : pending === reactorId ? reactorId : null;
      if (timer) return;
      timer = setTimeout(fire, Math.max(0, lastCallMs + updatesEveryMs - Date.now()));
    };
    const onUpdated = (reactorId: string) => request(reactorId);
    const onConnect = () => {
      if (wasDisconnected) request(null);
      wasDisconnected = false;
    };
    const onDisconnect = () => {
      wasDisconnected = true;
    };
    s.on('reactor-updated', onUpdated);
    s.on('connect', onConnect);
    s.on('disconnect', onDisconnect);
    return () => {
      if (timer) clearTimeout(timer);
      s.off('reactor-updated', onUpdated);
      s.off('connect', onConnect);
      s.off('disconnect', onDisconnect);
    };
  }, []);
}

/** Calls back with every alarm change (fired, acknowledged, cleared), and with null after a reconnect. */
export function useAlarmEvents(onEvent: (event: AlarmEventView | null) => void): void {
  const latest = useRef(onEvent);
  latest.current = onEvent;
  useEffect(() => {
    const s = plantSocket();
    let wasDisconnected = false;
    const onAlarm = (event: AlarmEventView) => latest.current(event);
    const onConnect = () => {
      if (wasDisconnected) latest.current(null);
      wasDisconnected = false;
    };
    const onDisconnect = () => {
      wasDisconnected = true;
    };
    s.on('alarm', onAlarm);
    s.on('connect', onConnect);
    s.on('disconnect', onDisconnect);
    return () => {
      s.off('alarm', onAlarm);
      s.off('connect', onConnect);
      s.off('disconnect', onDisconnect);
    };
  }, []);
}
