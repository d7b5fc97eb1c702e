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
  const allowed = (socket: Socket): string | undefined => {
    const found = identity.identify(socket.request, handshakeToken(socket));
    if (found.kind !== 'principal') return 'unauthorized';
    if (found.principal.mustChangePassword) return 'password change required';
    return undefined;
  };
  io.use((socket, next) => {
    const refusal = allowed(socket);
    if (refusal === undefined) return next();
    metrics.refused.socket++;
    log.debug({ address: socket.handshake.address, refusal }, 'refused a socket.io connection');
    next(new Error(refusal));
  });
  const timer = setInterval(() => {
    for (const socket of io.sockets.sockets.values()) {
      if (allowed(socket) === undefined) continue;
      metrics.refused.socket++;
      socket.disconnect(true);
    }
  }, recheckEveryMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
