/**
 * Devices and connection in the dashboard (issue 22), in Chromium against the real service (auth on,
 * no simulator, an empty plant): the overview with no reactors and the empty device list give the
 * broker's host and port and a publish line; an operator makes a device account, sees its password
 * once with a publish line that uses it, the device publishes with it over MQTT and its reactor
 * appears; when it was last seen shows; revoking closes its connection. axe-core finds nothing
 * serious on the pages shown, a viewer sees the address but not the accounts.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ReactorSummary } from '../../contract/api';
import type { DeviceAccountView } from '../../contract/devices';
import { seriousAxeFindings } from './fixtures/axe';
import { type ConsoleLog, consoleLog, launchChromium, newContext } from './fixtures/browser';
import { signInContext } from './fixtures/login';
import { accounts, type ServiceProcess, startService } from './fixtures/service-process';

let service: ServiceProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const log: ConsoleLog = consoleLog();
const findings: string[] = [];
let mqttPort: string;

function closed(client: MqttClient, timeoutMs: number): Promise<boolean> {
  if (!client.connected) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    client.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function openSettings(): Promise<void> {
  await page.goto(`${service.url}/settings#devices-title`);
  await page.locator('[data-testid=devices-section] [data-testid=broker-port]').waitFor({ timeout: 60_000 });
}

beforeAll(async () => {
  service = await startService({ env: { SIMULATOR: 'off', ASSIMILATOR: 'off' } });
  mqttPort = new URL(service.mqttUrl).port;
  browser = await launchChromium();
  context = await newContext(browser, { width: 1440, height: 900 });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: service.url });
  await signInContext(context, service, accounts.operator);
  page = await context.newPage();
  log.watch(page);
}, 240_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await service?.stop();
});

describe('devices and connection', () => {
  test('the overview with no reactors gives the broker’s host, port and a publish line to copy', async () => {
    await page.goto(`${service.url}/`);
    const empty = page.locator('[data-testid=no-reactors]');
    await empty.locator('[data-testid=publish-example]').waitFor({ timeout: 60_000 });
    expect(await empty.locator('[data-testid=broker-host]').textContent()).toBe('127.0.0.1');
    expect(await empty.locator('[data-testid=broker-port]').textContent()).toBe(mqttPort);
    const example = (await empty.locator('[data-testid=publish-example]').textContent()) ?? '';
    expect(example).toContain(`mosquitto_pub -h 127.0.0.1 -p ${mqttPort}`);
    expect(example).toContain('-t culturewatch/r1/od');
    await empty.locator('[data-testid=publish-example-copy]').click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(example);
    findings.push(...(await seriousAxeFindings(page)));
  });

  test('an empty device list says how to start; a bad name is refused in words before anything is sent', async () => {
    await openSettings();
    const section = page.locator('[data-testid=devices-section]');
    await section.locator('[data-testid=no-devices] [data-testid=publish-example]').waitFor();
    expect(await section.locator('[data-testid=broker-tls]').textContent()).toContain('no');
    await section.locator('#device-name').fill('plant r1!');
    await section.locator('[data-testid=device-every-reactor]').check();
    await section.locator('[data-testid=create-device]').click();
    expect(await section.locator('[data-testid=device-problem]').textContent()).toContain(
      '“plant r1!” is not a device name',
    );
    expect(await service.getJson<DeviceAccountView[]>('/api/devices')).toEqual([]);
  });

  test('a new account’s password is shown once with a publish line; the device publishes with it at once', async () => {
    const section = page.locator('[data-testid=devices-section]');
    await section.locator('#device-name').fill('gateway-1');
    await section.locator('[data-testid=create-device]').click();
    const shown = section.locator('[data-testid=shown-once]');
    await shown.waitFor({ timeout: 20_000 });
    const password = ((await shown.locator('[data-testid=shown-once-value]').textContent()) ?? '').trim();
    expect(password.length).toBeGreaterThanOrEqual(24);
    const example = (await shown.locator('[data-testid=publish-example]').textContent()) ?? '';
    expect(example).toContain(`-p ${mqttPort}`);
    expect(example).toContain(`-u gateway-1 -P ${password}`);
    findings.push(...(await seriousAxeFindings(page)));

    // The device logs in with it, no restart; its first reading makes the reactor.
    const client = await mqtt.connectAsync(service.mqttUrl, {
      username: 'gateway-1',
      password,
      reconnectPeriod: 0,
    });
    await client.publishAsync('culturewatch/r7/od', JSON.stringify({ ts: Date.now() - 1000, value: 0.42 }), {
      qos: 1,
    });
    await expect
      .poll(async () => (await service.getJson<ReactorSummary[]>('/api/reactors')).map((r) => r.id), {
        timeout: 15_000,
      })
      .toContain('r7');
    await client.endAsync();

    await shown.locator('[data-testid=dismiss]').click();
    await shown.waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(password);
    await page.reload();
    await section.locator('[data-device=gateway-1]').waitFor({ timeout: 30_000 });
    expect(await page.content()).not.toContain(password);
    const row = section.locator('[data-device=gateway-1]');
    expect(await row.getAttribute('data-source')).toBe('dashboard');
    expect(await row.locator('td').nth(1).textContent()).toBe('every reactor');
    expect(await row.locator('[data-testid=device-last-login]').textContent()).not.toBe('never');
    expect(await row.locator('[data-testid=device-last-publish]').textContent()).not.toBe('never');
  });

  test('an account for one known reactor; revoking it closes the device’s connection', async () => {
    const section = page.locator('[data-testid=devices-section]');
    // r7 is known now: it is offered as a reactor to grant.
    await section.locator('input[name=device-reactor][value=r7]').check();
    await section.locator('#device-name').fill('plant-r7');
    await section.locator('[data-testid=create-device]').click();
    const shown = section.locator('[data-testid=shown-once]');
    await shown.waitFor({ timeout: 20_000 });
    const password = ((await shown.locator('[data-testid=shown-once-value]').textContent()) ?? '').trim();
    expect(await shown.locator('[data-testid=publish-example]').textContent()).toContain(
      '-t culturewatch/r7/od',
    );

    const client = await mqtt.connectAsync(service.mqttUrl, {
      username: 'plant-r7',
      password,
      reconnectPeriod: 0,
    });
    await page.reload();
    const row = section.locator('[data-device=plant-r7]');
    await row.waitFor({ timeout: 30_000 });
    expect(await row.locator('[data-testid=device-state]').textContent()).toBe('connected');
    expect(await row.locator('td').nth(1).textContent()).toBe('r7');

    await row.locator('[data-testid=revoke-device]').click();
    await row.locator('[data-testid=revoke-device-confirm]').click();
    await expect.poll(() => row.getAttribute('data-revoked'), { timeout: 10_000 }).toBe('true');
    expect(await row.locator('[data-testid=device-state]').textContent()).toMatch(/^revoked /);
    expect(await row.locator('[data-testid=revoke-device]').count()).toBe(0);
    expect(await closed(client, 5000)).toBe(true);
    client.end(true);
    const refused = await mqtt
      .connectAsync(service.mqttUrl, { username: 'plant-r7', password, reconnectPeriod: 0 })
      .then(
        async (c) => {
          await c.endAsync();
          return 'connected';
        },
        (error: Error) => error.message,
      );
    expect(refused).toMatch(/bad username or password/i);
    findings.push(...(await seriousAxeFindings(page)));
  });

  test('a viewer sees where devices connect, not the accounts', async () => {
    const viewerContext = await newContext(browser, { width: 390, height: 844 });
    await signInContext(viewerContext, service, accounts.viewer);
    const viewerPage = await viewerContext.newPage();
    log.watch(viewerPage);
    await viewerPage.goto(`${service.url}/settings#devices-title`);
    const section = viewerPage.locator('[data-testid=devices-section]');
    await section.locator('[data-testid=devices-operator-only]').waitFor({ timeout: 60_000 });
    expect(await section.locator('[data-testid=broker-port]').textContent()).toBe(mqttPort);
    expect(await section.locator('[data-testid=device-list]').count()).toBe(0);
    findings.push(...(await seriousAxeFindings(viewerPage)));
    await viewerContext.close();
  });

  test('axe-core found nothing serious or critical; nothing was logged as an error', () => {
    expect(findings).toEqual([]);
    expect(log.errors).toEqual([]);
  });
});
