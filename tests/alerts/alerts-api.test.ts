import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AlarmView,
  AlertRuleView,
  AlertsResponse,
  RulePreview,
  WebhookDeliveryView,
  WebhookEndpointView,
  WebhookTestResult,
} from '../../contract/api';
import type { OpenDatabase } from '../../db/open-database';
import { webhookDeliveries } from '../../db/schema';
import { loadAlertSettings } from '../../server/alerts/alert-settings';
import { type Alerting, startAlerting } from '../../server/alerts/alerting';
import { createRouter } from '../../server/http/router';
import { BatchedWriter } from '../../server/ingest/batched-writer';
import { capturedLog, waitFor } from '../fixtures/ingest-harness';
import { openAlertsDatabase, WebhookReceiver } from './alerts-harness';

const secret = 'api-test-secret-do-not-leak';

describe('alerts and webhooks API', () => {
  let db: OpenDatabase;
  let alerting: Alerting;
  let http: Server;
  let base: string;
  const log = capturedLog('debug');
  const receiver = new WebhookReceiver(secret);

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, text, json: text ? JSON.parse(text) : undefined };
  };

  beforeAll(async () => {
    db = openAlertsDatabase(['r1']);
    await receiver.up();
    const settings = loadAlertSettings({
      ALERT_RULES: JSON.stringify([
        { id: 'od-high', kind: 'reading-range', signal: 'od', max: 1, severity: 'major' },
        { id: 'fits', kind: 'fit-failures', severity: 'minor' },
      ]),
      WEBHOOK_RETRY_INITIAL_SECONDS: '0.05',
      WEBHOOK_RETRY_MAX_SECONDS: '0.5',
    });
    http = createServer();
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    alerting = await startAlerting({
      database: db,
      broker: undefined,
      topicPrefix: 'culturewatch',
      settings,
      serviceUrl: base,
      logger: log.logger,
    });
    const router = createRouter(alerting.routes, log.logger);
    http.on('request', (req, res) => {
      if (!router(req, res)) res.writeHead(404).end('not ours');
    });
  });

  afterAll(async () => {
    await alerting?.stop();
    await new Promise<void>((resolve) => http?.close(() => resolve()));
    await receiver.down();
    db?.close();
  });

  it('manages webhook endpoints without ever sending the secret back', async () => {
    expect((await call('POST', '/api/webhooks', { name: 'x', url: 'ftp://host', secret })).status).toBe(400);
    const short = await call('POST', '/api/webhooks', { name: 'x', url: receiver.url, secret: 'short' });
    expect(short.status).toBe(400);
    expect(short.json.detail).toMatch(/secret: at least 16 characters/);
    expect(short.text).not.toContain('short"');
    expect((await call('POST', '/api/webhooks', 'not json')).status).toBe(400);

    const created = await call('POST', '/api/webhooks', {
      name: 'operations',
      url: receiver.url,
      secret,
      severities: ['major', 'critical'],
    });
    expect(created.status).toBe(201);
    const view = created.json as WebhookEndpointView;
    expect(view).toMatchObject({
      name: 'operations',
      severities: ['major', 'critical'],
      enabled: true,
      hasSecret: true,
    });
    expect(created.text).not.toContain(secret);

    const listed = await call('GET', '/api/webhooks');
    expect((listed.json as WebhookEndpointView[]).map((e) => e.id)).toEqual([view.id]);
    expect(listed.text).not.toContain(secret);

    const patched = await call('PATCH', `/api/webhooks/${view.id}`, { severities: ['major'] });
    expect(patched.status).toBe(200);
    expect((patched.json as WebhookEndpointView).severities).toEqual(['major']);
    expect((await call('PATCH', `/api/webhooks/${view.id}`, {})).status).toBe(400);
    expect((await call('PATCH', '/api/webhooks/999', { enabled: false })).status).toBe(404);
    expect((await call('PUT', `/api/webhooks/${view.id}`, {})).status).toBe(405);
  });

  it('lists alarms and their history; acknowledge and clear, with 404 and 409 where they do not apply', async () => {
    alerting.engine.onReadings([
      { reactorId: 'r1', signal: 'od', tsMs: 1000, value: 1.4, receivedAtMs: Date.now() },
    ]);
    const open = (await call('GET', '/api/alerts')).json as AlertsResponse;
    expect(open.alarms).toHaveLength(1);
    const alarm = open.alarms[0];
    expect(alarm).toMatchObject({
      reactorId: 'r1',
      ruleId: 'od-high',
      status: 'active-unacknowledged',
      fireCount: 1,
    });
    expect(alarm.summary).toBe('od 1.4 biomass conc. above [−∞, 1 biomass conc.]');
    expect(alarmOf(alerting.reactorAlert('r1'))).toEqual({ level: 'major', activeCount: 1 });

    expect((await call('POST', `/api/alerts/${alarm.id}/acknowledge`, { by: 7 })).status).toBe(400);
    const ack = await call('POST', `/api/alerts/${alarm.id}/acknowledge`, { by: 'bob' });
    expect(ack.status).toBe(200);
    expect((ack.json as AlarmView).acknowledgedBy).toBe('bob');
    const again = await call('POST', `/api/alerts/${alarm.id}/acknowledge`);
    expect(again.status).toBe(409);
    expect(again.json.detail).toBe('already acknowledged by bob');
    expect((await call('POST', '/api/alerts/999/clear')).status).toBe(404);

    const cleared = await call('POST', `/api/alerts/${alarm.id}/clear`);
    expect(cleared.status).toBe(200);
    expect(cleared.json as AlarmView).toMatchObject({
      status: 'cleared-acknowledged',
      clearedBy: 'operator',
    });
    expect((await call('POST', `/api/alerts/${alarm.id}/clear`)).status).toBe(409);
    expect(alerting.reactorAlert('r1')).toBeNull();

    const all = (await call('GET', '/api/alerts?state=all&reactor=r1')).json as AlertsResponse;
    expect(all.events.map((e) => [e.kind, e.actor])).toEqual([
      ['cleared', 'operator'],
      ['acknowledged', 'bob'],
      ['fired', 'system'],
    ]);
    expect((await call('GET', '/api/alerts')).json.alarms).toHaveLength(0);
    expect((await call('GET', '/api/alerts?from=10&to=5')).json.error).toBe('inverted time range');
    expect((await call('GET', '/api/alerts?limit=0')).status).toBe(400);
    expect((await call('GET', '/api/alerts?colour=red')).json.detail).toMatch(/unknown query colour/);

    // The major alarm's three changes reached the endpoint that takes majors, in order.
    await waitFor('three webhooks', () => receiver.accepted.length === 3, 10_000);
    expect(receiver.accepted.map((r) => r.body.culturewatch.transition)).toEqual([
      'fired',
      'acknowledged',
      'cleared',
    ]);
    const endpoints = (await call('GET', '/api/webhooks')).json as WebhookEndpointView[];
    await waitFor(
      'the attempt log',
      () =>
        db.db
          .select()
          .from(webhookDeliveries)
          .all()
          .filter((d) => d.outcome === 'delivered').length === 3,
    );
    const deliveries = (await call('GET', `/api/webhooks/${endpoints[0].id}/deliveries`))
      .json as WebhookDeliveryView[];
    expect(deliveries.map((d) => [d.outcome, d.transition])).toEqual([
      ['delivered', 'cleared'],
      ['delivered', 'acknowledged'],
      ['delivered', 'fired'],
    ]);
  });

  it('edits rules: an operator rule is validated; deleting a rule clears its active alarms', async () => {
    const rules = (await call('GET', '/api/alert-rules')).json as AlertRuleView[];
    expect(rules.map((r) => [r.rule.id, r.source])).toEqual([
      ['fits', 'config'],
      ['od-high', 'config'],
    ]);
    const bad = await call('PUT', '/api/alert-rules/substrate-low', {
      rule: { kind: 'reading-range', signal: 'substrate', severity: 'loud' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.detail).toMatch(/severity/);
    const put = await call('PUT', '/api/alert-rules/substrate-low', {
      rule: { kind: 'reading-range', signal: 'substrate', min: 0.1, severity: 'critical' },
      by: 'carol',
    });
    expect(put.status).toBe(200);
    expect(put.json as AlertRuleView).toMatchObject({
      source: 'api',
      updatedBy: 'carol',
      rule: { id: 'substrate-low' },
    });

    alerting.engine.onReadings([
      { reactorId: 'r1', signal: 'substrate', tsMs: 2000, value: 0.05, receivedAtMs: Date.now() },
    ]);
    const firing = (await call('GET', '/api/alerts')).json as AlertsResponse;
    expect(firing.alarms.map((a) => [a.ruleId, a.active])).toEqual([['substrate-low', true]]);

    expect((await call('DELETE', '/api/alert-rules/substrate-low')).status).toBe(204);
    expect((await call('DELETE', '/api/alert-rules/substrate-low')).status).toBe(404);
    const after = (await call('GET', '/api/alerts?state=all')).json as AlertsResponse;
    const gone = after.alarms.find((a) => a.ruleId === 'substrate-low')!;
    expect(gone).toMatchObject({ active: false, clearedBy: 'system' });
    expect(gone.summary).toMatch(/rule removed/);
    expect(alerting.engine.currentRules().map((r) => r.id)).toEqual(['fits', 'od-high']);
  });

  it('previews a rule over the stored history: how often it would have fired, with nothing written', async () => {
    // r1's od every 15 min for 8 days, at 10 but for three spells above 50 in the last 7 days (2 h
    // each) and one 7.5 days back.
    const dayMs = 86_400_000;
    const t0 = Date.UTC(2026, 0, 1);
    const end = t0 + 8 * dayMs;
    const spells = [0.5, 3, 5, 7.5].map((d) => end - d * dayMs);
    const writer = new BatchedWriter(db.sqlite, { maxRows: 10_000 });
    for (let ts = t0; ts <= end; ts += 15 * 60_000) {
      const high = spells.some((s) => ts >= s && ts < s + 2 * 3_600_000);
      writer.accept({ reactorId: 'r1', signal: 'od', tsMs: ts, value: high ? 60 : 10, receivedAtMs: ts });
    }
    writer.flush();
    const before = ((await call('GET', '/api/alerts?state=all')).json as AlertsResponse).events.length;
    const rule = { id: 'od-very-high', kind: 'reading-range', signal: 'od', max: 50, severity: 'major' };
    const preview = await call('POST', '/api/alert-rules/preview', { rule });
    expect(preview.status).toBe(200);
    const answer = preview.json as RulePreview;
    expect(answer).toMatchObject({ days: 7, replayed: true, toMs: end });
    expect(answer.words).toBe('Would have fired 3 times in the last 7 days (on r1)');
    expect(answer.firings.map((f) => f.atMs)).toEqual(spells.slice(0, 3).reverse());
    expect(answer.firings.every((f) => f.clearedAtMs === f.atMs + 2 * 3_600_000)).toBe(true);
    expect(answer.firings[0].summary).toBe('od 60 biomass conc. above [−∞, 50 biomass conc.]');
    // Over 8 days, the older spell too; a pending time longer than the spells, none.
    const longer = (await call('POST', '/api/alert-rules/preview', { rule, days: 8 })).json as RulePreview;
    expect(longer.firings).toHaveLength(4);
    const pending = (
      await call('POST', '/api/alert-rules/preview', { rule: { ...rule, pendingMinutes: 180 } })
    ).json as RulePreview;
    expect(pending.words).toBe('Would have fired 0 times in the last 7 days');
    // Bad rules and ranges are refused with the reason; nothing was recorded.
    const bad = await call('POST', '/api/alert-rules/preview', { rule: { ...rule, max: 'high' } });
    expect(bad.status).toBe(400);
    expect(bad.json.detail).toMatch(/max/);
    expect((await call('POST', '/api/alert-rules/preview', { rule, days: 91 })).json.detail).toMatch(
      /at most 90 days/,
    );
    expect(((await call('GET', '/api/alerts?state=all')).json as AlertsResponse).events).toHaveLength(before);
    expect(alerting.engine.currentRules().map((r) => r.id)).not.toContain('od-very-high');
  });

  it('sends a signed test notification on demand, outside the outbox, and says what the endpoint answered', async () => {
    const [endpoint] = (await call('GET', '/api/webhooks')).json as WebhookEndpointView[];
    const seen = receiver.requests.length;
    const ok = await call('POST', `/api/webhooks/${endpoint.id}/test`, {});
    expect(ok.status).toBe(200);
    expect(ok.json as WebhookTestResult).toMatchObject({
      outcome: 'delivered',
      httpStatus: 200,
      error: null,
    });
    const request = receiver.requests[seen];
    expect(request.signatureValid).toBe(true);
    expect(request.body).toMatchObject({ test: true, title: 'culturewatch test notification' });
    receiver.failNext(1, 503);
    const refused = (await call('POST', `/api/webhooks/${endpoint.id}/test`)).json as WebhookTestResult;
    expect(refused).toMatchObject({
      outcome: 'http-error',
      httpStatus: 503,
      error: 'HTTP 503 Service Unavailable',
    });
    // Nothing was queued: the endpoint's own log and queue are the alarms' only.
    const after = (await call('GET', '/api/webhooks')).json as WebhookEndpointView[];
    expect(after[0].pendingCount).toBe(endpoint.pendingCount);
    expect((await call('POST', '/api/webhooks/999/test', {})).status).toBe(404);
    expect((await call('POST', `/api/webhooks/${endpoint.id}/test`, { x: 1 })).status).toBe(400);
  });

  it('deletes an endpoint, and never logs a secret', async () => {
    const [endpoint] = (await call('GET', '/api/webhooks')).json as WebhookEndpointView[];
    expect((await call('DELETE', `/api/webhooks/${endpoint.id}`)).status).toBe(204);
    expect((await call('GET', '/api/webhooks')).json).toEqual([]);
    expect((await call('DELETE', `/api/webhooks/${endpoint.id}`)).status).toBe(404);
    expect(JSON.stringify(log.lines())).not.toContain(secret);
    expect(JSON.stringify(log.lines())).toContain('webhook endpoint added');
  });
});

function alarmOf(alert: { level: string; activeCount: number } | null) {
  return alert && { level: alert.level, activeCount: alert.activeCount };
}
