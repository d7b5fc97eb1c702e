/**
 * Small multiples of quantities that live on a log scale (parameters and their combinations): one
 * grid per quantity in two columns (one on a narrow screen), each with its 95 % band, and shaded
 * stretches where the data did not determine it. The value is drawn only where it was determined;
 * elsewhere only the band is, since the middle of a band the prior sets is not an estimate. Their
 * titles are HTML over the canvas (see MultipleTitles), each cut to its column so that neighbours
 * never overlap.
 */

import { formatNumber, superscript } from '../../lib/number-format';
import type { Certainty } from '../../lib/parameter-certainty';
import { certaintyWords } from '../../lib/parameter-certainty';
import { formatClock, formatPlantHours, zoneOf } from '../../lib/time-format';
import type { ChartPalette } from './chart-palette';
import { bandFill } from './chart-palette';
import { bandSeries, type TimeContext, timeXAxis } from './chart-parts';
import type { ChartOption, SeriesOption } from './echarts-setup';

export interface MultipleSample {
  t: number;
  value: number;
  lower: number;
  upper: number;
  determined: boolean;
}

/** What a multiple's title says. */
export interface MultipleHeading {
  key: string;
  /** The quantity's name; its unit follows at once, so that a cut title still shows it. */
  title: string;
  unit: string;
  /** What it is, after the unit. */
  detail?: string;
  /** How much the newest fit's data say about it (a badge before the title). */
  certainty?: Certainty;
}

export interface Multiple extends MultipleHeading {
  samples: MultipleSample[];
}

export const rowHeightPx = 104;

/** Log-axis ticks: 0.01 to 1000 as numbers, powers of ten beyond as 10⁻⁴. */
export function formatLogTick(v: number): string {
  const exponent = Math.round(Math.log10(v));
  if (Math.abs(v - 10 ** exponent) < 1e-9 * v && Math.abs(exponent) >= 3) {
    return `10${superscript(exponent)}`;
  }
  return formatNumber(v, 2);
}
const topPx = 8;
const bottomPx = 40;

export function multiplesHeight(count: number, columns: 1 | 2): number {
  return topPx + bottomPx + Math.max(1, Math.ceil(count / columns)) * rowHeightPx;
}

/** Where multiple `i` sits: its grid (ECharts) and its title (CSS), in the same terms. */
export function multipleBox(i: number, columns: 1 | 2) {
  const column = i % columns;
  const row = Math.floor(i / columns);
  const top = topPx + row * rowHeightPx + 22;
  if (columns === 1) {
    return {
      grid: { left: 64, right: 16, top, height: rowHeightPx - 40 },
      title: { left: '8px', width: 'calc(100% - 24px)', top: top - 20 },
    };
  }
  return column === 0
    ? {
        grid: { left: 64, right: '52%', top, height: rowHeightPx - 40 },
        title: { left: '8px', width: 'calc(48% - 16px)', top: top - 20 },
      }
    : {
        grid: { left: '56%', right: 16, top, height: rowHeightPx - 40 },
        title: { left: 'calc(52% + 8px)', width: 'calc(48% - 24px)', top: top - 20 },
      };
}

export function multipleTitle(m: MultipleHeading): string {
  return `${m.title}${m.unit ? ` (${m.unit})` : ''}${m.detail ? ` — ${m.detail}` : ''}`;
}

/** The title with the newest fit's certainty in words (the title's tooltip and accessible name). */
export function multipleTitleInWords(m: MultipleHeading): string {
  return m.certainty ? `${multipleTitle(m)}. Newest fit: ${certaintyWords[m.certainty]}` : multipleTitle(m);
}

/** Stretches where the quantity was not determined: from the previous fit's time to this one's. */
function undeterminedStretches(samples: readonly MultipleSample[]): [number, number][] {
  const stretches: [number, number][] = [];
  for (let i = 0; i < samples.length; i++) {
    if (samples[i].determined) continue;
    const from = i > 0 ? samples[i - 1].t : samples[i].t;
    const last = stretches[stretches.length - 1];
    if (last && last[1] === from) last[1] = samples[i].t;
    else stretches.push([from, samples[i].t]);
  }
  return stretches;
}

export function multiplesSeries(multiples: readonly Multiple[], palette: ChartPalette): SeriesOption[] {
  return multiples.flatMap((m, i) => {
    const axes = { xAxisIndex: i, yAxisIndex: i };
    const positive = m.samples.filter((s) => s.value > 0 && s.lower > 0 && s.upper > 0);
    const color = palette.determined;
    return [
      ...bandSeries(
        `mult-${m.key}`,
        positive.map((s) => ({ t: s.t, lower: s.lower, upper: s.upper })),
        bandFill(color, 0.2),
        axes,
      ),
      {
        // Every sample, invisible: it carries the tooltip and the shading.
        id: `mult-${m.key}`,
        name: m.key,
        type: 'line',
        ...axes,
        data: positive.map((s) => [s.t, s.value, s.lower, s.upper, s.determined ? 1 : 0]),
        symbol: 'none',
        lineStyle: { opacity: 0 },
        itemStyle: { color },
        z: 2,
        markArea: {
          silent: true,
          itemStyle: { color: palette.undetermined },
          label: { show: false },
          data: undeterminedStretches(m.samples).map(([from, to]) => [{ xAxis: from }, { xAxis: to }]),
        },
      } satisfies SeriesOption,
      {
        id: `mult-${m.key}:value`,
        name: m.key,
        type: 'line',
        ...axes,
        data: positive.map((s) => [s.t, s.determined ? s.value : null]),
        connectNulls: false,
        symbol: 'none',
        lineStyle: { width: 1.75, color },
        itemStyle: { color },
        silent: true,
        tooltip: { show: false },
        z: 3,
      } satisfies SeriesOption,
    ];
  });
}

interface TooltipParam {
  seriesId?: string;
  value?: unknown;
}

export function multiplesStructure(
  multiples: readonly Multiple[],
  ctx: TimeContext,
  palette: ChartPalette,
  columns: 1 | 2,
): ChartOption {
  const rows = Math.max(1, Math.ceil(multiples.length / columns));
  const gridAt = (i: number) => multipleBox(i, columns).grid;
  return {
    backgroundColor: 'transparent',
    animation: false,
    textStyle: { color: palette.text },
    tooltip: {
      trigger: 'axis',
      confine: true,
      formatter: (raw: unknown) => {
        const params = (Array.isArray(raw) ? raw : [raw]) as TooltipParam[];
        const p = params.find((x) => x.seriesId?.startsWith('mult-') && !x.seriesId.includes(':'));
        if (!p || !Array.isArray(p.value)) return '';
        const [t, value, lower, upper, determined] = p.value as number[];
        const m = multiples.find((x) => `mult-${x.key}` === p.seriesId);
        const when =
          ctx.timeMode === 'plant'
            ? `plant ${formatPlantHours(t, ctx.originMs)}`
            : formatClock(t, false, zoneOf(ctx.timeMode));
        return [
          `<b>${m ? multipleTitle(m) : ''}</b> · ${when}`,
          determined
            ? `${formatNumber(value, 4)} ${m?.unit ?? ''}`
            : `<i>undetermined here</i>: only its band is known`,
          `95 %: ${formatNumber(lower, 3)} – ${formatNumber(upper, 3)} ${m?.unit ?? ''}`,
          determined ? certaintyWords.determined : '<i>this window’s data did not pin it to ±10 %</i>',
        ].join('<br/>');
      },
    },
    grid: multiples.map((_, i) => gridAt(i)),
    xAxis: multiples.map((_, i) => timeXAxis(ctx, i, palette, Math.floor(i / columns) === rows - 1)),
    yAxis: multiples.map((_, i) => ({
      type: 'log' as const,
      gridIndex: i,
      axisLabel: { color: palette.muted, fontSize: 10, formatter: (v: number) => formatLogTick(v) },
      splitNumber: 2,
      splitLine: { lineStyle: { color: palette.grid } },
    })),
    dataZoom: [{ type: 'inside', xAxisIndex: multiples.map((_, i) => i), filterMode: 'none' }],
  };
}
