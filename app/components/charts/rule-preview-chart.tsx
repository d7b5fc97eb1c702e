'use client';
/**
 * A rule's preview on a chart: one row per reactor over the replayed days, a mark where the rule
 * would have fired and a bar while it would have stayed active (to its clearing, or the end).
 * `data-marks` lists the marks drawn (reactor@ms), so a test can hold them against the API's firings.
 */
import { useEffect, useMemo } from 'react';
import type { RulePreview } from '../../../contract/api';
import { usePreferences } from '../../lib/preferences';
import { type ClockZone, formatClock } from '../../lib/time-format';
import { chartPalette } from './chart-palette';
import { type TimeContext, timeXAxis } from './chart-parts';
import type { ChartOption, SeriesOption } from './echarts-setup';
import { useEChart } from './use-echart';

/** Spans drawn at most (the marks are all drawn): past this a bar per firing says nothing more. */
const maxSpans = 200;

export function RulePreviewChart(props: { preview: RulePreview; zone: ClockZone }) {
  const { preview, zone } = props;
  const { theme } = usePreferences();
  const { containerRef, chart } = useEChart();
  const reactors = useMemo(
    () =>
      [...new Set(preview.firings.map((f) => f.reactorId))].sort((a, b) =>
        a.localeCompare(b, undefined, { numeric: true }),
      ),
    [preview],
  );
  const fromMs = preview.fromMs ?? Math.min(...preview.firings.map((f) => f.atMs));
  const toMs = preview.toMs ?? Math.max(...preview.firings.map((f) => f.clearedAtMs ?? f.atMs));

  useEffect(() => {
    if (!chart || chart.isDisposed()) return;
    const palette = chartPalette(theme);
    const ctx: TimeContext = { timeMode: zone, originMs: fromMs, extent: { minMs: fromMs, maxMs: toMs } };
    const spans: SeriesOption[] = preview.firings.slice(0, maxSpans).map((f, i) => ({
      id: `active-${i}`,
      name: 'active',
      type: 'line',
      data: [
        [f.atMs, f.reactorId],
        [f.clearedAtMs ?? toMs, f.reactorId],
      ],
      symbol: 'none',
      silent: true,
      lineStyle: { width: 6, color: palette.model, opacity: 0.35, cap: 'round' },
    }));
    const option: ChartOption = {
      backgroundColor: 'transparent',
      animation: false,
      textStyle: { color: palette.text },
      grid: [{ left: 56, right: 24, top: 10, bottom: 42 }],
      tooltip: {
        trigger: 'item',
        confine: true,
        formatter: (p: unknown) => {
          const f = preview.firings[(p as { dataIndex: number }).dataIndex];
          return f ? `${f.reactorId}: ${f.summary}<br/>${formatClock(f.atMs, false, zone)}` : '';
        },
      },
      xAxis: [timeXAxis(ctx, 0, palette, true)],
      yAxis: [
        {
          type: 'category',
          data: reactors,
          inverse: true,
          axisLabel: { color: palette.muted },
          axisLine: { lineStyle: { color: palette.grid } },
        },
      ],
      series: [
        ...spans,
        {
          id: 'firings',
          name: 'would have fired',
          type: 'scatter',
          data: preview.firings.map((f) => [f.atMs, f.reactorId]),
          symbol: 'triangle',
          symbolSize: 12,
          itemStyle: { color: palette.model },
          z: 3,
        },
      ],
    };
    chart.setOption(option, { notMerge: true });
  }, [chart, theme, preview, reactors, zone, fromMs, toMs]);

  const count = preview.firings.length;
  return (
    <div
      ref={containerRef}
      className="chart rule-preview-chart"
      data-chart="rule-preview"
      data-marks={preview.firings.map((f) => `${f.reactorId}@${f.atMs}`).join(',')}
      data-extent={`${fromMs},${toMs}`}
      style={{ height: 56 + 34 * Math.max(1, reactors.length) }}
      role="img"
      aria-label={`Where the rule would have fired: ${count} time${count === 1 ? '' : 's'} on ${reactors.join(', ')}, from ${formatClock(fromMs, false, zone)} to ${formatClock(toMs, false, zone)}`}
    />
  );
}
