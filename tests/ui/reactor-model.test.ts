/**
 * The model on the reactor page, in Chromium against the real service: r1 runs the built-in model,
 * r2 is given a model file of its own through the API; each page names its reactor's model and
 * version and typesets that model's equations and parameters.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { communityModel, formatModelFile } from '../../assimilation';
import type { FitRecord, ReactorModelView } from '../../contract/api';
import { communityWith, seedLinks } from '../../simulator/community-plants';
import { type ConsoleLog, consoleLog, launchChromium, newContext } from './fixtures/browser';
import { signInContext } from './fixtures/login';
import {
  accounts,
  type ServiceProcess,
  startService,
  waitForFit,
  waitForSimulatedReactors,
} from './fixtures/service-process';

let service: ServiceProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const log: ConsoleLog = consoleLog();

const communityFile = formatModelFile(
  communityModel(
    'seed-community',
    'The seed as a community of X and Y1',
    communityWith(['Y1'], ['A', 'B'], seedLinks),
  ),
);

beforeAll(async () => {
  service = await startService({ env: { SIMULATOR_REACTORS: 'r1,r2' } });
  await waitForSimulatedReactors(service);
  browser = await launchChromium();
  context = await newContext(browser, { width: 1440, height: 900 });
  await signInContext(context, service, accounts.operator);
  page = await context.newPage();
  log.watch(page);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

async function modelSection(reactorId: string) {
  await page.goto(`${service.url}/reactors/${reactorId}`);
  const section = page.locator('[data-testid=reactor-model]');
  await section.locator('[data-testid=model-version]').waitFor({ timeout: 60_000 });
  return section;
}

test('each reactor page names its model and version and shows that model’s equations', async () => {
  const builtIn = await service.getJson<ReactorModelView>('/api/reactors/r1/model');
  let section = await modelSection('r1');
  expect(await section.locator('[data-testid=model-name]').textContent()).toBe('chemostat-satellite');
  expect(await section.locator('[data-testid=model-version]').textContent()).toBe(builtIn.version);
  expect(await section.textContent()).toContain('the built-in model');
  expect(await section.locator('math').count()).toBeGreaterThan(3);
  expect(await section.locator('td code').allTextContents()).toContain('muBmax');

  const put = await service.api.call('PUT', '/api/reactors/r2/model', { fileText: communityFile });
  expect(put.status, put.text).toBe(200);
  const chosen = put.json<ReactorModelView>();
  section = await modelSection('r2');
  expect(await section.locator('[data-testid=model-name]').textContent()).toBe('seed-community');
  expect(await section.locator('[data-testid=model-version]').textContent()).toBe(chosen.version);
  expect(await section.textContent()).toContain(`chosen by ${accounts.operator.username}`);
  // Its own equations and parameters, typeset in the browser: a rate per state, the links' parameters.
  expect(await section.locator('math').count()).toBeGreaterThan(3);
  const parameters = await section.locator('td code').allTextContents();
  expect(parameters).toContain('muMax_Y1_B');
  expect(parameters).not.toContain('muBmax');
  // r1 still shows the built-in.
  section = await modelSection('r1');
  expect(await section.locator('[data-testid=model-name]').textContent()).toBe('chemostat-satellite');
  // Once r2 has fitted with its new model, its fits table names each fit's model.
  await waitForFit(service, 'r2');
  const deadline = Date.now() + 120_000;
  let fits = await service.getJson<FitRecord[]>('/api/reactors/r2/estimates?trajectories=none');
  while (!fits.some((f) => f.model?.version === chosen.version) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    fits = await service.getJson<FitRecord[]>('/api/reactors/r2/estimates?trajectories=none');
  }
  await modelSection('r2');
  const models = page.locator('[data-testid=fit-model]');
  await page
    .locator('[data-testid=fit-model]', { hasText: 'seed-community' })
    .first()
    .waitFor({ timeout: 60_000 });
  const named = await models.allTextContents();
  expect(named).toContain('seed-community');
  // Each row names its own fit's model (the older, built-in fits are further back than the table's 12).
  for (const name of named) expect(['seed-community', 'chemostat-satellite']).toContain(name);
  expect(log.errors).toEqual([]);
}, 240_000);
