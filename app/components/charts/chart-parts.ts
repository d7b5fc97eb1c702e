/** Pieces every time chart shares: the time axis, bands, tooltips and the empty message. */
import type { DisplayUnit } from '../../../contract/display-units';
import { formatNumber } from '../../lib/number-format';
import {
  formatAxisTime,
  formatClock,
  formatPlantHours,
  type TimeMode,
  timeAxisName,
  zoneOf,
} from '../../lib/time-format';
import type { ChartPalette } from './chart-palette';
import type { ChartOption, SeriesOption } from './echarts-setup';

export interface TimeContext {
  timeMode: TimeMode;
  /** Plant hour 0: the reactor's first reading. */
  originMs: number;
  /** The page's time range, the same on every chart so that zoom can be linked. */
  extent: { minMs: number; maxMs: number } | null;
}

type XAxis = NonNullable<Extract<ChartOption['xAxis'], object[]>>[number];

export function timeXAxis(
  ctx: TimeContext,
  gridIndex: number,
  palette: ChartPalette,
  labelled: boolean,
): XAxis {
  return {
    type: 'time',
    gridIndex,
    min: ctx.extent?.minMs,
    max: ctx.extent?.maxMs,
    name: labelled ? timeAxisName(ctx.timeMode) : undefined,
    nameLocation: 'middle',
    nameGap: 26,
    nameTextStyle: { color: palette.muted },
    axisLabel: {
      show: labelled,
      color: palette.muted,
      hideOverlap: true,
      formatter: (value: number) => formatAxisTime(value, ctx.timeMode, ctx.originMs),
    },
    axisLine: { lineStyle: { color: palette.grid } },
    splitLine: { show: true, lineStyle: { color: palette.grid, opacity: 0.6 } },
  };
}

/** The x extent only, for a data update that must not touch the rest of the axis. */
export function xExtentOnly(ctx: TimeContext, axes: number): ChartOption['xAxis'] {
  return Array.from({ length: axes }, () => ({ min: ctx.extent?.minMs, max: ctx.extent?.maxMs }));
}

/** What a series is drawn from: `fits`, or `signal:<name>` for readings. */
export type SourcesOf = (seriesId: string) => readonly string[];

interface VersionedData {
  versionOf(source: string): number;
}

/**
 * The series whose sources changed since the chart last drew them: a live update sends ECharts
 * those and nothing else (readings arriving leave the model, band and fit series alone).
 */
export function changedSeries(
  all: readonly SeriesOption[],
  sourcesOf: SourcesOf,
  data: VersionedData,
  seen: Map<string, number>,
): SeriesOption[] {
  const changed = all.filter((s) =>
    sourcesOf(String(s.id)).some((src) => data.versionOf(src) !== seen.get(src)),
  );
  markSeen(all, sourcesOf, data, seen);
  return changed;
}

export function markSeen(
  all: readonly SeriesOption[],
  sourcesOf: SourcesOf,
  data: VersionedData,
  seen: Map<string, number>,
): void {
  for (const s of all) for (const src of sourcesOf(String(s.id))) seen.set(src, data.versionOf(src));
}

export interface BandPoint {
  t: number;
  lower: number;
  upper: number;
}

/**
 * A 95 % band as two stacked lines: the lower bound and the band's width filled above it. Both carry
 * the id prefix so tooltips can leave them out, and the name of the line they belong to, so that the
 * legend hides them with it. `edge` draws the band's bounds as thin lines too.
 */
export function bandSeries(
  id: string,
  points: readonly BandPoint[],
  fill: string,
  axes: { xAxisIndex: number; yAxisIndex: number },
  options: { name?: string; edge?: string } = {},
): SeriesOption[] {
  const edge = options.edge ? { width: 1, color: options.edge, opacity: 0.9 } : { opacity: 0 };
  return [
    {
      id: `${id}:band-lower`,
      name: options.name,
      type: 'line',
      ...axes,
      stack: `${id}:band`,
      data: points.map((p) => [p.t, p.lower]),
      symbol: 'none',
      lineStyle: edge,
      silent: true,
      tooltip: { show: false },
      z: 1,
    },
    {
      id: `${id}:band-width`,
      name: options.name,
      type: 'line',
      ...axes,
      stack: `${id}:band`,
      data: points.map((p) => [p.t, Math.max(0, p.upper - p.lower)]),
      symbol: 'none',
      lineStyle: edge,
      areaStyle: { color: fill, opacity: 1 },
      silent: true,
      tooltip: { show: false },
      z: 1,
    },
  ];
}

export function isBandSeries(seriesId: string | undefined): boolean {
  return seriesId?.includes(':band') ?? false;
}

interface TooltipParam {
  seriesId?: string;
  seriesName?: string;
  marker?: unknown;
  value?: unknown;
  axisValue?: unknown;
}

/** Axis tooltip: the time in the chosen mode (and the other one), then each series with its unit. */
export function axisTooltip(ctx: TimeContext, unitOf: (seriesId: string) => DisplayUnit) {
  return (raw: unknown): string => {
    const params = (Array.isArray(raw) ? raw : [raw]) as TooltipParam[];
    if (params.length === 0) return '';
    const t = Number(params[0].axisValue ?? (params[0].value as number[])?.[0]);
    const clock = formatClock(t, false, zoneOf(ctx.timeMode));
    const head =
      ctx.timeMode === 'plant'
        ? `plant ${formatPlantHours(t, ctx.originMs)} · ${clock}`
        : `${clock} · plant ${formatPlantHours(t, ctx.originMs)}`;
    const rows = params
      .filter((p) => !isBandSeries(p.seriesId))
      .map((p) => {
        // A third value is the real one where the drawn one was clipped (rejected readings).
        const value = Array.isArray(p.value) ? Number(p.value[2] ?? p.value[1]) : Number(p.value);
        const unit = unitOf(p.seriesId ?? '');
        return `${typeof p.marker === 'string' ? p.marker : ''}${p.seriesName}: <b>${formatNumber(value, 4)}</b>${unit.symbol ? ` ${unit.symbol}` : ''}`;
      });
    return [head, ...rows].join('<br/>');
  };
}

export function emptyGraphic(text: string | null, palette: ChartPalette): ChartOption['title'] {
  return {
    show: text !== null,
    text: text ?? '',
    left: 'center',
    top: 'middle',
    textStyle: { color: palette.muted, fontSize: 14, fontWeight: 'normal' },
  };
}
