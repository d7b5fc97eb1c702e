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

  async create(name: string, role: Role, createdBy: string): Promise<CreatedApiToken> {
    const token = `${apiTokenPrefix}${randomSecret(32)}`;
    const id = await this.statements.insertToken({
      tokenSha256: sha256Hex(token),
      name,
      role,
      createdAtMs: Date.now(),
      createdBy,
    });
    return { ...((await this.statements.token(id)) as ApiTokenRow), token };
  }

  list(): Promise<ApiTokenView[]> {
    return this.statements.tokens();
  }

  async revoke(id: number): Promise<void> {
    const row = await this.statements.token(id);
    if (!row) throw new HttpError(404, 'unknown token', `no token ${id}`);
    if (row.revokedAtMs !== null) throw new HttpError(409, 'already revoked', `token ${id}`);
    await this.statements.revokeToken(id, Date.now());
  }

  /** The live token for a bearer value; undefined when unknown, malformed or revoked. */
  async resolve(token: string): Promise<ApiTokenRow | undefined> {
    if (!token.startsWith(apiTokenPrefix) || token.length > 256) return undefined;
    const row = await this.statements.liveToken(sha256Hex(token));
    if (!row) return undefined;
    const now = Date.now();
    if (row.lastUsedAtMs === null || now - row.lastUsedAtMs >= markUsedEveryMs) {
      await this.statements.tokenUsed(row.id, now);
      row.lastUsedAtMs = now;
    }
    return row;
  }
}
