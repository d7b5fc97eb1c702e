/** `culturewatch <command> --help` prints that command's usage (not "--help needs a value"). */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const cli = join(import.meta.dirname, '../../bin/culturewatch.js');

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('culturewatch --help', () => {
  it.each([
    ['replay', /^usage: culturewatch replay HISTORY\.csv \[.*--window 12h\]/],
    ['users', /^usage: culturewatch users add NAME --role/],
  ])('%s --help prints its usage and exits 0', (command, usage) => {
    const r = run(command, '--help');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(usage);
  });

  it('--help after other arguments still means usage', () => {
    const r = run('replay', 'history.csv', '--window', '12h', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: culturewatch replay /);
  });

  it('culturewatch --help lists every command on stdout', () => {
    const r = run('--help');
    expect(r.code).toBe(0);
    for (const command of ['gradient', 'simulate', 'fit', 'replay', 'users', 'simulate-plant'])
      expect(r.stdout).toContain(`culturewatch ${command} `);
  });

  it('an unknown command still fails with the list', () => {
    const r = run('nonsense');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command "nonsense"/);
  });
});
