/**
 * People and their passwords: creating accounts (with a generated one-time password unless one is
 * given), checking a login, changing a password, removing an account. The last operator cannot be
 * removed or demoted, so that nobody is locked out of the settings.
 */
import type { CreatedUser, Role, UserView } from '../../contract/auth';
import { minPasswordLength } from '../../contract/auth';
import type { AuthStatements, UserRow } from '../../db/auth-statements';
import { HttpError } from '../http/http-error';
import { hashPassword, randomSecret, verifyPassword } from './password-hash';

export const usernamePattern = /^[A-Za-z0-9._-]{1,64}$/;

/** A hash nobody's password matches, checked when the username is unknown so both cases take as long. */
let decoyHash: Promise<string> | undefined;

export function userView(row: UserRow): UserView {
  return {
    username: row.username,
    role: row.role,
    createdAtMs: row.createdAtMs,
    mustChangePassword: row.mustChangePassword === 1,
    lastLoginAtMs: row.lastLoginAtMs,
  };
}

/** 18 random bytes: 24 base64url characters. */
export function oneTimePassword(): string {
  return randomSecret(18);
}

export function checkNewPassword(password: string): void {
  if (password.length < minPasswordLength)
    throw new HttpError(400, 'password too short', `at least ${minPasswordLength} characters`);
  if (password.length > 1024) throw new HttpError(400, 'password too long', 'at most 1024 characters');
}

export class Accounts {
  constructor(private readonly statements: AuthStatements) {}

  count(): Promise<number> {
    return this.statements.userCount();
  }

  get(username: string): Promise<UserRow | undefined> {
    return this.statements.user(username);
  }

  async list(): Promise<UserView[]> {
    return (await this.statements.users()).map(userView);
  }

  /**
   * Without `password`, a one-time password is generated, returned once, and must be changed at the
   * first login.
   */
  async create(username: string, role: Role, password?: string): Promise<CreatedUser> {
    if (!usernamePattern.test(username))
      throw new HttpError(400, 'bad username', '1–64 of A–Z a–z 0–9 . _ -');
    if (await this.get(username)) throw new HttpError(409, 'username taken', `"${username}" exists`);
    const oneTime = password === undefined;
    const clear = password ?? oneTimePassword();
    if (!oneTime) checkNewPassword(clear);
    const hash = await hashPassword(clear);
    // Checked again after the slow hash: another request may have taken the name meanwhile.
    if (await this.get(username)) throw new HttpError(409, 'username taken', `"${username}" exists`);
    await this.statements.insertUser({
      username,
      role,
      passwordHash: hash,
      mustChangePassword: oneTime,
      createdAtMs: Date.now(),
    });
    const row = (await this.get(username)) as UserRow;
    return { ...userView(row), oneTimePassword: oneTime ? clear : '' };
  }

  /** The account when the password is right; undefined otherwise, in about the same time either way. */
  async verify(username: string, password: string): Promise<UserRow | undefined> {
    const row = await this.get(username);
    if (!row) {
      decoyHash ??= hashPassword(randomSecret());
      await verifyPassword(password, await decoyHash);
      return undefined;
    }
    return (await verifyPassword(password, row.passwordHash)) ? row : undefined;
  }

  async setPassword(username: string, password: string, mustChange: boolean): Promise<void> {
    if (!mustChange) checkNewPassword(password);
    await this.statements.setPassword(username, await hashPassword(password), mustChange);
  }

  recordLogin(username: string): Promise<void> {
    return this.statements.loggedIn(username, Date.now());
  }

  async remove(username: string): Promise<void> {
    const row = await this.get(username);
    if (!row) throw new HttpError(404, 'unknown user', `no account "${username}"`);
    if (row.role === 'operator' && (await this.statements.operatorCount()) <= 1)
      throw new HttpError(409, 'last operator', 'the last operator account cannot be removed');
    await this.statements.deleteUser(username);
  }
}
