/**
 * deploy/scaled/ as a site installs it: systemd accepts every unit (`systemd-analyze verify`, which
 * also checks that each ExecStart program exists), each unit starts a script of this repository, and
 * the settings a unit gives its process (the shared env file and its own Environment= lines, %i
 * filled in) are accepted by that process's own settings loader. The processes themselves are run
 * by tests/scale/chaos.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { loadConfig } from '../../server/config';
import { loadServiceSettings } from '../../server/service/service-settings';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const folder = join(repoRoot, 'deploy/scaled');
const units = readdirSync(folder).filter((f) => f.endsWith('.service') || f.endsWith('.target'));
const services = units.filter((f) => f.endsWith('@.service'));
const scratch = mkdtempSync(join(tmpdir(), 'cw-units-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** KEY=value lines of an env file or of a unit's Environment= settings, `%i` as instance 1. */
function assignments(lines: string[]): Record<string, string> {
  return Object.fromEntries(
    lines
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => {
        const at = l.indexOf('=');
        return [l.slice(0, at), l.slice(at + 1).replaceAll('%i', '1')];
      }),
  );
}

const sharedEnv = assignments(readFileSync(join(folder, 'culturewatch-scaled.env'), 'utf8').split('\n'));

function unitSettings(unit: string) {
  const text = readFileSync(join(folder, unit), 'utf8');
  const lines = text.split('\n');
  const env = assignments(
    lines.filter((l) => l.startsWith('Environment=')).map((l) => l.slice('Environment='.length)),
  );
  const execStart = lines.find((l) => l.startsWith('ExecStart='))?.slice('ExecStart='.length) ?? '';
  return { text, env: { ...sharedEnv, ...env }, execStart };
}

it('has the three process units and the target', () => {
  expect(units.sort()).toEqual([
    'culturewatch-assimilator@.service',
    'culturewatch-ingester@.service',
    'culturewatch-scaled.target',
    'culturewatch-web@.service',
  ]);
});

it('is accepted by systemd-analyze verify', () => {
  for (const unit of units) {
    // The site's node is at /usr/bin/node (Debian's nodejs); here it is wherever the tests run.
    const text = readFileSync(join(folder, unit), 'utf8').replaceAll(
      '/usr/bin/node ',
      `${process.execPath} `,
    );
    writeFileSync(join(scratch, unit), text);
  }
  const run = () =>
    execFileSync('systemd-analyze', ['verify', '--man=no', ...units.map((u) => join(scratch, u))], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  expect(run).not.toThrow();
  // And it does refuse a broken one.
  writeFileSync(
    join(scratch, 'culturewatch-web@.service'),
    readFileSync(join(scratch, 'culturewatch-web@.service'), 'utf8').replace(
      process.execPath,
      '/no/such/node',
    ),
  );
  expect(run).toThrow(/not executable/);
});

it('starts a script of this repository from each service, with settings its process accepts', () => {
  const scripts: Record<string, string> = {};
  for (const unit of services) {
    const { env, execStart } = unitSettings(unit);
    const [program, ...args] = execStart.split(/\s+/);
    expect(program).toBe('/usr/bin/node');
    expect(args.slice(0, 2)).toEqual(['--import', 'tsx']);
    const script = args[2];
    expect(existsSync(join(repoRoot, script))).toBe(true);
    scripts[unit] = [script, ...args.slice(3)].join(' ');
    if (script === 'server/ingest/run-ingester.ts') {
      const config = loadConfig(env);
      expect(config.mqtt.sharedGroup).toBe('ingest');
      expect(config.mqtt.clientId).toBe('culturewatch-ingester-1');
      expect(config.database.url).toMatch(/^postgres:\/\//);
    } else {
      const settings = loadServiceSettings(env as NodeJS.ProcessEnv, { scaled: true });
      expect(settings.base.database.url).toMatch(/^postgres:\/\//);
      if (args[3] === 'web') expect(settings.http).toMatchObject({ host: '127.0.0.1', port: 3101 });
    }
  }
  expect(scripts).toEqual({
    'culturewatch-assimilator@.service': 'server/service/run-role.ts assimilator',
    'culturewatch-ingester@.service': 'server/ingest/run-ingester.ts',
    'culturewatch-web@.service': 'server/service/run-role.ts web',
  });
});

it('restarts every process when it dies, and keeps each instance its own MQTT client id', () => {
  for (const unit of services) {
    const { text, env } = unitSettings(unit);
    expect({ unit, restart: /^Restart=always$/m.test(text) }).toEqual({ unit, restart: true });
    if (!unit.startsWith('culturewatch-web'))
      expect(env.MQTT_CLIENT_ID).toBe(`${unit.replace('@.service', '')}-1`);
  }
});
