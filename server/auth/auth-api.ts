/**
 * The auth API (contract/auth.ts): login, logout, the session, password changes, API tokens and
 * accounts. The gate (auth-gate.ts) has already checked the role and CSRF for each path; these
 * handlers check what only they can: passwords, rate limits, and that one acts on oneself.
 */
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { SessionView } from '../../contract/auth';
import { roles, sessionCookieName } from '../../contract/auth';
import { HttpError } from '../http/http-error';
import { readJsonBody } from '../http/request-body';
import { parseOr400, plainText, printable } from '../http/request-input';
import { sendJson } from '../http/responses';
import type { Route } from '../http/router';
import type { Accounts } from './accounts';
import { checkNewPassword, usernamePattern } from './accounts';
import type { ApiTokens } from './api-tokens';
import type { AuthMetrics } from './auth-metrics';
import type { ClientAddresses } from './client-address';
import type { LoginLimit } from './login-rate-limit';
import { type Principal, principalOf } from './principal';
import type { Sessions } from './sessions';

const role = z.enum(roles);
const loginBody = z.strictObject({
  username: z.string().min(1).max(64).refine(printable, 'no control characters'),
  password: z.string().min(1).max(1024),
});
const passwordBody = z.strictObject({
  currentPassword: z.string().min(1).max(1024),
  newPassword: z.string().max(1024),
});
const tokenBody = z.strictObject({ name: plainText(64), role });
const userBody = z.strictObject({
  username: z.string().regex(usernamePattern, '1–64 of A–Z a–z 0–9 . _ -'),
  role,
});
const numericId = z.coerce.number().int().positive();

export interface AuthApiOptions {
  enabled: boolean;
  accounts: Accounts;
  sessions: Sessions;
  tokens: ApiTokens;
  rateLimit: LoginLimit;
  addresses: ClientAddresses;
  cookieSecure: 'auto' | 'on' | 'off';
  metrics: AuthMetrics;
  logger: Logger;
}

export function sessionView(principal: Principal): SessionView {
  return {
    username: principal.username,
    role: principal.role,
    via: principal.via,
    csrfToken: principal.csrfToken,
    mustChangePassword: principal.mustChangePassword,
    authDisabled: principal.via === 'auth-off',
    expiresAtMs: principal.expiresAtMs,
  };
}

export function authApiRoutes(options: AuthApiOptions): Route[] {
  const { accounts, sessions, tokens, metrics } = options;
  const log = options.logger.child({ job: 'auth' });

  const cookie = (req: IncomingMessage, value: string, clear: boolean) => {
    const secure =
      options.cookieSecure === 'on' || (options.cookieSecure === 'auto' && options.addresses.isTls(req));
    return [
      `${sessionCookieName}=${value}`,
      'Path=/',
      'HttpOnly',
      'SameSite=Strict',
      ...(secure ? ['Secure'] : []),
      ...(clear ? ['Max-Age=0'] : []),
    ].join('; ');
  };

  const signedIn = (req: IncomingMessage): Principal => {
    const principal = principalOf(req);
    if (!principal) throw new HttpError(401, 'unauthorized', 'log in first');
    return principal;
  };

  const needsAuth = () => {
    if (!options.enabled) throw new HttpError(404, 'auth is off', 'AUTH=off: there are no accounts to use');
  };

  return [
    {
      method: 'GET',
      path: '/api/auth/session',
      handle: async ({ req, res }) => {
        await sendJson(req, res, 200, sessionView(signedIn(req)));
      },
    },
    {
      method: 'POST',
      path: '/api/auth/login',
      handle: async ({ req, res }) => {
        needsAuth();
        const body = parseOr400(loginBody, await readJsonBody(req), 'body');
        const address = options.addresses.address(req);
        const waitMs = await options.rateLimit.retryAfterMs(address, body.username);
        if (waitMs > 0) {
          metrics.logins.rateLimited++;
          log.warn({ user: body.username, address }, 'login refused: too many failures');
          res.setHeader('retry-after', String(Math.ceil(waitMs / 1000)));
          throw new HttpError(429, 'too many failed logins', `try again in ${Math.ceil(waitMs / 1000)} s`);
        }
        const user = await accounts.verify(body.username, body.password);
        if (!user) {
          await options.rateLimit.failed(address, body.username);
          metrics.logins.failed++;
          log.warn({ user: body.username, address }, 'login failed');
          throw new HttpError(401, 'wrong username or password');
        }
        await options.rateLimit.succeeded(body.username);
        await accounts.recordLogin(user.username);
        const started = await sessions.start(user.username);
        metrics.logins.succeeded++;
        log.info({ user: user.username, role: user.role, address }, 'logged in');
        res.setHeader('set-cookie', cookie(req, started.id, false));
        const view: SessionView = {
          username: user.username,
          role: user.role,
          via: 'session',
          csrfToken: started.csrfToken,
          mustChangePassword: user.mustChangePassword === 1,
          authDisabled: false,
          expiresAtMs: started.expiresAtMs,
        };
        await sendJson(req, res, 200, view);
      },
    },
    {
      method: 'POST',
      path: '/api/auth/logout',
      handle: async ({ req, res }) => {
        needsAuth();
        const principal = signedIn(req);
        if (principal.sessionId !== undefined) await sessions.end(principal.sessionId);
        log.info({ user: principal.username }, 'logged out');
        res.setHeader('set-cookie', cookie(req, '', true));
        res.writeHead(204).end();
      },
    },
    {
      method: 'POST',
      path: '/api/auth/password',
      handle: async ({ req, res }) => {
        needsAuth();
        const principal = signedIn(req);
        if (principal.via !== 'session')
          throw new HttpError(403, 'log in to change a password', 'a token has no password');
        const body = parseOr400(passwordBody, await readJsonBody(req), 'body');
        checkNewPassword(body.newPassword);
        if (body.newPassword === body.currentPassword)
          throw new HttpError(400, 'same password', 'the new password must differ from the current one');
        if (!(await accounts.verify(principal.username, body.currentPassword)))
          throw new HttpError(401, 'wrong current password');
        await accounts.setPassword(principal.username, body.newPassword, false);
        await sessions.endOthers(principal.username, principal.sessionId);
        log.info({ user: principal.username }, 'password changed; other sessions ended');
        await sendJson(req, res, 200, sessionView({ ...principal, mustChangePassword: false }));
      },
    },
    {
      method: 'GET',
      path: '/api/tokens',
      handle: async ({ req, res }) => {
        needsAuth();
        await sendJson(req, res, 200, await tokens.list());
      },
    },
    {
      method: 'POST',
      path: '/api/tokens',
      handle: async ({ req, res }) => {
        needsAuth();
        const body = parseOr400(tokenBody, await readJsonBody(req), 'body');
        const created = await tokens.create(body.name, body.role, signedIn(req).username);
        log.info(
          { tokenId: created.id, name: created.name, role: created.role, by: created.createdBy },
          'API token created',
        );
        await sendJson(req, res, 201, created);
      },
    },
    {
      method: 'DELETE',
      path: '/api/tokens/:id',
      handle: async ({ req, res, params }) => {
        needsAuth();
        const id = parseOr400(numericId, params.id, 'token id');
        await tokens.revoke(id);
        log.info({ tokenId: id, by: signedIn(req).username }, 'API token revoked');
        res.writeHead(204).end();
      },
    },
    {
      method: 'GET',
      path: '/api/users',
      handle: async ({ req, res }) => {
        needsAuth();
        await sendJson(req, res, 200, await accounts.list());
      },
    },
    {
      method: 'POST',
      path: '/api/users',
      handle: async ({ req, res }) => {
        needsAuth();
        const body = parseOr400(userBody, await readJsonBody(req), 'body');
        const created = await accounts.create(body.username, body.role);
        log.info(
          { user: created.username, role: created.role, by: signedIn(req).username },
          'account created',
        );
        await sendJson(req, res, 201, created);
      },
    },
    {
      method: 'DELETE',
      path: '/api/users/:username',
      handle: async ({ req, res, params }) => {
        needsAuth();
        const { username } = params;
        const by = signedIn(req).username;
        if (username === by) throw new HttpError(409, 'cannot remove yourself', 'ask another operator');
        await accounts.remove(username);
        log.info({ user: username, by }, 'account removed');
        res.writeHead(204).end();
      },
    },
  ];
}
