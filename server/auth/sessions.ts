/**
 * Browser sessions. The cookie carries a random id; the database holds its SHA-256, the user and a
 * CSRF token. Sessions slide: each use pushes the expiry out again (written at most once a minute).
 */
import type { AuthStatements, SessionRow } from '../../db/auth-statements';
import { randomSecret, sha256Hex } from './password-hash';

const renewEveryMs = 60_000;

export interface StartedSession {
  /** The cookie value: shown to this browser only. */
  id: string;
  csrfToken: string;
  expiresAtMs: number;
}

export class Sessions {
  constructor(
    private readonly statements: AuthStatements,
    private readonly lifetimeMs: number,
  ) {}

  start(username: string): StartedSession {
    const id = randomSecret(32);
    const csrfToken = randomSecret(24);
    const now = Date.now();
    const expiresAtMs = now + this.lifetimeMs;
    this.statements.insertSession.run(sha256Hex(id), username, csrfToken, now, expiresAtMs);
    return { id, csrfToken, expiresAtMs };
  }

  /** The live session for a cookie value, renewed; undefined when unknown or expired. */
  resolve(id: string): SessionRow | undefined {
    const now = Date.now();
    const row = this.statements.session.get(sha256Hex(id), now);
    if (!row) return undefined;
    const renewed = now + this.lifetimeMs;
    if (renewed - row.expiresAtMs >= renewEveryMs) {
      this.statements.renewSession.run(renewed, row.idSha256);
      row.expiresAtMs = renewed;
    }
    return row;
  }

  end(id: string): void {
    this.statements.deleteSession.run(sha256Hex(id));
  }

  /** Ends every session of the user but `keepId` (after a password change, all of them without it). */
  endOthers(username: string, keepId?: string): void {
    this.statements.deleteOtherSessions.run(username, keepId === undefined ? '' : sha256Hex(keepId));
  }

  sweepExpired(): number {
    return this.statements.deleteExpiredSessions.run(Date.now()).changes;
  }
}
