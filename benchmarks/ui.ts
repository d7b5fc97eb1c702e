/**
 * The dashboard's speed and memory in Chromium against the real service:
 * `npm run bench:ui [-- --days 90 --fit-hours 2160 --minutes 30 --speed 1 --runs 5]`.
 *
 * 1. Load: the reactor page of a reactor with `--days` of plant history (15-minute readings, assays),
 *    published through the service's embedded broker at once, with fits over the last `--fit-hours`
 *    (default: all of it).
 *    For the default range (3 d) and `all`, in a fresh browser context each run (cold cache): first
 *    contentful paint, the time the charts hold their data, and time to interactive — the end of the
 *    last long task (> 50 ms) before one quiet second after the data are drawn. Median of `--runs`.
 * 2. Live: the page left open on the default range while the plant runs on at `--speed` plant hours
 *    per second (the demo speed is 1) for `--minutes`; after a forced garbage collection, the JS heap,
 *    DOM nodes and listeners are sampled through the DevTools protocol. A page that keeps what slides
 *    out of its range would grow without bound; the slope of the second half says whether it does.
 */
import type { CDPSession, Page } from 'playwright-core';
import type { FitRecord, ReactorSummary, ReadingSeries } from '../contract/api';
import { endlessPlantSamples } from '../simulator/endless-plant-samples';
import { LivePublisher } from '../simulator/live-publisher';
import { PlantSimulation } from '../simulator/plant-simulation';
import { launchChromium } from '../tests/ui/fixtures/browser';
import { signInContext } from '../tests/ui/fixtures/login';
import { accounts, startService } from '../tests/ui/fixtures/service-process';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name}: expected a number`);
  return value;
}

const days = flag('days', 90);
const fitHours = flag('fit-hours', days * 24);
const minutes = flag('minutes', 30);
const speed = flag('speed', 1);
const runs = Math.max(1, Math.round(flag('runs', 5)));
const reactorId = 'r1';
const hourMs = 3_600_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const log = (text: string) => process.stdout.write(`${text}\n`);

log(
  `bench:ui — ${days} d of history, fits over the last ${fitHours} h, ${minutes} min live at ${speed} plant h/s`,
);
const service = await startService({
  env: {
    SIMULATOR: 'off',
    ASSIMILATOR_CATCH_UP_HOURS: String(Math.max(fitHours, 13)),
    DATABASE_SYNCHRONOUS: 'normal',
  },
  // Auth on, as in production: the plant publishes as a device, the browser is logged in.
  mqttDevice: true,
});
const browser = await launchChromium();
let publisher: LivePublisher | undefined;
try {
  // The plant: its history published at once, then live at the chosen speed.
  const sim = new PlantSimulation({ seed: 7, assays: true });
  publisher = new LivePublisher({
    url: service.mqttUrl,
    clientOptions: service.mqttDevice,
    reactors: [{ reactorId, samples: endlessPlantSamples(sim) }],
    plantHoursPerSecond: speed,
    backfillPlantDays: days,
    maxInFlight: 2000,
  });
  const publishStarted = performance.now();
  await publisher.start();
  await publisher.backfilled;
  log(`history published and committed in ${((performance.now() - publishStarted) / 1000).toFixed(1)} s`);

  // Wait until the assimilator has caught up with the history.
  const fitsStarted = performance.now();
  for (;;) {
    const reactors = await service.getJson<ReactorSummary[]>('/api/reactors');
    const r = reactors.find((x) => x.id === reactorId);
    const newest = r?.latest.od?.tsMs ?? 0;
    const fitEnd = r?.latestEstimate?.windowEndMs ?? 0;
    if (r?.latestEstimate && newest - fitEnd < 3 * hourMs) break;
    if (performance.now() - fitsStarted > 60 * 60_000)
      throw new Error('the assimilator did not catch up in an hour');
    await sleep(2000);
  }
  const fits = await service.getJson<FitRecord[]>(`/api/reactors/${reactorId}/estimates?trajectories=none`);
  const od = await service.getJson<ReadingSeries>(
    `/api/reactors/${reactorId}/readings?signal=od&maxPoints=2`,
  );
  const spanDays = od.tMs.length > 1 ? (od.tMs[od.tMs.length - 1] - od.tMs[0]) / (24 * hourMs) : 0;
  log(
    `fits caught up in ${((performance.now() - fitsStarted) / 1000).toFixed(0)} s: ${fits.length} fits; readings span ${spanDays.toFixed(1)} d`,
  );

  // Every fresh context below is logged in with the same operator session (its cookie).
  const cookieSource = await browser.newContext();
  await signInContext(cookieSource, service, accounts.operator);
  const sessionCookies = await cookieSource.cookies();
  await cookieSource.close();

  // 1. Load.
  /**
   * Runs in the page before its own scripts: records long tasks, and the frame after the charts first
   * hold data. A string, so that the bundler's helpers do not leak into the page.
   */
  const drawnProbe = `
    window.__bench = { drawn: null, longTasks: [] };
    new PerformanceObserver(function (list) {
      for (const e of list.getEntries()) window.__bench.longTasks.push([e.startTime, e.startTime + e.duration]);
    }).observe({ type: 'longtask', buffered: true });
    new MutationObserver(function () {
      if (window.__bench.drawn !== null) return;
      const ready = document.querySelector('[data-testid=reactor-page][data-loaded=true]');
      const chart = document.querySelector('[data-chart=measurements]');
      if (ready && chart && Number(chart.getAttribute('data-points')) > 0) {
        requestAnimationFrame(function () {
          if (window.__bench.drawn === null) window.__bench.drawn = performance.now();
        });
      }
    }).observe(document, { subtree: true, attributes: true, childList: true });
  `;
  interface LoadTiming {
    fcp: number;
    drawn: number;
    tti: number;
    longTasks: number;
  }
  async function loadOnce(search: string): Promise<LoadTiming> {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    await context.addCookies(sessionCookies);
    await context.addInitScript({ content: drawnProbe });
    const page = await context.newPage();
    await page.goto(`${service.url}/reactors/${reactorId}${search}`);
    await page.waitForFunction(
      () => (window as unknown as { __bench: { drawn: number | null } }).__bench.drawn !== null,
      null,
      {
        timeout: 60_000,
      },
    );
    // Quiet: one second without a long task after the data are drawn (at most 15 s of waiting).
    const deadline = Date.now() + 15_000;
    let result: LoadTiming | null = null;
    while (!result && Date.now() < deadline) {
      await sleep(250);
      result = await page.evaluate(() => {
        const b = (window as unknown as { __bench: { drawn: number; longTasks: [number, number][] } })
          .__bench;
        const now = performance.now();
        const lastEnd = Math.max(b.drawn, ...b.longTasks.map(([, end]) => end));
        if (now - lastEnd < 1000) return null;
        const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN;
        return { fcp, drawn: b.drawn, tti: lastEnd, longTasks: b.longTasks.length };
      });
    }
    if (!result) {
      const tasks = await page.evaluate(
        () => (window as unknown as { __bench: { longTasks: [number, number][] } }).__bench.longTasks,
      );
      await context.close();
      throw new Error(
        `the page never went quiet for a second within 15 s of drawing; long tasks: ${JSON.stringify(tasks.map(([a, b]) => [Math.round(a), Math.round(b - a)]))}`,
      );
    }
    await context.close();
    return result;
  }

  for (const [label, search] of [
    ['default range (3 d)', '?range=3d'],
    [`all (${days} d)`, '?range=all'],
  ] as const) {
    await loadOnce(search); // warm the server's caches, not the browser's
    const timings: LoadTiming[] = [];
    for (let i = 0; i < runs; i++) timings.push(await loadOnce(search));
    log(
      `load, ${label}: first contentful paint ${median(timings.map((t) => t.fcp)).toFixed(0)} ms, ` +
        `charts drawn ${median(timings.map((t) => t.drawn)).toFixed(0)} ms, ` +
        `time to interactive ${median(timings.map((t) => t.tti)).toFixed(0)} ms ` +
        `(median of ${runs} cold loads; long tasks per load: ${median(timings.map((t) => t.longTasks))}; target ≤ 1500 ms)`,
    );
  }

  // 2. Live memory.
  if (minutes > 0) {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    await context.addCookies(sessionCookies);
    const page: Page = await context.newPage();
    const cdp: CDPSession = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(`${service.url}/reactors/${reactorId}?range=3d`);
    await page.locator('[data-testid=reactor-page][data-loaded=true]').waitFor({ timeout: 60_000 });
    const sampleEveryMs = Math.max(10_000, Math.min(60_000, (minutes * 60_000) / 30));
    const samples: { minute: number; heapMb: number; nodes: number; listeners: number; newest: number }[] =
      [];
    const started = Date.now();
    for (;;) {
      await cdp.send('HeapProfiler.collectGarbage');
      const { metrics } = await cdp.send('Performance.getMetrics');
      const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? Number.NaN;
      const newest = Number(
        await page.locator('[data-testid=reactor-page]').getAttribute('data-newest-reading'),
      );
      const sample = {
        minute: (Date.now() - started) / 60_000,
        heapMb: metric('JSHeapUsedSize') / 2 ** 20,
        nodes: metric('Nodes'),
        listeners: metric('JSEventListeners'),
        newest,
      };
      samples.push(sample);
      log(
        `  t=${sample.minute.toFixed(1)} min: JS heap ${sample.heapMb.toFixed(1)} MB, ${sample.nodes} DOM nodes, ${sample.listeners} listeners`,
      );
      if (Date.now() - started >= minutes * 60_000) break;
      await sleep(sampleEveryMs);
    }
    const half = samples.slice(Math.floor(samples.length / 2));
    const n = half.length;
    const mx = half.reduce((a, s) => a + s.minute, 0) / n;
    const my = half.reduce((a, s) => a + s.heapMb, 0) / n;
    const slope =
      half.reduce((a, s) => a + (s.minute - mx) * (s.heapMb - my), 0) /
      Math.max(
        1e-9,
        half.reduce((a, s) => a + (s.minute - mx) ** 2, 0),
      );
    const plantHours = (samples[samples.length - 1].newest - samples[0].newest) / hourMs;
    log(
      `live ${minutes} min (${plantHours.toFixed(0)} plant h arrived): JS heap ${samples[0].heapMb.toFixed(1)} → ${samples[samples.length - 1].heapMb.toFixed(1)} MB ` +
        `(max ${Math.max(...samples.map((s) => s.heapMb)).toFixed(1)} MB), second-half slope ${(slope * 60).toFixed(2)} MB/h; ` +
        `DOM nodes ${samples[0].nodes} → ${samples[samples.length - 1].nodes}`,
    );
    await context.close();
  }
} finally {
  await publisher?.stop();
  await browser.close();
  await service.stop();
}
