/**
 * How long and how much the HTTP port waits for a client, and how many connections one client may
 * hold: so that slow or many clients cannot hold the server (server/README.md, "Bad input").
 */
export interface HttpLimits {
  /** The request line and headers must have arrived this long after the connection opened. */
  headersTimeoutMs: number;
  /** The whole request, body included, must have arrived this long after it began. */
  requestTimeoutMs: number;
  /** A connection with nothing sent either way for this long is closed (a kept-alive one sooner). */
  idleTimeoutMs: number;
  /** Connections one client address may hold at once (a trusted proxy is not counted). */
  maxConnectionsPerClient: number;
}

export const defaultHttpLimits: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
  maxConnectionsPerClient: 64,
};

/** A kept-alive connection between two requests is closed after this long (or the idle timeout, if shorter). */
export const keepAliveTimeoutMs = 5_000;
