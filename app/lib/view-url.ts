/**
 * The whole view in the address, so that a copied link shows the same thing: the range (`from`,
 * `to`), the linked zoom (`zoom`, percent of the range), the time display (`time`) and the refresh
 * (`refresh`). A parameter that cannot be read is named in `problems`, and the default stands in.
 */
import { type TimeMode, timeModes } from './time-format';
import {
  defaultRange,
  inOrder,
  pointFromUrl,
  pointToUrl,
  presetRange,
  type RangeChoice,
  rangePresets,
  relativeHelp,
} from './time-range';

export interface ZoomWindow {
  start: number;
  end: number;
}

/** How often the charts take what arrived: as it arrives, every so often, or not at all (paused). */
export type RefreshChoice = 'live' | '10s' | '1m' | '5m' | 'off';

export const refreshChoices: readonly { value: RefreshChoice; label: string; everyMs: number | null }[] = [
  { value: 'live', label: 'live', everyMs: 0 },
  { value: '10s', label: 'every 10 s', everyMs: 10_000 },
  { value: '1m', label: 'every 1 min', everyMs: 60_000 },
  { value: '5m', label: 'every 5 min', everyMs: 300_000 },
  { value: 'off', label: 'paused', everyMs: null },
];

/** How long the page waits before it shows new data: 0 as it arrives, null never (paused). */
export function refreshDelayMs(refresh: RefreshChoice): number | null {
  const choice = refreshChoices.find((r) => r.value === refresh);
  return choice ? choice.everyMs : 0;
}

export interface ViewState {
  range: RangeChoice;
  /** Null: the whole range. */
  zoom: ZoomWindow | null;
  /** Null: the operator's own preference. */
  timeMode: TimeMode | null;
  refresh: RefreshChoice;
}

export const defaultView: ViewState = { range: defaultRange, zoom: null, timeMode: null, refresh: 'live' };

type Search = { get(name: string): string | null; has(name: string): boolean };

function parseRange(search: Search, problems: string[]): RangeChoice {
  const fallback = `showing the default range (the last 3 d) instead`;
  const legacy = search.get('range');
  if (!search.has('from') && !search.has('to')) {
    if (legacy === null) return defaultRange;
    const preset = rangePresets.find((p) => p.preset === legacy);
    if (preset) return presetRange(preset.spanMs);
    problems.push(
      `range=“${legacy}” is not one of ${rangePresets.map((p) => p.preset).join(', ')}: ${fallback}.`,
    );
    return defaultRange;
  }
  const fromText = search.get('from');
  const toText = search.get('to') ?? 'now';
  const from = fromText === null ? null : pointFromUrl(fromText);
  const to = pointFromUrl(toText);
  if (fromText === null) problems.push(`to=“${toText}” has no from=: ${fallback}.`);
  else if (!from)
    problems.push(
      `from=“${fromText}” is not a time (use ${relativeHelp}, epoch ms, or ISO-8601 with a zone): ${fallback}.`,
    );
  if (!to)
    problems.push(
      `to=“${toText}” is not a time (use now, now-30m, now-6h, now-2d, epoch ms, or ISO-8601 with a zone): ${fallback}.`,
    );
  if (!from || !to) return defaultRange;
  const range = { from, to };
  if (!inOrder(range)) {
    problems.push(`the range from=${fromText} to=${toText} ends before it starts: ${fallback}.`);
    return defaultRange;
  }
  return range;
}

function parseZoom(text: string | null, problems: string[]): ZoomWindow | null {
  if (text === null) return null;
  const m = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(text.trim());
  const start = m ? Number(m[1]) : Number.NaN;
  const end = m ? Number(m[2]) : Number.NaN;
  if (!(start >= 0 && end <= 100 && start < end)) {
    problems.push(
      `zoom=“${text}” is not a window of the range (start-end in percent, e.g. 25-75): showing the whole range.`,
    );
    return null;
  }
  return { start, end };
}

export function parseView(search: Search): { view: ViewState; problems: string[] } {
  const problems: string[] = [];
  const range = parseRange(search, problems);
  const zoom = parseZoom(search.get('zoom'), problems);
  const timeText = search.get('time');
  let timeMode: TimeMode | null = null;
  if (timeText !== null) {
    if (timeModes.includes(timeText as TimeMode)) timeMode = timeText as TimeMode;
    else
      problems.push(
        `time=“${timeText}” is not one of ${timeModes.join(', ')}: showing times as you last chose.`,
      );
  }
  const refreshText = search.get('refresh');
  let refresh: RefreshChoice = 'live';
  if (refreshText !== null) {
    const known = refreshChoices.find((r) => r.value === refreshText);
    if (known) refresh = known.value;
    else
      problems.push(
        `refresh=“${refreshText}” is not one of ${refreshChoices.map((r) => r.value).join(', ')}: updating live.`,
      );
  }
  return { view: { range, zoom, timeMode, refresh }, problems };
}

const round = (x: number) => Number(x.toFixed(2));

/** The view as a query string (without `?`); `extra` parameters (a page's own) come first. */
export function viewToSearch(view: ViewState, extra: Record<string, string> = {}): string {
  const search = new URLSearchParams(extra);
  search.set('from', pointToUrl(view.range.from));
  search.set('to', pointToUrl(view.range.to));
  if (view.zoom && (view.zoom.start > 0 || view.zoom.end < 100))
    search.set('zoom', `${round(view.zoom.start)}-${round(view.zoom.end)}`);
  if (view.timeMode) search.set('time', view.timeMode);
  if (view.refresh !== 'live') search.set('refresh', view.refresh);
  return search.toString();
}

/** A page's search parameters (Next's `searchParams`) as something `parseView` reads. */
export function searchOf(params: Record<string, string | string[] | undefined>): URLSearchParams {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (typeof value === 'string') search.set(key, value);
  return search;
}
