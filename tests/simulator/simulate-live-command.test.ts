import { spawn } from 'node:child_process';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Mosquitto, startMosquitto } from '../fixtures/mosquitto';

const cli = join(import.meta.dirname, '../../bin/culturewatch.js');
let broker: Mosquitto;

beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker.stop();
});

describe('culturewatch simulate-live', () => {
  it('publishes back-filled and live readings for each reactor to an external broker, and stops on SIGINT', async () => {
    const seen = new Map<string, number>();
    const subscriber = await mqtt.connectAsync(broker.url);
    await subscriber.subscribeAsync('culturewatch/#', { qos: 1 });
    subscriber.on('message', (topic) => seen.set(topic, (seen.get(topic) ?? 0) + 1));

    const child = spawn(
      process.execPath,
      [
        cli,
        'simulate-live',
        '--mqtt',
        broker.url,
        '--reactors',
        'r1,r2',
        '--speed',
        '20',
        '--backfill-days',
        '0.5',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const deadline = Date.now() + 30_000;
    while ((seen.get('culturewatch/r2/od') ?? 0) < 60 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    await subscriber.endAsync();

    // Half a day back-filled at 15-min readings is 49 per signal; more arrive live.
    for (const reactor of ['r1', 'r2']) {
      expect(seen.get(`culturewatch/${reactor}/od`) ?? 0).toBeGreaterThanOrEqual(49);
      expect(seen.get(`culturewatch/${reactor}/substrate`) ?? 0).toBeGreaterThanOrEqual(49);
      expect(seen.get(`culturewatch/${reactor}/dilution`) ?? 0).toBeGreaterThanOrEqual(49);
    }
    expect(stderr).toMatch(/simulate-live: r1, r2/);
  });

  it('refuses a missing broker URL with exit code 2', async () => {
    const child = spawn(process.execPath, [cli, 'simulate-live', '--reactors', 'r1'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/--mqtt: expected mqtt:\/\/host/);
  });
});
