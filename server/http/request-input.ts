/**
 * Reading path parameters, query strings and bodies with zod. Every problem is a 400 whose detail
 * names the field; an unknown or repeated parameter is refused rather than silently ignored.
 */
import { z } from 'zod';
import { reactorIdPattern, reactorIdRule } from '../../contract/api';
import { HttpError } from './http-error';

const isoWithZone = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
/** Year 1970 to 9999, in epoch ms. */
const maxEpochMs = 253_402_300_799_999;

/** A time: ISO-8601 with a zone, or integer epoch ms. */
export const timeParameter = z.string().transform((text, ctx) => {
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

/** `from` and `to`, both optional; use with `refuseInvertedRange`. */
export const rangeFields = { from: timeParameter.optional(), to: timeParameter.optional() };

export function refuseInvertedRange(q: { from?: number; to?: number }, ctx: z.RefinementCtx): void {
  if (q.from !== undefined && q.to !== undefined && q.from > q.to) {
    ctx.addIssue({ code: 'custom', path: ['from'], message: 'from is after to (inverted range)' });
  }
}

/** A whole number in a query string, `min`…`max`, `fallback` when absent. */
export function countParameter(min: number, max: number, fallback: number) {
  return z
    .string()
    .regex(/^\d+$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max, `at most ${max}`))
    .default(fallback);
}

/** A row id in a path: a positive whole number. */
export function idParameter(what: string) {
  return z
    .string()
    .regex(/^\d{1,15}$/, `expected ${what}`)
    .transform(Number);
}

export const reactorIdParameter = z.string().regex(reactorIdPattern, `reactor ids match ${reactorIdRule}`);

export const emptyQuery = z.strictObject({});
export const emptyBody = z.strictObject({});

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
