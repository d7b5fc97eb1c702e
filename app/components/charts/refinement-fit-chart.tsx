'use client';
/**
 * One signal over a refinement's span: the readings, the fit of the model refined (current) and of
 * the proposed one, in plant hours since the reactor's first reading. Lines differ in style as well
 * as colour (current dashed, proposed solid).
 */
import { useEffect } from 'react';
import type { PlantSignal, RefinementResultView } from '../../../contract/api';
import { shownValue, signalUnits } from '../../../contract/display-units';
import { formatNumber } from '../../lib/number-format';
import { usePreferences } from '../../lib/preferences';
import { chartPalette } from './chart-palette';
import type { ChartOption } from './echarts-setup';
import { useEChart } from './use-echart';

export function RefinementFitChart(props: { result: RefinementResultView; signal: 'od' | 'substrate' }) {
  const { result, signal } = props;
  const { theme } = usePreferences();
  const { containerRef, chart } = useEChart();
  const unit = signalUnits[signal as PlantSignal];
  const readings = result.readings[signal] ?? { timeH: [], value: [] };

  useEffect(() => {
    if (!chart || chart.isDisposed()) return;
    const palette = chartPalette(theme);
    const h = (t: number) => t - result.span.originH;
    const fitLine = (fit: RefinementResultView['current']) =>
      fit.signals.timeH.map((t, i) => [
        h(t),
        shownValue(unit, fit.signals.series[signal]?.[i] ?? Number.NaN),
      ]);
    const option: ChartOption = {
      animation: false,
      grid: [{ left: 56, right: 16, top: 30, bottom: 72 }],
      legend: { bottom: 0, textStyle: { color: palette.text } },
      tooltip: { trigger: 'axis' },
      xAxis: [
        {
          type: 'value',
          name: 'plant h',
          nameLocation: 'middle',
          nameGap: 22,
          nameTextStyle: { color: palette.muted },
          min: h(result.span.fromH),
          max: h(result.span.toH),
          // The span's ends are odd hours that would crowd the round ticks beside them.
          axisLabel: {
            color: palette.muted,
            showMinLabel: false,
            showMaxLabel: false,
            formatter: (v: number) => formatNumber(v, 3),
          },
          splitLine: { show: false },
        },
      ],
      yAxis: [
        {
          type: 'value',
          scale: true,
          name: `${signal}${unit.symbol ? ` (${unit.symbol})` : ''}`,
          nameTextStyle: { color: palette.muted },
          axisLabel: { color: palette.muted, formatter: (v: number) => formatNumber(v, 3) },
          splitLine: { lineStyle: { color: palette.grid, opacity: 0.6 } },
        },
      ],
      series: [
        {
          id: 'readings',
          name: 'readings',
          type: 'scatter',
          symbolSize: 3,
          data: readings.timeH.map((t, i) => [h(t), shownValue(unit, readings.value[i])]),
          itemStyle: { color: palette[signal], opacity: 0.55 },
        },
        {
          id: 'current',
          name: 'current model',
          type: 'line',
          symbol: 'none',
          data: fitLine(result.current),
          lineStyle: { width: 2, type: 'dashed', color: palette.muted },
          itemStyle: { color: palette.muted },
        },
        {
          id: 'proposed',
          name: 'proposed model',
          type: 'line',
          symbol: 'none',
          data: fitLine(result.proposed),
          lineStyle: { width: 2, color: palette.model },
          itemStyle: { color: palette.model },
        },
      ],
    };
    chart.setOption(option, { notMerge: true });
  }, [chart, theme, result, signal, unit, readings]);

  return (
    <div
      ref={containerRef}
      className="chart refinement-fit-chart"
      data-chart={`refinement-${signal}`}
      data-points={readings.timeH.length}
      style={{ height: 240 }}
      role="img"
      aria-label={`${signal}: the readings with the fit of the current model (dashed) and of the proposed model (solid)`}
    />
  );
}
