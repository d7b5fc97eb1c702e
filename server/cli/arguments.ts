import { UsageError } from './usage-error';

/** `--help` (or `-h`): asks for usage, never an option that takes a value. */
export function isHelp(arg: string): boolean {
  return arg === '--help' || arg === '-h';
}

/** Parsed `--name value` options and positional arguments; flags without values are `true`. */
export interface ParsedArguments {
  positional: string[];
  options: Map<string, string | true>;
}

export function parseArguments(argv: string[], flags: readonly string[] = []): ParsedArguments {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split('=', 2);
    if (flags.includes(name) || isHelp(arg)) {
      options.set(name, true);
    } else if (inline !== undefined) {
      options.set(name, inline);
    } else {
      const value = argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      options.set(name, value);
    }
  }
  return { positional, options };
}

export function rejectUnknownOptions(args: ParsedArguments, known: readonly string[]): void {
  for (const name of args.options.keys()) {
    if (!known.includes(name))
      throw new UsageError(`unknown option --${name} (known: ${known.map((k) => `--${k}`).join(', ')})`);
  }
}

export function numberOption(
  args: ParsedArguments,
  name: string,
  fallback: number,
  check: (v: number) => boolean,
): number {
  const raw = args.options.get(name);
  if (raw === undefined) return fallback;
  const value = typeof raw === 'string' ? Number(raw) : Number.NaN;
  if (!Number.isFinite(value) || !check(value))
    throw new UsageError(`--${name}: invalid value ${JSON.stringify(raw)}`);
  return value;
}

export function stringOption(args: ParsedArguments, name: string): string | undefined {
  const raw = args.options.get(name);
  if (raw === true) throw new UsageError(`--${name} needs a value`);
  return raw;
}

/** Hours given as `12h`, `90m`, `2d` or a bare number of hours. */
export function durationHoursOption(args: ParsedArguments, name: string, fallback: number): number {
  const raw = stringOption(args, name);
  if (raw === undefined) return fallback;
  const m = /^(\d+(?:\.\d+)?)(h|m|d)?$/.exec(raw.trim());
  if (!m)
    throw new UsageError(`--${name}: expected a duration like 12h, 90m or 2d, got ${JSON.stringify(raw)}`);
  const value = Number(m[1]) * (m[2] === 'm' ? 1 / 60 : m[2] === 'd' ? 24 : 1);
  if (!(value > 0)) throw new UsageError(`--${name}: must be positive`);
  return value;
}
