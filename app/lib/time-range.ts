/**
 * The reactor page's shared time range. Relative ranges end at the reactor's newest reading (plant
 * time, which for a simulated plant runs on its own calendar), and follow it live.
 */
import { msPerHour } from '../../contract/time';

export type RangePreset = '1h' | '12h' | '3d' | 'all';

export type RangeChoice =
  | { kind: 'preset'; preset: RangePreset }
  | { kind: 'custom'; fromMs: number; toMs: number };

export const rangePresets: readonly { preset: RangePreset; label: string; spanMs: number | null }[] = [
  { preset: '1h', label: '1 h', spanMs: msPerHour },
  { preset: '12h', label: '12 h', spanMs: 12 * msPerHour },
  { preset: '3d', label: '3 d', spanMs: 72 * msPerHour },
  { preset: 'all', label: 'all', spanMs: null },
];

export const defaultRange: RangeChoice = { kind: 'preset', preset: '3d' };

export interface ResolvedRange {
  /** Undefined: from the first reading. */
  fromMs: number | undefined;
  /** Undefined: up to now, following new readings. */
  toMs: number | undefined;
  live: boolean;
}

export function resolveRange(choice: RangeChoice, newestMs: number | null): ResolvedRange {
  if (choice.kind === 'custom') return { fromMs: choice.fromMs, toMs: choice.toMs, live: false };
  const spanMs = rangePresets.find((p) => p.preset === choice.preset)?.spanMs ?? null;
  if (spanMs === null || newestMs === null) return { fromMs: undefined, toMs: undefined, live: true };
  return { fromMs: newestMs - spanMs, toMs: undefined, live: true };
}

export function spanOf(choice: RangeChoice): number | null {
  if (choice.kind === 'custom') return choice.toMs - choice.fromMs;
  return rangePresets.find((p) => p.preset === choice.preset)?.spanMs ?? null;
}

/** `?range=12h` or `?from=<ms>&to=<ms>`, so a view can be shared by its address. */
export function rangeFromSearch(search: URLSearchParams): RangeChoice {
  const from = Number(search.get('from'));
  const to = Number(search.get('to'));
  if (search.has('from') && search.has('to') && Number.isFinite(from) && Number.isFinite(to) && to > from) {
    return { kind: 'custom', fromMs: from, toMs: to };
  }
  const preset = search.get('range');
  if (rangePresets.some((p) => p.preset === preset)) return { kind: 'preset', preset: preset as RangePreset };
  return defaultRange;
}

export function rangeToSearch(choice: RangeChoice): string {
  return choice.kind === 'custom' ? `from=${choice.fromMs}&to=${choice.toMs}` : `range=${choice.preset}`;
}

export function sameRange(a: RangeChoice, b: RangeChoice): boolean {
  if (a.kind === 'preset' && b.kind === 'preset') return a.preset === b.preset;
  if (a.kind === 'custom' && b.kind === 'custom') return a.fromMs === b.fromMs && a.toMs === b.toMs;
  return false;
}
