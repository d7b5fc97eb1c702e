/**
 * Alerts and settings in the browser, against the real service (auth on, the simulated plant, no
 * rules to begin with): an operator adds a webhook endpoint (its secret never comes back), adds a
 * rule that fires, and the alarm appears live on the alerts page in another tab; the operator
 * acknowledges and clears it there, recorded under their name; the endpoint receives each change,
 * signed with the secret typed in the browser; a draft rule is previewed over the stored history,
 * each endpoint can be sent a test, and an endpoint that fails shows beside the alarms; an API token
 * is shown once, works, and is refused once revoked.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AlertRuleView, AlertsResponse, RulePreview, WebhookEndpointView } from '../../contract/api';
import { WebhookReceiver } from '../alerts/alerts-harness';
import { type ConsoleLog, consoleLog, launchChromium, newContext } from './fixtures/browser';
import { HttpSession } from './fixtures/http-session';
import { logInThroughPage } from './fixtures/login';
import { accounts, type ServiceProcess, startService } from './fixtures/service-process';

const secret = 'ui-typed-webhook-secret-7f3a9c';

let service: ServiceProcess;
let browser: Browser;
/** Two windows, each logged in (tabs of one window would leave one in the background, throttled). */
let settingsContext: BrowserContext;
let alertsContext: BrowserContext;
let alertsPage: Page;
let settingsPage: Page;
const receiver = new WebhookReceiver(secret);
const log: ConsoleLog = consoleLog();
/** Every change the pages sent to the API, with its CSRF header. */
const changes: { method: string; path: string; csrf: string | undefined }[] = [];

/**
 * Opaque pixels of the preview chart's canvas in a 7-px column at each firing's time (the chart's
 * grid spans the preview's days between 56 px from the left and 24 px from the right), and in the
 * column farthest from every firing: a drawn mark is a solid triangle, the active bar behind it is
 * translucent.
 */
async function markStrips(
  page: Page,
  preview: RulePreview,
): Promise<{ atFirings: number[]; baseline: number }> {
  const fromMs = preview.fromMs ?? 0;
  const toMs = preview.toMs ?? 1;
  const times = preview.firings.map((f) => f.atMs);
  return page
    .locator('[data-chart=rule-preview] canvas')
    .first()
    .evaluate(
      (canvas: HTMLCanvasElement, { fromMs, toMs, times }) => {
        const scale = canvas.width / canvas.clientWidth;
        const left = 56 * scale;
        const right = canvas.width - 24 * scale;
        const xOf = (ms: number) => left + ((ms - fromMs) / (toMs - fromMs)) * (right - left);
        const ctx = canvas.getContext('2d');
        if (!ctx) return { atFirings: [], baseline: Number.NaN };
        const { data, width, height } = ctx.getImageData(0, 0, canvas.width, canvas.height);
        const opaqueAround = (x: number) => {
          let n = 0;
          for (let col = Math.round(x) - 3; col <= Math.round(x) + 3; col++)
            for (let row = 0; row < height; row++) if (data[(row * width + col) * 4 + 3] > 200) n++;
          return n;
        };
        let farthest = left + 4;
        for (let x = left + 4; x < right - 4; x++) {
          const gap = (at: number) => Math.min(...times.map((t) => Math.abs(xOf(t) - at)));
          if (gap(x) > gap(farthest)) farthest = x;
        }
        return { atFirings: times.map((t) => opaqueAround(xOf(t))), baseline: opaqueAround(farthest) };
      },
      { fromMs, toMs, times },
    );
}

function watchChanges(page: Page): void {
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (r.method() !== 'GET' && url.pathname.startsWith('/api/') && url.pathname !== '/api/auth/login')
      changes.push({ method: r.method(), path: url.pathname, csrf: r.headers()['x-csrf-token'] });
  });
}

beforeAll(async () => {
  await receiver.up();
  service = await startService({
    env: {
      SIMULATOR_REACTORS: 'r1',
      ASSIMILATOR: 'off',
      ALERT_RULES: '[]',
      WEBHOOK_RETRY_INITIAL_SECONDS: '1',
    },
  });
  browser = await launchChromium();
  settingsContext = await newContext(browser);
  await settingsContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: service.url });
  settingsPage = await settingsContext.newPage();
  log.watch(settingsPage);
  watchChanges(settingsPage);
  await logInThroughPage(settingsPage, service, accounts.operator, '/settings');
  alertsContext = await newContext(browser);
  alertsPage = await alertsContext.newPage();
  log.watch(alertsPage);
  watchChanges(alertsPage);
  await logInThroughPage(alertsPage, service, accounts.operator, '/alerts');
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  await receiver.down();
});

describe('alerts and settings in the browser', () => {
  test('a webhook endpoint is added, and its secret is never shown or sent back', async () => {
    const section = settingsPage.locator('[data-testid=webhooks-section]');
    await section.locator('[data-testid=add-webhook]').click();
    const form = section.locator('[data-testid=webhook-form]');
    await form.locator('input[name=name]').fill('ops-receiver');
    await form.locator('input[name=url]').fill(receiver.url);
    await form.locator('input[name=secret]').fill(secret);
    await form.locator('[data-testid=save-webhook]').click();
    const item = section.locator('[data-webhook-name=ops-receiver]');
    await item.waitFor({ timeout: 10_000 });
    expect(await item.textContent()).toContain('secret set (never shown)');
    expect(await settingsPage.content()).not.toContain(secret);

    const answer = await service.api.call('GET', '/api/webhooks');
    expect(answer.status).toBe(200);
    expect(answer.text).not.toContain(secret);
    const endpoints = answer.json<WebhookEndpointView[]>();
    expect(endpoints.map((e) => e.name)).toEqual(['ops-receiver']);
    expect(endpoints[0].hasSecret).toBe(true);
  });

  test('a rule added in settings fires an alarm that appears live on the alerts page', async () => {
    await alertsPage.locator('[data-testid=no-alerts]').waitFor({ timeout: 20_000 });
    // Marks this document: a reload would lose it.
    await alertsPage.evaluate(() => {
      (window as unknown as { unreloaded: boolean }).unreloaded = true;
    });

    const rules = settingsPage.locator('[data-testid=rules-section]');
    await rules.locator('[data-testid=add-rule]').click();
    const form = rules.locator('[data-testid=rule-form]');
    await form.locator('input[name=id]').fill('od-too-high');
    await form.locator('select[name=kind]').selectOption('reading-range');
    await form.locator('input[name=name]').fill('OD above the test limit');
    await form.locator('select[name=severity]').selectOption('critical');
    await form.locator('select[name=signal]').selectOption('od');
    await form.locator('input[name=max]').fill('0.0001');
    await form.locator('[data-testid=save-rule]').click();
    const rule = rules.locator('[data-rule-id=od-too-high]');
    await rule.waitFor({ timeout: 10_000 });
    expect(await rule.locator('[data-testid=rule-condition]').textContent()).toContain('above 0.0001');

    const alarm = alertsPage.locator('[data-rule=od-too-high]');
    await alarm.waitFor({ timeout: 30_000 });
    expect(await alarm.getAttribute('data-status')).toBe('active-unacknowledged');
    expect(await alarm.getAttribute('data-severity')).toBe('critical');
    expect(await alertsPage.evaluate(() => (window as unknown as { unreloaded?: boolean }).unreloaded)).toBe(
      true,
    );
  });

  test('the operator acknowledges and clears the alarm, recorded under their name', async () => {
    const alarm = alertsPage.locator('[data-rule=od-too-high]');
    await alarm.locator('[data-testid=acknowledge]').click();
    await alertsPage
      .locator('[data-rule=od-too-high][data-status=active-acknowledged]')
      .waitFor({ timeout: 10_000 });
    await alarm.locator(`[data-testid=acknowledged-by][data-actor=${accounts.operator.username}]`).waitFor();
    expect(await alarm.locator('[data-testid=acknowledge]').count()).toBe(0);

    const afterAck = await service.getJson<AlertsResponse>('/api/alerts?state=all');
    const viewed = afterAck.alarms.find((a) => a.ruleId === 'od-too-high');
    expect(viewed?.acknowledged).toBe(true);
    expect(viewed?.acknowledgedBy).toBe(accounts.operator.username);
    const history = alertsPage.locator('[data-testid=alarm-history]');
    await history
      .locator(`tr[data-event-kind=acknowledged][data-actor=${accounts.operator.username}]`)
      .waitFor({ timeout: 10_000 });

    // Clear: its condition still holds, so it fires again with the next reading (as a new firing).
    await alarm.locator('[data-testid=clear]').click();
    await history
      .locator(`tr[data-event-kind=cleared][data-actor=${accounts.operator.username}]`)
      .waitFor({ timeout: 10_000 });
    const afterClear = await service.getJson<AlertsResponse>('/api/alerts?state=all');
    expect(
      afterClear.events.some(
        (e) => e.ruleId === 'od-too-high' && e.kind === 'cleared' && e.actor === accounts.operator.username,
      ),
    ).toBe(true);
    await expect
      .poll(async () => Number(await alertsPage.locator('[data-rule=od-too-high]').count()), {
        timeout: 10_000,
      })
      .toBe(1);
  });

  test('the endpoint received each change, signed with the secret typed in the browser', async () => {
    await expect
      .poll(() => receiver.accepted.map((r) => r.body.culturewatch?.transition ?? r.body.status), {
        timeout: 20_000,
      })
      .toEqual(expect.arrayContaining(['fired', 'acknowledged', 'cleared']));
    expect(receiver.requests.every((r) => r.signatureValid)).toBe(true);
    // The attempt log in the browser shows them delivered.
    const item = settingsPage.locator('[data-webhook-name=ops-receiver]');
    await item.locator('[data-testid=show-deliveries]').click();
    await item
      .locator('[data-testid=deliveries] tr[data-outcome=delivered]')
      .first()
      .waitFor({ timeout: 10_000 });
    expect(await settingsPage.content()).not.toContain(secret);
    // Disabled: it takes nothing more until enabled again.
    await item.locator('[data-testid=toggle-webhook]').click();
    await settingsPage
      .locator('[data-webhook-name=ops-receiver][data-enabled=false]')
      .waitFor({ timeout: 10_000 });
  });

  test('rules and webhooks can be trusted before relying on them: a preview, a test send, a failing endpoint beside the alarms', async () => {
    // The rule editor replays a draft over the stored history: r1's OD is always above this.
    const rules = settingsPage.locator('[data-testid=rules-section]');
    await rules.locator('[data-testid=add-rule]').click();
    const form = rules.locator('[data-testid=rule-form]');
    await form.locator('select[name=kind]').selectOption('reading-range');
    await form.locator('select[name=signal]').selectOption('od');
    await form.locator('input[name=max]').fill('0.0001');
    const answered = settingsPage.waitForResponse((r) => r.url().endsWith('/api/alert-rules/preview'));
    await form.locator('[data-testid=preview-rule]').click();
    const preview = (await (await answered).json()) as RulePreview;
    await expect
      .poll(() => form.locator('[data-testid=rule-preview]').textContent(), { timeout: 20_000 })
      .toContain('Would have fired once in the last 7 days (on r1)');
    // Each firing the API answered is marked on the preview's chart, where its time falls.
    expect(preview.firings.length).toBe(1);
    const chart = form.locator('[data-chart=rule-preview]');
    expect(await chart.getAttribute('data-marks')).toBe(
      preview.firings.map((f) => `${f.reactorId}@${f.atMs}`).join(','),
    );
    const strips = await markStrips(settingsPage, preview);
    for (const strip of strips.atFirings) expect(strip).toBeGreaterThan(strips.baseline + 25);
    expect(await form.locator('[data-testid=rule-preview] li').first().textContent()).toMatch(
      /^r1: od [\d.]+ biomass conc\. above \[−∞, 0\.0001 biomass conc\.\]/,
    );
    await form.getByRole('button', { name: 'Cancel' }).click();
    expect((await service.getJson<AlertRuleView[]>('/api/alert-rules')).map((r) => r.rule.id)).toEqual([
      'od-too-high',
    ]);

    // Send test: signed like every notification, its answer shown at the endpoint.
    const seen = receiver.requests.length;
    const ops = settingsPage.locator('[data-webhook-name=ops-receiver]');
    await ops.getByRole('button', { name: 'Send a test to endpoint “ops-receiver”' }).click();
    await expect
      .poll(() => ops.locator('[data-testid=webhook-test-result]').textContent(), { timeout: 20_000 })
      .toMatch(/^Test delivered \(200\) in \d+ ms\.$/);
    expect(receiver.requests[seen]).toMatchObject({ signatureValid: true, body: { test: true } });

    // An endpoint nobody listens on: its test says so, and once an alarm's change fails to reach
    // it, the alerts page says so beside the alarms.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const made = await service.api.call('POST', '/api/webhooks', {
      name: 'down-receiver',
      url: `http://127.0.0.1:${port}/hook`,
      secret,
    });
    expect(made.status).toBe(201);
    await settingsPage.reload();
    const down = settingsPage.locator('[data-webhook-name=down-receiver]');
    await down.getByRole('button', { name: 'Send a test to endpoint “down-receiver”' }).click();
    await expect
      .poll(() => down.locator('[data-testid=webhook-test-result]').textContent(), { timeout: 20_000 })
      .toMatch(/^Test not delivered: .*ECONNREFUSED/);
    const [alarm] = (await service.getJson<AlertsResponse>('/api/alerts')).alarms.filter(
      (a) => a.ruleId === 'od-too-high' && !a.acknowledged,
    );
    expect(alarm).toBeDefined();
    // Cleared, it fires again with the next reading: two changes to notify, left unacknowledged.
    expect((await service.api.call('POST', `/api/alerts/${alarm.id}/clear`, {})).status).toBe(200);
    const banner = alertsPage.locator('[data-testid=failing-webhooks]');
    await expect
      .poll(() => banner.textContent(), { timeout: 30_000 })
      .toMatch(/“down-receiver” — last attempt .*ECONNREFUSED/);
    expect(await banner.textContent()).not.toContain('ops-receiver');
    expect(
      (await service.api.call('DELETE', `/api/webhooks/${(made.json() as { id: number }).id}`)).status,
    ).toBe(204);
  });

  test('an API token is shown once with a copy button, works, and gets 401 once revoked', async () => {
    const section = settingsPage.locator('[data-testid=tokens-section]');
    await section.locator('#token-name').fill('ui-script');
    await section.locator('#token-role').selectOption('viewer');
    await section.locator('[data-testid=create-token]').click();
    const shown = section.locator('[data-testid=shown-once-value]');
    await shown.waitFor({ timeout: 10_000 });
    const token = ((await shown.textContent()) ?? '').trim();
    expect(token).toMatch(/^cwt_/);
    await section.locator('[data-testid=copy]').click();
    await expect.poll(() => section.locator('[data-testid=copy]').textContent()).toBe('Copied');
    expect(await settingsPage.evaluate(() => navigator.clipboard.readText())).toBe(token);

    const script = HttpSession.withToken(service.url, token);
    expect((await script.call('GET', '/api/reactors')).status).toBe(200);
    // Shown once: after hiding it, and in the list, the token is nowhere in the page.
    await section.locator('[data-testid=dismiss]').click();
    expect(await settingsPage.content()).not.toContain(token);
    const listed = await service.api.call('GET', '/api/tokens');
    expect(listed.text).not.toContain(token);

    const row = section.locator('[data-token-name=ui-script]');
    await row.locator('[data-testid=revoke-token]').click();
    await row.locator('[data-testid=revoke-token-confirm]').click();
    await section.locator('[data-token-name=ui-script][data-revoked=true]').waitFor({ timeout: 10_000 });
    expect((await script.call('GET', '/api/reactors')).status).toBe(401);
  });

  test('a rule is edited and deleted in settings; deleting clears its alarm', async () => {
    const rule = settingsPage.locator('[data-rule-id=od-too-high]');
    await rule.locator('[data-testid=edit-rule]').click();
    await rule.locator('[data-testid=rule-form] select[name=severity]').selectOption('minor');
    await rule.locator('[data-testid=save-rule]').click();
    await settingsPage
      .locator('[data-rule-id=od-too-high][data-severity=minor]')
      .waitFor({ timeout: 10_000 });

    await settingsPage.locator('[data-rule-id=od-too-high] [data-testid=delete-rule]').click();
    await settingsPage.locator('[data-rule-id=od-too-high] [data-testid=delete-rule-confirm]').click();
    await expect.poll(() => settingsPage.locator('[data-rule-id=od-too-high]').count()).toBe(0);
    await expect
      .poll(async () => {
        const { alarms } = await service.getJson<AlertsResponse>('/api/alerts?state=all');
        return alarms.find((a) => a.ruleId === 'od-too-high')?.clearedBy;
      })
      .toBe('system');
    // Live on the alerts page too.
    await alertsPage.locator('[data-rule=od-too-high][data-active=false]').waitFor({ timeout: 10_000 });
  });

  test('every change the pages made carried the CSRF token', () => {
    expect([...new Set(changes.map((c) => c.method))].sort()).toEqual(['DELETE', 'PATCH', 'POST', 'PUT']);
    expect(changes.length).toBeGreaterThanOrEqual(8);
    expect(changes.filter((c) => !c.csrf)).toEqual([]);
  });

  test('nothing was logged to the console as an error', () => {
    expect(log.errors).toEqual([]);
  });
});
