/** An MQTT broker inside our process (aedes, MQTT 3.1.1), so that `npm start` needs nothing installed. */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes, type AuthenticateError } from 'aedes';
import type { Logger } from 'pino';

export interface EmbeddedBrokerOptions {
  /** 0 picks a free port. */
  port: number;
  host: string;
  /** When set, every client must present these; otherwise anyone may connect. */
  username?: string;
  password?: string;
  logger: Logger;
}

export interface EmbeddedBroker {
  /** mqtt://host:port for our own clients. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const log = options.logger.child({ job: 'embedded-broker' });
  const broker = await Aedes.createBroker();
  if (options.username !== undefined) {
    const expectedUser = Buffer.from(options.username);
    const expectedPassword = Buffer.from(options.password ?? '');
    broker.authenticate = (client, username, password, done) => {
      const ok =
        sameBytes(Buffer.from(username ?? ''), expectedUser) &&
        sameBytes(password ?? Buffer.alloc(0), expectedPassword);
      if (ok) return done(null, true);
      log.warn({ clientId: client.id }, 'refused a client with wrong credentials');
      const error = new Error('bad username or password') as AuthenticateError;
      error.returnCode = 4; // AuthErrorCode.BAD_USERNAME_OR_PASSWORD (a const enum, not importable here)
      done(error, false);
    };
  }
  broker.on('clientError', (client, error) => log.debug({ clientId: client.id, err: error }, 'client error'));

  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  log.info({ host: options.host, port }, 'embedded MQTT broker listening');

  return {
    url: `mqtt://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
