/**
 * For a process of the scaled deployment that has no browsers of its own (an ingester, an
 * assimilator): a socket.io server attached to no HTTP server, on @socket.io/postgres-adapter, whose
 * emits reach the browsers of every web process. (@socket.io/postgres-emitter 0.1 speaks an older
 * form of the adapter's messages, which adapter 0.5 ignores.)
 */
import { createAdapter } from '@socket.io/postgres-adapter';
import type pg from 'pg';
import type { Logger } from 'pino';
import { Server } from 'socket.io';
import type { Broadcaster } from './realtime-fan-out';

export interface ClusterBroadcaster {
  target: Broadcaster;
  close(): Promise<void>;
}

export function clusterBroadcaster(pool: pg.Pool, logger: Logger): ClusterBroadcaster {
  const io = new Server({
    serveClient: false,
    adapter: createAdapter(pool, {
      errorHandler: (error) => logger.warn({ err: error }, 'socket.io adapter'),
    }),
  });
  return {
    target: io as unknown as Broadcaster,
    // Not io.close(): with no HTTP server there is no engine to close (socket.io 4.8 would throw).
    close: async () => {
      await io.of('/').adapter.close();
    },
  };
}
