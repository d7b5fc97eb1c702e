/**
 * The operator's view (issue 22), against one real service (the simulated plant, auth on, the
 * default alert rules, a device account for a reactor of the test's own) in one Chromium: every
 * section of the reactor page is in the page; the phone layout; the forecast band and the cards'
 * shared scale; accessible names of repeated buttons; axe-core on every page; the time range as in
 * Grafana, reproduced from its copied link; errors in words in the forms and the satellite threshold
 * typed as shown; compare and kiosk; the shift report and its PDF; first-fit progress and catching up.
 */
import mqtt from 'mqtt';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AlertRuleView, AlertsResponse, FitProgress, ReactorSummary } from '../../contract/api';
import { seriousAxeFindings } from './fixtures/axe';
import { type ConsoleLog, consoleLog, launchChromium, newContext } from './fixtures/browser';
import { extentOf, inkedPixels } from './fixtures/charts';
import { signInContext } from './fixtures/login';
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
let desktop: BrowserContext;
let page: Page;
const log: ConsoleLog = consoleLog();

async function signedInContext(options: { width?: number; height?: number; dark?: boolean } = {}) {
  const context = await newContext(browser, {
    width: options.width ?? 1440,
    height: options.height ?? 900,
    colorScheme: options.dark ? 'dark' : 'light',
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: service.url });
  await signInContext(context, service, accounts.operator);
  return context;
}

async function openReactor(p: Page, reactorId: string, search = ''): Promise<void> {
  await p.goto(`${service.url}/reactors/${reactorId}${search}`);
  await p.locator('[data-testid=reactor-page][data-loaded=true]').waitFor({ timeout: 60_000 });
}

/** Publishes `hours` of 15-minute readings of a reactor of our own, ending at `endMs` (plant clock). */
async function publishReadings(reactorId: string, endMs: number, hours: number): Promise<void> {
  const client = await mqtt.connectAsync(service.mqttUrl, {
    username: service.mqttDevice?.username,
    password: service.mqttDevice?.password,
  });
  const steps = Math.round(hours * 4);
  for (let i = 0; i <= steps; i++) {
    const ts = endMs - (steps - i) * 15 * 60_000;
    for (const [signal, value] of [
      ['od', 90 + Math.sin(i / 5)],
      ['substrate', 8 + Math.cos(i / 7)],
      ['dilution', 0.25],
    ] as const)
      await client.publishAsync(`culturewatch/${reactorId}/${signal}`, JSON.stringify({ ts, value }), {
        qos: 1,
      });
  }
  await client.endAsync();
}

beforeAll(async () => {
  service = await startService({
    env: { SIMULATOR_REACTORS: 'r1:steady,r2:satellite-shift' },
    mqttDevice: true,
  });
  await waitForSimulatedReactors(service);
  // An alarm that fires at once on r2 (any OD is above this), for the alerts page and the report.
  const put = await service.api.call('PUT', '/api/alert-rules/od-beyond-test-limit', {
    rule: {
      id: 'od-beyond-test-limit',
      kind: 'reading-range',
      name: 'OD beyond the test limit',
      reactors: ['r2'],
      severity: 'major',
      signal: 'od',
      max: 0.0001,
    },
  });
  if (put.status !== 200) throw new Error(`rule not made: ${put.status} ${put.text}`);
  await waitForFit(service, 'r1');
  await waitForFit(service, 'r2');
  browser = await launchChromium();
  desktop = await signedInContext();
  page = await desktop.newPage();
  log.watch(page);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

describe('the reactor page holds every section', () => {
  test('its text has every section heading without scrolling', async () => {
    await openReactor(page, 'r1');
    const headings = [
      'Measurements and model',
      'Community composition (estimated, 95 % bands)',
      'Parameter drift (95 % bands, log scale)',
      'Parameter combinations (95 % bands, log scale)',
      'Fit diagnostics',
      'Newest fits',
      'Demo controls (simulated plant)',
      'The model',
    ];
    // The rendered text (what find-in-page, copy and printing get), not the DOM's: content the
    // browser skips rendering has none.
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point.
    const text = await page.evaluate(() => document.body.innerText);
    for (const h of headings) expect(text).toContain(h);
    const shown = await page
      .locator('h2')
      // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point.
      .evaluateAll((els) => els.map((e) => (e as HTMLElement).innerText));
    expect(shown).toEqual(expect.arrayContaining(headings));
    expect(shown.filter((h) => h.trim() === '')).toEqual([]);
    // And rendered, far below the fold too: none is skipped (content-visibility) until scrolled to,
    // which is what leaves find-in-page, printing and a full-page capture without it.
    const skipped = await page
      .locator('h2')
      .evaluateAll((els) =>
        els.filter((e) => !e.checkVisibility({ contentVisibilityAuto: true })).map((e) => e.textContent),
      );
    expect(skipped).toEqual([]);
    // Every jump link lands on a heading that is there.
    const targets = await page
      .locator('nav[aria-label="Sections of this page"] a[href^="#"]')
      .evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).hash.slice(1)));
    expect(targets.length).toBeGreaterThanOrEqual(7);
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point.
    for (const id of targets) expect(await page.locator(`#${id}`).innerText()).not.toBe('');
  });

  test('printing draws every chart, also those never scrolled to', async () => {
    await openReactor(page, 'r1');
    const charts = await page.locator('[data-chart]').count();
    expect(await page.locator('[data-chart] canvas').count()).toBeLessThan(charts);
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 4).toString()).toBe('%PDF');
    expect(await page.locator('[data-chart] canvas').count()).toBeGreaterThanOrEqual(charts);
  });

  test('a jump link on the desktop lands below the sticky header and toolbar', async () => {
    await openReactor(page, 'r1');
    for (const id of ['drift-title', 'diagnostics-title']) {
      await page.locator(`a[href="#${id}"]`).click();
      await page.waitForTimeout(300);
      expect(await headingIsUncovered(page, id)).toBe(true);
    }
  });
});

/** Whether the heading's middle is the heading itself on screen (not under a sticky bar). */
function headingIsUncovered(p: Page, id: string): Promise<boolean> {
  return p.evaluate((headingId) => {
    const h = document.getElementById(headingId);
    if (!h) return false;
    const box = h.getBoundingClientRect();
    const at = document.elementFromPoint(box.left + Math.min(40, box.width / 2), box.top + box.height / 2);
    return box.top >= 0 && box.bottom <= window.innerHeight && at !== null && h.contains(at);
  }, id);
}

describe('the reactor page on a phone (390×844)', () => {
  let phone: BrowserContext;
  let p: Page;
  beforeAll(async () => {
    phone = await signedInContext({ width: 390, height: 844 });
    p = await phone.newPage();
    log.watch(p);
    await openReactor(p, 'r1');
  });
  afterAll(async () => {
    await phone.close();
  });

  test('the header takes two rows and a jump link lands on an uncovered section', async () => {
    const header = await p.locator('.site-header').boundingBox();
    expect(header?.height).toBeLessThan(100);
    for (const id of ['composition-title', 'drift-title', 'fits-title']) {
      await p.locator(`a[href="#${id}"]`).click();
      await p.waitForTimeout(300);
      expect(await headingIsUncovered(p, id)).toBe(true);
    }
  });

  test('nothing is wider than the phone: wide tables scroll in their own box', async () => {
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  });

  test('parameter-drift titles sit in one column, none over another, each inside the chart', async () => {
    const drift = p.locator('[data-section=drift]');
    await drift.scrollIntoViewIfNeeded();
    await p.locator('[data-chart=drift][data-points]:not([data-points="0"])').waitFor({ timeout: 60_000 });
    expect(await drift.locator('.multiple-titles').getAttribute('data-columns')).toBe('1');
    const chart = await drift.locator('.chart').boundingBox();
    const boxes = await drift.locator('.multiple-titles li').evaluateAll((els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        return {
          left: r.left,
          right: r.right,
          top: r.top,
          bottom: r.bottom,
          full: e.scrollWidth <= e.clientWidth,
        };
      }),
    );
    expect(boxes.length).toBeGreaterThanOrEqual(10);
    for (const [i, a] of boxes.entries()) {
      expect(a.left).toBeGreaterThanOrEqual((chart?.x ?? 0) - 1);
      expect(a.right).toBeLessThanOrEqual((chart?.x ?? 0) + (chart?.width ?? 0) + 1);
      for (const b of boxes.slice(i + 1))
        expect(a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top).toBe(true);
    }
    // A title cut at the column's edge still shows the name and unit first, the whole in its tooltip.
    const first = drift.locator('.multiple-titles li').first();
    expect(await first.getAttribute('title')).toMatch(/^\w+ \([^)]+\) — /);
  });

  test('legends wrap onto rows instead of splitting into pages', async () => {
    for (const chart of ['measurements', 'composition', 'diagnostics']) {
      const items = p.locator(`[data-section=${chart}] .chart-legend li`);
      expect(await items.count()).toBeGreaterThanOrEqual(7);
      const boxes = await items.evaluateAll((els) =>
        els.map((e) => {
          const r = e.getBoundingClientRect();
          return { left: r.left, right: r.right };
        }),
      );
      for (const b of boxes) {
        expect(b.left).toBeGreaterThanOrEqual(0);
        expect(b.right).toBeLessThanOrEqual(390);
      }
    }
    // And no canvas legend with page arrows is drawn.
    expect(await p.locator('[data-section=measurements] .chart-legend button').first().isVisible()).toBe(
      true,
    );
  });
});

describe('bands and scales', () => {
  test('the forecast band is a band: hiding it takes thousands of pixels off the chart', async () => {
    // 12 h around the newest fit's window end (the fits may lag the demo's fast readings): the
    // forecast's 6 h fill half of it.
    const windowEnd = (await service.getJson<ReactorSummary[]>('/api/reactors')).find((s) => s.id === 'r1')
      ?.latestEstimate?.windowEndMs as number;
    await openReactor(page, 'r1', `?from=${windowEnd - 6 * hourMs}&to=${windowEnd + 6 * hourMs}`);
    await page.locator('[data-testid=forecast-note]').waitFor({ timeout: 60_000 });
    await page.waitForTimeout(500);
    const shown = await inkedPixels(page, 'measurements');
    const toggle = page.getByRole('button', { name: 'forecast, 95 % band of readings' });
    await toggle.click();
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    await page.waitForTimeout(500);
    const hidden = await inkedPixels(page, 'measurements');
    // The dashed forecast line alone is a few hundred pixels; the band adds its area.
    expect(shown - hidden).toBeGreaterThan(3000);
    expect(await page.locator('[data-testid=forecast-note]').textContent()).toMatch(
      /OD ±\d.*biomass conc\..*S ±\d.*conc\. units/,
    );
  });

  test('every overview card puts the satellite fraction on one scale', async () => {
    await page.goto(service.url);
    const scales = page.locator('[data-reactor] .fraction-scale');
    await expect.poll(() => scales.count(), { timeout: 30_000 }).toBe(2);
    const maxima = await scales.evaluateAll((els) => els.map((e) => e.getAttribute('data-scale-max')));
    expect(new Set(maxima).size).toBe(1);
    const summaries = await service.getJson<ReactorSummary[]>('/api/reactors');
    const highest = Math.max(...summaries.map((s) => s.latestEstimate?.satelliteFraction?.upper95 ?? 0));
    expect(Number(maxima[0])).toBeGreaterThan(highest);
    // The mark stands where the value lies on that one scale, on every card.
    for (const s of summaries) {
      const f = s.latestEstimate?.satelliteFraction;
      if (!f) continue;
      const card = page.locator(`[data-reactor=${s.id}]`);
      const scale = await card.locator('.fraction-scale').boundingBox();
      const mark = await card.locator('.fraction-mark').boundingBox();
      const shownValue = Number(
        await card.locator('[data-testid=satellite-fraction]').getAttribute('data-value'),
      );
      const at = ((mark?.x ?? 0) + 1 - (scale?.x ?? 0)) / (scale?.width ?? 1);
      expect(at).toBeCloseTo(shownValue / Number(maxima[0]), 1);
    }
  });
});

describe('time range as in Grafana', () => {
  test('a relative range typed in the picker reproduces from its copied link', async () => {
    await openReactor(page, 'r1');
    await page.locator('[data-range=custom]').click();
    await page.locator('input[name=from]').fill('now-6h');
    await page.locator('input[name=to]').fill('now');
    await page.locator('[data-testid=apply-range]').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('from')).toBe('now-6h');
    await page.locator('[data-testid=reactor-page][data-loaded=true]').waitFor();
    await expect
      .poll(async () => {
        const e = await extentOf(page, 'measurements');
        return e.maxMs - e.minMs;
      })
      .toBe(6 * hourMs);
    await page.locator('[data-testid=copy-link]').click();
    await page.getByText('Link copied.').waitFor();
    const link = await page.evaluate(() => navigator.clipboard.readText());
    expect(link).toBe(page.url());

    const other = await desktop.newPage();
    await other.goto(link);
    await other.locator('[data-testid=reactor-page][data-loaded=true]').waitFor({ timeout: 60_000 });
    const e = await extentOf(other, 'measurements');
    expect(e.maxMs - e.minMs).toBe(6 * hourMs);
    await other.locator('[data-range=custom]').click();
    expect(await other.locator('input[name=from]').inputValue()).toBe('now-6h');
    expect(await other.locator('input[name=to]').inputValue()).toBe('now');
    await other.close();
  });

  test('an absolute range typed in UTC, zoomed, reproduces from its copied link with the zoom and UTC', async () => {
    await openReactor(page, 'r1');
    await page.locator('[data-time-mode=utc]').click();
    const newest = Number(
      await page.locator('[data-testid=reactor-page]').getAttribute('data-newest-reading'),
    );
    const fromMs = Math.floor((newest - 10 * hourMs) / 60_000) * 60_000;
    const toMs = Math.floor((newest - 4 * hourMs) / 60_000) * 60_000;
    const utcText = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
    await page.locator('[data-range=custom]').click();
    await page.locator('input[name=from]').fill(utcText(fromMs));
    await page.locator('input[name=to]').fill(utcText(toMs));
    // The calendar and clock pickers show what was typed.
    expect(await page.locator('input[name=from-date]').inputValue()).toBe(utcText(fromMs).slice(0, 10));
    expect(await page.locator('input[name=from-time]').inputValue()).toBe(utcText(fromMs).slice(11));
    await page.locator('[data-testid=apply-range]').click();
    await page.locator('[data-testid=reactor-page][data-loaded=true]').waitFor();
    await expect.poll(() => extentOf(page, 'measurements')).toEqual({ minMs: fromMs, maxMs: toMs });
    // Keyboard zoom on one chart: the address follows.
    await page.locator('[data-chart=measurements]').focus();
    await page.keyboard.press('+');
    await expect.poll(() => new URL(page.url()).searchParams.get('zoom')).toBe('25-75');
    expect(new URL(page.url()).searchParams.get('time')).toBe('utc');
    await page.locator('[data-testid=copy-link]').click();
    const link = await page.evaluate(() => navigator.clipboard.readText());

    // Another operator, who shows plant hours, opens it: the same range, zoom and time display.
    const fresh = await signedInContext();
    const other = await fresh.newPage();
    await other.goto(link);
    await other.locator('[data-testid=reactor-page][data-loaded=true]').waitFor({ timeout: 60_000 });
    expect(await extentOf(other, 'measurements')).toEqual({ minMs: fromMs, maxMs: toMs });
    expect(await other.locator('[data-time-mode=utc]').getAttribute('aria-pressed')).toBe('true');
    await other.waitForTimeout(600);
    expect(new URL(other.url()).searchParams.get('zoom')).toBe('25-75');
    // An absolute range opens with its fields shown.
    expect(await other.locator('[data-range=custom]').getAttribute('aria-expanded')).toBe('true');
    expect(await other.locator('input[name=from]').inputValue()).toBe(utcText(fromMs));
    await fresh.close();
    await page.locator('[data-time-mode=plant]').click();
  });

  test('the picker names a field it cannot read, and the error goes once the field is fixed', async () => {
    await openReactor(page, 'r1');
    const before = page.url();
    await page.locator('[data-range=custom]').click();
    await page.locator('input[name=from]').fill('yesterday');
    await page.locator('[data-testid=apply-range]').click();
    const error = page.locator('.range-end .field-error');
    await expect
      .poll(() => error.textContent())
      .toMatch(/^From: “yesterday” is not a time\. Type now, now-30m/);
    expect(await page.locator('input[name=from]').getAttribute('aria-invalid')).toBe('true');
    expect(page.url()).toBe(before);
    await page.locator('input[name=from]').fill('now-2h');
    expect(await error.count()).toBe(0);
    await page.locator('input[name=to]').fill('now-3h');
    await page.locator('[data-testid=apply-range]').click();
    await page.getByText(/The range ends before it starts/).waitFor();
  });

  test('a link with parameters that cannot be read says so, each by name', async () => {
    await openReactor(page, 'r1', '?from=banana&zoom=7-3&time=mars&refresh=sometimes');
    const problems = page.locator('[data-testid=link-problems]');
    const text = await problems.textContent();
    expect(text).toContain('from=“banana” is not a time');
    expect(text).toContain('zoom=“7-3”');
    expect(text).toContain('time=“mars”');
    expect(text).toContain('refresh=“sometimes”');
    // What stands in is said, and shown: the default 3 days.
    expect(text).toContain('the last 3 d');
    const e = await extentOf(page, 'measurements');
    expect(e.maxMs - e.minMs).toBe(72 * hourMs);
  });

  test('pause holds the charts while readings arrive; live takes them up again', async () => {
    await openReactor(page, 'r1', '?from=now-12h&to=now');
    const newest = () => page.locator('[data-testid=reactor-page]').getAttribute('data-newest-reading');
    await page.locator('[data-testid=refresh]').selectOption('off');
    await expect.poll(() => new URL(page.url()).searchParams.get('refresh')).toBe('off');
    await page.waitForTimeout(700);
    const held = await newest();
    await page.waitForTimeout(4000); // four plant hours at the demo's speed
    expect(await newest()).toBe(held);
    expect(await page.locator('[data-testid=range-caption]').textContent()).toContain('paused');
    await page.locator('[data-testid=refresh]').selectOption('live');
    await expect.poll(async () => Number(await newest()), { timeout: 10_000 }).toBeGreaterThan(Number(held));
  });
});

describe('forms say what is wrong, in the unit shown', () => {
  test('the satellite threshold typed as shown (percent) is stored as the fraction; problems are named at their fields', async () => {
    await page.goto(`${service.url}/settings`);
    const puts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'PUT' && r.url().includes('/api/alert-rules/sat-typed')) puts.push(r.url());
    });
    const section = page.locator('[data-testid=rules-section]');
    await section.locator('[data-testid=add-rule]').click();
    const form = section.locator('[data-testid=rule-form]');
    await form.locator('select[name=kind]').selectOption('satellite-fraction');
    await form.locator('input[name=id]').fill('sat-typed');
    expect(await form.getByText('threshold (%)', { exact: true }).count()).toBe(1);
    await form.locator('input[name=threshold]').fill('150');
    await form.locator('input[name=reactors]').fill('r99, nonsense');
    await form.locator('[data-testid=save-rule]').click();
    const threshold = form.locator('input[name=threshold]');
    const thresholdError = form.locator(`#${await threshold.getAttribute('id')}-error`);
    expect(await thresholdError.textContent()).toBe(
      'threshold: 150 % is not allowed; type a number above 0 and below 100 %.',
    );
    expect(await threshold.getAttribute('aria-invalid')).toBe('true');
    const reactorsInput = form.locator('input[name=reactors]');
    const reactorsError = form.locator(`#${await reactorsInput.getAttribute('id')}-error`);
    expect(await reactorsError.textContent()).toBe(
      'reactors: “r99”, “nonsense” are not reactors of this plant; the reactors are r1, r2 (leave empty for every reactor).',
    );
    expect(await form.locator('[data-testid=rule-form-error]').textContent()).toContain(
      '2 fields need changing',
    );
    expect(puts).toEqual([]);

    // Put right, each problem goes at once.
    await threshold.fill('2');
    expect(await thresholdError.count()).toBe(0);
    expect(await reactorsError.count()).toBe(1);
    await reactorsInput.fill('r2');
    expect(await reactorsError.count()).toBe(0);
    expect(await form.locator('[data-testid=rule-form-error]').textContent()).toBe('');
    await form.locator('[data-testid=save-rule]').click();
    const item = section.locator('[data-rule-id=sat-typed]');
    await item.waitFor({ timeout: 10_000 });
    expect(puts).toHaveLength(1);
    const stored = (await service.getJson<AlertRuleView[]>('/api/alert-rules')).find(
      (r) => r.rule.id === 'sat-typed',
    );
    expect(stored?.rule.threshold).toBe(0.02);
    expect(stored?.rule.reactors).toEqual(['r2']);
    // Shown again as typed, in percent, on the rule card and in its editor.
    expect(await item.locator('[data-testid=rule-condition]').textContent()).toContain('above 2 %');
    await item.getByRole('button', { name: 'Edit rule “sat-typed”' }).click();
    expect(await item.locator('input[name=threshold]').inputValue()).toBe('2');
    await item.getByRole('button', { name: 'Cancel', exact: true }).click();
  });

  test('the estimator form refuses a window out of range at its field, without sending it', async () => {
    await page.goto(`${service.url}/settings`);
    const section = page.locator('[data-testid=estimator-section]');
    await section.getByRole('button', { name: 'Change' }).click();
    const sent: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'PUT' && r.url().includes('/api/estimator-settings')) sent.push(r.url());
    });
    await section.locator('input[name=windowHours]').fill('100');
    await section.getByRole('button', { name: 'Save' }).click();
    expect(await section.locator('#estimator-windowHours-error').textContent()).toBe(
      'window: 100 plant h is not allowed; type a number from 1 to 72 plant h.',
    );
    await section.locator('input[name=windowHours]').fill('12');
    expect(await section.locator('#estimator-windowHours-error').count()).toBe(0);
    expect(sent).toEqual([]);
    await section.getByRole('button', { name: 'Cancel' }).click();
  });
});

describe('repeated buttons say what they act on', () => {
  test('each rule’s Edit, Disable and Delete, and each alarm’s Acknowledge, name their item', async () => {
    await page.goto(`${service.url}/settings`);
    const rules = page.locator('[data-testid=rules-section] [data-rule-id]');
    await rules.first().waitFor({ timeout: 20_000 });
    const views = await service.getJson<AlertRuleView[]>('/api/alert-rules');
    expect(await rules.count()).toBe(views.length);
    for (const { rule } of views) {
      const name = `rule “${rule.name ?? rule.id}”`;
      for (const verb of ['Edit', rule.enabled ? 'Disable' : 'Enable', 'Delete'])
        expect(await page.getByRole('button', { name: `${verb} ${name}`, exact: true }).count()).toBe(1);
    }
    // The alarm of the rule made at the start, on the alerts page.
    await expect
      .poll(async () => (await service.getJson<AlertsResponse>('/api/alerts')).alarms.length, {
        timeout: 30_000,
      })
      .toBeGreaterThan(0);
    await page.goto(`${service.url}/alerts`);
    const alarms = (await service.getJson<AlertsResponse>('/api/alerts')).alarms.filter(
      (a) => !a.acknowledged,
    );
    await page.locator('[data-alarm-id]').first().waitFor({ timeout: 20_000 });
    for (const a of alarms) {
      const name = `Acknowledge alarm “${a.ruleName}” on reactor ${a.reactorId}`;
      await expect.poll(() => page.getByRole('button', { name, exact: true }).count()).toBe(1);
    }
    const names = await page
      .locator('[data-testid=acknowledge]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('compare and kiosk', () => {
  test('one chart holds a chosen estimate of several reactors; the choice is in the address', async () => {
    await page.goto(`${service.url}/compare?reactors=r1,r2&quantity=satellite-fraction&from=now-3d&to=now`);
    await page.locator('[data-testid=compare-page][data-loaded=true]').waitFor({ timeout: 30_000 });
    const counts = page.locator('[data-testid=compare-counts]');
    await expect.poll(() => counts.textContent()).toMatch(/^r1: [1-9]\d* points · r2: [1-9]\d* points$/);
    expect(await page.locator('[data-section=compare] .chart-legend li').allTextContents()).toEqual([
      'reactor r1',
      'reactor r2',
    ]);
    expect(await page.locator('[data-section=compare] h2').textContent()).toBe(
      'satellite fraction Y/(X+Y) of reactors r1, r2',
    );
    await page.locator('select[name=quantity]').selectOption('od');
    await expect.poll(() => new URL(page.url()).searchParams.get('quantity')).toBe('od');
    await page.locator('input[name=reactor-r1]').uncheck();
    await expect.poll(() => new URL(page.url()).searchParams.get('reactors')).toBe('r2');
    await expect.poll(() => counts.textContent()).toMatch(/^r2: [1-9]\d* points$/);
    await page.locator('[data-chart=compare] canvas').waitFor();
    await expect.poll(() => inkedPixels(page, 'compare')).toBeGreaterThan(2000);
  });

  test('the kiosk shows every card without the site header, and Escape leaves it', async () => {
    await page.goto(`${service.url}/kiosk`);
    await page.locator('[data-testid=kiosk] [data-reactor]').nth(1).waitFor({ timeout: 30_000 });
    expect(await page.locator('.site-header').count()).toBe(0);
    const clock = page.locator('.kiosk-clock');
    const first = await clock.textContent();
    await expect.poll(() => clock.textContent(), { timeout: 5000 }).not.toBe(first);
    await page.keyboard.press('Escape');
    await page.waitForURL((url) => url.pathname === '/');
    await page.locator('.site-header').waitFor();
  });
});

describe('the shift report', () => {
  test('prints state, composition with bands, alarms with who handled them, and fits, as a PDF', async () => {
    const alarm = (await service.getJson<AlertsResponse>('/api/alerts')).alarms.find(
      (a) => a.ruleId === 'od-beyond-test-limit',
    );
    expect(alarm).toBeDefined();
    if (alarm && !alarm.acknowledged) {
      const ack = await service.api.call('POST', `/api/alerts/${alarm.id}/acknowledge`, {});
      expect(`${ack.status} ${ack.text}`).toMatch(/^200 /);
    }
    await page.goto(`${service.url}/reactors/r2/report?from=now-3d&to=now`);
    const report = page.locator('[data-testid=shift-report][data-loaded=true]');
    await report.waitFor({ timeout: 30_000 });
    const text = (await report.textContent()) ?? '';
    for (const h of [
      'State',
      'Composition (estimated, 95 % bands)',
      'Alarms and who handled them',
      'Fits and their quality',
    ])
      expect(text).toContain(h);
    expect(await report.locator('[data-testid=report-composition] tbody tr').count()).toBe(5);
    expect(await report.locator('[data-testid=report-composition]').textContent()).toMatch(
      /\d+\.\d{2} % \(95 %: /,
    );
    const row = report.locator(`[data-testid=report-alarms] tr[data-alarm-id="${alarm?.id}"]`);
    expect(await row.textContent()).toContain(`by ${accounts.operator.username}`);
    expect(await report.locator('[data-testid=report-fit-facts]').textContent()).toMatch(
      /\d+ fits: \d+ good/,
    );
    await page.locator('[data-chart=composition][data-points]:not([data-points="0"])').waitFor();

    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.site-header').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Print or save as PDF' }).isVisible()).toBe(false);
    await page.emulateMedia({ media: 'screen' });
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    expect(pdf.subarray(0, 4).toString()).toBe('%PDF');
    expect(pdf.length).toBeGreaterThan(30_000);
  });
});

describe('before the first fit, and catching up', () => {
  test('a new reactor shows how much of its first window is in, and when the fit comes', async () => {
    const summaries = await service.getJson<ReactorSummary[]>('/api/reactors');
    const r1Newest = summaries.find((s) => s.id === 'r1')?.latest.od?.tsMs ?? Date.now();
    await publishReadings('r7', r1Newest, 6);
    await page.goto(service.url);
    const card = page.locator('[data-reactor=r7]');
    await card.waitFor({ timeout: 30_000 });
    // 6 of the 12 h window (plant time = wall time for a reactor outside the simulator).
    await expect
      .poll(() => card.locator('.problems').textContent(), { timeout: 20_000 })
      .toContain('6 of 12 h of readings in, first fit in about 6 h');
    expect(await card.locator('[data-testid=state-label]').textContent()).toContain('Starting up');
    expect(await page.locator('[data-testid=reactor-count]').textContent()).toContain('1 starting up');
  });

  test('the service’s fit progress reads as catching up while windows are queued, and as needing attention when none are', async () => {
    // The service's own answer, with r1's fit progress set as the service sends it in each case.
    const shown = async (progress: FitProgress) => {
      await page.route('**/api/reactors', async (route) => {
        const response = await route.fetch();
        const list = (await response.json()) as ReactorSummary[];
        for (const s of list) if (s.id === 'r1') s.fitProgress = progress;
        await route.fulfill({ response, json: list }).catch(() => undefined);
      });
      await page.goto(service.url);
      const card = page.locator('[data-reactor=r1]');
      await card.locator('.problems li').first().waitFor({ timeout: 20_000 });
      const words = {
        state: await card.locator('[data-testid=state-label]').textContent(),
        text: await card.locator('.problems').textContent(),
        count: await page.locator('[data-testid=reactor-count]').textContent(),
        meta: await card.locator('.card-meta').textContent(),
      };
      await page.unrouteAll({ behavior: 'ignoreErrors' });
      return words;
    };
    const base = { readingsHours: 60, windowHours: 12, lagMs: 20 * hourMs, firstFitInWallMs: null };
    const working = await shown({
      ...base,
      state: 'catching-up',
      windowsDue: 20,
      words: 'Catching up: fits have reached 20 h behind the newest reading (plant time), 20 windows to go',
    });
    expect(working.state).toContain('Catching up');
    expect(working.text).toContain('Catching up: fits have reached 20 h behind the newest reading');
    expect(working.count).toContain('catching up');
    const stopped = await shown({
      ...base,
      state: 'behind',
      windowsDue: 0,
      words: 'Fits lag the readings by 20 h (plant time), and none has finished for 60 min',
    });
    expect(stopped.state).toContain('Needs attention');
    // The last fit's age (wall clock) is not read as fits being current: its window's lag stands beside it.
    expect(stopped.meta).toMatch(/last fit: finished .* ago, its window 20 h of plant time behind the readings/);
    expect(stopped.text).toContain(
      'Fits lag the readings by 20 h (plant time), and none has finished for 60 min',
    );
  });

  test('the service says r1’s fits follow its readings once they have caught up', async () => {
    const summaries = await service.getJson<ReactorSummary[]>('/api/reactors');
    const r1 = summaries.find((s) => s.id === 'r1');
    expect(r1?.fitProgress?.windowHours).toBe(12);
    expect(['up-to-date', 'catching-up']).toContain(r1?.fitProgress?.state);
  });
});

describe('accessibility (axe-core)', () => {
  const pages: [string, string, string][] = [
    ['overview', '/', '[data-reactor] [data-testid=satellite-fraction]'],
    ['reactor', '/reactors/r1', '[data-testid=reactor-page][data-loaded=true]'],
    ['reactor before data', '/reactors/r9', '[data-testid=unknown-reactor]'],
    ['compare', '/compare', '[data-testid=compare-page][data-loaded=true]'],
    ['kiosk', '/kiosk', '[data-testid=kiosk] [data-reactor]'],
    ['alerts', '/alerts', '[data-testid=alert-count]'],
    ['settings', '/settings', '[data-testid=rules-section] [data-rule-id]'],
    ['shift report', '/reactors/r2/report', '[data-testid=shift-report][data-loaded=true]'],
  ];

  test.each(['light', 'dark'] as const)(
    'no serious or critical finding on any page, %s theme',
    async (theme) => {
      const context = await signedInContext({ dark: theme === 'dark' });
      const p = await context.newPage();
      log.watch(p);
      const findings: string[] = [];
      for (const [, path, ready] of pages) {
        await p.goto(`${service.url}${path}`);
        await p.evaluate((t) => document.documentElement.setAttribute('data-theme', t), theme);
        await p.locator(ready).first().waitFor({ timeout: 60_000 });
        if (path === '/settings') {
          // The rule editor with a problem shown, and a shown-once form open.
          await p.locator('[data-testid=add-rule]').click();
          await p.locator('[data-testid=save-rule]').click();
        }
        if (path === '/reactors/r1') await p.locator('[data-range=custom]').click();
        findings.push(...(await seriousAxeFindings(p)));
      }
      const anonymous = await newContext(browser, { colorScheme: theme });
      const login = await anonymous.newPage();
      await login.goto(`${service.url}/login`);
      await login.locator('#login-username').waitFor();
      findings.push(...(await seriousAxeFindings(login)));
      await anonymous.close();
      await context.close();
      expect(findings).toEqual([]);
    },
    180_000,
  );
});

describe('the console', () => {
  test('nothing was logged as an error', () => {
    expect(log.errors).toEqual([]);
  });
});
