/**
 * First start in demo mode: the service makes an operator account and prints its one-time password
 * once, to the terminal and not into the log; that password must be changed at the first login, and
 * a restart makes no second account and prints no password.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SessionView, UserView } from '../../contract/auth';
import { freePort } from '../fixtures/mosquitto';
import { type ServiceProcess, startServiceProcess } from '../service/service-harness';
import { HttpClient } from './auth-harness';

describe('first start in demo mode', () => {
  const folder = mkdtempSync(join(tmpdir(), 'culturewatch-first-'));
  const databasePath = join(folder, 'culturewatch.db');
  let service: ServiceProcess | undefined;
  const start = async () =>
    startServiceProcess({
      AUTH: 'on',
      DATABASE_PATH: databasePath,
      MQTT_PORT: String(await freePort()),
      SIMULATOR: 'on',
      SIMULATOR_REACTORS: 'r1',
      SIMULATOR_BACKFILL_DAYS: '0.05',
      ASSIMILATOR: 'off',
    });

  afterAll(async () => {
    await service?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('prints a one-time operator password once, which must then be changed', async () => {
    service = await start();
    const printed = /one-time password: (\S+)/.exec(service.output());
    expect(printed).not.toBeNull();
    const oneTime = printed?.[1] as string;
    // Printed for the person at the terminal, never written as a log line.
    expect(service.logs().some((line) => JSON.stringify(line).includes(oneTime))).toBe(false);
    expect(service.logs().some((line) => line.msg.includes('first operator account created'))).toBe(true);

    const operator = new HttpClient(service.url);
    expect((await operator.login('operator', oneTime)).status).toBe(200);
    const session = (await operator.call('GET', '/api/auth/session')).json<SessionView>();
    expect(session).toMatchObject({ username: 'operator', role: 'operator', mustChangePassword: true });
    expect((await operator.call('GET', '/api/reactors')).status).toBe(403);
    const newPassword = 'the-operator-chose-this';
    expect(
      (await operator.call('POST', '/api/auth/password', { currentPassword: oneTime, newPassword })).status,
    ).toBe(200);
    expect((await operator.call('GET', '/api/reactors')).status).toBe(200);
    expect(await service.stop()).toBe(0);

    service = await start();
    expect(service.output()).not.toMatch(/one-time password/);
    const again = await HttpClient.loggedIn(service.url, 'operator', newPassword);
    const users = (await again.call('GET', '/api/users')).json<UserView[]>();
    expect(users.map((u) => u.username)).toEqual(['operator']);
    expect((await new HttpClient(service.url).login('operator', oneTime)).status).toBe(401);
  }, 120_000);
});
