/**
 * "To learn more" on the reactor page, in chromium against the real service (auth on, the simulated
 * plant): the top actions with today's band beside the one predicted after the horizon, the plot of
 * a proposed dilution program, an operator accepting it (recorded under their name, run by the
 * simulated plant), an assay result typed in and recorded, and a viewer who sees the advice but can
 * neither accept nor enter.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AcceptedProgramView, AssayEntryView } from '../../contract/api';
import { type ConsoleLog, consoleLog, launchChromium, newContext } from './fixtures/browser';
import { signInContext } from './fixtures/login';
import { accounts, type ServiceProcess, startService, waitForFit } from './fixtures/service-process';

let service: ServiceProcess;
let browser: Browser;
let page: Page;
const log: ConsoleLog = consoleLog();

async function openPanel(p: Page): Promise<void> {
  await p.goto(`${service.url}/reactors/r1`);
  const panel = p.locator('[data-testid=design-panel]');
  await panel.scrollIntoViewIfNeeded();
  await expect.poll(() => panel.getAttribute('data-state'), { timeout: 90_000 }).toBe('ready');
}

beforeAll(async () => {
  service = await startService({ env: { SIMULATOR_REACTORS: 'r1:steady', SIMULATOR_BACKFILL_DAYS: '1' } });
  await waitForFit(service, 'r1');
  browser = await launchChromium();
  const context = await newContext(browser);
  await signInContext(context, service, accounts.operator);
  page = await context.newPage();
  log.watch(page);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

describe('to learn more, in the browser', () => {
  test('shows the top actions, each band after the horizon beside today’s, and the program’s plot', async () => {
    await openPanel(page);
    const panel = page.locator('[data-testid=design-panel]');
    const actions = panel.locator('[data-testid=design-action]');
    const count = await actions.count();
    expect(count).toBeGreaterThanOrEqual(3);
    expect(count).toBeLessThanOrEqual(4);
    const ranks = (
      await actions.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-rank'))))
    ).slice(0, 3);
    expect(ranks).toEqual([1, 2, 3]);
    expect(await panel.locator('[data-testid=design-criterion]').textContent()).toMatch(/A-optimal/);
    // Every action: each target's band today and after the horizon, in display units (the fraction in %).
    for (let k = 0; k < count; k++) {
      const rows = actions.nth(k).locator('[data-testid=design-bands] tbody tr');
      expect(await rows.count()).toBeGreaterThan(0);
      const fraction = actions.nth(k).locator('tr[data-target=satellite_fraction]');
      expect(await fraction.locator('[data-band=today]').textContent()).toMatch(
        /^\d+\.\d{2} % – \d+\.\d{2} %$/,
      );
      expect(await fraction.locator('[data-band=after-horizon]').textContent()).toMatch(/%.*–.*%/);
      // A combination shows its unit too (gB/vB is in hours).
      expect(await actions.nth(k).locator('tr[data-target="gB/vB"] [data-band=today]').textContent()).toMatch(
        /^\S+ h – \S+ h$/,
      );
    }
    // A dilution program is among them, with its plot drawn on a canvas.
    const program = panel.locator('[data-testid=design-action][data-kind=dilution-program]').first();
    const chart = program.locator('[data-chart=dilution-program]');
    expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(8);
    expect(await chart.getAttribute('aria-label')).toMatch(/Proposed dilution program \d+: .* 1\/h/);
    // Charts draw when they come into view.
    await chart.scrollIntoViewIfNeeded();
    await expect.poll(() => chart.locator('canvas').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    // What limits every action is said in words (the advice is over 72 h, past the estimator's memory).
    expect(await panel.locator('[data-testid=design-notes]').textContent()).toMatch(
      /remembers about \d+ h of readings/,
    );
    expect(log.errors).toEqual([]);
  });

  test('an operator accepts a program: recorded under their name, the simulated plant runs it', async () => {
    const panel = page.locator('[data-testid=design-panel]');
    const accept = page.getByRole('button', { name: /^Accept dilution program ranked \d+: / }).first();
    const name = (await accept.getAttribute('aria-label')) ?? '';
    const summary = name.replace(/^Accept dilution program ranked \d+: /, '');
    await accept.click();
    await expect
      .poll(() => panel.locator('[data-testid=design-message]').textContent(), { timeout: 20_000 })
      .toMatch(/accepted by alice: the simulated plant runs it/);
    const listed = await service.getJson<AcceptedProgramView[]>('/api/reactors/r1/dilution-programs');
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ acceptedBy: 'alice', appliedBy: 'simulator', summary });
    const row = panel.locator(`[data-testid=accepted-programs] tr[data-program-id="${listed[0].id}"]`);
    expect(await row.textContent()).toContain('alice');
    expect(await row.textContent()).toContain('the simulated plant');
  });

  test('an operator enters an assay result; it is recorded with its times', async () => {
    const form = page.locator('[data-testid=assay-entry]');
    await form.locator('select[name=signal]').selectOption('B');
    await form.locator('input[name=value]').fill('0.045');
    const sampledText = await form.locator('input[name=sampledAt]').inputValue();
    expect(sampledText).toMatch(/^\d+(\.\d+)?$/);
    await form.locator('input[name=measuredAt]').fill(String(Number(sampledText) + 2));
    await form.getByRole('button', { name: 'Record assay' }).click();
    await expect
      .poll(() => form.locator('[data-testid=assay-message]').textContent(), { timeout: 20_000 })
      .toMatch(/Assay of B .* recorded by alice/);
    const entries = await service.getJson<AssayEntryView[]>('/api/reactors/r1/assays');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ signal: 'B', value: 0.045, enteredBy: 'alice' });
    expect(entries[0].measuredAtMs - entries[0].sampledAtMs).toBe(2 * 3_600_000);

    // A measurement before its sample is refused with the service's reason, nothing recorded.
    await form.locator('input[name=value]').fill('0.05');
    await form.locator('input[name=measuredAt]').fill(String(Number(sampledText) - 1));
    await form.getByRole('button', { name: 'Record assay' }).click();
    await expect
      .poll(() => form.locator('[data-testid=assay-message]').textContent(), { timeout: 20_000 })
      .toMatch(/Not recorded: .*measured-before-sampled|Not recorded: .*cannot come before/);
    expect(await service.getJson<AssayEntryView[]>('/api/reactors/r1/assays')).toHaveLength(1);
    // The refusal is the browser's only console error (a failed request is logged as one).
    expect(log.errors).toEqual([expect.stringMatching(/status of 400 \(Bad Request\)/)]);
    log.errors.length = 0;
  });

  test('a viewer sees the advice but no Accept button and no assay form', async () => {
    const context = await newContext(browser);
    await signInContext(context, service, accounts.viewer);
    const viewerPage = await context.newPage();
    log.watch(viewerPage);
    await openPanel(viewerPage);
    const panel = viewerPage.locator('[data-testid=design-panel]');
    expect(await panel.locator('[data-testid=design-action]').count()).toBeGreaterThan(0);
    expect(await viewerPage.getByRole('button', { name: /^Accept / }).count()).toBe(0);
    expect(await panel.locator('[data-testid=assay-entry]').count()).toBe(0);
    await context.close();
    expect(log.errors).toEqual([]);
  });
});
