/**
 * Passwords are stored as scrypt hashes in one self-describing string,
 * `scrypt$N$r$p$<salt b64>$<hash b64>`, so that the cost can be raised later without breaking old
 * hashes. Tokens and session ids are random and long, so a plain SHA-256 suffices for them.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** OWASP's minimum for scrypt: N = 2^17, r = 8, p = 1 (128 MiB, a few hundred ms per hash). */
const cost = { N: 2 ** 17, r: 8, p: 1 } as const;
const keyBytes = 32;
const saltBytes = 16;

function scryptAsync(password: string, salt: Buffer, N: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, keyBytes, { N, r, p, maxmem: 256 * N * r }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(saltBytes);
  const key = await scryptAsync(password, salt, cost.N, cost.r, cost.p);
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** True when the password matches; false for a wrong password or a malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every((v) => Number.isInteger(v) && v > 0) || N > 2 ** 20) return false;
  const salt = Buffer.from(parts[4], 'base64');
  const expected = Buffer.from(parts[5], 'base64');
  if (expected.length !== keyBytes) return false;
  const key = await scryptAsync(password, salt, N, r, p);
  return timingSafeEqual(key, expected);
}

/** True when `stored` looks like a hash made by `hashPassword`. */
export function isPasswordHash(stored: string): boolean {
  return /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/.test(stored);
}

/** A random secret for a session id, token or one-time password (base64url, `bytes` of entropy). */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** How tokens and session ids are stored: hex SHA-256. */
export function sha256Hex(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
