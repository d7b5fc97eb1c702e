/**
 * The Next.js dashboard (app/) inside our own HTTP server: Next's request handler for every path the
 * API does not answer. Production mode serves the build in `.next/` (`npm start` builds it first when
 * it is missing); dev mode compiles pages on demand. Upgrade requests other than socket.io's (Next's
 * dev hot reload) are relayed to Next, so that Next never touches socket.io's.
 */
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import next from 'next';
import { realtimePath } from '../../contract/realtime';
import { projectDir } from './dashboard-paths';

export interface Dashboard {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  close(): Promise<void>;
}

export async function startDashboard(
  mode: 'production' | 'dev',
  server: Server,
  hostname: string,
  port: number,
): Promise<Dashboard> {
  if (mode === 'production' && !existsSync(join(projectDir, '.next', 'BUILD_ID'))) {
    throw new Error(
      'the dashboard has no production build: run `npm run build` (npm start does it when missing)',
    );
  }
  const upgradeRelay = new EventEmitter();
  const app = next({
    dev: mode === 'dev',
    dir: projectDir,
    hostname,
    port,
    httpServer: upgradeRelay as unknown as Server,
  });
  await app.prepare();
  const handler = app.getRequestHandler();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!req.url?.startsWith(`${realtimePath}/`)) upgradeRelay.emit('upgrade', req, socket, head);
  });
  return {
    handle: (req, res) => handler(req, res),
    close: () => app.close(),
  };
}
