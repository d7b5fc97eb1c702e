/**
 * Bearer tokens for scripts: `cwt_` + 32 random bytes, stored as SHA-256, shown once when made.
 * A revoked token stops working at its next request.
 */
import type { ApiTokenView, CreatedApiToken, Role } from '../../contract/auth';
import { apiTokenPrefix } from '../../contract/auth';
import type { ApiTokenRow, AuthStatements } from '../../db/auth-statements';
import { HttpError } from '../http/http-error';
import { randomSecret, sha256Hex } from './password-hash';

const markUsedEveryMs = 60_000;

export class ApiTokens {
  constructor(private readonly statements: AuthStatements) {}

  create(name: string, role: Role, createdBy: string): CreatedApiToken {
    const token = `${apiTokenPrefix}${randomSecret(32)}`;
    const id = Number(
      this.statements.insertToken.run(sha256Hex(token), name, role, Date.now(), createdBy).lastInsertRowid,
    );
    return { ...(this.statements.token.get(id) as ApiTokenRow), token };
  }

  list(): ApiTokenView[] {
    return this.statements.tokens.all();
  }

  revoke(id: number): void {
    const row = this.statements.token.get(id);
    if (!row) throw new HttpError(404, 'unknown token', `no token ${id}`);
    if (row.revokedAtMs !== null) throw new HttpError(409, 'already revoked', `token ${id}`);
    this.statements.revokeToken.run(Date.now(), id);
  }

  /** The live token for a bearer value; undefined when unknown, malformed or revoked. */
  resolve(token: string): ApiTokenRow | undefined {
    if (!token.startsWith(apiTokenPrefix) || token.length > 256) return undefined;
    const row = this.statements.liveToken.get(sha256Hex(token));
    if (!row) return undefined;
    const now = Date.now();
    if (row.lastUsedAtMs === null || now - row.lastUsedAtMs >= markUsedEveryMs) {
      this.statements.tokenUsed.run(now, row.id);
      row.lastUsedAtMs = now;
    }
    return row;
  }
}
