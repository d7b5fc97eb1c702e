/**
 * Regenerates the dashboard screenshots in docs/ from the real service in simulator mode, so that
 * they stay true: `npm run screenshots`. Starts the service on free ports with a temporary database,
 * waits for every simulated reactor to have fits, then photographs the pages in Chromium.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { AlertsResponse } from '../contract/api';
import { launchChromium } from '../tests/ui/fixtures/browser';
import { signInContext } from '../tests/ui/fixtures/login';
import {
  accounts,
  repoRoot,
  startService,
  waitForFit,
  waitForSimulatedReactors,
} from '../tests/ui/fixtures/service-process';

const docs = join(repoRoot, 'docs');
mkdirSync(docs, { recursive: true });

const service = await startService();
const browser = await launchChromium();
try {
  const reactors = await waitForSimulatedReactors(service);
  for (const id of reactors) await waitForFit(service, id, 180_000);
  // A few more fits, so the drift and diagnostics charts have a history to show.
  await new Promise((r) => setTimeout(r, 15_000));

  async function shoot(
    path: string,
    options: { width: number; height: number; dark?: boolean; fullPage?: boolean },
    visit: (page: Page) => Promise<void>,
  ): Promise<void> {
    const context = await browser.newContext({
      viewport: { width: options.width, height: options.height },
      colorScheme: options.dark ? 'dark' : 'light',
    });
    // Logged in as the operator (auth on, as in production): the header shows who, and every control.
    await signInContext(context, service, accounts.operator);
    const page = await context.newPage();
    await visit(page);
    if (options.fullPage) {
      // Sections off screen are skipped by content-visibility, which a full-page capture would show
      // as blank; and charts are drawn as they come near the screen: pass by each of them once.
      await page.addStyleTag({ content: '.chart-frame, .panel { content-visibility: visible !important; }' });
      await page.evaluate(async () => {
        for (let y = 0; y < document.body.scrollHeight; y += 500) {
          window.scrollTo(0, y);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        window.scrollTo(0, 0);
      });
    }
    // Let the charts take the last live updates, then hold still for the picture.
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(docs, path), fullPage: options.fullPage ?? false });
    await context.close();
    process.stdout.write(`docs/${path}\n`);
  }

  const reactor = reactors[0];
  const openReactor = async (page: Page) => {
    await page.goto(`${service.url}/reactors/${reactor}?range=3d`);
    await page.locator('[data-testid=reactor-page][data-loaded=true]').waitFor({ timeout: 60_000 });
    await page.locator('[data-chart=drift][data-points]:not([data-points="0"])').waitFor({ timeout: 60_000 });
  };

  await shoot('overview.png', { width: 1366, height: 768 }, async (page) => {
    await page.goto(service.url);
    await page
      .locator('[data-reactor] [data-testid=satellite-fraction]')
      .first()
      .waitFor({ timeout: 60_000 });
  });
  await shoot('reactor.png', { width: 1366, height: 768, fullPage: true }, openReactor);
  await shoot('reactor-dark.png', { width: 1366, height: 768, dark: true }, openReactor);
  await shoot('reactor-tablet.png', { width: 820, height: 1180 }, openReactor);
  // The satellite shift of the second reactor (plant day 7) fires its alarm a few minutes in; an
  // operator has acknowledged it, so the picture shows both buttons' effect and the history.
  const alarmDeadline = Date.now() + 300_000;
  let alarms = (await service.getJson<AlertsResponse>('/api/alerts')).alarms;
  while (alarms.length === 0 && Date.now() < alarmDeadline) {
    await new Promise((r) => setTimeout(r, 2000));
    alarms = (await service.getJson<AlertsResponse>('/api/alerts')).alarms;
  }
  if (alarms.length === 0) process.stdout.write('no alarm fired in 5 min: alerts.png shows none\n');
  else await service.api.call('POST', `/api/alerts/${alarms[0].id}/acknowledge`, {});
  await shoot('alerts.png', { width: 1366, height: 768 }, async (page) => {
    await page.goto(`${service.url}/alerts`);
    await page.locator('[data-testid=alert-count]').waitFor({ timeout: 30_000 });
  });
  await shoot('settings.png', { width: 1366, height: 900 }, async (page) => {
    await page.goto(`${service.url}/settings`);
    await page.locator('[data-testid=rules-section] [data-rule-id]').first().waitFor({ timeout: 30_000 });
  });
  await shoot('login.png', { width: 1366, height: 768 }, async (page) => {
    await page.context().clearCookies();
    await page.goto(`${service.url}/login`);
  });
} finally {
  await browser.close();
  await service.stop();
}
