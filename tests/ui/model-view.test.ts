/**
 * The model view (/reactors/:id/model) in Chromium against the real service (auth on, the simulated
 * plant): an operator gives r1 the seed's mechanism as a community model, starts a refinement of it
 * from the page, watches it finish, and reads the structure (links marked kept / removed /
 * undetermined in the diagram and in words), the log, the evidence and the two fits compared; a
 * viewer sees Adopt disabled with the reason; the operator adopts the proposed model and the reactor
 * runs it. axe-core finds nothing serious, and the page fits a phone's width.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { communityModel, formatModelFile } from '../../assimilation';
import type { ReactorModelView, RefinementView } from '../../contract/api';
import { communityWith, seedLinks } from '../../simulator/community-plants';
import { seriousAxeFindings } from './fixtures/axe';
import { type ConsoleLog, consoleLog, launchChromium, newContext } from './fixtures/browser';
import { signInContext } from './fixtures/login';
import {
  accounts,
  type ServiceProcess,
  startService,
  waitForSimulatedReactors,
} from './fixtures/service-process';

const communityFile = formatModelFile(
  communityModel(
    'seed-community',
    'The seed as a community of X and Y1',
    communityWith(['Y1'], ['A', 'B'], seedLinks),
  ),
);

let service: ServiceProcess;
let browser: Browser;
let operator: BrowserContext;
let page: Page;
const log: ConsoleLog = consoleLog();

beforeAll(async () => {
  service = await startService({ env: { SIMULATOR_REACTORS: 'r1:steady' } });
  await waitForSimulatedReactors(service);
  const put = await service.api.call('PUT', '/api/reactors/r1/model', { fileText: communityFile });
  expect(put.status, put.text).toBe(200);
  browser = await launchChromium();
  operator = await newContext(browser, { width: 1440, height: 900 });
  await signInContext(operator, service, accounts.operator);
  page = await operator.newPage();
  log.watch(page);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

const stateOf = (p: Page) =>
  p
    .locator('[data-testid=structure-diagram] [data-link]')
    .evaluateAll((els) =>
      Object.fromEntries(els.map((e) => [e.getAttribute('data-link'), e.getAttribute('data-state')])),
    );

test('an operator refines the reactor’s model from the page and reads the structure, the log and both fits', async () => {
  // From the reactor page's model section to the model view.
  await page.goto(`${service.url}/reactors/r1`);
  await page.locator('[data-testid=model-view-link]').click();
  await page.waitForURL(/\/reactors\/r1\/model$/);
  await page.locator('[data-testid=model-name]', { hasText: 'seed-community' }).waitFor({ timeout: 60_000 });
  // Before any refinement: the model's own six links, all in the model.
  await page.locator('[data-testid=structure-diagram]').waitFor();
  expect(Object.values(await stateOf(page))).toEqual(Array(6).fill('in the model'));
  expect(await page.locator('[data-testid=refinements]').count()).toBe(0);

  await page.getByLabel('hours of readings').fill('24');
  await page.getByRole('button', { name: 'Start refinement' }).click();
  const status = page.locator('[data-testid=refinement-status]');
  await status.waitFor({ timeout: 30_000 });
  await expect.poll(() => status.textContent(), { timeout: 150_000, interval: 1000 }).toMatch(/^done/);
  const [refinement] = await service.getJson<RefinementView[]>('/api/reactors/r1/refinements');
  expect(refinement.status).toBe('done');
  const result = refinement.result!;

  // The diagram marks every link with its verdict, and the list says it in words.
  const states = await stateOf(page);
  expect(Object.keys(states)).toHaveLength(6);
  for (const link of result.links.filter((l) => l.verdict !== 'off')) {
    const expected = link.verdict === 'kept' ? (link.undetermined ? 'undetermined' : 'kept') : link.verdict;
    expect(states[link.link], link.link).toBe(expected);
  }
  expect(Object.values(states)).toContain('kept');
  const words = await page.locator('[data-testid=structure-links] li').allTextContents();
  expect(words).toHaveLength(6);
  // Each link in words with its verdict (which links the readings support depends on the live plant's day).
  const uptakeY1B = result.links.find((l) => l.link === 'uptake Y1 B')!;
  const y1bState =
    uptakeY1B.verdict === 'kept' && uptakeY1B.undetermined ? 'undetermined' : uptakeY1B.verdict;
  expect(words).toContain(`${y1bState} Y1 grows on B (uptake)`);
  for (const w of words) expect(w).toMatch(/^(kept|removed|undetermined) /);
  expect(await page.locator('[data-testid=structure-diagram] title').first().textContent()).toMatch(
    /: (kept|removed|kept, undetermined)/,
  );

  // The log, one row per test, with its reason; the evidence per link.
  const logRows = page.locator('[data-testid=refinement-log] tbody tr');
  expect(await logRows.count()).toBe(result.steps.length);
  expect(await logRows.first().locator('td.reason').textContent()).toMatch(
    /removing it makes the fit worse|not needed/,
  );
  expect(await page.locator('[data-testid=link-evidence] tbody tr').count()).toBe(6);
  // The two fits compared: links, parameters, AIC, BIC, and a chart of both over the readings.
  const comparison = await page.locator('[data-testid=fit-comparison] tbody tr').allTextContents();
  expect(comparison.find((r) => r.startsWith('Links'))).toBe(
    `Links${result.current.linksOn}${result.proposed.linksOn}${result.proposed.linksOn - result.current.linksOn >= 0 ? '+' : ''}${result.proposed.linksOn - result.current.linksOn}`,
  );
  expect(comparison.some((r) => r.startsWith('AIC'))).toBe(true);
  for (const signal of ['od', 'substrate']) {
    const chart = page.locator(`[data-chart=refinement-${signal}]`);
    await chart.scrollIntoViewIfNeeded();
    expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(20);
    await expect.poll(() => chart.locator('canvas').count(), { timeout: 10_000 }).toBeGreaterThan(0);
  }
  expect(await seriousAxeFindings(page)).toEqual([]);
  expect(log.errors).toEqual([]);
}, 240_000);

test('a viewer sees Adopt and Start disabled with the reason; the operator adopts and the reactor runs the proposed model', async () => {
  const viewer = await newContext(browser, { width: 390, height: 844 });
  await signInContext(viewer, service, accounts.viewer);
  const v = await viewer.newPage();
  await v.goto(`${service.url}/reactors/r1/model`);
  const adopt = v.getByRole('button', { name: 'Adopt the proposed model' });
  await adopt.waitFor({ timeout: 60_000 });
  expect(await adopt.isDisabled()).toBe(true);
  expect(await v.locator('[data-testid=adopt-disabled-reason]').textContent()).toMatch(
    /Only an operator may adopt a model; you are signed in as a viewer/,
  );
  expect(await v.getByRole('button', { name: 'Start refinement' }).isDisabled()).toBe(true);
  // On a phone the page is as wide as the screen (wide tables scroll inside their own box).
  const widths = await v.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    diagram: document.querySelector('[data-testid=structure-diagram]')!.getBoundingClientRect().width,
  }));
  expect(widths.page).toBeLessThanOrEqual(390);
  expect(widths.diagram).toBeGreaterThan(250);
  expect(await seriousAxeFindings(v)).toEqual([]);
  await viewer.close();

  const [refinement] = await service.getJson<RefinementView[]>('/api/reactors/r1/refinements');
  const proposed = refinement.result!.proposedModel;
  await page.getByRole('button', { name: 'Adopt the proposed model' }).click();
  await page.getByRole('status').filter({ hasText: 'Adopted' }).waitFor({ timeout: 30_000 });
  await expect
    .poll(() => page.locator('[data-testid=model-version]').textContent(), { timeout: 10_000 })
    .toBe(proposed.version);
  expect(await page.locator('[data-testid=adopt-disabled-reason]').textContent()).toMatch(
    /The reactor runs this model/,
  );
  const model = await service.getJson<ReactorModelView>('/api/reactors/r1/model');
  expect(model).toMatchObject({
    version: proposed.version,
    builtIn: false,
    setBy: accounts.operator.username,
  });
  expect(log.errors).toEqual([]);
}, 120_000);
