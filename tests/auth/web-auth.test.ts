/**
 * Issue 7, the web half, against the real service (`node --import tsx server.ts`, AUTH on, the demo
 * simulator publishing through the embedded broker): every state-changing endpoint refuses an
 * anonymous caller, a viewer, a revoked token and a cookie session without its CSRF token; the
 * operator's change is recorded under their name; logins are rate-limited; socket.io is guarded;
 * and no secret shows up in any API response or log line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmView, AlertsResponse, WebhookEndpointView } from '../../contract/api';
import type { ApiTokenView, CreatedUser, SessionView, UserView } from '../../contract/auth';
import { freePort } from '../fixtures/mosquitto';
import { type ServiceProcess, startServiceProcess, waitUntil } from '../service/service-harness';
import { HttpClient, passwords, seedAccounts, tryConnectSocket } from './auth-harness';

const webhookSecret = 'webhook-secret-that-must-never-leak-42';

describe('web auth: roles, tokens, CSRF, sessions', () => {
  let folder: string;
  let service: ServiceProcess;
  let alice: HttpClient;
  let victor: HttpClient;
  let alarm: AlarmView;
  const secrets: Record<string, string> = { webhookSecret, ...passwords };

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'culturewatch-auth-'));
    const databasePath = join(folder, 'culturewatch.db');
    await seedAccounts(databasePath);
    service = await startServiceProcess({
      AUTH: 'on',
      DATABASE_PATH: databasePath,
      MQTT_PORT: String(await freePort()),
      SIMULATOR: 'on',
      SIMULATOR_REACTORS: 'r1',
      SIMULATOR_BACKFILL_DAYS: '0.1',
      ASSIMILATOR: 'off',
      LOGIN_ATTEMPTS_PER_15_MIN: '3',
      LOG_LEVEL: 'debug',
      ALERT_RULES: JSON.stringify([
        { id: 'od-high', kind: 'reading-range', signal: 'od', max: 1, severity: 'major', pendingMinutes: 0 },
        { id: 'spare', kind: 'fit-failures', severity: 'minor' },
      ]),
    });
    alice = await HttpClient.loggedIn(service.url, 'alice', passwords.alice);
    victor = await HttpClient.loggedIn(service.url, 'victor', passwords.victor);
    alarm = await waitUntil(
      'the od-high alarm',
      async () => {
        const answer = await alice.call('GET', '/api/alerts?state=all');
        return answer.json<AlertsResponse>().alarms.find((a) => a.ruleId === 'od-high');
      },
      30_000,
    );
    for (const client of [alice, victor]) {
      secrets[`cookie of ${client === alice ? 'alice' : 'victor'}`] = client.cookie?.split('=')[1] ?? '';
    }
    const hashes = new Database(databasePath, { readonly: true })
      .prepare<[], { username: string; passwordHash: string }>(
        'SELECT username, password_hash AS passwordHash FROM users',
      )
      .all();
    for (const { username, passwordHash } of hashes) secrets[`hash of ${username}`] = passwordHash;
  }, 120_000);

  afterAll(async () => {
    await service?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('refuses every write to the anonymous, viewers, revoked tokens and sessions without CSRF', async () => {
    const webhook = await alice.call('POST', '/api/webhooks', {
      name: 'receiver',
      url: 'http://127.0.0.1:9/hook',
      secret: webhookSecret,
    });
    expect(webhook.status).toBe(201);
    const webhookId = webhook.json<WebhookEndpointView>().id;
    const spareToken = await alice.createToken('spare', 'viewer');
    const viewerToken = await alice.createToken('viewer script', 'viewer');
    const revoked = await alice.createToken('revoked script', 'operator');
    expect((await alice.call('DELETE', `/api/tokens/${revoked.id}`)).status).toBe(204);
    secrets['spare token'] = spareToken.token;
    secrets['viewer token'] = viewerToken.token;
    secrets['revoked token'] = revoked.token;

    const writes: [string, string, unknown][] = [
      ['POST', `/api/alerts/${alarm.id}/acknowledge`, {}],
      ['POST', `/api/alerts/${alarm.id}/clear`, {}],
      ['PUT', '/api/alert-rules/spare', { rule: { kind: 'fit-failures', severity: 'major' } }],
      ['DELETE', '/api/alert-rules/spare', undefined],
      ['POST', '/api/webhooks', { name: 'x', url: 'http://127.0.0.1:9/x', secret: 'another-secret-123456' }],
      ['PATCH', `/api/webhooks/${webhookId}`, { enabled: false }],
      ['DELETE', `/api/webhooks/${webhookId}`, undefined],
      ['PUT', '/api/estimator-settings', { forecastHours: 2 }],
      ['POST', '/api/demo/r1/satellite-shift', {}],
      ['POST', '/api/demo/r1/dilution', { perHour: 0.2 }],
      ['POST', '/api/demo/r1/fault', { kind: 'spike', durationHours: 0.1 }],
      ['POST', '/api/tokens', { name: 'sneaky', role: 'operator' }],
      ['DELETE', `/api/tokens/${spareToken.id}`, undefined],
      ['POST', '/api/users', { username: 'mallory', role: 'operator' }],
      ['DELETE', '/api/users/victor', undefined],
      ['POST', '/api/no-such-endpoint', {}],
    ];
    const anonymous = new HttpClient(service.url);
    const viewerByToken = HttpClient.withToken(service.url, viewerToken.token);
    const revokedToken = HttpClient.withToken(service.url, revoked.token);
    const noCsrf = await HttpClient.loggedIn(service.url, 'alice', passwords.alice);
    noCsrf.sendCsrf = false;
    const wrongCsrf = await HttpClient.loggedIn(service.url, 'alice', passwords.alice);
    wrongCsrf.csrfToken = 'not-the-session-token';
    const callers: [string, HttpClient, number, string][] = [
      ['anonymous', anonymous, 401, 'unauthorized'],
      ['viewer session', victor, 403, 'forbidden'],
      ['viewer token', viewerByToken, 403, 'forbidden'],
      ['revoked token', revokedToken, 401, 'unauthorized'],
      ['session without CSRF', noCsrf, 403, 'CSRF token missing or wrong'],
      ['session with a wrong CSRF', wrongCsrf, 403, 'CSRF token missing or wrong'],
    ];
    const outcomes: string[] = [];
    for (const [method, path, body] of writes) {
      for (const [who, client, status, error] of callers) {
        const answer = await client.call(method, path, body);
        const got = answer.status === status && answer.text.includes(error) ? 'refused' : answer.status;
        outcomes.push(`${who} ${method} ${path}: ${got}`);
      }
    }
    expect(outcomes.filter((o) => !o.endsWith('refused'))).toEqual([]);

    // Nothing changed: the alarm is as it was, the webhook and tokens and accounts are all there.
    const alarms = (await alice.call('GET', '/api/alerts?state=all')).json<AlertsResponse>().alarms;
    const same = alarms.find((a) => a.id === alarm.id);
    expect(same?.acknowledged).toBe(false);
    expect(same?.active).toBe(true);
    const hooks = (await alice.call('GET', '/api/webhooks')).json<WebhookEndpointView[]>();
    expect(hooks.map((h) => [h.id, h.enabled])).toEqual([[webhookId, true]]);
    const tokens = (await alice.call('GET', '/api/tokens')).json<ApiTokenView[]>();
    expect(tokens.find((t) => t.id === spareToken.id)?.revokedAtMs).toBeNull();
    expect(tokens.map((t) => t.name)).not.toContain('sneaky');
    const users = (await alice.call('GET', '/api/users')).json<UserView[]>();
    expect(users.map((u) => u.username)).toEqual(['alice', 'victor']);

    // The operator's own acknowledge goes through, recorded under the logged-in name, not the body's.
    const acknowledged = await alice.call('POST', `/api/alerts/${alarm.id}/acknowledge`, {
      by: 'someone-else',
    });
    expect(acknowledged.status).toBe(200);
    expect(acknowledged.json<AlarmView>().acknowledgedBy).toBe('alice');
    // A viewer still reads everything but the operator-only lists.
    expect((await victor.call('GET', '/api/alerts?state=all')).status).toBe(200);
    expect((await viewerByToken.call('GET', '/api/reactors')).status).toBe(200);
    expect((await victor.call('GET', '/api/tokens')).status).toBe(403);
    expect((await victor.call('GET', '/api/users')).status).toBe(403);
    expect((await anonymous.call('GET', '/api/reactors')).status).toBe(401);
    expect((await anonymous.call('GET', '/metrics')).status).toBe(401);
    expect((await anonymous.call('GET', '/healthz')).status).toBe(200);
  }, 120_000);

  it('makes an account with a one-time password that must be changed first', async () => {
    const created = await alice.call('POST', '/api/users', { username: 'olga', role: 'operator' });
    expect(created.status).toBe(201);
    const { oneTimePassword } = created.json<CreatedUser>();
    expect(oneTimePassword.length).toBeGreaterThanOrEqual(20);
    secrets['olga one-time password'] = oneTimePassword;
    const olga = await HttpClient.loggedIn(service.url, 'olga', oneTimePassword);
    const session = (await olga.call('GET', '/api/auth/session')).json<SessionView>();
    expect(session.mustChangePassword).toBe(true);
    expect((await olga.call('GET', '/api/reactors')).status).toBe(403);
    const newPassword = 'olga-chose-this-password';
    secrets['olga password'] = newPassword;
    expect(
      (await olga.call('POST', '/api/auth/password', { currentPassword: 'wrong-one-entirely', newPassword }))
        .status,
    ).toBe(401);
    expect(
      (
        await olga.call('POST', '/api/auth/password', {
          currentPassword: oneTimePassword,
          newPassword: 'short',
        })
      ).status,
    ).toBe(400);
    const changed = await olga.call('POST', '/api/auth/password', {
      currentPassword: oneTimePassword,
      newPassword,
    });
    expect(changed.status).toBe(200);
    expect((await olga.call('GET', '/api/reactors')).status).toBe(200);
    // The one-time password is spent.
    expect((await new HttpClient(service.url).login('olga', oneTimePassword)).status).toBe(401);
    // Logging out ends the session on the server, not only in the browser.
    const cookie = olga.cookie;
    expect((await olga.call('POST', '/api/auth/logout')).status).toBe(204);
    const replay = new HttpClient(service.url);
    replay.cookie = cookie;
    expect((await replay.call('GET', '/api/reactors')).status).toBe(401);
  }, 60_000);

  it('rate-limits failed logins, before checking the password', async () => {
    const guesser = new HttpClient(service.url);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await guesser.login('victor', `guess-number-${i}`)).status);
    const blocked = await guesser.login('victor', passwords.victor);
    expect(statuses).toEqual([401, 401, 401]);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another account from the same address is not locked out by victor's guesser (an address is
    // allowed five times as many failures), and an unknown name answers as a wrong password does.
    expect((await new HttpClient(service.url).login('nobody-here', 'whatever-password')).status).toBe(401);
    expect((await new HttpClient(service.url).login('alice', passwords.alice)).status).toBe(200);
    const metrics = await alice.call('GET', '/metrics');
    expect(metrics.text).toMatch(/culturewatch_logins_total\{outcome="rateLimited"\} [1-9]/);
    expect(metrics.text).toMatch(/culturewatch_http_refused_total\{reason="csrf"\} [1-9]/);
  }, 60_000);

  it('lets socket.io in only with a session or a live token', async () => {
    const tryConnect = (options: { cookie?: string; token?: string }) =>
      tryConnectSocket(service.url, {
        ...(options.cookie && { headers: { cookie: options.cookie } }),
        ...(options.token && { token: options.token }),
      });
    const token = await alice.createToken('socket script', 'viewer');
    secrets['socket token'] = token.token;
    expect(await tryConnect({})).toBe('unauthorized');
    expect(await tryConnect({ cookie: 'cw_session=forged-session-id' })).toBe('unauthorized');
    expect(await tryConnect({ cookie: victor.cookie })).toBe('connected');
    expect(await tryConnect({ token: token.token })).toBe('connected');
    await alice.call('DELETE', `/api/tokens/${token.id}`);
    expect(await tryConnect({ token: token.token })).toBe('unauthorized');
  }, 30_000);

  it('shows no secret in any API response or log line', async () => {
    const hooks = (await alice.call('GET', '/api/webhooks')).json<WebhookEndpointView[]>();
    const paths = [
      '/api/reactors',
      '/api/reactors/r1/readings?signal=od',
      '/api/reactors/r1/estimates',
      '/api/reactors/r1/export.csv',
      '/api/alerts?state=all',
      '/api/alert-rules',
      '/api/webhooks',
      ...hooks.map((h) => `/api/webhooks/${h.id}/deliveries`),
      '/api/tokens',
      '/api/users',
      '/api/demo',
      '/api/estimator-settings',
      '/healthz',
      '/metrics',
    ];
    const leaks: string[] = [];
    const check = (where: string, text: string) => {
      for (const [name, secret] of Object.entries(secrets))
        if (secret.length >= 8 && text.includes(secret)) leaks.push(`${name} in ${where}`);
    };
    for (const client of [alice, victor]) {
      for (const path of paths) {
        const answer = await client.call('GET', path);
        expect(answer.status, path).toBeLessThan(500);
        check(`GET ${path}`, answer.text);
      }
    }
    // The session call hands a client its own CSRF token, and nothing else.
    const session = await victor.call('GET', '/api/auth/session');
    check('GET /api/auth/session', session.text);
    // The log, including debug lines, holds no password, hash, token, cookie or webhook secret.
    check('the log', service.output());
    expect(leaks).toEqual([]);
    expect(Object.keys(secrets).length).toBeGreaterThanOrEqual(12);
  }, 60_000);
});
