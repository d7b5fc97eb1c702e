/**
 * The reactor page's mismatch view in a real browser (Debian's Chromium) against the real service in
 * simulator mode: on a steady plant it says the model explains the plant; after the demo's yield
 * shift (the main organism needs more substrate per unit grown, which the model holds fixed) it says
 * the model no longer explains the plant, since when and in which signals, and the default
 * `model-mismatch` alert rule has fired for the reactor.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AlertsResponse, DemoActionResult, ModelMismatchView } from '../../contract/api';
import { type ConsoleLog, consoleLog, launchChromium, newContext } from './fixtures/browser';
import { logInThroughPage } from './fixtures/login';
import { accounts, type ServiceProcess, startService, waitForFit } from './fixtures/service-process';

let service: ServiceProcess;
let browser: Browser;
let page: Page;
const log: ConsoleLog = consoleLog();

beforeAll(async () => {
  service = await startService({
    env: { SIMULATOR_REACTORS: 'r1:steady', SIMULATOR_BACKFILL_DAYS: '1.5' },
  });
  await waitForFit(service, 'r1', 180_000);
  browser = await launchChromium();
  page = await (await newContext(browser)).newPage();
  log.watch(page);
  await logInThroughPage(page, service, accounts.operator);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

describe('the mismatch view', () => {
  test('says the model explains a steady plant, and no longer explains it after a yield shift', async () => {
    await page.goto(`${service.url}/reactors/r1`);
    await page.locator('[data-testid=reactor-page][data-loaded=true]').waitFor({ timeout: 60_000 });
    const state = page.locator('[data-testid=mismatch-state]');
    // Once the fits hold a span of readings the test judges them: white residuals, explained.
    await expect
      .poll(() => state.textContent(), { timeout: 120_000, interval: 1000 })
      .toMatch(/^The model explains the plant/);
    expect(await state.getAttribute('data-explained')).toBe('true');

    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/demo/r1/yield-shift')),
      page.locator('[data-testid=demo-yield-shift]').click(),
    ]);
    const shift = (await response.json()) as DemoActionResult;
    await expect
      .poll(() => page.locator('.demo [role=status]').textContent())
      .toMatch(/Yield shift started .* from plant time/);

    await expect
      .poll(() => state.getAttribute('data-explained'), { timeout: 180_000, interval: 1000 })
      .toBe('false');
    expect(await state.textContent()).toMatch(
      /The model no longer explains the plant since .+ residuals show structure/,
    );
    expect(await page.locator('[data-testid=mismatch-signals]').textContent()).toMatch(/od|substrate/);
    expect(await page.locator('[data-testid=mismatch-trace] path').getAttribute('d')).toMatch(
      /^M[\d.]+,[\d.]+ L/,
    );

    // The API says the same, and dates the start after the shift began.
    const view = await service.getJson<ModelMismatchView>('/api/reactors/r1/mismatch');
    expect(view.explained).toBe(false);
    expect(view.signals.length).toBeGreaterThan(0);
    expect(view.firedAtMs!).toBeGreaterThan(shift.atMs);
    // Dated from the first window of the run whose p fell below the onset level: at most a couple of
    // windows before the shift (a chance low p at 1 %), not days.
    expect(view.sinceMs!).toBeGreaterThanOrEqual(shift.atMs - 3 * 3_600_000);
    expect(view.sinceMs!).toBeLessThanOrEqual(view.firedAtMs!);
    // The default model-mismatch rule fired for r1.
    await expect
      .poll(
        async () =>
          (await service.getJson<AlertsResponse>('/api/alerts?reactor=r1')).alarms.some(
            (a) => a.ruleKind === 'model-mismatch' && a.active,
          ),
        { timeout: 30_000 },
      )
      .toBe(true);
    expect(log.errors).toEqual([]);
  }, 420_000);
});
