/** `culturewatch users`: accounts from the command line, into the service's database file. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { prepareAuthStatements } from '../../db/auth-statements';
import { Accounts } from '../../server/auth/accounts';

const cli = fileURLToPath(new URL('../../bin/culturewatch.js', import.meta.url));
const folder = mkdtempSync(join(tmpdir(), 'culturewatch-users-'));
const databasePath = join(folder, 'culturewatch.db');

afterAll(() => rmSync(folder, { recursive: true, force: true }));

function users(args: string[], input?: string) {
  const run = spawnSync(process.execPath, [cli, 'users', ...args], {
    env: { ...process.env, DATABASE_PATH: databasePath },
    input: input ?? '',
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

it('adds, lists, re-keys and removes accounts, and never prints a hash', async () => {
  const added = users(['add', 'kim', '--role', 'operator']);
  expect(added.status).toBe(0);
  const kim = JSON.parse(added.stdout) as { oneTimePassword: string; mustChangePassword: boolean };
  expect(kim.mustChangePassword).toBe(true);
  expect(kim.oneTimePassword.length).toBeGreaterThanOrEqual(20);

  expect(users(['add', 'lee', '--role', 'viewer', '--password-stdin'], 'lee-chose-a-password\n').status).toBe(
    0,
  );
  expect(users(['add', 'lee', '--role', 'viewer']).stderr).toMatch(/username taken/);
  expect(users(['add', 'max', '--role', 'viewer', '--password-stdin'], 'short\n').stderr).toMatch(
    /password too short/,
  );
  expect(users(['add', 'max', '--role', 'admin']).status).toBe(2);

  const listed = users(['list']);
  expect(JSON.parse(listed.stdout).map((u: { username: string }) => u.username)).toEqual(['kim', 'lee']);
  expect(listed.stdout).not.toMatch(/scrypt|passwordHash/);

  const database = new Database(databasePath);
  const accounts = new Accounts(prepareAuthStatements(database));
  expect(await accounts.verify('kim', kim.oneTimePassword)).toBeDefined();
  expect(await accounts.verify('lee', 'lee-chose-a-password')).toBeDefined();

  const reset = users(['set-password', 'lee']);
  const { oneTimePassword } = JSON.parse(reset.stdout) as { oneTimePassword: string };
  expect(await accounts.verify('lee', 'lee-chose-a-password')).toBeUndefined();
  expect((await accounts.verify('lee', oneTimePassword))?.mustChangePassword).toBe(1);

  const last = users(['remove', 'kim']);
  expect(last.status).toBe(2);
  expect(last.stderr).toMatch(/last operator/);
  expect(users(['remove', 'lee']).status).toBe(0);
  expect((await accounts.list()).map((u) => u.username)).toEqual(['kim']);
  database.close();
}, 60_000);
