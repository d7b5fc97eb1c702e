/**
 * The service in this process, with AUTH on, the simulator for one reactor, short HTTP time limits
 * and an operator's API token: what the bad-input tests knock on. Plus raw sockets, to send what
 * fetch never would.
 */
import { rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { prepareAuthStatements } from '../../db/auth-statements';
import { openDatabase } from '../../db/open-database';
import { ApiTokens } from '../../server/auth/api-tokens';
import { type RunningService, startService } from '../../server/service/service';
import { loadServiceSettings } from '../../server/service/service-settings';
import { type CapturedLog, capturedLog, tempDir } from '../fixtures/ingest-harness';
import { freePort } from '../fixtures/mosquitto';

export interface ServiceUnderTest {
  service: RunningService;
  /** `Authorization` for an operator token. */
  authorization: string;
  mqtt: { url: string; username: string; password: string };
}

export const serviceAccount = { username: 'cw-service', password: 'service-password-for-tests' };

export async function startServiceUnderTest(
  dir: string,
  logger: Logger,
  overrides: Record<string, string> = {},
): Promise<ServiceUnderTest> {
  const databasePath = join(dir, 'culturewatch.db');
  const env: Record<string, string> = {
    DATABASE_PATH: databasePath,
    PORT: String(await freePort()),
    HTTP_HOST: '127.0.0.1',
    MQTT_PORT: String(await freePort()),
    MQTT_USERNAME: serviceAccount.username,
    MQTT_PASSWORD: serviceAccount.password,
    DASHBOARD: 'off',
    ASSIMILATOR: 'off',
    SIMULATOR: 'on',
    SIMULATOR_REACTORS: 'r1',
    SIMULATOR_BACKFILL_DAYS: '0.2',
    ...overrides,
  };
  const settings = loadServiceSettings(env as NodeJS.ProcessEnv);
  const service = await startService(settings, logger);
  // A second connection to the same file, as `culturewatch` commands open it.
  const database = openDatabase(databasePath, { synchronous: 'normal' });
  const token = await new ApiTokens(prepareAuthStatements(database.sqlite)).create(
    'tests',
    'operator',
    'tests',
  );
  database.close();
  return {
    service,
    authorization: `Bearer ${token.token}`,
    mqtt: { url: service.brokerUrl, ...serviceAccount },
  };
}

/** The service for the tests of the calling file (or describe block): up before them, stopped after. */
export function serviceUnderTestAround(
  label: string,
  overrides: Record<string, string> = {},
): { get: () => ServiceUnderTest; log: CapturedLog } {
  const log = capturedLog('info');
  const dir = tempDir(label);
  let sut: ServiceUnderTest | undefined;
  beforeAll(async () => {
    sut = await startServiceUnderTest(dir, log.logger, overrides);
  });
  afterAll(async () => {
    await sut?.service.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    get: () => {
      if (!sut) throw new Error('the service under test is not up');
      return sut;
    },
    log,
  };
}

export interface RawExchange {
  socket: Socket;
  /** Everything the server sent, once it closed the connection. */
  closed: Promise<{ text: string; afterMs: number }>;
}

/** Opens a TCP connection and sends `bytes`; what comes back is collected until the server closes. */
export function rawExchange(
  port: number,
  bytes: string | Buffer,
  options: { localAddress?: string } = {},
): RawExchange {
  const startedMs = performance.now();
  const socket = connect({ host: '127.0.0.1', port, ...options });
  socket.on('error', () => {}); // a reset after the answer is the point of some tests
  const chunks: Buffer[] = [];
  socket.on('data', (chunk) => chunks.push(chunk));
  socket.write(bytes);
  const closed = new Promise<{ text: string; afterMs: number }>((resolve) =>
    socket.once('close', () =>
      resolve({ text: Buffer.concat(chunks).toString('latin1'), afterMs: performance.now() - startedMs }),
    ),
  );
  return { socket, closed };
}

export function statusOf(responseText: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(responseText)?.[1] ?? 0);
}
