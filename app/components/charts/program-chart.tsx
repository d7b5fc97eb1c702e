'use client';
/**
 * A proposed dilution program: its set points over the horizon (linear between, as the plant
 * follows them), with the operator's limits as dashed lines and the dilution now as the start.
 */
import { useEffect } from 'react';
import type { DilutionLimitsView, DilutionProgramView } from '../../../contract/api';
import { perHour, shownValue } from '../../../contract/display-units';
import { formatNumber } from '../../lib/number-format';
import { usePreferences } from '../../lib/preferences';
import { chartPalette } from './chart-palette';
import { axisTooltip, type TimeContext, timeXAxis } from './chart-parts';
import type { ChartOption } from './echarts-setup';
import { useEChart } from './use-echart';

const hourMs = 3_600_000;

/** The set points as [epoch ms, 1/h shown]. */
export function programPoints(program: DilutionProgramView): [number, number][] {
  return program.perHour.map((d, k) => [
    program.startMs + Math.round(k * program.gridH * hourMs),
    shownValue(perHour, d),
  ]);
}

export function ProgramChart(props: {
  program: DilutionProgramView;
  limits: DilutionLimitsView;
  timeMode: TimeContext['timeMode'];
  originMs: number;
  label: string;
}) {
  const { program, limits, timeMode, originMs } = props;
  const { theme } = usePreferences();
  const { containerRef, chart } = useEChart();

  useEffect(() => {
    if (!chart || chart.isDisposed()) return;
    const palette = chartPalette(theme);
    const points = programPoints(program);
    const startMs = points[0][0];
    const endMs = Math.max(points[points.length - 1][0], startMs + hourMs);
    const ctx: TimeContext = { timeMode, originMs, extent: { minMs: startMs, maxMs: endMs } };
    const limit = (value: number, name: string) => ({
      name,
      yAxis: shownValue(perHour, value),
      lineStyle: { color: palette.muted, type: 'dashed' as const, width: 1 },
      label: { color: palette.muted, formatter: `${name} ${formatNumber(shownValue(perHour, value), 3)}` },
    });
    const option: ChartOption = {
      animation: false,
      grid: [{ left: 56, right: 96, top: 30, bottom: 40 }],
      tooltip: { trigger: 'axis', formatter: axisTooltip(ctx, () => perHour) },
      xAxis: [timeXAxis(ctx, 0, palette, true)],
      yAxis: [
        {
          type: 'value',
          name: `D (${perHour.symbol})`,
          nameTextStyle: { color: palette.muted },
          min: shownValue(perHour, limits.minPerHour) * 0.95,
          max: shownValue(perHour, limits.maxPerHour) * 1.05,
          axisLabel: { color: palette.muted, formatter: (v: number) => formatNumber(v, 3) },
          splitLine: { lineStyle: { color: palette.grid, opacity: 0.6 } },
        },
      ],
      series: [
        {
          id: 'program',
          name: 'proposed dilution',
          type: 'line',
          data: points,
          symbol: 'none',
          lineStyle: { width: 2, color: palette.dilution },
          itemStyle: { color: palette.dilution },
          markLine: {
            silent: true,
            symbol: 'none',
            data: [limit(limits.minPerHour, 'lowest'), limit(limits.maxPerHour, 'highest')],
          },
        },
      ],
    };
    chart.setOption(option, { notMerge: true });
  }, [chart, theme, program, limits, timeMode, originMs]);

  return (
    <div
      ref={containerRef}
      className="chart program-chart"
      data-chart="dilution-program"
      data-points={program.perHour.length}
      style={{ height: 200 }}
      role="img"
      aria-label={props.label}
    />
  );
}
