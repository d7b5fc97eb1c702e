/**
 * Reading path parameters, query strings and bodies with zod. Every problem is a 400 whose detail
 * names the field; an unknown or repeated parameter is refused rather than silently ignored.
 */
import { z } from 'zod';
import { reactorIdPattern, reactorIdRule } from '../../contract/api';
import { isoTimestampMs } from '../../contract/time';
import { HttpError } from './http-error';

/** Year 1970 to 9999, in epoch ms. */
const maxEpochMs = 253_402_300_799_999;

/** A time: ISO-8601 with a zone naming a real moment (no 02-30, no T24:00), or integer epoch ms. */
export const timeParameter = z.string().transform((text, ctx) => {
  const ms = /^-?\d+$/.test(text) ? Number(text) : isoTimestampMs(text);
  if (ms !== undefined && ms >= 0 && ms <= maxEpochMs) return ms;
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

/** C0 and C1 controls, DEL, the line and paragraph separators, and a surrogate without its pair. */
const unprintable = /[\p{Cc}\p{Cs}\u2028\u2029]/u;

/** True when the text has no control character (nor a lone surrogate, which no UTF-8 can carry). */
export const printable = (text: string) => !unprintable.test(text);

/** A name or other one-line text someone reads: nothing unprintable, then trimmed, 1…max characters. */
export function plainText(max: number) {
  return z.string().refine(printable, 'no control characters').trim().min(1).max(max);
}

/**
 * An http:// or https:// URL with a host, stored as parsed and normalized (`HTTP://Host:80/a/../b`
 * → `http://host/b`). Control characters and spaces are refused first: the URL parser would drop
 * tabs and line breaks without a word.
 */
export const httpUrl = z
  .string()
  .max(2000)
  .refine((text) => printable(text) && !/\s/.test(text), 'no control characters or spaces')
  .transform((text, ctx) => {
    try {
      const url = new URL(text);
      if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '') return url.href;
    } catch {
      // not a URL: the issue below says what is expected
    }
    ctx.addIssue({ code: 'custom', message: 'an http:// or https:// URL' });
    return z.NEVER;
  });
