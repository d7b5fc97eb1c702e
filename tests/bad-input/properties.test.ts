import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { isReactorId, plantSignals } from '../../contract/api';
import { defaultMessageLimits, validateMessage } from '../../server/ingest/message-validator';
import { maxFutureSkewMs, plausibleRanges, timestampMs } from '../../server/ingest/reading-rules';
import { rejectionReasons } from '../../server/ingest/rejection-reasons';
import { recordingSink } from '../fixtures/ingest-harness';
import { type ServiceUnderTest, serviceUnderTestAround } from './service-under-test';

const seed = 20_231_123;
const receivedAtMs = Date.UTC(2025, 5, 1, 12);

const control = fc.constantFrom('\u0000', '\u0007', '\n', '\r', '\u007f', '\u0085', '\u2028', '\ud800');
const awkwardText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.tuple(fc.string({ maxLength: 10 }), control, fc.string({ maxLength: 10 })).map((p) => p.join('')),
);

describe('the ingest validator', () => {
  const value = fc.oneof(
    fc.double(),
    fc.integer(),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, 1e308),
    awkwardText,
    fc.constant(null),
    fc.boolean(),
  );
  const ts = fc.oneof(
    fc.integer({ min: -1e15, max: 1e15 }),
    fc.double(),
    fc.date({ min: new Date(0), max: new Date(receivedAtMs + 3600_000) }).map((d) => d.toISOString()),
    awkwardText,
    fc.constant(undefined),
  );
  const reading = fc.record({ ts, value }, { requiredKeys: ['value'] });
  const payload = fc.oneof(
    reading.map((r) => Buffer.from(JSON.stringify(r) ?? '')),
    fc.array(reading, { maxLength: 5 }).map((r) => Buffer.from(JSON.stringify(r))),
    value.map((v) => Buffer.from(String(v))),
    fc.json().map((j) => Buffer.from(j)),
    fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
  );
  const topic = fc.oneof(
    fc
      .tuple(
        fc.oneof(fc.constantFrom('r1', 'reactor_2'), awkwardText),
        fc.oneof(fc.constantFrom(...plantSignals), awkwardText),
      )
      .map(([reactor, signal]) => `culturewatch/${reactor}/${signal}`),
    awkwardText,
  );

  it('accepts only finite, plausible, dated readings, and names a reason for everything else', () => {
    fc.assert(
      fc.property(topic, payload, (t, p) => {
        const sink = recordingSink();
        validateMessage(t, p, receivedAtMs, 'culturewatch', defaultMessageLimits, sink);
        for (const r of sink.accepted) {
          expect(isReactorId(r.reactorId)).toBe(true);
          expect(plantSignals).toContain(r.signal);
          expect(Number.isFinite(r.value)).toBe(true);
          const range = plausibleRanges[r.signal];
          expect(r.value >= range.min && r.value <= range.max).toBe(true);
          expect(Number.isInteger(r.tsMs)).toBe(true);
          expect(r.tsMs >= 0 && r.tsMs <= receivedAtMs + maxFutureSkewMs).toBe(true);
        }
        for (const rejection of sink.rejected) expect(rejectionReasons).toContain(rejection.reason);
      }),
      { seed, numRuns: 2000 },
    );
  });

  it('reads an ISO time as the moment it names, and refuses a date that does not exist', () => {
    const pad = (n: number, width = 2) => String(n).padStart(width, '0');
    const parts = fc.record({
      year: fc.integer({ min: 1970, max: 2030 }),
      month: fc.integer({ min: 0, max: 13 }),
      day: fc.integer({ min: 0, max: 32 }),
      hour: fc.integer({ min: 0, max: 25 }),
      minute: fc.integer({ min: 0, max: 61 }),
      second: fc.integer({ min: 0, max: 61 }),
      zone: fc.oneof(
        fc.constant<{ sign: 1 | -1; hours: number; minutes: number } | null>(null),
        fc.record({
          sign: fc.constantFrom<1 | -1>(1, -1),
          hours: fc.integer({ min: 0, max: 25 }),
          minutes: fc.integer({ min: 0, max: 61 }),
        }),
      ),
    });
    fc.assert(
      fc.property(parts, (p) => {
        const zone = p.zone
          ? `${p.zone.sign > 0 ? '+' : '-'}${pad(p.zone.hours)}:${pad(p.zone.minutes)}`
          : 'Z';
        const text = `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${zone}`;
        const monthDays = [31, p.year % 4 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][
          p.month - 1
        ];
        const real =
          p.month >= 1 &&
          p.month <= 12 &&
          p.day >= 1 &&
          p.day <= monthDays &&
          p.hour <= 23 &&
          p.minute <= 59 &&
          p.second <= 59 &&
          (!p.zone || (p.zone.hours <= 23 && p.zone.minutes <= 59));
        const verdict = timestampMs(text, Date.UTC(2100, 0, 1));
        if (!real) {
          expect(verdict).toMatchObject({ ok: false, reason: 'timestamp-invalid' });
          return;
        }
        const offsetMs = p.zone ? p.zone.sign * (p.zone.hours * 60 + p.zone.minutes) * 60_000 : 0;
        const ms = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - offsetMs;
        expect(verdict).toEqual(
          ms < 0 ? expect.objectContaining({ reason: 'timestamp-before-1970' }) : { ok: true, value: ms },
        );
      }),
      { seed, numRuns: 3000 },
    );
  });
});

describe('every route of the running service', () => {
  const service = serviceUnderTestAround('properties');
  const { log } = service;
  let sut: ServiceUnderTest;
  beforeAll(() => {
    sut = service.get();
  });

  const fieldNames = [
    'from',
    'to',
    'signal',
    'maxPoints',
    'trajectories',
    'state',
    'limit',
    'reactor',
    'name',
    'url',
    'secret',
    'severities',
    'enabled',
    'rule',
    'by',
    'id',
    'kind',
    'severity',
    'username',
    'password',
    'role',
    'currentPassword',
    'newPassword',
    'windowHours',
    'stepHours',
    'forecastHours',
    'perHour',
    'durationHours',
    'threshold',
    'signal',
  ];
  const scalar = fc.oneof(
    awkwardText,
    fc.double(),
    fc.integer({ min: -10, max: 100_000 }),
    fc.boolean(),
    fc.constant(null),
    fc.constantFrom(
      '2025-02-30T00:00:00Z',
      '2025-01-01T24:00:00Z',
      '2024-05-01T12:00:00Z',
      '1700000000000',
      'od',
      'r1',
      'http://127.0.0.1:9/hook',
      'major',
      'operator',
      'fit-failures',
    ),
  );
  const bodyObject = fc.dictionary(
    fc.oneof(fc.constantFrom(...fieldNames), awkwardText),
    fc.oneof(
      scalar,
      fc.array(scalar, { maxLength: 3 }),
      fc.dictionary(fc.constantFrom(...fieldNames), scalar, { maxKeys: 4 }),
    ),
    { maxKeys: 5 },
  );
  const body = fc.oneof(
    bodyObject.map((o) => Buffer.from(JSON.stringify(o))),
    fc.json().map((j) => Buffer.from(j)),
    fc.uint8Array({ maxLength: 80 }).map((b) => Buffer.from(b)),
    fc.constant(Buffer.alloc(0)),
  );
  const query = fc.dictionary(
    fc.oneof(fc.constantFrom(...fieldNames), awkwardText),
    fc.oneof(scalar.map(String), awkwardText),
    { maxKeys: 4 },
  );
  const pathValue = fc.oneof(
    fc.constantFrom('r1', '1', '2', 'x2', 'nobody', '%ZZ', '999999999999999999'),
    awkwardText,
  );

  it('answers every generated request with 2xx or a 4xx that names its reason, never 500', async () => {
    const problems: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...sut.service.routes),
        pathValue,
        query,
        body,
        async (route, param, q, b) => {
          // Not the test's own credential (token 1).
          const filled = route.path.replace(/:[a-zA-Z]+/g, () =>
            // A lone surrogate has no URL form; a client sends U+FFFD's bytes for it.
            encodeURIComponent(
              (route.path.startsWith('/api/tokens') && param === '1' ? '2' : param).replace(
                /\p{Cs}/gu,
                '\ufffd',
              ),
            ),
          );
          const search = new URLSearchParams(q).toString();
          const response = await fetch(`${sut.service.url}${filled}${search ? `?${search}` : ''}`, {
            method: route.method,
            headers: { authorization: sut.authorization, 'content-type': 'application/json' },
            ...(route.method !== 'GET' && { body: new Blob([b]) }),
          });
          const text = await response.text();
          const where = `${route.method} ${filled}?${search} → ${response.status}`;
          if (response.status >= 500 && !(route.path === '/healthz' && response.status === 503)) {
            problems.push(`${where}: ${text.slice(0, 200)}`);
            return;
          }
          if (response.status >= 400) {
            const parsed = JSON.parse(text) as { error?: unknown };
            if (typeof parsed.error !== 'string' || parsed.error === '') problems.push(`${where}: no reason`);
          }
        },
      ),
      { seed, numRuns: 600 },
    );
    expect(problems).toEqual([]);
    expect(log.lines().filter((l) => l.level >= 50)).toEqual([]);
    // What was stored through the API reads back finite.
    const rules = await fetch(`${sut.service.url}/api/alert-rules`, {
      headers: { authorization: sut.authorization },
    });
    const numbers: number[] = [];
    JSON.parse(await rules.text(), (_key, v) => {
      if (typeof v === 'number') numbers.push(v);
      return v;
    });
    expect(numbers.every(Number.isFinite)).toBe(true);
  });
});
