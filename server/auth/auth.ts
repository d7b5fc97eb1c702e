/**
 * Auth for the service (issue 7), composed: accounts, sessions, tokens, the login rate limit, the
 * HTTP gate, the auth API and the socket.io guard. On a first start in demo mode it creates an
 * `operator` account and prints its one-time password once, to the terminal and never to the log.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Server } from 'socket.io';
import { prepareAuthStatements } from '../../db/auth-statements';
import type { AuthSettings } from '../service/service-settings';
import { Accounts } from './accounts';
import { ApiTokens } from './api-tokens';
import { createAuthApi } from './auth-api';
import { createAuthGate } from './auth-gate';
import { type AuthMetrics, newAuthMetrics } from './auth-metrics';
import { ClientAddresses } from './client-address';
import { LoginRateLimit } from './login-rate-limit';
import { RequestIdentity } from './request-identity';
import { Sessions } from './sessions';
import { guardSockets } from './socket-auth';

export interface Auth {
  /** Answers (true) what it refuses or redirects; otherwise names the principal and passes. */
  gate(req: IncomingMessage, res: ServerResponse): boolean;
  /** Answers the auth API's own paths. */
  api(req: IncomingMessage, res: ServerResponse): boolean;
  guardSockets(io: Server): void;
  metrics(): AuthMetrics;
  stop(): void;
}

export interface StartAuthOptions {
  sqlite: Database.Database;
  settings: AuthSettings;
  /** Demo mode: make the first operator account when there is none. */
  demo: boolean;
  logger: Logger;
  /** Where the one-time password goes: the terminal (stderr), not the log. */
  announce?: (text: string) => void;
}

const sweepEveryMs = 3600_000;

export async function startAuth(options: StartAuthOptions): Promise<Auth> {
  const { settings, logger } = options;
  const log = logger.child({ job: 'auth' });
  const statements = prepareAuthStatements(options.sqlite);
  const accounts = new Accounts(statements);
  const sessions = new Sessions(statements, settings.sessionHours * 3600_000);
  const tokens = new ApiTokens(statements);
  const identity = new RequestIdentity(sessions, tokens);
  const addresses = new ClientAddresses(settings.trustedProxies);
  const metrics = newAuthMetrics();

  if (!settings.enabled) log.warn('AUTH=off: every request acts as an operator (loopback only)');
  else if (accounts.count() === 0) {
    if (options.demo) {
      const created = await accounts.create('operator', 'operator');
      const announce = options.announce ?? ((text: string) => process.stderr.write(text));
      announce(
        [
          '',
          '  culturewatch made the first account. It is shown only this once:',
          `    username: ${created.username}`,
          `    one-time password: ${created.oneTimePassword}`,
          '  Log in with it; you will be asked to choose your own password.',
          '',
          '',
        ].join('\n'),
      );
      log.info(
        { user: created.username },
        'first operator account created; its one-time password was printed once',
      );
    } else {
      log.warn('no accounts yet: create one with `culturewatch users add NAME --role operator`');
    }
  }

  sessions.sweepExpired();
  const sweep = setInterval(() => sessions.sweepExpired(), sweepEveryMs);
  sweep.unref();
  const socketGuards: { stop(): void }[] = [];

  const gate = createAuthGate({ enabled: settings.enabled, identity, metrics, logger });
  const api = createAuthApi({
    enabled: settings.enabled,
    accounts,
    sessions,
    tokens,
    rateLimit: new LoginRateLimit(settings.loginAttemptsPer15Min),
    addresses,
    cookieSecure: settings.cookieSecure,
    metrics,
    logger,
  });
  return {
    gate,
    api,
    guardSockets: (io) => {
      if (settings.enabled) socketGuards.push(guardSockets(io, identity, metrics, logger));
    },
    metrics: () => metrics,
    stop: () => {
      clearInterval(sweep);
      for (const guard of socketGuards) guard.stop();
    },
  };
}
