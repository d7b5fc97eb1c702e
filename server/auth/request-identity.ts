/**
 * Turns a request's credentials into a Principal: a bearer token (`Authorization: Bearer cwt_…`)
 * if the request has one, else the session cookie. A bad bearer token is refused even when a good
 * cookie comes with it: a script should learn its token is dead.
 */
import type { IncomingMessage } from 'node:http';
import { sessionCookieName } from '../../contract/auth';
import type { ApiTokens } from './api-tokens';
import type { Principal } from './principal';
import type { Sessions } from './sessions';

export type Identity =
  | { kind: 'principal'; principal: Principal }
  | { kind: 'anonymous' }
  | { kind: 'bad-token' };

/** The value of one cookie in a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

export class RequestIdentity {
  constructor(
    private readonly sessions: Sessions,
    private readonly tokens: ApiTokens,
  ) {}

  async identify(req: IncomingMessage, handshakeToken?: string): Promise<Identity> {
    const authorization = req.headers.authorization;
    const token = handshakeToken ?? bearerToken(authorization);
    if (token !== undefined || authorization !== undefined) {
      const row = token === undefined ? undefined : await this.tokens.resolve(token);
      if (!row) return { kind: 'bad-token' };
      return {
        kind: 'principal',
        principal: {
          username: `token:${row.name}`,
          role: row.role,
          via: 'token',
          csrfToken: '',
          mustChangePassword: false,
          expiresAtMs: null,
          tokenId: row.id,
        },
      };
    }
    const sessionId = cookieValue(req.headers.cookie, sessionCookieName);
    if (sessionId === undefined || sessionId === '') return { kind: 'anonymous' };
    const session = await this.sessions.resolve(sessionId);
    if (!session) return { kind: 'anonymous' };
    return {
      kind: 'principal',
      principal: {
        username: session.username,
        role: session.role,
        via: 'session',
        csrfToken: session.csrfToken,
        mustChangePassword: session.mustChangePassword === 1,
        expiresAtMs: session.expiresAtMs,
        sessionId,
      },
    };
  }
}
