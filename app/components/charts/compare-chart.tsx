'use client';
/**
 * One quantity of several reactors on one chart: a line per reactor (its 95 % band beside it for
 * estimates), on the shared time range, with an HTML legend that hides or shows a reactor.
 */
import { useEffect } from 'react';
import type { ComparePoint, CompareQuantity } from '../../lib/compare-quantities';
import { usePreferences } from '../../lib/preferences';
import { ChartFrame, type LegendItem } from './chart-frame';
import { bandFill, type ChartPalette, chartPalette } from './chart-palette';
import { axisTooltip, bandSeries, type TimeContext, timeXAxis } from './chart-parts';
import type { ChartOption, SeriesOption } from './echarts-setup';
import { formatLogTick } from './small-multiples';
import { useEChart } from './use-echart';
import { useLegend } from './use-legend';
import type { ZoomLink } from './zoom-link';

export interface CompareSeries {
  reactorId: string;
  points: ComparePoint[];
}

function reactorColor(palette: ChartPalette, index: number): string {
  return palette.reactors[index % palette.reactors.length];
}

export function CompareChart(props: {
  quantity: CompareQuantity;
  series: readonly CompareSeries[];
  ctx: TimeContext;
  zoom: ZoomLink;
  height: number;
}) {
  const { quantity, series, ctx, zoom } = props;
  const { theme } = usePreferences();
  const { containerRef, chart, onKeyDown } = useEChart(zoom);
  const palette = chartPalette(theme);
  const legend = useLegend(chart);
  const name = (id: string) => `reactor ${id}`;
  const items: LegendItem[] = series.map((s, i) => ({
    name: name(s.reactorId),
    color: reactorColor(palette, i),
    key: quantity.group === 'Readings' ? 'line' : 'band',
  }));
  const log = quantity.group === 'Parameters';

  // biome-ignore lint/correctness/useExhaustiveDependencies: the legend's selection is read as it is.
  useEffect(() => {
    if (!chart || chart.isDisposed()) return;
    const axes = { xAxisIndex: 0, yAxisIndex: 0 };
    const all: SeriesOption[] = series.flatMap((s, i) => {
      const color = reactorColor(palette, i);
      const banded = s.points.filter((p) => p.lower !== undefined && p.upper !== undefined);
      return [
        ...bandSeries(
          `cmp-${s.reactorId}`,
          banded.map((p) => ({ t: p.t, lower: p.lower as number, upper: p.upper as number })),
          bandFill(color, 0.18),
          axes,
          { name: name(s.reactorId) },
        ),
        {
          id: `cmp-${s.reactorId}`,
          name: name(s.reactorId),
          type: 'line',
          ...axes,
          data: s.points.map((p) => [p.t, p.value]),
          sampling: 'lttb',
          symbol: 'none',
          lineStyle: { width: 2, color },
          itemStyle: { color },
          z: 3,
        },
      ];
    });
    const option: ChartOption = {
      backgroundColor: 'transparent',
      animation: false,
      textStyle: { color: palette.text },
      legend: legend.option(items.map((i) => i.name)),
      tooltip: { trigger: 'axis', confine: true, formatter: axisTooltip(ctx, () => quantity.unit) },
      grid: [{ left: 72, right: 24, top: 12, bottom: 48 }],
      xAxis: [timeXAxis(ctx, 0, palette, true)],
      yAxis: [
        {
          type: log ? 'log' : 'value',
          name: quantity.unit.symbol ? `${quantity.label} (${quantity.unit.symbol})` : quantity.label,
          nameLocation: 'middle',
          nameGap: 52,
          nameTextStyle: { color: palette.muted },
          scale: !log,
          axisLabel: { color: palette.muted, formatter: log ? (v: number) => formatLogTick(v) : undefined },
          splitLine: { lineStyle: { color: palette.grid } },
        },
      ],
      dataZoom: [{ type: 'inside', xAxisIndex: [0], filterMode: 'none' }],
      series: all,
    };
    chart.setOption(option, { notMerge: true });
    zoom.apply(zoom.window);
  }, [chart, series, quantity, ctx, palette, zoom, log]);

  const points = series.reduce((n, s) => n + s.points.length, 0);
  return (
    <ChartFrame
      id="compare"
      title={`${quantity.label} of ${series.length === 1 ? 'reactor' : 'reactors'} ${series.map((s) => s.reactorId).join(', ')}`}
      description={`${quantity.label} over time, one line per reactor${quantity.group === 'Readings' ? '' : ' with its 95 % band'}: ${series.map((s) => `${s.reactorId} ${s.points.length} points`).join(', ')}.`}
      height={props.height}
      containerRef={containerRef}
      points={points}
      extent={ctx.extent}
      onKeyDown={onKeyDown}
      empty={
        series.length === 0
          ? 'Choose at least one reactor.'
          : points === 0
            ? 'Nothing in this range yet.'
            : null
      }
      legend={{ items, state: legend }}
    >
      <p className="chart-legend-note" data-testid="compare-counts">
        {series.map((s) => `${s.reactorId}: ${s.points.length} points`).join(' · ')}
      </p>
    </ChartFrame>
  );
}
