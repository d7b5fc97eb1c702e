/**
 * The door every HTTP request passes before the API or the dashboard: it names the request's
 * principal and refuses what the principal may not do — 401 without credentials, 403 for a viewer
 * writing, for a missing or wrong CSRF token, or before a one-time password is changed. Pages
 * without a session are redirected to the login page.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { csrfHeaderName } from '../../contract/auth';
import { sendError } from '../http/responses';
import { type Access, requiredAccess } from './access-policy';
import type { AuthMetrics } from './auth-metrics';
import { attachPrincipal, type Principal, roleRank } from './principal';
import type { RequestIdentity } from './request-identity';

export const anonymousOperator: Principal = {
  username: 'anonymous',
  role: 'operator',
  via: 'auth-off',
  csrfToken: '',
  mustChangePassword: false,
  expiresAtMs: null,
};

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface AuthGateOptions {
  enabled: boolean;
  identity: RequestIdentity;
  metrics: AuthMetrics;
  logger: Logger;
}

/** Returns a handler that answers (and resolves true for) every request it refuses or redirects. */
export function createAuthGate(
  options: AuthGateOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const log = options.logger.child({ job: 'auth' });
  return async (req, res) => {
    if (!options.enabled) {
      attachPrincipal(req, anonymousOperator);
      return false;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const access: Access = requiredAccess(method, url.pathname);
    if (access === 'socket' || access === 'public') return false;
    const identity = await options.identity.identify(req);
    if (identity.kind === 'principal') attachPrincipal(req, identity.principal);
    if (access === 'optional') return false;

    const refuse = (status: number, reason: keyof AuthMetrics['refused'], error: string, detail: string) => {
      options.metrics.refused[reason]++;
      if (status === 401) res.setHeader('www-authenticate', 'Bearer realm="culturewatch"');
      void sendError(req, res, status, error, detail);
      return true;
    };

    if (identity.kind === 'bad-token') {
      log.info({ method, path: url.pathname }, 'refused a request with an unknown or revoked token');
      return refuse(401, 'badToken', 'unauthorized', 'the bearer token is unknown or revoked');
    }
    if (identity.kind === 'anonymous') {
      if (access === 'page') {
        options.metrics.refused.redirectedToLogin++;
        const next = `${url.pathname}${url.search}`;
        res.writeHead(302, {
          location: `/login?next=${encodeURIComponent(next)}`,
          'cache-control': 'no-store',
        });
        res.end();
        return true;
      }
      return refuse(401, 'anonymous', 'unauthorized', 'log in, or send Authorization: Bearer <token>');
    }
    const principal = identity.principal;
    if (access === 'page') return false;
    if (principal.mustChangePassword && access !== 'self')
      return refuse(403, 'passwordChange', 'password change required', 'choose a new password first');
    const needsOperator = access === 'write' || access === 'operator-read';
    if (needsOperator && roleRank[principal.role] < roleRank.operator) {
      log.info({ user: principal.username, method, path: url.pathname }, 'refused: operator role needed');
      return refuse(403, 'forbidden', 'forbidden', 'the operator role is needed');
    }
    const changesState = access === 'write' || (access === 'self' && method !== 'GET' && method !== 'HEAD');
    if (changesState && principal.via === 'session') {
      const sent = req.headers[csrfHeaderName];
      if (typeof sent !== 'string' || !sameText(sent, principal.csrfToken)) {
        log.warn(
          { user: principal.username, method, path: url.pathname },
          'refused: CSRF token missing or wrong',
        );
        return refuse(
          403,
          'csrf',
          'CSRF token missing or wrong',
          `send the session's token in ${csrfHeaderName}`,
        );
      }
    }
    return false;
  };
}
