/** AUTH=off is refused unless the service is bound to loopback by hand (issue 7). */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../server/config';
import { loadServiceSettings } from '../../server/service/service-settings';

/** Settings from exactly these variables. */
const settingsFrom = (env: Record<string, string>) => loadServiceSettings(env as NodeJS.ProcessEnv);
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

describe('AUTH setting', () => {
  it('is on by default', () => {
    expect(settingsFrom({}).auth.enabled).toBe(true);
  });

  it('may be off only with an explicit loopback HTTP_HOST and a loopback embedded broker', () => {
    expect(() => settingsFrom({ AUTH: 'off' })).toThrow(/explicit loopback bind.*HTTP_HOST is not set/);
    expect(() => settingsFrom({ AUTH: 'off', HTTP_HOST: '0.0.0.0' })).toThrow(ConfigError);
    expect(() => settingsFrom({ AUTH: 'off', HTTP_HOST: '192.168.1.5' })).toThrow(/HTTP_HOST is 192/);
    expect(() => settingsFrom({ AUTH: 'off', HTTP_HOST: '127.0.0.1', MQTT_BIND_HOST: '0.0.0.0' })).toThrow(
      /MQTT_BIND_HOST must be loopback/,
    );
    expect(settingsFrom({ AUTH: 'off', HTTP_HOST: '127.0.0.1' }).auth.enabled).toBe(false);
    expect(settingsFrom({ AUTH: 'off', HTTP_HOST: '::1' }).auth.enabled).toBe(false);
    // An external broker has its own access control: only the HTTP bind matters then.
    expect(
      settingsFrom({ AUTH: 'off', HTTP_HOST: 'localhost', MQTT_URL: 'mqtt://broker:1883' }).auth.enabled,
    ).toBe(false);
  });

  it('stops the service at start with the reason', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'server.ts'], {
      cwd: repoRoot,
      env: { ...process.env, AUTH: 'off', HTTP_HOST: '0.0.0.0', DASHBOARD: 'off', CONFIG_FILE: '' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/AUTH=off needs an explicit loopback bind/);
  }, 40_000);
});
