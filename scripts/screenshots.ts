/**
 * Regenerates the dashboard screenshots in docs/ from the real service in simulator mode, so that
 * they stay true: `npm run screenshots`. Starts the service on free ports with a temporary database,
 * waits for every simulated reactor to have fits, then photographs the pages in Chromium at desktop
 * size (1440×900) and phone size (390×844, `*-phone.png`). Names after `--` take only those shots
 * (`npm run screenshots -- model` for model.png and model-phone.png) and skip the wait for the fits.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { communityModel, formatModelFile } from '../assimilation';
import type { AlertsResponse, ReactorSummary, RefinementView } from '../contract/api';
import { communityWith, seedLinks } from '../simulator/community-plants';
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
const only = process.argv.slice(2);
const wanted = (path: string) => only.length === 0 || only.some((name) => path.startsWith(name));
mkdirSync(docs, { recursive: true });

const service = await startService();
const browser = await launchChromium();
try {
  const reactors = await waitForSimulatedReactors(service);
  for (const id of only.length > 0 ? [] : reactors) await waitForFit(service, id, 180_000);
  // The simulator starts with days of history: let the fits catch up with it (at most 5 min), so the
  // pictures show a plant being followed, and the drift and diagnostics charts have a history.
  const caughtUpBy = Date.now() + 300_000;
  while (only.length === 0) {
    const summaries = await service.getJson<ReactorSummary[]>('/api/reactors');
    const lagH = Math.max(
      ...summaries.map((s) => ((s.latest.od?.tsMs ?? 0) - (s.latestEstimate?.windowEndMs ?? 0)) / 3_600_000),
    );
    if (lagH < 3 || Date.now() > caughtUpBy) {
      process.stdout.write(`fits ${lagH.toFixed(1)} plant h behind the readings\n`);
      break;
    }
    await new Promise((r) => setTimeout(r, 2000));
  }

  async function shoot(
    path: string,
    options: { width: number; height: number; dark?: boolean; fullPage?: boolean },
    visit: (page: Page) => Promise<void>,
  ): Promise<void> {
    if (!wanted(path)) return;
    const context = await browser.newContext({
      viewport: { width: options.width, height: options.height },
      colorScheme: options.dark ? 'dark' : 'light',
    });
    // Logged in as the operator (auth on, as in production): the header shows who, and every control.
    await signInContext(context, service, accounts.operator);
    const page = await context.newPage();
    await visit(page);
    if (options.fullPage) {
      // Charts are drawn as they come near the screen: pass by each of them once.
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

  const desktop = { width: 1440, height: 900 };
  const phone = { width: 390, height: 844 };
  const reactor = reactors[0];
  const openReactor = async (page: Page) => {
    await page.goto(`${service.url}/reactors/${reactor}?from=now-3d&to=now`);
    await page.locator('[data-testid=reactor-page][data-loaded=true]').waitFor({ timeout: 60_000 });
    await page.locator('[data-chart=drift][data-points]:not([data-points="0"])').waitFor({ timeout: 60_000 });
  };
  const openOverview = async (page: Page) => {
    await page.goto(service.url);
    await page
      .locator('[data-reactor] [data-testid=satellite-fraction]')
      .first()
      .waitFor({ timeout: 60_000 });
  };

  await shoot('overview.png', desktop, openOverview);
  await shoot('overview-phone.png', { ...phone, fullPage: true }, openOverview);
  await shoot('reactor.png', { ...desktop, fullPage: true }, openReactor);
  await shoot('reactor-dark.png', { ...desktop, dark: true }, openReactor);
  await shoot('reactor-phone.png', { ...phone, fullPage: true }, openReactor);
  await shoot('compare.png', desktop, async (page) => {
    await page.goto(`${service.url}/compare?quantity=satellite-fraction&from=now-3d&to=now`);
    await page.locator('[data-testid=compare-page][data-loaded=true]').waitFor({ timeout: 60_000 });
  });
  await shoot('kiosk.png', { width: 1920, height: 1080, dark: true }, async (page) => {
    await page.goto(`${service.url}/kiosk`);
    await page
      .locator('[data-testid=kiosk] [data-testid=satellite-fraction]')
      .first()
      .waitFor({ timeout: 60_000 });
  });
  // The satellite shift of the second reactor (plant day 7) fires its alarm a few minutes in; an
  // operator has acknowledged it, so the picture shows both buttons' effect and the history.
  const alarmDeadline = Date.now() + (wanted('alerts') ? 300_000 : 0);
  let alarms = (await service.getJson<AlertsResponse>('/api/alerts')).alarms;
  while (alarms.length === 0 && Date.now() < alarmDeadline) {
    await new Promise((r) => setTimeout(r, 2000));
    alarms = (await service.getJson<AlertsResponse>('/api/alerts')).alarms;
  }
  if (alarms.length === 0) {
    if (wanted('alerts')) process.stdout.write('no alarm fired in 5 min: alerts.png shows none\n');
  } else await service.api.call('POST', `/api/alerts/${alarms[0].id}/acknowledge`, {});
  const openAlerts = async (page: Page) => {
    await page.goto(`${service.url}/alerts`);
    await page.locator('[data-testid=alert-count]').waitFor({ timeout: 30_000 });
  };
  await shoot('alerts.png', desktop, openAlerts);
  await shoot('alerts-phone.png', { ...phone, fullPage: true }, openAlerts);
  await shoot('report.png', { ...desktop, fullPage: true }, async (page) => {
    await page.goto(`${service.url}/reactors/${reactors[reactors.length - 1]}/report?from=now-3d&to=now`);
    await page.locator('[data-testid=shift-report][data-loaded=true]').waitFor({ timeout: 60_000 });
  });
  await shoot('settings.png', desktop, async (page) => {
    await page.goto(`${service.url}/settings`);
    await page.locator('[data-testid=rules-section] [data-rule-id]').first().waitFor({ timeout: 30_000 });
  });
  // A device account just made: its password shown once with the publish line that uses it.
  const openDevices = (name: string) => async (page: Page) => {
    await page.goto(`${service.url}/settings#devices-title`);
    const section = page.locator('[data-testid=devices-section]');
    await section.locator('input[name=device-reactor]').first().waitFor({ timeout: 30_000 });
    await section.locator('#device-name').fill(name);
    await section.locator('input[name=device-reactor]').first().check();
    await section.locator('[data-testid=create-device]').click();
    await section.locator('[data-testid=shown-once]').waitFor({ timeout: 30_000 });
    // The section's top just below the sticky header.
    await section.evaluate((element) => {
      const header = document.querySelector('header')?.getBoundingClientRect().height ?? 0;
      window.scrollTo(0, element.getBoundingClientRect().top + window.scrollY - header - 8);
    });
  };
  await shoot('devices.png', desktop, openDevices('plant-r1'));
  await shoot('devices-phone.png', phone, openDevices('plant-r1b'));
  // The model view after a refinement of the seed's mechanism written as a community model.
  if (wanted('model')) {
    const fileText = formatModelFile(
      communityModel(
        'seed-community',
        'The seed as a community of X and Y1',
        communityWith(['Y1'], ['A', 'B'], seedLinks),
      ),
    );
    await service.api.call('PUT', `/api/reactors/${reactor}/model`, { fileText });
    await service.api.call('POST', `/api/reactors/${reactor}/refinements`, { model: 'current', hours: 48 });
    const refinedBy = Date.now() + 300_000;
    while (Date.now() < refinedBy) {
      const [r] = await service.getJson<RefinementView[]>(`/api/reactors/${reactor}/refinements`);
      if (r && r.status !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
  const openModel = async (page: Page) => {
    await page.goto(`${service.url}/reactors/${reactor}/model`);
    await page.locator('[data-testid=refinement-log]').waitFor({ timeout: 60_000 });
  };
  await shoot('model.png', { ...desktop, fullPage: true }, openModel);
  await shoot('model-phone.png', { ...phone, fullPage: true }, openModel);
  await shoot('login.png', desktop, async (page) => {
    await page.context().clearCookies();
    await page.goto(`${service.url}/login`);
  });
} finally {
  await browser.close();
  await service.stop();
}
