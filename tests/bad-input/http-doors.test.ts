/**
 * Bad input at the HTTP port of the running service (issue 23): bodies over the limit, slow and
 * many clients, clients that go away, control characters and invalid UTF-8, a path and body that
 * disagree, impossible calendar dates.
 */
import mqtt from 'mqtt';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AlertRuleView, WebhookEndpointView } from '../../contract/api';
import { maxBodyBytes } from '../../server/http/request-body';
import { waitFor } from '../fixtures/ingest-harness';
import { rawExchange, type ServiceUnderTest, serviceUnderTestAround, statusOf } from './service-under-test';

const limits = { headersMs: 1000, requestMs: 1500, perClient: 30 };
const service = serviceUnderTestAround('http-doors', {
  HTTP_HEADERS_TIMEOUT_MS: String(limits.headersMs),
  HTTP_REQUEST_TIMEOUT_MS: String(limits.requestMs),
  HTTP_MAX_CONNECTIONS_PER_CLIENT: String(limits.perClient),
});
const { log } = service;
let sut: ServiceUnderTest;
beforeAll(() => {
  sut = service.get();
});

const call = async (
  method: string,
  path: string,
  body?: string | Blob,
  headers: Record<string, string> = {},
) => {
  const response = await fetch(`${sut.service.url}${path}`, {
    method,
    headers: { authorization: sut.authorization, 'content-type': 'application/json', ...headers },
    ...(body !== undefined && { body }),
  });
  const text = await response.text();
  return { status: response.status, text, json: () => JSON.parse(text) };
};

const metric = async (line: RegExp): Promise<number> => {
  const text = (await call('GET', '/metrics')).text;
  const found = text.split('\n').find((l) => line.test(l));
  return found ? Number(found.split(' ').pop()) : 0;
};

/** A path of the route with its parameters filled in with things that exist or parse. */
function concrete(path: string, webhookId: number): string {
  return path
    .replace('/api/reactors/:id', '/api/reactors/r1')
    .replace('/api/demo/:id', '/api/demo/r1')
    .replace('/api/webhooks/:id', `/api/webhooks/${webhookId}`)
    .replace('/api/alert-rules/:id', '/api/alert-rules/size-test')
    .replace(':fitId', '1')
    .replace(':username', 'nobody')
    .replace(':id', '1');
}

describe('the HTTP port refuses bad input at the door', () => {
  it('answers an announced 10 GB body with 413 within a second, unauthenticated, and closes', async () => {
    const before = await metric(/^culturewatch_http_bad_requests_total\{reason="body-too-large"\}/);
    const exchange = rawExchange(
      sut.service.port,
      'POST /api/auth/login HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n' +
        'Content-Length: 10000000000\r\n\r\n{"',
    );
    const { text, afterMs } = await exchange.closed;
    expect(statusOf(text)).toBe(413);
    expect(text).toContain('body too large');
    expect(afterMs).toBeLessThan(1000);
    expect(await metric(/^culturewatch_http_bad_requests_total\{reason="body-too-large"\}/)).toBe(before + 1);
  });

  it('answers a request line or header with a control character 400, and oversized headers 431', async () => {
    const malformed = /^culturewatch_http_bad_requests_total\{reason="malformed-request"\}/;
    const before = await metric(malformed);
    for (const request of [
      'GET /api/reactors\u0001 HTTP/1.1\r\nHost: test\r\n\r\n',
      'GET /api/reactors HTTP/1.1\r\nHost: test\r\nX-Evil: a\u0007b\r\n\r\n',
    ]) {
      const { text } = await rawExchange(sut.service.port, request).closed;
      expect(statusOf(text)).toBe(400);
    }
    expect(await metric(malformed)).toBe(before + 2);
    const huge = await rawExchange(
      sut.service.port,
      `GET /api/reactors HTTP/1.1\r\nHost: test\r\nX-Pad: ${'x'.repeat(20_000)}\r\n\r\n`,
    ).closed;
    expect(statusOf(huge.text)).toBe(431);
  });

  it('refuses a body over 16 KiB (over its own limit, for a route that declares one) on every route with 413, announced or streamed', async () => {
    const webhook = await call(
      'POST',
      '/api/webhooks',
      JSON.stringify({ name: 'size', url: 'http://127.0.0.1:9/hook', secret: 'a-secret-of-16-chars' }),
    );
    const webhookId = (webhook.json() as WebhookEndpointView).id;
    // Just over the route's limit: 16 KiB, or a larger one of its own (a model file with its weights).
    const bigFor = (route: { maxBodyBytes?: number }) =>
      JSON.stringify({ pad: 'x'.repeat(route.maxBodyBytes ?? maxBodyBytes) });
    expect(sut.service.routes.filter((r) => r.maxBodyBytes).map((r) => `${r.method} ${r.path}`)).toEqual([
      'PUT /api/reactors/:id/model',
    ]);
    const request = (method: string, path: string, framing: string, body: string) =>
      rawExchange(
        sut.service.port,
        `${method} ${path} HTTP/1.1\r\nHost: test\r\nAuthorization: ${sut.authorization}\r\n` +
          `Content-Type: application/json\r\n${framing}\r\n\r\n${body}`,
      ).closed;
    const announced: string[] = [];
    for (const route of sut.service.routes) {
      const big = bigFor(route);
      const { text } = await request(
        route.method,
        concrete(route.path, webhookId),
        `Content-Length: ${big.length}`,
        big,
      );
      if (statusOf(text) !== 413) announced.push(`${route.method} ${route.path}: ${statusOf(text)}`);
    }
    expect(announced).toEqual([]);

    // Without a Content-Length the limit holds as the body is read: every route that reads one.
    // logout and password answer from the credential alone (a token has no session or password).
    const readsNoBody = new Set(['POST /api/auth/logout', 'POST /api/auth/password']);
    const streamed: string[] = [];
    for (const route of sut.service.routes) {
      if (
        route.method === 'GET' ||
        route.method === 'DELETE' ||
        readsNoBody.has(`${route.method} ${route.path}`)
      )
        continue;
      const big = bigFor(route);
      const chunked = `${big.length.toString(16)}\r\n${big}\r\n0\r\n\r\n`;
      const { text } = await request(
        route.method,
        concrete(route.path, webhookId),
        'Transfer-Encoding: chunked',
        chunked,
      );
      if (statusOf(text) !== 413) streamed.push(`${route.method} ${route.path}: ${statusOf(text)}`);
    }
    expect(streamed).toEqual([]);
    expect(sut.service.routes.length).toBeGreaterThan(25);
  });

  it('does not let twenty slow clients hold the server past the request timeout; /healthz answers meanwhile', async () => {
    const slow = Array.from({ length: 20 }, () =>
      rawExchange(
        sut.service.port,
        'POST /api/auth/login HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"',
      ),
    );
    const stalled = rawExchange(sut.service.port, 'GET /healthz HTTP/1.1\r\nHost: te');
    await new Promise((r) => setTimeout(r, 200));
    const started = performance.now();
    const health = await fetch(`${sut.service.url}/healthz`);
    await health.text();
    expect(performance.now() - started).toBeLessThan(1000);
    expect([200, 503]).toContain(health.status);

    const closed = await Promise.all(slow.map((s) => s.closed));
    for (const { text, afterMs } of closed) {
      expect(statusOf(text)).toBe(408);
      // The request timeout, plus Node's check interval (1 s at most), plus slack for a busy machine.
      expect(afterMs).toBeLessThan(limits.requestMs + 1000 + 1500);
    }
    const headers = await stalled.closed;
    expect(statusOf(headers.text)).toBe(408);
    expect(headers.afterMs).toBeLessThan(limits.headersMs + 1000 + 1500);
    expect(
      await metric(/^culturewatch_http_bad_requests_total\{reason="request-timeout"\}/),
    ).toBeGreaterThanOrEqual(21);
  });

  it('caps the connections one client may hold; other clients are served', async () => {
    // 127.0.0.2 is another client address on the loopback network.
    const held = Array.from({ length: limits.perClient }, () =>
      rawExchange(sut.service.port, '', { localAddress: '127.0.0.2' }),
    );
    await Promise.all(held.map((h) => new Promise((r) => h.socket.once('connect', r))));
    await new Promise((r) => setTimeout(r, 100));
    const extra = rawExchange(sut.service.port, 'GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n', {
      localAddress: '127.0.0.2',
    });
    const refused = await extra.closed;
    expect(statusOf(refused.text)).toBe(503);
    expect(refused.afterMs).toBeLessThan(1000);
    expect((await fetch(`${sut.service.url}/healthz`)).status).not.toBe(0);
    for (const h of held) h.socket.destroy();
    expect(await metric(/^culturewatch_http_bad_requests_total\{reason="too-many-connections"\}/)).toBe(1);
  });

  it('logs a client that goes away mid-body at info, with the route', async () => {
    const exchange = rawExchange(
      sut.service.port,
      'POST /api/auth/login HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"username":',
    );
    await new Promise((r) => setTimeout(r, 200));
    exchange.socket.destroy();
    await waitFor(
      'the abort logged',
      () => log.lines().some((l) => l.msg === 'client went away mid-request'),
      5000,
    );
    const line = log.lines().find((l) => l.msg === 'client went away mid-request');
    expect(line).toMatchObject({ level: 30, route: '/api/auth/login', method: 'POST' });
    expect(log.lines().filter((l) => l.level >= 50)).toEqual([]);
  });

  it('refuses control characters and invalid UTF-8, and stores a URL parsed and normalized', async () => {
    const secret = 'a-secret-of-16-chars';
    const crlf = await call(
      'POST',
      '/api/webhooks',
      JSON.stringify({ name: 'evil', url: 'http://host/\r\nX-Evil: 1', secret }),
    );
    expect(crlf.status).toBe(400);
    expect(crlf.json().detail).toMatch(/url: no control characters/);
    const bell = await call(
      'POST',
      '/api/webhooks',
      JSON.stringify({ name: 'ring\u0007', url: 'http://h/', secret }),
    );
    expect(bell.status).toBe(400);
    const invalid = new Blob([
      Buffer.concat([
        Buffer.from('{"name":"caf'),
        Buffer.from([0xe9]), // Latin-1 é: not UTF-8
        Buffer.from(`","url":"http://h/","secret":"${secret}"}`),
      ]),
    ]);
    const notUtf8 = await call('POST', '/api/webhooks', invalid);
    expect(notUtf8.status).toBe(400);
    expect(notUtf8.json()).toEqual({ error: 'malformed body', detail: 'not UTF-8' });
    const token = await call('POST', '/api/tokens', JSON.stringify({ name: 'line\nbreak', role: 'viewer' }));
    expect(token.status).toBe(400);

    const made = await call(
      'POST',
      '/api/webhooks',
      JSON.stringify({ name: 'normalized', url: 'HTTP://LocalHost:80/a/../hook', secret }),
    );
    expect(made.status).toBe(201);
    expect((made.json() as WebhookEndpointView).url).toBe('http://localhost/hook');
    const listed = (await call('GET', '/api/webhooks')).json() as WebhookEndpointView[];
    expect(listed.map((w) => w.name)).not.toContain('evil');
    expect(listed.find((w) => w.name === 'normalized')?.url).toBe('http://localhost/hook');
  });

  it('refuses a rule whose body names another id than its path', async () => {
    const rule = { id: 'other', kind: 'fit-failures', severity: 'minor' };
    const answer = await call('PUT', '/api/alert-rules/x2', JSON.stringify({ rule }));
    expect(answer.status).toBe(400);
    expect(answer.json().error).toBe('id mismatch');
    const rules = (await call('GET', '/api/alert-rules')).json() as AlertRuleView[];
    expect(rules.map((r) => r.rule.id)).not.toContain('x2');
    expect(rules.map((r) => r.rule.id)).not.toContain('other');
    const same = await call('PUT', '/api/alert-rules/x2', JSON.stringify({ rule: { ...rule, id: 'x2' } }));
    expect(same.status).toBe(200);
  });

  it('refuses impossible calendar dates: in readings (timestamp-invalid) and in queries (400)', async () => {
    const counter = /^culturewatch_readings_rejected_total\{reason="timestamp-invalid"\}/;
    const before = await metric(counter);
    const client = await mqtt.connectAsync(sut.mqtt.url, {
      username: sut.mqtt.username,
      password: sut.mqtt.password,
      protocolVersion: 4,
    });
    for (const ts of ['2025-02-30T00:00:00Z', '2025-04-31T12:00:00Z', '2025-01-01T24:00:00Z'])
      await client.publishAsync('culturewatch/r1/od', JSON.stringify({ ts, value: 0.5 }), { qos: 1 });
    await client.endAsync();
    const deadline = Date.now() + 10_000;
    while ((await metric(counter)) < before + 3 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(await metric(counter)).toBe(before + 3);
    const rolledOver = await call(
      'GET',
      '/api/reactors/r1/readings?signal=od&from=2025-03-01T00:00:00Z&to=2025-05-02T00:00:00Z',
    );
    expect(rolledOver.json().rawCount).toBe(0);

    const query = await call('GET', '/api/reactors/r1/readings?signal=od&from=2025-02-30T00:00:00Z');
    expect(query.status).toBe(400);
    expect(query.json().error).toBe('malformed query');
    expect((await call('GET', '/api/alerts?from=2025-01-01T24:00:00Z')).status).toBe(400);
  });
});
