/**
 * The reactor page's mismatch view in a real browser (Debian's Chromium) against the real service in
 * simulator mode: on a steady plant it says the model explains the plant; after the demo's yield
 * shift (the main organism needs more substrate per unit grown, which the model holds fixed) it says
 * the model no longer explains the plant, since when and in which signals, and the default
 * `model-mismatch` alert rule has fired for the reactor. With the example hybrid set on a reactor
 * (model file and weights through the API), the view lists the rates its network corrects, each
 * against the mechanistic rate and its training contribution, as the API gives them.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type {
  AlertsResponse,
  DemoActionResult,
  FitRecord,
  ModelMismatchView,
  ReactorModelView,
} from '../../contract/api';
import { type ConsoleLog, consoleLog, launchChromium, newContext } from './fixtures/browser';
import { logInThroughPage } from './fixtures/login';
import { accounts, type ServiceProcess, startService, waitForFit } from './fixtures/service-process';

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

/** A service of its own, and a page logged in as the operator on it. */
async function servicePage(env: Record<string, string>, reactorId: string) {
  const service = await startService({ env });
  await waitForFit(service, reactorId, 180_000);
  const page = await (await newContext(browser)).newPage();
  const log: ConsoleLog = consoleLog();
  log.watch(page);
  await logInThroughPage(page, service, accounts.operator);
  return { service, page, log };
}

describe('the mismatch view', () => {
  let service: ServiceProcess;
  let page: Page;
  let log: ConsoleLog;
  beforeAll(async () => {
    ({ service, page, log } = await servicePage(
      { SIMULATOR_REACTORS: 'r1:steady', SIMULATOR_BACKFILL_DAYS: '1.5' },
      'r1',
    ));
  }, 300_000);
  afterAll(async () => {
    await service?.stop();
  });

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

describe('the mismatch view with a hybrid model', () => {
  let service: ServiceProcess;
  let page: Page;
  let log: ConsoleLog;
  beforeAll(async () => {
    ({ service, page, log } = await servicePage(
      { SIMULATOR_REACTORS: 'r1:steady', SIMULATOR_BACKFILL_DAYS: '0.75' },
      'r1',
    ));
  }, 300_000);
  afterAll(async () => {
    await service?.stop();
  });

  test('lists the rates the network corrects, against the mechanistic rate and its training', async () => {
    const file = (name: string) => readFileSync(new URL(`../../models/${name}`, import.meta.url), 'utf8');
    const put = await service.api.call('PUT', '/api/reactors/r1/model', {
      fileText: file('chemostat-satellite-hybrid.yaml'),
      weightsText: file('chemostat-satellite-hybrid.weights.json'),
    });
    expect(put.status, put.text).toBe(200);
    const model = put.json<ReactorModelView>();
    expect(model.network?.outputs).toEqual(['Y per Y', 'A per Y', 'B per Y']);
    await expect
      .poll(
        async () =>
          (await service.getJson<FitRecord[]>('/api/reactors/r1/estimates?trajectories=none')).some(
            (f) => f.model?.version === model.version && f.networkTerms,
          ),
        { timeout: 180_000, interval: 1000 },
      )
      .toBe(true);

    await page.goto(`${service.url}/reactors/r1`);
    await page.locator('[data-testid=reactor-page][data-loaded=true]').waitFor({ timeout: 60_000 });
    const rows = page.locator('[data-testid=mismatch-network-rate]');
    await expect.poll(() => rows.count(), { timeout: 60_000 }).toBe(3);
    expect(await page.locator('[data-testid=mismatch-network] h3').textContent()).toBe(
      'Rates the network corrects',
    );
    const view = await service.getJson<ModelMismatchView>('/api/reactors/r1/mismatch');
    expect(view.network?.rates.map((r) => r.label)).toEqual(['Y per Y', 'A per Y', 'B per Y']);
    const texts = await rows.allTextContents();
    expect(texts[0]).toMatch(/^Y per Y \(rate of Y\)/);
    expect(texts[1]).toMatch(/^A per Y \(rate of A\)/);
    expect(texts[2]).toMatch(/^B per Y \(rate of B\)/);
    // Each row: the newest correction against the mechanistic rate, as a share, and against training.
    for (const [i, text] of texts.entries()) {
      const rate = view.network!.rates[i];
      expect(rate.windows.length).toBeGreaterThan(0);
      expect(rate.trained).toBeGreaterThan(0);
      expect(text).toMatch(/\d %/);
      expect(text).toMatch(/\d×/);
      expect(await rows.nth(i).getAttribute('data-grown')).toBe(String(rate.grown));
    }
    expect(log.errors).toEqual([]);
  }, 420_000);
});
