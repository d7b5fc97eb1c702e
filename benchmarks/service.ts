/**
 * The live service's speed, measured on the real process (`node --import tsx server.ts`):
 * 1. latency from an MQTT publish to its socket.io delivery, p50/p95/p99 (target p95 ≤ 250 ms), under
 *    a plant-like load (20 reactors, od/substrate/dilution each second) through the embedded broker
 *    and through mosquitto, and under a stream of 100 readings/s into one room (batching-bound);
 * 2. API response times on 90 days of 15-second data (target ≤ 300 ms for a chart range);
 * 3. the process's RSS with 20 simulated reactors in demo mode, over time, with the assimilator's
 *    queue (is it keeping up?).
 * `npm run bench:service [-- --skip-latency --skip-api --skip-rss --rss-seconds N]`
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { FitRecord, Health, ReadingSeries } from '../contract/api';
import { freePort, mosquittoBinary, startMosquitto } from '../tests/fixtures/mosquitto';
import { listenToReactor, type ServiceProcess, startServiceProcess } from '../tests/service/service-harness';
import { build90DayDatabase, dayMs, hourMs } from './service-data';

const flag = (name: string) => process.argv.includes(`--${name}`);
const option = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const dir = mkdtempSync(join(tmpdir(), 'cw-bench-service-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
const ms = (v: number) => `${v.toFixed(1)} ms`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

// ─── 1. Publish → socket.io latency ─────────────────────────────────────────────────────────────

interface LatencyResult {
  label: string;
  samples: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  lost: number;
}

async function measureLatency(
  label: string,
  service: ServiceProcess,
  brokerUrl: string,
  reactors: string[],
  signals: string[],
  intervalMs: number,
  seconds: number,
): Promise<LatencyResult> {
  const listeners = await Promise.all(reactors.map((r) => listenToReactor(service.url, r)));
  const publishedAt = new Map<string, number>();
  const latencies: number[] = [];
  for (const l of listeners) {
    l.socket.on('readings', (batch) => {
      const now = performance.now();
      for (const r of batch.readings) {
        const key = `${batch.reactorId}/${r.signal}/${r.tsMs}`;
        const at = publishedAt.get(key);
        if (at !== undefined) {
          latencies.push(now - at);
          publishedAt.delete(key);
        }
      }
    });
  }
  const client = await mqtt.connectAsync(brokerUrl, { protocolVersion: 4, clean: true });
  // A first reading per reactor registers it, so that the timed readings are not a new reactor's.
  for (const r of reactors) await client.publishAsync(`culturewatch/${r}/od`, '50', { qos: 1 });
  await sleep(500);
  const endAt = performance.now() + seconds * 1000;
  let tick = 0;
  let lastTs = 0;
  while (performance.now() < endAt) {
    const next = performance.now() + intervalMs;
    for (const r of reactors) {
      for (const signal of signals) {
        // Distinct ms per message of a series; values in range for every signal.
        const ts = Math.max(Date.now(), lastTs + 1);
        lastTs = ts;
        publishedAt.set(`${r}/${signal}/${ts}`, performance.now());
        client.publish(`culturewatch/${r}/${signal}`, `{"ts":${ts},"value":${0.2 + (tick % 100) / 1000}}`, {
          qos: 1,
        });
      }
    }
    tick++;
    const wait = next - performance.now();
    if (wait > 0) await sleep(wait);
  }
  await sleep(1000);
  await client.endAsync();
  for (const l of listeners) l.close();
  latencies.sort((a, b) => a - b);
  return {
    label,
    samples: latencies.length,
    p50: quantile(latencies, 0.5),
    p95: quantile(latencies, 0.95),
    p99: quantile(latencies, 0.99),
    max: latencies.at(-1) ?? Number.NaN,
    lost: publishedAt.size,
  };
}

async function latencyBench(): Promise<LatencyResult[]> {
  const results: LatencyResult[] = [];
  const plantReactors = Array.from({ length: 20 }, (_, i) => `lat${String(i + 1).padStart(2, '0')}`);
  const plantSignals = ['od', 'substrate', 'dilution'];
  {
    const mqttPort = await freePort();
    const service = await startServiceProcess({
      DATABASE_PATH: join(dir, 'latency-embedded.db'),
      MQTT_PORT: String(mqttPort),
      LOG_LEVEL: 'warn',
    });
    const url = `mqtt://127.0.0.1:${mqttPort}`;
    results.push(
      await measureLatency(
        'embedded broker, 20 reactors × 3 signals every 1 s',
        service,
        url,
        plantReactors,
        plantSignals,
        1000,
        20,
      ),
    );
    results.push(
      await measureLatency(
        'embedded broker, 1 reactor, 100 readings/s',
        service,
        url,
        ['stream'],
        ['od'],
        10,
        10,
      ),
    );
    await service.stop();
  }
  if (existsSync(mosquittoBinary)) {
    const mosquitto = await startMosquitto();
    const service = await startServiceProcess({
      DATABASE_PATH: join(dir, 'latency-mosquitto.db'),
      MQTT_URL: mosquitto.url,
      MQTT_PROTOCOL: '5',
      LOG_LEVEL: 'warn',
    });
    results.push(
      await measureLatency(
        'mosquitto, 20 reactors × 3 signals every 1 s',
        service,
        mosquitto.url,
        plantReactors,
        plantSignals,
        1000,
        20,
      ),
    );
    await service.stop();
    await mosquitto.stop();
  }
  return results;
}

// ─── 2. API on 90 days of 15-second data ────────────────────────────────────────────────────────

interface ApiTiming {
  label: string;
  median: number;
  p95: number;
  bytes: number;
  detail: string;
}

async function timeRequest(
  service: ServiceProcess,
  label: string,
  path: string,
  repeats = 15,
): Promise<ApiTiming> {
  const times: number[] = [];
  let bytes = 0;
  let detail = '';
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    const response = await fetch(`${service.url}${path}`, { headers: { 'accept-encoding': 'gzip' } });
    const text = await response.text();
    times.push(performance.now() - started);
    bytes = text.length;
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${text.slice(0, 300)}`);
    if (i === 0 && path.includes('/readings')) {
      const s = JSON.parse(text) as ReadingSeries;
      detail = `${s.source}, ${s.tMs.length} points of ${s.rawCount}`;
    } else if (i === 0 && path.includes('/estimates')) {
      detail = `${(JSON.parse(text) as FitRecord[]).length} fits`;
    }
  }
  times.sort((a, b) => a - b);
  return { label, median: quantile(times, 0.5), p95: quantile(times, 0.95), bytes, detail };
}

async function apiBench(): Promise<{ timings: ApiTiming[]; build: string }> {
  const path = join(dir, 'api-90-days.db');
  const started = performance.now();
  const data = build90DayDatabase(path);
  const build = `${(data.readings / 1e6).toFixed(2)} M readings and ${data.fits} fits written in ${((performance.now() - started) / 1000).toFixed(1)} s`;
  const service = await startServiceProcess({
    DATABASE_PATH: path,
    MQTT_PORT: String(await freePort()),
    ASSIMILATOR: 'off',
    // Keep all 90 days raw: the harder case for the raw paths (the default keeps 30 days raw).
    RETENTION_RAW_DAYS: '120',
    LOG_LEVEL: 'warn',
  });
  const iso = (t: number) => new Date(t).toISOString();
  const end = data.lastMs + 1;
  const readings = (span: number) =>
    `/api/reactors/r90/readings?signal=od&from=${iso(end - span)}&to=${iso(end)}&maxPoints=2000`;
  const estimates = (span: number, trajectories: string) =>
    `/api/reactors/r90/estimates?from=${iso(end - span)}&to=${iso(end)}&trajectories=${trajectories}`;
  const timings = [
    await timeRequest(service, 'readings od, last 1 h', readings(hourMs)),
    await timeRequest(service, 'readings od, last 12 h', readings(12 * hourMs)),
    await timeRequest(service, 'readings od, last 3 d', readings(3 * dayMs)),
    await timeRequest(service, 'readings od, last 30 d', readings(30 * dayMs)),
    await timeRequest(
      service,
      'readings od, all 90 d',
      '/api/reactors/r90/readings?signal=od&maxPoints=2000',
    ),
    await timeRequest(service, 'estimates, last 3 d (trajectories=all)', estimates(3 * dayMs, 'all')),
    await timeRequest(service, 'estimates, all 90 d (trajectories=latest)', estimates(91 * dayMs, 'latest')),
    await timeRequest(service, 'estimates, all 90 d (trajectories=all)', estimates(91 * dayMs, 'all'), 5),
    await timeRequest(service, '/api/reactors', '/api/reactors'),
    await timeRequest(service, '/healthz', '/healthz'),
    await timeRequest(service, '/metrics', '/metrics'),
    await timeRequest(
      service,
      'export.csv, 1 day',
      `/api/reactors/r90/export.csv?from=${iso(end - dayMs)}&to=${iso(end)}`,
      5,
    ),
  ];
  await service.stop();
  return { timings, build };
}

// ─── 3. RSS with 20 simulated reactors ──────────────────────────────────────────────────────────

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb * 1024;
}

interface RssSample {
  second: number;
  rss: number;
  queueDepth: number;
  fits: number;
}

async function rssBench(dashboard: 'off' | 'production', seconds: number): Promise<RssSample[]> {
  const service = await startServiceProcess({
    DATABASE_PATH: join(dir, `rss-${dashboard}.db`),
    MQTT_PORT: String(await freePort()),
    SIMULATOR: 'on',
    SIMULATOR_REACTORS: '20',
    DASHBOARD: dashboard,
    LOG_LEVEL: 'warn',
  });
  const pid = service.child.pid!;
  const samples: RssSample[] = [];
  const started = performance.now();
  for (;;) {
    const second = (performance.now() - started) / 1000;
    const health = (await service.get<Health>('/healthz')).body;
    const metrics = (await service.get<string>('/metrics')).body;
    const fits = Number(/^culturewatch_fits_total\{status="ok"\} (\S+)$/m.exec(metrics)?.[1] ?? 0);
    samples.push({ second, rss: rssOf(pid), queueDepth: health.worker.queueDepth, fits });
    if (second >= seconds) break;
    await sleep(5000);
  }
  await service.stop();
  return samples;
}

// ─── Report ─────────────────────────────────────────────────────────────────────────────────────

console.log(
  `bench:service — Node ${process.version}, ${readFileSync('/proc/cpuinfo', 'utf8').match(/^processor/gm)?.length ?? '?'} cores\n`,
);
try {
  if (!flag('skip-latency')) {
    console.log('1. MQTT publish → socket.io delivery (QoS 1; batches at most every 250 ms per reactor)');
    for (const r of await latencyBench()) {
      console.log(
        `   ${r.label.padEnd(52)} n=${String(r.samples).padStart(5)}  p50 ${ms(r.p50).padStart(9)}  p95 ${ms(r.p95).padStart(9)}  p99 ${ms(r.p99).padStart(9)}  max ${ms(r.max).padStart(9)}${r.lost ? `  LOST ${r.lost}` : ''}`,
      );
    }
    console.log('   target: p95 ≤ 250 ms\n');
  }
  if (!flag('skip-api')) {
    console.log('2. API on 90 days of 15-second data (od, substrate, dilution) and an hourly fit');
    const { timings, build } = await apiBench();
    console.log(`   (${build})`);
    for (const t of timings) {
      console.log(
        `   ${t.label.padEnd(44)} median ${ms(t.median).padStart(9)}  p95 ${ms(t.p95).padStart(9)}  ${String(Math.round(t.bytes / 1024)).padStart(6)} KiB  ${t.detail}`,
      );
    }
    console.log('   target: ≤ 300 ms for a chart range\n');
  }
  if (!flag('skip-rss')) {
    const seconds = option('rss-seconds', 150);
    const modes: ('off' | 'production')[] = ['off'];
    if (existsSync(join(process.cwd(), '.next', 'BUILD_ID'))) modes.push('production');
    for (const mode of modes) {
      console.log(`3. RSS, 20 simulated reactors (1 plant-h/s, 3-day back-fill), dashboard ${mode}`);
      try {
        const samples = await rssBench(mode, seconds);
        for (const s of samples) {
          console.log(
            `   t=${s.second.toFixed(0).padStart(3)} s  RSS ${mb(s.rss).padStart(7)}  fits ${String(s.fits).padStart(5)}  queue ${s.queueDepth}`,
          );
        }
        const peak = Math.max(...samples.map((s) => s.rss));
        console.log(`   peak ${mb(peak)}\n`);
      } catch (error) {
        console.log(`   skipped: ${(error as Error).message.split('\n')[0]}\n`);
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
