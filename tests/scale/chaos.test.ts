/**
 * The scaled deployment under fire, on loopback: PostgreSQL and mosquitto, two ingesters on one MQTT
 * v5 shared subscription, two assimilators taking fit jobs from pg-boss, two web processes on the
 * socket.io PostgreSQL adapter with socket.io clients on each. Mid-run one of each is SIGKILLed; the
 * killed ingester is started again as systemd would (its persistent session holds what it had not
 * acknowledged), the others are not. Afterwards no reading is lost or stored twice, every window of
 * every reactor is fitted exactly once (fits after late data are marked refit, and counted), and
 * every client, those of the killed web process reconnected to the other, still receives readings
 * and fits.
 */
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { afterAll, expect, it } from 'vitest';
import { sameInstantH } from '../../assimilation';
import { defaultAssimilatorSettings } from '../../server/assimilator/assimilator-settings';
import { reactorLockClass } from '../../server/assimilator/fit-jobs';
import { type IngesterProcess, spawnIngester, spawnProcess } from '../fixtures/ingester-process';
import { type Mosquitto, startMosquitto } from '../fixtures/mosquitto';
import { plantEpochMs, plantMessages, publishPaced } from '../fixtures/plant-stream';
import { type Postgres, startPostgres } from '../fixtures/postgres';

const reactors = ['r1', 'r2', 'r3'];
const plantHours = 30;
const plantHoursPerSecond = 1.5;

const processes: IngesterProcess[] = [];
const sockets: Socket[] = [];
let postgres: Postgres | undefined;
let mosquitto: Mosquitto | undefined;
afterAll(async () => {
  for (const s of sockets) s.close();
  for (const p of processes) p.child.kill('SIGKILL');
  await Promise.all(processes.map((p) => p.exited));
  await mosquitto?.stop();
  await postgres?.stop();
});

/** A socket.io client that, when its web process dies, reconnects to the next one (as through a load balancer). */
class Browser {
  socket: Socket;
  estimates = 0;
  readings = 0;
  estimatesSinceReconnect = 0;
  readingsSinceReconnect = 0;
  reconnects = 0;
  private at: number;

  constructor(
    readonly name: string,
    private readonly urls: string[],
    first: number,
  ) {
    this.at = first;
    this.socket = this.connect();
  }

  private connect(): Socket {
    const socket = io(this.urls[this.at], { transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    socket.on('connect', () => {
      for (const r of reactors) socket.emit('join', r);
    });
    socket.on('estimate', () => {
      this.estimates++;
      this.estimatesSinceReconnect++;
    });
    socket.on('readings', (batch: { readings: unknown[] }) => {
      this.readings += batch.readings.length;
      this.readingsSinceReconnect += batch.readings.length;
    });
    socket.on('disconnect', () => {
      this.at = (this.at + 1) % this.urls.length;
      this.reconnects++;
      this.estimatesSinceReconnect = 0;
      this.readingsSinceReconnect = 0;
      this.socket = this.connect();
    });
    socket.on('connect_error', () => {
      setTimeout(() => socket.connect(), 200);
    });
    return socket;
  }
}

const waitUntil = async (
  what: string,
  done: () => Promise<boolean> | boolean,
  timeoutMs: number,
  state: () => Promise<unknown> | unknown = () => '',
) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await state())}`);
    await new Promise((r) => setTimeout(r, 250));
  }
};

/** The assimilator holding a reactor's advisory lock (fit-jobs.ts), found by its connection's application name. */
async function lockHolder(
  assimilators: IngesterProcess[],
): Promise<{ process: IngesterProcess; reactorId: string }> {
  const db = new pg.Client({ connectionString: postgres?.url });
  await db.connect();
  try {
    const ids = new Map<number, string>();
    for (const r of reactors)
      ids.set((await db.query<{ h: number }>('SELECT hashtext($1) AS h', [r])).rows[0].h, r);
    const deadline = Date.now() + 15_000;
    for (;;) {
      const held = await db.query<{ app: string; key: number }>(
        `SELECT a.application_name AS app, l.objid::int AS key FROM pg_locks l
         JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1`,
        [reactorLockClass],
      );
      for (const h of held.rows) {
        const process = assimilators.find((p) => h.app === `assimilator ${p.child.pid}`);
        const reactorId = ids.get(h.key);
        if (process && reactorId) return { process, reactorId };
      }
      if (Date.now() > deadline) throw new Error('no assimilator held a reactor within 15 s');
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await db.end();
  }
}

it('loses no reading and fits every window once while one ingester, one assimilator and one web process are killed', async () => {
  [postgres, mosquitto] = await Promise.all([startPostgres(), startMosquitto()]);
  const common = {
    DATABASE_URL: postgres.url,
    MQTT_URL: mosquitto.url,
    MQTT_SHARED_GROUP: 'ingest',
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    // The live feed is what is under test here (tests/scale/scaled-web.test.ts has the pages and AUTH).
    AUTH: 'off',
    DASHBOARD: 'off',
    HTTP_HOST: '127.0.0.1',
    SIMULATOR: 'off',
    ASSIMILATOR_SCAN_MS: '500',
  };
  const ingester = (n: number) => spawnIngester({ ...common, MQTT_CLIENT_ID: `chaos-ingester-${n}` });
  const role = (role: string, n: number, env: Record<string, string> = {}) =>
    spawnProcess(
      'server/service/run-role.ts',
      `${role} ready`,
      { ...common, ...env, MQTT_CLIENT_ID: `chaos-${role}-${n}` },
      [role],
    );
  // The first process migrates the database; the others find it done (they would wait on its lock).
  const first = ingester(1);
  processes.push(first);
  await first.ready;
  // Likewise the first assimilator installs pg-boss's schema (two installing it at once may collide;
  // a unit that exits is restarted by systemd, deploy/scaled/).
  const firstAssimilator = role('assimilator', 1);
  processes.push(firstAssimilator);
  await firstAssimilator.ready;
  const started = [
    ingester(2),
    firstAssimilator,
    role('assimilator', 2),
    role('web', 1, { PORT: '0' }),
    role('web', 2, { PORT: '0' }),
  ];
  processes.push(...started.filter((p) => p !== firstAssimilator));
  await Promise.all(started.map((p) => p.ready));
  const [, asm1, asm2, web1, web2] = started;
  const urlOf = (p: IngesterProcess) => p.logLines().find((l) => l.msg === 'web ready')?.url as string;
  const urls = [urlOf(web1), urlOf(web2)];
  const browsers = [0, 1, 0, 1].map((at, i) => new Browser(`browser-${i + 1}`, urls, at));
  await waitUntil('browsers connected', () => browsers.every((b) => b.socket.connected), 10_000);

  const messages = plantMessages(reactors, plantHours);
  const publishing = publishPaced({ url: mosquitto.url, messages, plantHoursPerSecond, maxInFlight: 50 });
  const kills: string[] = [];
  const at = (seconds: number, what: () => Promise<void> | void) =>
    new Promise<void>((resolve, reject) =>
      setTimeout(() => Promise.resolve(what()).then(resolve, reject), seconds * 1000),
    );
  const chaos = Promise.all([
    at(6, async () => {
      first.child.kill('SIGKILL');
      expect(await first.exited).toBeNull();
      kills.push('ingester-1');
      await new Promise((r) => setTimeout(r, 2000));
      const again = ingester(1);
      processes.push(again);
      await again.ready;
    }),
    at(8, async () => {
      // The assimilator that holds a reactor's chain (its advisory lock) at this moment: its job dies with it.
      const holder = await lockHolder([asm1, asm2]);
      holder.process.child.kill('SIGKILL');
      expect(await holder.process.exited).toBeNull();
      kills.push(`assimilator-${holder.process === asm1 ? 1 : 2} (fitting ${holder.reactorId})`);
    }),
    at(10, async () => {
      web1.child.kill('SIGKILL');
      expect(await web1.exited).toBeNull();
      kills.push('web-1');
    }),
  ]);
  const published = await publishing;
  await chaos;
  expect(published).toBe(messages.length);
  expect(kills).toEqual([
    'ingester-1',
    expect.stringMatching(/^assimilator-[12] \(fitting r[123]\)$/),
    'web-1',
  ]);

  // Every reactor's windows: from its oldest online reading, a step at a time, while the end is behind its newest.
  const { windowHours, stepHours } = defaultAssimilatorSettings;
  const expectedEnds = new Map<string, number[]>();
  for (const r of reactors) {
    const times = messages.filter((m) => m.reactorId === r && m.signal !== 'feed').map((m) => m.timeH);
    const ends: number[] = [];
    for (
      let end = Math.min(...times) + windowHours;
      end < Math.max(...times) - sameInstantH;
      end += stepHours
    )
      ends.push(end);
    expectedEnds.set(r, ends);
  }
  const db = new pg.Client({ connectionString: postgres.url });
  await db.connect();
  try {
    const fittedUpTo = async () =>
      new Map(
        (
          await db.query<{ id: string; h: number }>(
            'SELECT reactor_id AS id, fitted_up_to_h AS h FROM assimilator_chains',
          )
        ).rows.map((r) => [r.id, r.h - plantEpochMs / 3_600_000]),
      );
    await waitUntil(
      'every window fitted',
      async () => {
        const upTo = await fittedUpTo();
        return reactors.every(
          (r) => Math.abs((upTo.get(r) ?? 0) - (expectedEnds.get(r)?.at(-1) ?? Number.NaN)) < 1e-6,
        );
      },
      40_000,
      async () => ({
        fittedUpTo: Object.fromEntries(await fittedUpTo()),
        expectedUpTo: Object.fromEntries([...expectedEnds].map(([r, e]) => [r, e.at(-1)])),
        assimilatorErrors: processes
          .flatMap((p) => p.logLines())
          .filter((l) => l.role === 'assimilator' && Number(l.level) >= 40)
          .map((l) => `${l.msg}: ${(l.err as { message?: string } | undefined)?.message}`)
          .slice(0, 10),
      }),
    );
    // Readings: exactly the published set, each once, with its published value.
    const stored = await db.query<{ reactor: string; signal: string; ts: number; value: number }>(
      'SELECT reactor_id AS reactor, signal, ts_ms AS ts, value FROM readings',
    );
    const key = (r: string, s: string, t: number) => `${r}/${s}/${t}`;
    const storedByKey = new Map(stored.rows.map((r) => [key(r.reactor, r.signal, r.ts), r.value]));
    const missing = messages.filter((m) => storedByKey.get(key(m.reactorId, m.signal, m.tsMs)) !== m.value);
    expect(missing).toEqual([]);
    expect(stored.rows.length).toBe(messages.length);

    // Fits: per reactor, every expected window exactly once among first fits; refits only marked so.
    const fits = await db.query<{ reactor: string; endH: number; refit: boolean; status: string }>(
      'SELECT reactor_id AS reactor, window_end_h AS "endH", refit, status FROM fits ORDER BY id',
    );
    const summary: Record<string, { fits: number; refits: number; failed: number }> = {};
    for (const r of reactors) {
      const mine = fits.rows.filter((f) => f.reactor === r);
      const firstFits = mine
        .filter((f) => !f.refit)
        .map((f) => Math.round((f.endH - plantEpochMs / 3_600_000) * 1e6) / 1e6);
      expect({ reactor: r, windowEnds: firstFits }).toEqual({ reactor: r, windowEnds: expectedEnds.get(r) });
      summary[r] = {
        fits: mine.length,
        refits: mine.filter((f) => f.refit).length,
        failed: mine.filter((f) => f.status !== 'ok').length,
      };
    }

    // Browsers: each still hears fits and readings after the kills, those of web-1 from web-2.
    const movedOn = browsers.filter((b) => b.reconnects > 0).map((b) => b.name);
    expect(movedOn.sort()).toEqual(['browser-1', 'browser-3']);
    await waitUntil(
      'every browser hearing fits and readings after the kills',
      () => browsers.every((b) => b.estimatesSinceReconnect > 0 && b.readingsSinceReconnect > 0),
      5_000,
    ).catch(() => {});
    for (const b of browsers) {
      expect({
        browser: b.name,
        hearsFits: b.estimatesSinceReconnect > 0,
        hearsReadings: b.readingsSinceReconnect > 0,
      }).toEqual({
        browser: b.name,
        hearsFits: true,
        hearsReadings: true,
      });
    }
    console.log(
      `chaos: ${messages.length} readings published, ${stored.rows.length} stored (0 lost, 0 twice); killed ${kills.join(', ')}; fits ${JSON.stringify(summary)}; browsers ${JSON.stringify(
        browsers.map((b) => ({
          name: b.name,
          estimates: b.estimates,
          readings: b.readings,
          reconnects: b.reconnects,
        })),
      )}`,
    );
  } finally {
    await db.end();
  }
}, 120_000);
