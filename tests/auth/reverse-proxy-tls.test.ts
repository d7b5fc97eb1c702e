/**
 * The documented production setting for HTTP: the service on loopback behind nginx with TLS
 * (deploy/nginx-culturewatch.conf, run here by Debian's nginx with a certificate from a throwaway CA). Over
 * https the session cookie is Secure, plain http is redirected, HSTS is sent, and socket.io's
 * WebSocket passes the proxy with the session cookie and is refused without it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../fixtures/mosquitto';
import { adaptServerConfig, type RunningNginx, startNginx } from '../fixtures/nginx';
import { makeTestCa } from '../fixtures/test-ca';
import { type ServiceProcess, startServiceProcess } from '../service/service-harness';
import { HttpClient, passwords, seedAccounts, tryConnectSocket } from './auth-harness';

const deployConfig = fileURLToPath(new URL('../../deploy/nginx-culturewatch.conf', import.meta.url));

interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

function httpsCall(
  url: string,
  ca: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, ca }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.once('error', reject);
    req.end(options.body);
  });
}

describe('behind nginx with TLS (deploy/nginx-culturewatch.conf)', () => {
  let folder: string;
  let service: ServiceProcess;
  let nginx: RunningNginx;
  let ca: string;
  let httpsUrl: string;
  let httpPort: number;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'culturewatch-proxy-'));
    const databasePath = join(folder, 'culturewatch.db');
    await seedAccounts(databasePath);
    service = await startServiceProcess({
      AUTH: 'on',
      TRUST_PROXY: 'loopback',
      DATABASE_PATH: databasePath,
      MQTT_PORT: String(await freePort()),
      ASSIMILATOR: 'off',
    });
    const testCa = makeTestCa(folder);
    ca = readFileSync(testCa.caFile, 'utf8');
    const certificate = { certPath: testCa.serverCertFile, keyPath: testCa.serverKeyFile };
    const ports = {
      http: await freePort(),
      https: await freePort(),
      upstream: Number(new URL(service.url).port),
    };
    httpPort = ports.http;
    const config = adaptServerConfig(readFileSync(deployConfig, 'utf8'), ports, certificate);
    nginx = await startNginx(folder, config, ports);
    httpsUrl = `https://127.0.0.1:${ports.https}`;
  }, 60_000);

  afterAll(async () => {
    await nginx?.stop();
    await service?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('redirects http to https and sends HSTS', async () => {
    const plain = await fetch(`http://127.0.0.1:${httpPort}/reactors/r1`, { redirect: 'manual' });
    expect(plain.status).toBe(301);
    expect(plain.headers.get('location')).toMatch(/^https:\/\/127\.0\.0\.1\/reactors\/r1$/);
    const health = await httpsCall(`${httpsUrl}/healthz`, ca);
    expect(health.status).toBe(200);
    expect(health.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    // A client that does not trust the certificate gets no answer at all.
    await expect(httpsCall(`${httpsUrl}/healthz`, '')).rejects.toThrow(/self-signed|certificate/i);
  });

  it('marks the session cookie Secure over https and not over plain loopback http', async () => {
    const login = await httpsCall(`${httpsUrl}/api/auth/login`, ca, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: passwords.alice }),
    });
    expect(login.status).toBe(200);
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/cw_session=[^;]+;.*HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/; Secure/);
    const cookie = setCookie.split(';')[0];
    const session = await httpsCall(`${httpsUrl}/api/auth/session`, ca, {
      headers: { cookie },
    });
    expect(JSON.parse(session.text)).toMatchObject({ username: 'alice', role: 'operator', via: 'session' });
    const anonymousPage = await httpsCall(`${httpsUrl}/reactors/r1`, ca);
    expect(anonymousPage.status).toBe(302);
    expect(anonymousPage.headers.location).toBe('/login?next=%2Freactors%2Fr1');

    const direct = new HttpClient(service.url);
    const answer = await direct.login('alice', passwords.alice);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('set-cookie')).not.toMatch(/Secure/);
  });

  it('carries socket.io over wss with the session cookie, and refuses it without', async () => {
    const login = await httpsCall(`${httpsUrl}/api/auth/login`, ca, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'victor', password: passwords.victor }),
    });
    const cookie = String(login.headers['set-cookie']).split(';')[0];
    const connect = (headers: Record<string, string>) => tryConnectSocket(httpsUrl, { headers, ca: ca });
    expect(await connect({ cookie })).toBe('connected');
    expect(await connect({})).toBe('unauthorized');
  });
});
