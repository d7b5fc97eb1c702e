/**
 * Validation of path parameters, query strings and bodies (zod). Every problem becomes a 400 with a
 * reason naming the field; an unknown parameter is refused rather than silently ignored.
 */
import { z } from 'zod';
import type { PlantSignal } from '../../contract/api';
import { HttpError } from './api-error';

const plantSignals = [
  'od',
  'substrate',
  'dilution',
  'feed',
  'assay/X',
  'assay/Y',
  'assay/A',
  'assay/B',
] as const satisfies readonly PlantSignal[];

const isoWithZone = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
/** Year 1970 to 9999, in epoch ms. */
const maxEpochMs = 253_402_300_799_999;

/** A time: ISO-8601 with a zone, or integer epoch ms. */
const timeParameter = z.string().transform((text, ctx) => {
  if (/^-?\d+$/.test(text)) {
    const ms = Number(text);
    if (ms >= 0 && ms <= maxEpochMs) return ms;
  } else if (isoWithZone.test(text)) {
    const ms = Date.parse(text);
    if (Number.isFinite(ms) && ms >= 0 && ms <= maxEpochMs) return ms;
  }
  ctx.addIssue({
    code: 'custom',
    message: 'expected ISO-8601 with a zone (2024-05-01T12:00:00Z) or epoch ms',
  });
  return z.NEVER;
});

const rangeFields = { from: timeParameter.optional(), to: timeParameter.optional() };

function checkRange(q: { from?: number; to?: number }, ctx: z.RefinementCtx): void {
  if (q.from !== undefined && q.to !== undefined && q.from > q.to) {
    ctx.addIssue({ code: 'custom', path: ['from'], message: 'from is after to (inverted range)' });
  }
}

export const rangeQuery = z.strictObject(rangeFields).superRefine(checkRange);

export const estimatesQuery = z
  .strictObject({ ...rangeFields, trajectories: z.enum(['all', 'latest', 'none']).default('all') })
  .superRefine(checkRange);

export function readingsQuery(maxPointsLimit: number, defaultMaxPoints: number) {
  return z
    .strictObject({
      ...rangeFields,
      signal: z.enum(plantSignals, { message: `expected one of ${plantSignals.join(', ')}` }),
      maxPoints: z
        .string()
        .regex(/^\d+$/, 'expected a whole number')
        .transform(Number)
        .pipe(z.number().int().min(2).max(maxPointsLimit, `at most ${maxPointsLimit}`))
        .default(defaultMaxPoints),
    })
    .superRefine(checkRange);
}

export const reactorIdParameter = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'reactor ids match [A-Za-z0-9_-]{1,64}');
export const fitIdParameter = z
  .string()
  .regex(/^\d{1,15}$/, 'expected a fit id (a positive whole number)')
  .transform(Number);

export const dilutionBody = z.strictObject({
  perHour: z.number().positive().max(1, 'at most 1 1/h (the culture washes out well before)'),
});
export const faultBody = z.strictObject({
  kind: z.enum(['spike', 'stuck-substrate', 'gap']),
  durationHours: z.number().min(0).max(72, 'at most 72 h'),
});
export const emptyBody = z.strictObject({});
export const emptyQuery = z.strictObject({});

/** The query string as an object; a parameter given twice is refused. */
export function queryObject(search: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of search) {
    if (key in out) throw new HttpError(400, 'malformed query', `${key} is given more than once`);
    out[key] = value;
  }
  return out;
}

/** Parses with a schema; a failure is a 400 naming the fields. */
export function parseOr400<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const detail = result.error.issues
    .map((issue) => {
      const field = issue.path.join('.');
      if (issue.code === 'unrecognized_keys') return `unknown ${what} ${issue.keys.join(', ')}`;
      return field ? `${field}: ${issue.message}` : issue.message;
    })
    .join('; ');
  const inverted = result.error.issues.some((i) => i.message.includes('inverted'));
  throw new HttpError(400, inverted ? 'inverted time range' : `malformed ${what}`, detail);
}
