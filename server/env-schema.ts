/**
 * The pieces every settings schema is made of (config.ts, service/service-settings.ts,
 * alerts/alert-settings.ts): environment values are text, and an empty one counts as unset.
 */
import { z } from 'zod';

/** A setting that is wrong: the service does not start, and the message names it. */
export class ConfigError extends Error {}

const unsetIfEmpty = (value: unknown) => (value === '' ? undefined : value);

/** `schema` applied to the value, or to undefined when it is empty, so that `.default()` and `.optional()` hold. */
export function setting<T extends z.ZodType>(schema: T) {
  return z.preprocess(unsetIfEmpty, schema);
}

export const optionalText = setting(z.string().optional());

export const positiveNumber = (fallback: number) =>
  setting(z.coerce.number().positive().finite().default(fallback));

/** `on|off`, also `true|false` and `1|0`, any case. */
export const onOff = z.preprocess(
  (v) => (typeof v === 'string' ? v.toLowerCase() : v),
  z.enum(['on', 'off', 'true', 'false', '1', '0']).transform((v) => v === 'on' || v === 'true' || v === '1'),
);

/** Parses the settings; a ConfigError names every bad one. */
export function parseSettings<T extends z.ZodType>(
  schema: T,
  env: Readonly<Record<string, string | undefined>>,
): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  throw new ConfigError(`bad settings: ${problems.join('; ')}`);
}
