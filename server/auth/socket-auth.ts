/**
 * socket.io connections authenticate as HTTP requests do: the session cookie of the handshake, or a
 * token in the handshake's `auth.token` (or its Authorization header). Connected sockets are checked
 * again every half minute, so a logout, an expiry or a revoked token also ends the live feed.
 */
import type { Logger } from 'pino';
import type { Server, Socket } from 'socket.io';
import type { AuthMetrics } from './auth-metrics';
import type { RequestIdentity } from './request-identity';

const recheckEveryMs = 30_000;

function handshakeToken(socket: Socket): string | undefined {
  const token = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
  return typeof token === 'string' ? token : undefined;
}

export function guardSockets(
  io: Server,
  identity: RequestIdentity,
  metrics: AuthMetrics,
  logger: Logger,
): { stop(): void } {
  const log = logger.child({ job: 'auth' });
  const allowed = async (socket: Socket): Promise<string | undefined> => {
    const found = await identity.identify(socket.request, handshakeToken(socket));
    if (found.kind !== 'principal') return 'unauthorized';
    if (found.principal.mustChangePassword) return 'password change required';
    return undefined;
  };
  io.use((socket, next) => {
    allowed(socket).then(
      (refusal) => {
        if (refusal === undefined) return next();
        metrics.refused.socket++;
        log.debug({ address: socket.handshake.address, refusal }, 'refused a socket.io connection');
        next(new Error(refusal));
      },
      (error: unknown) => {
        log.error({ err: error }, 'could not check a socket.io connection');
        next(new Error('unavailable'));
      },
    );
  });
  const recheck = async () => {
    for (const socket of [...io.sockets.sockets.values()]) {
      if ((await allowed(socket)) === undefined) continue;
      metrics.refused.socket++;
      socket.disconnect(true);
    }
  };
  const timer = setInterval(() => {
    recheck().catch((error: unknown) => log.warn({ err: error }, 'could not re-check socket.io connections'));
  }, recheckEveryMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
