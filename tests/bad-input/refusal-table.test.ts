/** server/README.md keeps one table of refusals, limits and timeouts; it must say what the code does. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { plantSignals, reactorIdRule } from '../../contract/api';
import { deviceAccountRefusalReasons } from '../../server/broker/device-accounts';
import { mqttRefusalReasons } from '../../server/broker/refusal-log';
import { defaultHttpLimits, keepAliveTimeoutMs } from '../../server/http/http-limits';
import { httpRefusalReasons } from '../../server/http/http-refusals';
import { maxBodyBytes } from '../../server/http/request-body';
import { defaultMessageLimits } from '../../server/ingest/message-validator';
import { maxFutureSkewMs } from '../../server/ingest/reading-rules';
import { rejectionReasons } from '../../server/ingest/rejection-reasons';

const readme = readFileSync(join(import.meta.dirname, '..', '..', 'server', 'README.md'), 'utf8');
const table = readme.slice(
  readme.indexOf('<!-- refusals: begin -->'),
  readme.indexOf('<!-- refusals: end -->'),
);
const rows = table
  .split('\n')
  .filter((line) => line.startsWith('| ') && !line.startsWith('| door') && !line.startsWith('| ---'))
  .map((line) => line.split('|').map((cell) => cell.trim()));
const reasonsAt = (...doors: string[]) =>
  rows
    .filter((r) => doors.some((door) => r[1].startsWith(door)))
    .map((r) => /^`([^`]+)`$/.exec(r[2])?.[1] ?? `not a reason: ${r[2]}`);
const limitOf = (reason: string) => rows.find((r) => r[2] === `\`${reason}\``)?.[4] ?? '';

describe('the README table of refusals, limits and timeouts', () => {
  it('lists every reason a device account request is refused for', () => {
    expect(reasonsAt('device accounts API')).toEqual([...deviceAccountRefusalReasons]);
  });

  it('lists every reason the code can give, once, and no other', () => {
    // A reading's reasons, whichever door it came by (an assay entered by hand is stored as one).
    expect(reasonsAt('MQTT', 'assay entered by hand')).toEqual([...rejectionReasons]);
    expect([...reasonsAt('embedded broker')].sort()).toEqual([...mqttRefusalReasons].sort());
    expect(reasonsAt('HTTP port')).toEqual([...httpRefusalReasons]);
  });

  it('gives the limits and timeouts the code uses', () => {
    const kib = (bytes: number) => `${bytes / 1024} KiB`;
    expect(limitOf('payload-too-large')).toContain(kib(defaultMessageLimits.maxPayloadBytes));
    expect(limitOf('nesting-too-deep')).toContain(`≤ ${defaultMessageLimits.maxNestingDepth}`);
    expect(limitOf('batch-too-large')).toContain(`≤ ${defaultMessageLimits.maxBatchReadings}`);
    expect(limitOf('timestamp-in-future')).toContain(`≤ ${maxFutureSkewMs / 60_000} min`);
    expect(limitOf('reactor-id-invalid')).toContain(reactorIdRule);
    expect(limitOf('signal-unknown')).toBe(plantSignals.map((s) => `\`${s}\``).join(', '));
    expect(limitOf('body-too-large')).toContain(kib(maxBodyBytes));
    expect(limitOf('request-timeout')).toContain(`${defaultHttpLimits.headersTimeoutMs / 1000} s`);
    expect(limitOf('request-timeout')).toContain(`${defaultHttpLimits.requestTimeoutMs / 1000} s`);
    expect(limitOf('idle-timeout')).toContain(`${defaultHttpLimits.idleTimeoutMs / 1000} s`);
    expect(limitOf('idle-timeout')).toContain(`${keepAliveTimeoutMs / 1000} s`);
    expect(limitOf('too-many-connections')).toContain(
      `${defaultHttpLimits.maxConnectionsPerClient} connections`,
    );
  });
});
