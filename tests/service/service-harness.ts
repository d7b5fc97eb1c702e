/**
 * The service as `npm start` runs it (`node --import tsx server.ts`), as a child process on a free
 * port and a database file of the test's choosing, with JSON logs kept for assertions; and a way to
 * publish a simulated plant history through a broker the way the live publisher does.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { IClientOptions } from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import type { FitRecord } from '../../contract/api';
import type { ClientToServerEvents, ReadingBatch, ServerToClientEvents } from '../../contract/realtime';
import { realtimePath } from '../../contract/realtime';
import { LivePublisher } from '../../simulator/live-publisher';
import type { PlantSample } from '../../simulator/plant-sample';
import { freePort } from '../fixtures/mosquitto';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  logs(): LogLine[];
  output(): string;
  get<T = unknown>(path: string, init?: RequestInit): Promise<{ status: number; body: T; headers: Headers }>;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startServiceProcess(
  env: Record<string, string>,
  /** Called with the process as soon as it exists, before it is ready (to signal it while it starts). */
  onSpawn?: (child: ChildProcess) => void,
): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: String(port),
      HTTP_HOST: '127.0.0.1',
      // Tests of other things run open on loopback; tests/auth turn it on.
      AUTH: 'off',
      DASHBOARD: 'off',
      SIMULATOR: 'off',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  onSpawn?.(child);
  const lines: LogLine[] = [];
  let text = '';
  let partial = '';
  let onReady: () => void = () => {};
  child.stdout?.on('data', (chunk: Buffer) => {
    const all = partial + chunk.toString('utf8');
    const complete = all.split('\n');
    partial = complete.pop() ?? '';
    for (const line of complete) {
      text += `${line}\n`;
      try {
        const parsed = JSON.parse(line) as LogLine;
        lines.push(parsed);
        if (parsed.msg === 'service ready') onReady();
      } catch {
        // Not a log line; kept in the text.
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  // Ready once "service ready" is logged, or (at quieter log levels) once /healthz answers.
  let ready = false;
  onReady = () => {
    ready = true;
  };
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  const deadline = Date.now() + 60_000;
  while (!ready) {
    if (exitCode !== undefined) throw new Error(`service exited (${exitCode}) before ready:\n${text}`);
    if (Date.now() > deadline) throw new Error(`service not ready after 60 s:\n${text}`);
    try {
      const response = await fetch(`${url}/healthz`);
      await response.body?.cancel();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  onReady = () => {};
  return {
    url,
    child,
    logs: () => lines.slice(),
    output: () => text,
    get: async <T>(path: string, init?: RequestInit) => {
      const response = await fetch(`${url}${path}`, init);
      const type = response.headers.get('content-type') ?? '';
      const body = (type.includes('json') ? await response.json() : await response.text()) as T;
      return { status: response.status, body, headers: response.headers };
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** A socket.io client in one reactor's room, recording what it receives and when. */
export interface RoomListener {
  socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  batches: { atMs: number; batch: ReadingBatch }[];
  estimates: FitRecord[];
  close(): void;
}

export async function listenToReactor(url: string, reactorId: string): Promise<RoomListener> {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url, {
    path: realtimePath,
    transports: ['websocket'],
    reconnection: false,
  });
  const listener: RoomListener = {
    socket,
    batches: [],
    estimates: [],
    close: () => socket.close(),
  };
  socket.on('readings', (batch) => listener.batches.push({ atMs: Date.now(), batch }));
  socket.on('estimate', (fit) => listener.estimates.push(fit));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  socket.emit('join', reactorId);
  // The join is handled in order before anything the server sends later; a round trip makes sure.
  await new Promise((r) => setTimeout(r, 100));
  return listener;
}

/**
 * Publishes plant samples at QoS 1 on the live publisher's virtual calendar (epoch ms =
 * plantEpochMs + timeH·3.6e6), all at once as its back-fill; resolves, once the broker has them all,
 * with how many were published and how many the broker acknowledged.
 */
export async function publishHistoryCounts(
  brokerUrl: string,
  reactorId: string,
  samples: PlantSample[],
  plantEpochMs: number,
  clientOptions: IClientOptions,
): Promise<{ published: number; acknowledged: number }> {
  const lastH = samples.reduce((m, s) => Math.max(m, s.availableAtH ?? s.timeH, s.timeH), 0);
  const publisher = new LivePublisher({
    url: brokerUrl,
    clientOptions,
    reactors: [{ reactorId, samples }],
    backfillPlantDays: lastH / 24 + 1e-9,
    plantEpochMs,
  });
  await publisher.start();
  await publisher.backfilled;
  await publisher.finished;
  const { published, acknowledged } = publisher.metrics();
  await publisher.stop();
  return { published, acknowledged };
}

/** publishHistoryCounts over MQTT 5, with no credentials: how many were published. */
export async function publishHistory(
  brokerUrl: string,
  reactorId: string,
  samples: PlantSample[],
  plantEpochMs: number,
): Promise<number> {
  return (await publishHistoryCounts(brokerUrl, reactorId, samples, plantEpochMs, { protocolVersion: 5 }))
    .published;
}

export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs: number,
  describe?: () => unknown,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(describe?.())}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
