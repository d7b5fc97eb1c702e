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

  async start(username: string): Promise<StartedSession> {
    const id = randomSecret(32);
    const csrfToken = randomSecret(24);
    const now = Date.now();
    const expiresAtMs = now + this.lifetimeMs;
    await this.statements.insertSession({
      idSha256: sha256Hex(id),
      username,
      csrfToken,
      createdAtMs: now,
      expiresAtMs,
    });
    return { id, csrfToken, expiresAtMs };
  }

  /** The live session for a cookie value, renewed; undefined when unknown or expired. */
  async resolve(id: string): Promise<SessionRow | undefined> {
    const now = Date.now();
    const row = await this.statements.session(sha256Hex(id), now);
    if (!row) return undefined;
    const renewed = now + this.lifetimeMs;
    if (renewed - row.expiresAtMs >= renewEveryMs) {
      await this.statements.renewSession(row.idSha256, renewed);
      row.expiresAtMs = renewed;
    }
    return row;
  }

  end(id: string): Promise<void> {
    return this.statements.deleteSession(sha256Hex(id));
  }

  /** Ends every session of the user but `keepId` (after a password change, all of them without it). */
  endOthers(username: string, keepId?: string): Promise<void> {
    return this.statements.deleteOtherSessions(username, keepId === undefined ? '' : sha256Hex(keepId));
  }

  sweepExpired(): Promise<number> {
    return this.statements.deleteExpiredSessions(Date.now());
  }
}
