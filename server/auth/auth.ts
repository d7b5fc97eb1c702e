/**
 * Auth for the service (issue 7), composed: accounts, sessions, tokens, the login rate limit, the
 * HTTP gate, the auth API's routes and the socket.io guard. On a first start in demo mode it creates an
 * `operator` account and prints its one-time password once, to the terminal and never to the log.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Server } from 'socket.io';
import type { AuthStore } from '../../db/auth-statements';
import type { Route } from '../http/router';
import { type Job, type JobHealth, JobStatus } from '../lifecycle';
import { Accounts } from './accounts';
import { ApiTokens } from './api-tokens';
import { authApiRoutes } from './auth-api';
import { createAuthGate } from './auth-gate';
import { type AuthMetrics, newAuthMetrics } from './auth-metrics';
import { ClientAddresses } from './client-address';
import { type LoginLimit, LoginRateLimit } from './login-rate-limit';
import { RequestIdentity } from './request-identity';
import { Sessions } from './sessions';
import { guardSockets } from './socket-auth';

/** Logins, sessions and tokens, as set in the environment (server/service/service-settings.ts). */
export interface AuthSettings {
  /** Off only with an explicit loopback bind: then every request is an anonymous operator. */
  enabled: boolean;
  sessionHours: number;
  /** `auto`: Secure when the request came over TLS (directly, or via a trusted proxy's X-Forwarded-Proto). */
  cookieSecure: 'auto' | 'on' | 'off';
  /** Peer addresses whose X-Forwarded-For/-Proto are believed (`loopback` for a proxy on this host). */
  trustedProxies: string[];
  /** Failed logins allowed per username in any 15 minutes (per client address, five times as many). */
  loginAttemptsPer15Min: number;
}

export interface AuthOptions {
  /** SQLite's (db/auth-statements.ts) or PostgreSQL's (db/pg/auth-store.ts). */
  store: AuthStore;
  settings: AuthSettings;
  /** Demo mode: make the first operator account when there is none. */
  demo: boolean;
  logger: Logger;
  /** Failed logins, shared by the processes that serve the same accounts; default in this process's memory. */
  loginLimit?: LoginLimit;
  /** Where the one-time password goes: the terminal (stderr), not the log. */
  announce?: (text: string) => void;
}

const sweepEveryMs = 3600_000;

/**
 * A job: its start makes the first account (demo mode) and begins sweeping expired sessions; its
 * stop ends the sweep and the socket.io re-checks. The gate and the routes work from construction.
 */
export class Auth implements Job<AuthMetrics> {
  readonly name = 'auth';
  /** Answers (true) what it refuses or redirects; otherwise names the principal and passes. */
  readonly gate: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  /** The auth API, for the router (http/router.ts). */
  readonly routes: Route[];
  private readonly status = new JobStatus();
  private readonly counters = newAuthMetrics();
  private readonly accounts: Accounts;
  private readonly sessions: Sessions;
  private readonly identity: RequestIdentity;
  private readonly log: Logger;
  private sweep: NodeJS.Timeout | undefined;
  private readonly socketGuards: { stop(): void }[] = [];

  constructor(private readonly options: AuthOptions) {
    const { settings, logger } = options;
    this.log = logger.child({ job: 'auth' });
    this.accounts = new Accounts(options.store);
    this.sessions = new Sessions(options.store, settings.sessionHours * 3600_000);
    const tokens = new ApiTokens(options.store);
    this.identity = new RequestIdentity(this.sessions, tokens);
    this.gate = createAuthGate({
      enabled: settings.enabled,
      identity: this.identity,
      metrics: this.counters,
      logger,
    });
    this.routes = authApiRoutes({
      enabled: settings.enabled,
      accounts: this.accounts,
      sessions: this.sessions,
      tokens,
      rateLimit: options.loginLimit ?? new LoginRateLimit(settings.loginAttemptsPer15Min),
      addresses: new ClientAddresses(settings.trustedProxies),
      cookieSecure: settings.cookieSecure,
      metrics: this.counters,
      logger,
    });
  }

  async start(): Promise<void> {
    const { settings, demo } = this.options;
    const log = this.log;
    if (!settings.enabled) log.warn('AUTH=off: every request acts as an operator (loopback only)');
    else if ((await this.accounts.count()) === 0) {
      if (demo) {
        const created = await this.accounts.create('operator', 'operator');
        const announce = this.options.announce ?? ((text: string) => process.stderr.write(text));
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
    await this.sessions.sweepExpired();
    this.sweep = setInterval(() => {
      this.sessions
        .sweepExpired()
        .catch((error: unknown) => log.warn({ err: error }, 'could not sweep expired sessions'));
    }, sweepEveryMs);
    this.sweep.unref();
    this.status.set('ready');
  }

  /** Re-checks connected sockets' credentials (socket-auth.ts); nothing with AUTH=off. */
  guardSockets(io: Server): void {
    if (this.options.settings.enabled)
      this.socketGuards.push(guardSockets(io, this.identity, this.counters, this.options.logger));
  }

  health(): JobHealth {
    return this.status.health();
  }

  metrics(): AuthMetrics {
    return this.counters;
  }

  async stop(): Promise<void> {
    clearInterval(this.sweep);
    for (const guard of this.socketGuards.splice(0)) guard.stop();
    this.status.set('stopped');
  }
}
