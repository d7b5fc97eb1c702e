/**
 * Freshness per signal (issue 22): a demo reactor whose readings stop (Demo controls → readings stop)
 * turns stale on its overview card, on its reactor page's header and in `/metrics` within two of its
 * usual intervals, the default `od-stale` rule fires with the age in words, and all of it turns
 * fresh again when the readings come back. The demo runs slowly here (0.01 plant h a second: the
 * plant's 15-minute readings come every 25 s), so that two intervals are long against the browser's
 * and the service's own delays.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AlertsResponse, ReactorSummary } from '../../contract/api';
import { simulatedPlantRate } from '../../contract/time';
import { type ConsoleLog, consoleLog, launchChromium, newContext } from './fixtures/browser';
import { signInContext } from './fixtures/login';
import {
  accounts,
  type ServiceProcess,
  startService,
  waitForSimulatedReactors,
} from './fixtures/service-process';

const plantHoursPerSecond = 0.01;
const rate = simulatedPlantRate(plantHoursPerSecond);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let service: ServiceProcess;
let browser: Browser;
let context: BrowserContext;
let overview: Page;
let reactorPage: Page;
const log: ConsoleLog = consoleLog();

async function r1(): Promise<ReactorSummary> {
  const list = await service.getJson<ReactorSummary[]>('/api/reactors');
  const found = list.find((s) => s.id === 'r1');
  if (!found) throw new Error('no r1');
  return found;
}

/** r1's od level in each place: the card, the reactor page's header, /metrics. */
async function odLevels(): Promise<{ card: string; header: string; metrics: string }> {
  const card =
    (await overview.locator('[data-reactor=r1] dd[data-signal=od]').getAttribute('data-freshness')) ?? '';
  const header =
    (await reactorPage.locator('.page-head [data-summary-signal=od]').getAttribute('data-freshness')) ?? '';
  const text = (await service.api.call('GET', '/metrics')).text;
  const current = /culturewatch_signal_freshness\{reactor="r1",signal="od",level="(\w+)"\} 1\b/.exec(text);
  return { card, header, metrics: current?.[1] ?? '' };
}

async function waitForLevels(level: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = await odLevels();
    if (seen.card === level && seen.header === level && seen.metrics === level) return Date.now();
    if (Date.now() > deadline) throw new Error(`not ${level} everywhere: ${JSON.stringify(seen)}`);
    await sleep(200);
  }
}

beforeAll(async () => {
  service = await startService({
    env: {
      SIMULATOR_REACTORS: 'r1,r2',
      SIMULATOR_SPEED: String(plantHoursPerSecond),
      SIMULATOR_BACKFILL_DAYS: '0.25',
      ASSIMILATOR: 'off',
    },
  });
  await waitForSimulatedReactors(service);
  browser = await launchChromium();
  context = await newContext(browser, { width: 1440, height: 900 });
  await signInContext(context, service, accounts.operator);
  overview = await context.newPage();
  reactorPage = await context.newPage();
  log.watch(overview);
  log.watch(reactorPage);
  await overview.goto(service.url);
  await overview.locator('[data-reactor=r1] dd[data-signal=od]').waitFor();
  await reactorPage.goto(`${service.url}/reactors/r1`);
  await reactorPage.locator('[data-testid=reactor-page][data-loaded=true]').waitFor({ timeout: 60_000 });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

describe('a reactor whose readings stop', () => {
  test('turns stale on the card, the header and /metrics within two usual intervals, and fresh again', async () => {
    expect(await waitForLevels('fresh', 30_000)).toBeGreaterThan(0);
    const before = await r1();
    const cadenceMs = before.freshness?.signals.od?.cadenceMs ?? Number.NaN;
    expect(cadenceMs).toBe(15 * 60_000);
    expect(before.freshness?.plantMsPerWallMs).toBe(rate);

    // Demo controls → readings stop, for half a plant hour (the readings due in it are never sent).
    await overview.goto(`${service.url}/reactors/r1`);
    const controls = overview.locator('.demo');
    await controls.waitFor({ timeout: 30_000 });
    await controls.getByLabel('sensor fault').selectOption('gap');
    await controls.getByLabel('for (plant h)').fill('0.5');
    await controls.getByRole('button', { name: 'Inject fault' }).click();
    await expect
      .poll(() => controls.locator('[role=status]').textContent(), { timeout: 20_000 })
      .toContain('readings stop (gap) for 0.5 h');
    await overview.goto(service.url);
    await overview.locator('[data-reactor=r1] dd[data-signal=od]').waitFor();

    const staleAt = await waitForLevels('stale', 120_000);
    const last = (await r1()).latest.od;
    expect(last?.receivedAtMs).toBeDefined();
    // From the last reading's arrival to stale everywhere: within two usual intervals (wall time at this speed).
    const twoIntervalsWallMs = (2 * cadenceMs) / rate;
    expect(staleAt - (last?.receivedAtMs ?? 0)).toBeLessThan(twoIntervalsWallMs);

    // In words on the card and in the header's state; the default od-stale rule has fired, in words too.
    const card = overview.locator('[data-reactor=r1]');
    expect(await card.locator('.problems').textContent()).toMatch(
      /od stale: last reading \d+ min ago, usually every 15 min \(plant time\)/,
    );
    expect(await reactorPage.locator('.page-head .freshness-stale').first().textContent()).toBe('stale');
    expect(await reactorPage.locator('[data-testid=state-label]').textContent()).toMatch(
      /Readings stale|Alarm/,
    );
    const alerts = await service.getJson<AlertsResponse>('/api/alerts?reactor=r1');
    const alarm = alerts.alarms.find((a) => a.ruleId === 'od-stale');
    expect(alarm?.active).toBe(true);
    expect(alarm?.summary).toMatch(/^od stale: last reading \d+ min ago, usually every 15 min/);
    // r2 keeps reporting: fresh.
    expect(
      await overview.locator('[data-reactor=r2] dd[data-signal=od]').getAttribute('data-freshness'),
    ).toBe('fresh');

    // The readings come back after the gap: fresh again everywhere.
    await waitForLevels('fresh', 120_000);
  }, 300_000);
});

describe('the console', () => {
  test('nothing was logged as an error', () => {
    expect(log.errors).toEqual([]);
  });
});
