/** AUTH=off is refused unless the service is bound to loopback by hand (issue 7). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../server/env-schema';
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
    // Its TLS listener too (the config reads only that the files hold PEM; nothing listens here).
    const folder = mkdtempSync(join(tmpdir(), 'cw-auth-settings-'));
    const pem = join(folder, 'broker.pem');
    writeFileSync(pem, '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');
    const tls = { MQTT_SERVER_CERT_FILE: pem, MQTT_SERVER_KEY_FILE: pem };
    expect(() => settingsFrom({ AUTH: 'off', HTTP_HOST: '127.0.0.1', ...tls })).toThrow(
      /MQTT_TLS_BIND_HOST must be loopback, not 0.0.0.0/,
    );
    expect(
      settingsFrom({ AUTH: 'off', HTTP_HOST: '127.0.0.1', ...tls, MQTT_TLS_BIND_HOST: '::1' }).auth.enabled,
    ).toBe(false);
    rmSync(folder, { recursive: true, force: true });
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
