/**
 * Who may see and change what, in the browser, against the real service with auth on: the login
 * page (a wrong password, a rate limit, `next`), logging out, a session ended elsewhere, a viewer's
 * read-only pages against an operator's, a new account's one-time password exchanged at the first
 * login; and with AUTH=off, everything shown and no login at all.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AlertsResponse } from '../../contract/api';
import type { CreatedUser } from '../../contract/auth';
import { launchChromium, newContext } from './fixtures/browser';
import { logInThroughPage, signInContext, submitLogin } from './fixtures/login';
import { accounts, type ServiceProcess, startService } from './fixtures/service-process';

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

/** Waits until the header knows who is logged in (the session has loaded). */
async function signedInAs(page: Page, username: string, role: string): Promise<void> {
  const account = page.locator(`[data-testid=account][data-username="${username}"][data-role=${role}]`);
  await account.waitFor({ timeout: 20_000 });
}

describe('with auth on', () => {
  let service: ServiceProcess;
  const contexts: BrowserContext[] = [];
  const freshPage = async () => {
    const context = await newContext(browser);
    contexts.push(context);
    return context.newPage();
  };

  beforeAll(async () => {
    service = await startService({
      env: {
        SIMULATOR_REACTORS: 'r1',
        ASSIMILATOR: 'off',
        LOGIN_ATTEMPTS_PER_15_MIN: '3',
        // An alarm that fires at the first reading and stays: there is always something to acknowledge.
        ALERT_RULES: JSON.stringify([
          { id: 'od-watch', kind: 'reading-range', signal: 'od', max: 0.0001, severity: 'major' },
        ]),
      },
    });
    const deadline = Date.now() + 60_000;
    while ((await service.getJson<AlertsResponse>('/api/alerts')).alarms.length === 0) {
      if (Date.now() > deadline) throw new Error(`no alarm fired:\n${service.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }, 180_000);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await service?.stop();
  });

  test('an anonymous visit goes to the login page; a wrong password is refused; the right one returns there', async () => {
    const page = await freshPage();
    await page.goto(`${service.url}/reactors/r1?from=now-12h&to=now`);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/reactors/r1?from=now-12h&to=now');

    await submitLogin(page, { username: accounts.operator.username, password: 'not-the-password' });
    const error = page.locator('[data-testid=login-error][data-problem=wrong]');
    await error.waitFor({ timeout: 10_000 });
    expect(await error.textContent()).toContain('Wrong username or password');
    expect(new URL(page.url()).pathname).toBe('/login');

    await submitLogin(page, accounts.operator);
    await page.waitForURL((url) => url.pathname === '/reactors/r1', { timeout: 20_000 });
    // The page writes its whole view into the address (adding the time display): the range is kept.
    expect(new URL(page.url()).searchParams.get('from')).toBe('now-12h');
    await page.locator('[data-testid=reactor-page][data-loaded=true]').waitFor({ timeout: 30_000 });
    expect(new URL(page.url()).searchParams.get('from')).toBe('now-12h');
    await signedInAs(page, accounts.operator.username, 'operator');
    expect(await page.locator('[data-testid=account-role]').textContent()).toBe('operator');
  });

  test('the right password lands on the overview; logging out returns to the login page', async () => {
    const page = await freshPage();
    // A `next` off this site is not followed.
    await logInThroughPage(page, service, accounts.operator, '//evil.example/phish');
    expect(page.url()).toBe(`${service.url}/`);
    await page.locator('[data-reactor=r1]').waitFor({ timeout: 20_000 });
    await signedInAs(page, accounts.operator.username, 'operator');

    await page.locator('[data-testid=logout]').click();
    await page.waitForURL((url) => url.pathname === '/login', { timeout: 10_000 });
    // The session is gone on the server too: pages need a login again.
    await page.goto(`${service.url}/alerts`);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/alerts');
  });

  test('a session ended elsewhere sends the open page to the login page, which returns there', async () => {
    const context = await newContext(browser);
    contexts.push(context);
    const first = await context.newPage();
    await logInThroughPage(first, service, accounts.operator, '/alerts');
    const second = await context.newPage();
    await second.goto(`${service.url}/`);
    await signedInAs(second, accounts.operator.username, 'operator');
    // Same cookie, one session: logging out in the first tab ends the second's too.
    await first.locator('[data-testid=logout]').click();
    await first.waitForURL((url) => url.pathname === '/login');
    // The overview polls every 5 s; its next request gets a 401.
    await second.waitForURL((url) => url.pathname === '/login', { timeout: 20_000 });
    expect(new URL(second.url()).searchParams.get('next')).toBeNull(); // the overview is the default
    await submitLogin(second, accounts.operator);
    await second.waitForURL((url) => url.pathname === '/', { timeout: 20_000 });
  });

  test('before its script runs, the login page cannot send the password in a URL', async () => {
    // Scripts off: the server's HTML as a browser has it before hydration (a slow link, a fast typist).
    const context = await browser.newContext({ javaScriptEnabled: false });
    contexts.push(context);
    const page = await context.newPage();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await page.goto(`${service.url}/login`);
    const submit = page.locator('[data-testid=login-form] button[type=submit]');
    expect(await submit.isDisabled()).toBe(true);
    expect(await page.locator('[data-testid=login-form]').getAttribute('method')).toBe('post');
    const secret = 'typed-before-the-script-ran';
    await page.locator('#login-username').fill(accounts.operator.username);
    await page.locator('#login-password').fill(secret);
    await page.locator('#login-password').press('Enter');
    await page.waitForTimeout(500);
    expect(page.url()).toBe(`${service.url}/login`);
    expect(requested.filter((url) => url.includes(secret))).toEqual([]);
  });

  test('too many failed logins are refused with the time to wait', async () => {
    const page = await freshPage();
    await page.goto(`${service.url}/login`);
    const wrong = { username: 'mallory', password: 'guess-guess-guess' };
    for (let i = 0; i < 3; i++) {
      await submitLogin(page, wrong);
      await page.locator('[data-testid=login-error][data-problem=wrong]').waitFor({ timeout: 10_000 });
      // The next attempt starts from an empty message, so each answer is waited for.
      await page.evaluate(() =>
        document.querySelector('[data-testid=login-error]')?.removeAttribute('data-problem'),
      );
    }
    await submitLogin(page, wrong);
    const limited = page.locator('[data-testid=login-error][data-problem=limited]');
    await limited.waitFor({ timeout: 10_000 });
    expect(await limited.textContent()).toMatch(/Too many failed logins.*Try again in \d+ (s|min)/);
  });

  test('a viewer reads every page but sees no acknowledge, clear, demo or account controls', async () => {
    const page = await freshPage();
    await logInThroughPage(page, service, accounts.viewer);
    await signedInAs(page, accounts.viewer.username, 'viewer');

    await page.goto(`${service.url}/alerts`);
    await page.locator('[data-rule=od-watch]').first().waitFor({ timeout: 20_000 });
    await page.locator('[data-testid=viewer-notice]').waitFor();
    expect(await page.locator('[data-testid=acknowledge], [data-testid=clear]').count()).toBe(0);

    await page.goto(`${service.url}/reactors/r1?range=12h`);
    await page.locator('[data-testid=reactor-page][data-loaded=true]').waitFor({ timeout: 30_000 });
    await signedInAs(page, accounts.viewer.username, 'viewer');
    expect(await page.locator('[data-testid=demo-satellite-shift], #demo-title').count()).toBe(0);

    await page.goto(`${service.url}/settings`);
    await page.locator('[data-rule-id=od-watch]').waitFor({ timeout: 20_000 });
    await page.locator('[data-testid=operator-only-notice]').waitFor();
    await page.locator('[data-testid=webhooks-section]').waitFor();
    for (const control of [
      '[data-testid=tokens-section]',
      '[data-testid=users-section]',
      '[data-testid=add-rule]',
      '[data-testid=edit-rule]',
      '[data-testid=delete-rule]',
      '[data-testid=add-webhook]',
    ])
      expect(await page.locator(control).count(), control).toBe(0);
    // Nor through the API from the viewer's own session.
    const statuses = await page.evaluate(async () => {
      const tokens = await fetch('/api/tokens');
      const users = await fetch('/api/users');
      return [tokens.status, users.status];
    });
    expect(statuses).toEqual([403, 403]);
  });

  test('an operator sees acknowledge and clear, the demo controls, tokens and accounts', async () => {
    const page = await freshPage();
    await logInThroughPage(page, service, accounts.operator, '/alerts');
    const alarm = page.locator('[data-rule=od-watch]').first();
    await alarm.waitFor({ timeout: 20_000 });
    await alarm.locator('[data-testid=clear]').waitFor({ timeout: 10_000 });
    expect(await alarm.locator('[data-testid=acknowledge]').count()).toBe(1);

    await page.goto(`${service.url}/reactors/r1?range=12h`);
    await page.locator('[data-testid=demo-satellite-shift]').waitFor({ timeout: 30_000 });

    await page.goto(`${service.url}/settings`);
    await page.locator('[data-testid=tokens-section]').waitFor({ timeout: 20_000 });
    await page.locator('[data-testid=users-section] [data-username=victor]').waitFor({ timeout: 10_000 });
    await page.locator('[data-rule-id=od-watch] [data-testid=edit-rule]').waitFor();
  });

  test('a refused change says why', async () => {
    const page = await freshPage();
    await logInThroughPage(page, service, accounts.operator, '/alerts');
    // As if the role had been taken away since the page loaded.
    await page.route('**/api/alerts/*/acknowledge', (route) =>
      route.fulfill({
        status: 403,
        contentType: 'application/json',
        body: JSON.stringify({ error: 'forbidden', detail: 'the operator role is needed' }),
      }),
    );
    const alarm = page.locator('[data-rule=od-watch]').first();
    await alarm.locator('[data-testid=acknowledge]').click();
    const said = alarm.locator('[role=alert]');
    await said.waitFor({ timeout: 10_000 });
    expect(await said.textContent()).toContain('Not allowed: forbidden (the operator role is needed)');
  });

  test('a change from a tab whose session was replaced takes the new CSRF token and goes through', async () => {
    const context = await newContext(browser);
    contexts.push(context);
    const first = await context.newPage();
    await logInThroughPage(first, service, accounts.operator, '/alerts');
    await signedInAs(first, accounts.operator.username, 'operator');
    // Another tab logs in again: a new session (and CSRF token) behind the same cookie name.
    const second = await context.newPage();
    await logInThroughPage(second, service, accounts.operator, '/');
    await first.bringToFront();
    const sent: (string | undefined)[] = [];
    first.on('request', (r) => {
      if (r.method() === 'POST' && r.url().includes('/acknowledge')) sent.push(r.headers()['x-csrf-token']);
    });
    const alarm = first.locator('[data-rule=od-watch]').first();
    await alarm.locator('[data-testid=acknowledge]').click();
    await first
      .locator(`[data-rule=od-watch] [data-testid=acknowledged-by][data-actor=${accounts.operator.username}]`)
      .waitFor({ timeout: 10_000 });
    // Refused once with the old token, then sent again with the new one.
    expect(sent.length).toBe(2);
    expect(sent[0]).not.toBe(sent[1]);
    expect(sent.every((t) => typeof t === 'string' && t.length > 0)).toBe(true);
  });

  test("with a one-time password, any page first asks for a password of one's own", async () => {
    const made = await service.api.call('POST', '/api/users', { username: 'otto', role: 'operator' });
    expect(made.status).toBe(201);
    const { oneTimePassword } = made.json<CreatedUser>();
    const context = await newContext(browser);
    contexts.push(context);
    await signInContext(context, service, { username: 'otto', role: 'operator', password: oneTimePassword });
    const page = await context.newPage();
    await page.goto(`${service.url}/alerts`);
    const form = page.locator('[data-testid=change-password-form]');
    await form.waitFor({ timeout: 20_000 });
    expect(await page.locator('[data-testid=alarm-list]').count()).toBe(0);
    await form.locator('input[name=current-password]').fill(oneTimePassword);
    await form.locator('input[name=new-password]').fill('otto-own-password-1');
    await form.locator('input[name=new-password-again]').fill('otto-own-password-1');
    await form.locator('button[type=submit]').click();
    await page.locator('[data-rule=od-watch]').first().waitFor({ timeout: 20_000 });
    await signedInAs(page, 'otto', 'operator');
    await expect
      .poll(() => page.locator('[data-testid=connection]').textContent(), { timeout: 15_000 })
      .toBe('live');
  });

  test("a new account's one-time password is shown once and exchanged at the first login", async () => {
    const page = await freshPage();
    await logInThroughPage(page, service, accounts.operator, '/settings');
    const users = page.locator('[data-testid=users-section]');
    await users.locator('#user-name').fill('nina');
    await users.locator('#user-role').selectOption('viewer');
    await users.locator('[data-testid=create-user]').click();
    const shown = users.locator('[data-testid=shown-once-value]');
    await shown.waitFor({ timeout: 10_000 });
    const oneTime = ((await shown.textContent()) ?? '').trim();
    expect(oneTime.length).toBeGreaterThanOrEqual(16);
    await users.locator('[data-testid=user-list] [data-username=nina]').waitFor();
    await users.locator('[data-testid=dismiss]').click();
    expect(await page.content()).not.toContain(oneTime);

    const newcomer = await freshPage();
    await newcomer.goto(`${service.url}/alerts`);
    await submitLogin(newcomer, { username: 'nina', password: oneTime });
    const form = newcomer.locator('[data-testid=first-password]');
    await form.waitFor({ timeout: 10_000 });
    expect(new URL(newcomer.url()).pathname).toBe('/login');
    await form.locator('input[name=new-password]').fill('nina-own-password-1');
    await form.locator('input[name=new-password-again]').fill('nina-own-password-1');
    await form.locator('button[type=submit]').click();
    await newcomer.waitForURL((url) => url.pathname === '/alerts', { timeout: 20_000 });
    await signedInAs(newcomer, 'nina', 'viewer');
    // The one-time password is spent; the new one works.
    const again = await freshPage();
    await again.goto(`${service.url}/login`);
    await submitLogin(again, { username: 'nina', password: oneTime });
    await again.locator('[data-testid=login-error][data-problem=wrong]').waitFor({ timeout: 10_000 });
  });
});

describe('with AUTH=off (loopback only)', () => {
  let service: ServiceProcess;
  let context: BrowserContext;

  beforeAll(async () => {
    service = await startService({ auth: 'off', env: { SIMULATOR: 'off', ASSIMILATOR: 'off' } });
    context = await newContext(browser);
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await service?.stop();
  });

  test('every page shows without a login, with every control and no logout', async () => {
    const page = await context.newPage();
    await page.goto(`${service.url}/settings`);
    expect(new URL(page.url()).pathname).toBe('/settings');
    await page.locator('[data-testid=account][data-role=operator]').waitFor({ timeout: 20_000 });
    expect(await page.locator('[data-testid=account]').textContent()).toContain('auth off');
    expect(await page.locator('[data-testid=logout]').count()).toBe(0);
    await page.locator('[data-testid=auth-off-notice]').waitFor();
    await page.locator('[data-testid=add-rule]').waitFor();
    await page.locator('[data-testid=add-webhook]').waitFor();
    // The login page says there is nothing to log in to.
    await page.goto(`${service.url}/login`);
    await submitLogin(page, { username: 'anyone', password: 'anything-at-all' });
    await page.locator('[data-testid=login-error][data-problem=auth-off]').waitFor({ timeout: 10_000 });
  });
});
