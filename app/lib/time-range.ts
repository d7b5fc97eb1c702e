/**
 * Time ranges as in Grafana: each end is relative to now (`now`, `now-6h`), absolute (epoch ms), or
 * `first` (the first reading). "Now" is the plant clock's: the newest reading, which for a simulated
 * plant runs on its own calendar. A range that ends at `now` follows new readings live.
 */
import { msPerHour } from '../../contract/time';

export type TimePoint =
  | { kind: 'now'; offsetMs: number }
  | { kind: 'absolute'; ms: number }
  | { kind: 'first' };

export interface RangeChoice {
  from: TimePoint;
  to: TimePoint;
}

const now: TimePoint = { kind: 'now', offsetMs: 0 };

export const rangePresets: readonly { preset: string; label: string; spanMs: number | null }[] = [
  { preset: '1h', label: '1 h', spanMs: msPerHour },
  { preset: '6h', label: '6 h', spanMs: 6 * msPerHour },
  { preset: '12h', label: '12 h', spanMs: 12 * msPerHour },
  { preset: '24h', label: '24 h', spanMs: 24 * msPerHour },
  { preset: '3d', label: '3 d', spanMs: 72 * msPerHour },
  { preset: '7d', label: '7 d', spanMs: 168 * msPerHour },
  { preset: 'all', label: 'all', spanMs: null },
];

export function presetRange(spanMs: number | null): RangeChoice {
  return { from: spanMs === null ? { kind: 'first' } : { kind: 'now', offsetMs: spanMs }, to: now };
}

export const defaultRange: RangeChoice = presetRange(72 * msPerHour);

/** The preset this range is, if any. */
export function presetOf(choice: RangeChoice): string | null {
  if (choice.to.kind !== 'now' || choice.to.offsetMs !== 0) return null;
  const { from } = choice;
  const span = from.kind === 'now' ? from.offsetMs : from.kind === 'first' ? null : undefined;
  return rangePresets.find((p) => p.spanMs === span)?.preset ?? null;
}

/** The range ends at the newest reading and follows it. */
export function isLive(choice: RangeChoice): boolean {
  return choice.to.kind === 'now' && choice.to.offsetMs === 0;
}

export interface ResolvedRange {
  /** Undefined: from the first reading. */
  fromMs: number | undefined;
  /** Undefined: up to the newest reading, following new ones. */
  toMs: number | undefined;
  live: boolean;
}

function resolvePoint(point: TimePoint, newestMs: number | null): number | undefined {
  if (point.kind === 'absolute') return point.ms;
  if (point.kind === 'first' || newestMs === null) return undefined;
  return newestMs - point.offsetMs;
}

export function resolveRange(choice: RangeChoice, newestMs: number | null): ResolvedRange {
  const live = isLive(choice);
  return {
    fromMs: resolvePoint(choice.from, newestMs),
    toMs: live ? undefined : resolvePoint(choice.to, newestMs),
    live,
  };
}

/** The width of a range when it does not depend on the data; null otherwise. */
export function spanOf(choice: RangeChoice): number | null {
  const { from, to } = choice;
  if (from.kind === 'now' && to.kind === 'now') return from.offsetMs - to.offsetMs;
  if (from.kind === 'absolute' && to.kind === 'absolute') return to.ms - from.ms;
  return null;
}

/** A range that slides with the newest reading (now-6h to now): what slides out of it may be dropped. */
export function isSliding(choice: RangeChoice): boolean {
  return isLive(choice) && choice.from.kind === 'now';
}

const unitMs: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: msPerHour,
  d: 24 * msPerHour,
  w: 168 * msPerHour,
};

/** `now`, `now-6h`, `now-90m`, `now-2d`, `first`; null when the text is none of these. */
export function parseRelative(text: string): TimePoint | null {
  const t = text.trim().toLowerCase();
  if (t === 'first') return { kind: 'first' };
  if (t === 'now') return now;
  const m = /^now\s*-\s*(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(t);
  if (!m) return null;
  return { kind: 'now', offsetMs: Math.round(Number(m[1]) * unitMs[m[2]]) };
}

/** `now-6h` for a relative point; null for an absolute one. */
export function relativeText(point: TimePoint): string | null {
  if (point.kind === 'first') return 'first';
  if (point.kind === 'absolute') return null;
  if (point.offsetMs === 0) return 'now';
  for (const unit of ['w', 'd', 'h', 'm', 's']) {
    const count = point.offsetMs / unitMs[unit];
    if (Number.isInteger(count)) return `now-${count}${unit}`;
  }
  return `now-${point.offsetMs / 1000}s`;
}

export const relativeHelp = 'now, now-30m, now-6h, now-2d or first (the first reading)';

/** A point as the URL writes it: the relative text, or epoch ms. */
export function pointToUrl(point: TimePoint): string {
  return relativeText(point) ?? String(point.kind === 'absolute' ? point.ms : '');
}

/** A point from the URL: relative, epoch ms, or ISO-8601 with a zone. */
export function pointFromUrl(text: string): TimePoint | null {
  const relative = parseRelative(text);
  if (relative) return relative;
  if (/^\d{10,}$/.test(text.trim())) return { kind: 'absolute', ms: Number(text) };
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text.trim())) {
    const ms = Date.parse(text);
    if (Number.isFinite(ms)) return { kind: 'absolute', ms };
  }
  return null;
}

/** Whether `a` lies before `b` where that can be told without the data (else true). */
export function inOrder(choice: RangeChoice): boolean {
  const { from, to } = choice;
  if (to.kind === 'first') return false;
  if (from.kind === 'absolute' && to.kind === 'absolute') return from.ms < to.ms;
  if (from.kind === 'now' && to.kind === 'now') return from.offsetMs > to.offsetMs;
  return true;
}

export function sameRange(a: RangeChoice, b: RangeChoice): boolean {
  return pointToUrl(a.from) === pointToUrl(b.from) && pointToUrl(a.to) === pointToUrl(b.to);
}
