/**
 * The dashboard in a real browser (Debian's Chromium, headless) against the real service in
 * simulator mode: the overview lists the simulated reactors; the reactor page's charts hold data and
 * move live; a demo satellite shift raises the satellite fraction shown; the range picker changes
 * every chart's range; the CSV downloads; and nothing is logged to the console as an error. The
 * browser is logged in as an operator through the login page (auth on, as in production).
 */
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FitRecord, ReactorSummary, ReadingSeries } from '../../contract/api';
import { type ConsoleLog, consoleLog, launchChromium, newContext } from './fixtures/browser';
import { extentOf, inkedPixels } from './fixtures/charts';
import { logInThroughPage, signInContext } from './fixtures/login';
import {
  accounts,
  type ServiceProcess,
  startService,
  waitForFit,
  waitForSimulatedReactors,
} from './fixtures/service-process';

const hourMs = 3_600_000;

let service: ServiceProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let reactors: string[];
const log: ConsoleLog = consoleLog();

async function attr(p: Page, selector: string, name: string): Promise<string> {
  return (await p.locator(selector).first().getAttribute(name)) ?? '';
}

async function openReactor(reactorId: string, search = ''): Promise<void> {
  await page.goto(`${service.url}/reactors/${reactorId}${search}`);
  await page.locator('[data-testid=reactor-page][data-loaded=true]').waitFor({ timeout: 60_000 });
}

beforeAll(async () => {
  service = await startService({ env: { SIMULATOR_REACTORS: 'r1:steady,r2:satellite-shift' } });
  reactors = await waitForSimulatedReactors(service);
  await waitForFit(service, reactors[0]);
  browser = await launchChromium();
  context = await newContext(browser);
  page = await context.newPage();
  await logInThroughPage(page, service, accounts.operator);
  log.watch(page);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

describe('the operator dashboard against the simulated plant', () => {
  test('the overview lists every simulated reactor with its readings and estimate', async () => {
    await page.goto(service.url);
    const cards = page.locator('[data-reactor]');
    await expect.poll(() => cards.count(), { timeout: 30_000 }).toBe(reactors.length);
    const shown = await cards.evaluateAll((els) => els.map((e) => e.getAttribute('data-reactor')));
    expect(shown.sort()).toEqual([...reactors].sort());
    const first = page.locator(`[data-reactor="${reactors[0]}"]`);
    await expect.poll(() => first.locator('[data-signal=od]').textContent()).toMatch(/\d/);
    await expect
      .poll(() => first.locator('[data-testid=satellite-fraction]').textContent(), { timeout: 60_000 })
      .toMatch(/%/);
    // Problems are in words, not only colour.
    expect(await first.locator('[data-testid=state-label]').textContent()).toMatch(/[A-Za-z]/);
  });

  test('the reactor page draws data on every chart and keeps moving live', async () => {
    await openReactor(reactors[0]);
    for (const chart of ['measurements', 'composition', 'drift', 'diagnostics']) {
      await expect
        .poll(async () => Number(await attr(page, `[data-chart=${chart}]`, 'data-points')), {
          timeout: 60_000,
        })
        .toBeGreaterThan(0);
      // Charts are drawn when they come near the screen.
      await page.locator(`[data-chart=${chart}]`).scrollIntoViewIfNeeded();
      await expect.poll(() => inkedPixels(page, chart), { timeout: 10_000 }).toBeGreaterThan(2000);
    }
    const newest = Number(await attr(page, '[data-testid=reactor-page]', 'data-newest-reading'));
    const newestFit = Number(await attr(page, '[data-testid=reactor-page]', 'data-newest-fit'));
    const requestsBefore = await page.evaluate(() => performance.getEntriesByType('resource').length);
    // New readings and a new fit arrive over socket.io, without reloading and without refetching
    // the charts' data.
    await expect
      .poll(async () => Number(await attr(page, '[data-testid=reactor-page]', 'data-newest-reading')), {
        timeout: 30_000,
      })
      .toBeGreaterThan(newest);
    await expect
      .poll(async () => Number(await attr(page, '[data-testid=reactor-page]', 'data-newest-fit')), {
        timeout: 60_000,
      })
      .toBeGreaterThan(newestFit);
    // The charts' time extent follows the newest reading.
    await expect.poll(async () => (await extentOf(page, 'measurements')).maxMs).toBeGreaterThan(newest);
    const apiRequests = await page.evaluate(
      (before) =>
        performance
          .getEntriesByType('resource')
          .slice(before)
          // The charts' data; the mismatch summary is asked again per fit, by design (mismatch-view.tsx).
          .filter((e) => /\/api\/reactors\/[^/]+\/(readings|estimates)/.test(e.name)).length,
      requestsBefore,
    );
    expect(apiRequests).toBe(0);
  });

  test('the drift chart marks each parameter as the newest fit determines it, an undetermined one as undetermined', async () => {
    await openReactor(reactors[0]);
    const drift = page.locator('[data-section=drift]');
    await drift.scrollIntoViewIfNeeded();
    await page.locator('[data-chart=drift][data-points]:not([data-points="0"])').waitFor({ timeout: 60_000 });
    // Read the page and the API for the same newest fit (fits keep arriving live).
    const newestIfOk = async () => {
      const fits = await service.getJson<FitRecord[]>(
        `/api/reactors/${reactors[0]}/estimates?trajectories=none`,
      );
      const newest = fits.at(-1);
      return newest?.status === 'ok' ? newest : undefined;
    };
    let fit: FitRecord | undefined;
    let shown: Record<string, string> = {};
    await expect
      .poll(
        async () => {
          fit = await newestIfOk();
          shown = Object.fromEntries(
            await drift
              .locator('.multiple-titles li')
              .evaluateAll((els) =>
                els.map((e) => [e.getAttribute('data-multiple'), e.getAttribute('data-certainty')]),
              ),
          );
          const pageFit = Number(await attr(page, '[data-testid=reactor-page]', 'data-newest-fit'));
          return fit !== undefined && pageFit === fit.id;
        },
        { timeout: 60_000 },
      )
      .toBe(true);
    const params = Object.entries(fit?.params ?? {});
    expect(params.length).toBeGreaterThanOrEqual(10);
    // A parameter whose band is as wide as its prior's is the prior speaking: the page says so.
    const priorOnly = params.filter(
      ([, p]) => !p.determined && p.priorSdLog !== undefined && p.sdLog >= 0.9 * p.priorSdLog,
    );
    expect(priorOnly.length).toBeGreaterThan(0);
    for (const [name] of priorOnly) expect(shown[name]).toBe('undetermined');
    for (const [name, p] of params) if (p.determined) expect(shown[name]).toBe('determined');
    for (const [name, p] of params) if (!p.determined) expect(shown[name]).not.toBe('determined');
    const [name] = priorOnly[0];
    const title = drift.locator(`.multiple-titles li[data-multiple="${name}"]`);
    expect(await title.textContent()).toMatch(/^undetermined/);
    expect(await title.getAttribute('title')).toContain('the band is what the prior allows');
    expect(await drift.getByTestId('identifiability-note').textContent()).toMatch(
      new RegExp(`undetermined: [^;]*\\b${name}\\b`),
    );
  });

  test('the time-range picker changes the range of every chart', async () => {
    await openReactor(reactors[0]);
    const firstReading = (
      await service.getJson<ReadingSeries>(`/api/reactors/${reactors[0]}/readings?signal=od&maxPoints=2`)
    ).tMs[0];
    const threeDays = await extentOf(page, 'measurements');
    expect(threeDays.maxMs - threeDays.minMs).toBeGreaterThan(24 * hourMs);

    await page.locator('[data-range="12h"]').click();
    await expect.poll(() => page.url()).toContain('from=now-12h&to=now');
    await page.locator('[data-testid=reactor-page][data-loaded=true]').waitFor();
    await expect
      .poll(async () => {
        const e = await extentOf(page, 'measurements');
        return e.maxMs - e.minMs;
      })
      .toBeLessThan(18 * hourMs);
    // Read in one go: a live redraw between two reads may move the right edge by a step.
    const extents = await page.evaluate(() =>
      ['measurements', 'composition', 'drift', 'diagnostics'].map((c) =>
        document.querySelector(`[data-chart=${c}]`)?.getAttribute('data-extent'),
      ),
    );
    expect(new Set(extents).size).toBe(1);
    expect(await page.locator('[data-range="12h"]').getAttribute('aria-pressed')).toBe('true');

    await page.locator('[data-range="all"]').click();
    await page.locator('[data-testid=reactor-page][data-loaded=true]').waitFor();
    await expect.poll(async () => (await extentOf(page, 'measurements')).minMs).toBe(firstReading);

    // A custom range in plant hours, entered with the keyboard straight after the form opens: the
    // fields hold the shown range from the start (`all` is first to now), and what is typed is never
    // mixed with a late prefill.
    await page.locator('[data-range="custom"]').click();
    const from = page.locator('input[name=from]');
    const to = page.locator('input[name=to]');
    expect([await from.inputValue(), await to.inputValue()]).toEqual(['first', 'now']);
    await from.fill('2');
    await to.fill('8');
    expect([await from.inputValue(), await to.inputValue()]).toEqual(['2', '8']);
    await to.press('Enter');
    const origin = firstReading;
    await expect
      .poll(() => extentOf(page, 'measurements'))
      .toEqual({ minMs: origin + 2 * hourMs, maxMs: origin + 8 * hourMs });
    await expect.poll(() => page.url()).toContain(`from=${origin + 2 * hourMs}`);

    // Local time rewrites the open fields in its own units (with calendar and clock pickers beside
    // them), and the range is the same.
    await page.getByRole('button', { name: 'local time' }).click();
    await page.locator('input[name=from-date]').waitFor();
    const localInput = (ms: number) =>
      page.evaluate((t) => {
        const d = new Date(t);
        const p2 = (n: number) => String(n).padStart(2, '0');
        return `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())} ${p2(d.getHours())}:${p2(d.getMinutes())}`;
      }, ms);
    await expect.poll(() => from.inputValue()).toBe(await localInput(origin + 2 * hourMs));
    expect(await to.inputValue()).toBe(await localInput(origin + 8 * hourMs));
    expect(await page.locator('input[name=from-date]').inputValue()).toBe(
      (await localInput(origin + 2 * hourMs)).slice(0, 10),
    );
    await page.getByRole('button', { name: 'plant h' }).click();
    await expect.poll(() => from.inputValue()).toBe('2.00');

    // Opened from a link to that range: once the page knows the plant's origin, the fields count from it.
    await page.goto(page.url());
    await page.locator('[data-testid=reactor-page][data-loaded=true]').waitFor();
    await expect.poll(() => from.inputValue()).toBe('2.00');
    expect(await to.inputValue()).toBe('8.00');
  });

  test('the CSV of the shown range and the newest window file download', async () => {
    await openReactor(reactors[0], '?range=12h');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-testid=download-csv]').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const text = readFileSync(await download.path(), 'utf8');
    const lines = text.trim().split(/\r?\n/);
    expect(lines[0]).toMatch(/od/);
    expect(lines.length).toBeGreaterThan(10);

    // The newest fit's window, as a replayable window-problem file.
    const [windowFile] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-testid=download-window]').click(),
    ]);
    const problem = JSON.parse(readFileSync(await windowFile.path(), 'utf8')) as Record<string, unknown>;
    expect(problem.model).toBe('chemostat-satellite');
    expect(Object.keys(problem)).toEqual(
      expect.arrayContaining(['params', 'constants', 't0', 'x0', 'observations']),
    );
  });

  test('a demo satellite shift raises the satellite fraction shown', async () => {
    // r1's own scenario is steady, so any rise is the demo's doing.
    const reactorId = 'r1';
    await waitForFit(service, reactorId);
    await openReactor(reactorId, '?range=12h');
    const fraction = page.locator('[data-testid=reactor-page] [data-testid=satellite-fraction]');
    await expect
      .poll(async () => Number(await fraction.getAttribute('data-value')), { timeout: 60_000 })
      .toBeGreaterThan(0);
    const before = Number(await fraction.getAttribute('data-value'));
    await page.locator('[data-testid=demo-satellite-shift]').click();
    await expect
      .poll(() => page.locator('.demo [role=status]').textContent())
      .toMatch(/Satellite shift started/);
    await expect
      .poll(async () => Number(await fraction.getAttribute('data-value')), {
        timeout: 150_000,
        interval: 1000,
      })
      .toBeGreaterThan(before * 1.3);
  }, 180_000);

  test('the theme switches to dark and stays dark after a reload', async () => {
    await page.goto(service.url);
    const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
    const before = await theme();
    await page.locator('[data-testid=theme-toggle]').click();
    const after = await theme();
    expect(after).not.toBe(before);
    await page.reload();
    expect(await theme()).toBe(after);
    await page.locator('[data-testid=theme-toggle]').click();
    expect(await theme()).toBe(before);
  });

  test('a reactor with no data says how to feed it', async () => {
    await page.goto(`${service.url}/reactors/r9`);
    const empty = page.locator('[data-testid=unknown-reactor]');
    await expect.poll(() => empty.textContent(), { timeout: 20_000 }).toContain('No data yet for reactor r9');
    expect(await empty.textContent()).toContain('culturewatch/r9/od');
  });

  test('a lost connection shows "reconnecting", then the page back-fills what it missed', async () => {
    // A page of its own: the refused WebSocket attempts while "offline" are expected console errors.
    const offlineContext = await newContext(browser);
    await signInContext(offlineContext, service, accounts.operator);
    const p = await offlineContext.newPage();
    let blocked = false;
    const open = new Set<WebSocketRoute>();
    await p.routeWebSocket(/\/socket\.io\//, (ws) => {
      if (blocked) {
        // The connection opens and then dies without a word, as behind a failing proxy.
        const dead = ws.connectToServer();
        dead.onMessage(() => undefined);
        ws.onMessage(() => undefined);
        setTimeout(() => {
          void ws.close();
          void dead.close();
        }, 200);
        return;
      }
      const server = ws.connectToServer();
      open.add(ws);
      ws.onClose(() => {
        open.delete(ws);
        void server.close();
      });
    });
    await p.goto(`${service.url}/reactors/r1?range=12h`);
    await p.locator('[data-testid=reactor-page][data-loaded=true]').waitFor({ timeout: 60_000 });
    const newestOf = async () => Number(await attr(p, '[data-testid=reactor-page]', 'data-newest-reading'));
    const start = await newestOf();
    await expect.poll(newestOf, { timeout: 20_000 }).toBeGreaterThan(start);
    const pointsBefore = Number(await attr(p, '[data-chart=measurements]', 'data-points'));

    blocked = true;
    for (const ws of open) await ws.close();
    await p.locator('[data-testid=reconnecting]').waitFor({ timeout: 10_000 });
    expect(await p.locator('[data-testid=connection]').textContent()).toContain('reconnecting');
    await p.waitForTimeout(600); // the last redraw of what arrived before the cut
    const atCut = await newestOf();
    await p.waitForTimeout(6000); // six plant hours at the demo speed
    expect(await newestOf()).toBe(atCut);
    const resourcesBefore = await p.evaluate(() => performance.getEntriesByType('resource').length);
    const serviceNewest = (await service.getJson<ReactorSummary[]>('/api/reactors')).find(
      (r) => r.id === 'r1',
    )?.latest.od?.tsMs;
    expect(serviceNewest).toBeGreaterThan(atCut + 3 * hourMs);

    blocked = false;
    await p.locator('[data-testid=back-online]').waitFor({ timeout: 20_000 });
    await expect.poll(newestOf, { timeout: 15_000 }).toBeGreaterThanOrEqual(serviceNewest as number);
    // The gap was filled by asking the API for what came after the last reading held, not left open.
    const backfills = await p.evaluate(
      (before) =>
        performance
          .getEntriesByType('resource')
          .slice(before)
          .filter((e) => e.name.includes('/readings?') && e.name.includes('from=')).length,
      resourcesBefore,
    );
    expect(backfills).toBeGreaterThan(0);
    expect(Number(await attr(p, '[data-chart=measurements]', 'data-points'))).toBeGreaterThanOrEqual(
      pointsBefore - 4,
    );
    await offlineContext.close();
  }, 90_000);

  test('nothing was logged to the console as an error', () => {
    expect(log.errors).toEqual([]);
  });
});
