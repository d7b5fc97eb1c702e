'use client';
import { dimensionless, milliseconds, standardDeviations } from '../../../contract/display-units';
/**
 * Fit diagnostics per window: the loss, the standardized residuals (each window's RMS and largest,
 * and the newest window's residuals themselves), iterations and fit time. Failed fits are marked
 * where they happened, with their reason in the tooltip.
 */
import { usePreferences } from '../../lib/preferences';
import { outlierResidual, plantSignalOfObservation, type ReactorData } from '../../lib/reactor-data';
import { ChartFrame, type LegendItem } from './chart-frame';
import { type ChartPalette, chartPalette } from './chart-palette';
import { axisTooltip, type TimeContext, timeXAxis } from './chart-parts';
import type { ChartOption, SeriesOption } from './echarts-setup';
import { useEChart } from './use-echart';
import { useLegend } from './use-legend';
import { useLiveChart } from './use-live-chart';
import type { ZoomLink } from './zoom-link';

function allSeries(data: ReactorData, palette: ChartPalette): SeriesOption[] {
  const ok = data.fits.filter((f) => f.status === 'ok');
  const failed = data.fits.filter((f) => f.status === 'failed');
  const residuals = data.latestFit?.residuals;
  const residualPoints = (signal: string) =>
    residuals
      ? residuals.tMs.flatMap((t, i) =>
          plantSignalOfObservation(residuals.signal[i]) === signal ? [[t, residuals.value[i]]] : [],
        )
      : [];
  const failureLines = {
    silent: false,
    symbol: 'none',
    lineStyle: { color: palette.failed, type: 'dashed' as const, width: 1.5 },
    label: { show: false },
    data: failed.map((f) => ({ xAxis: f.windowEndMs, name: `fit failed: ${f.reason ?? 'unknown'}` })),
  };
  return [
    {
      id: 'loss',
      name: 'loss',
      type: 'line',
      xAxisIndex: 0,
      yAxisIndex: 0,
      data: ok.filter((f) => f.loss !== null && f.loss > 0).map((f) => [f.windowEndMs, f.loss]),
      symbol: 'circle',
      symbolSize: 4,
      lineStyle: { width: 1.5, color: palette.od },
      itemStyle: { color: palette.od },
      markLine: failureLines,
    },
    {
      id: 'residual-rms',
      name: 'residual RMS per window',
      type: 'line',
      xAxisIndex: 1,
      yAxisIndex: 1,
      data: ok.filter((f) => f.residualRms !== null).map((f) => [f.windowEndMs, f.residualRms]),
      symbol: 'none',
      lineStyle: { width: 2, color: palette.model },
      itemStyle: { color: palette.model },
      markLine: {
        silent: true,
        symbol: 'none',
        lineStyle: { color: palette.muted, type: 'dotted' },
        label: { color: palette.muted, formatter: '{b}' },
        data: [
          { yAxis: 1, name: 'ideal RMS 1' },
          { yAxis: outlierResidual, name: `outlier ${outlierResidual}` },
          { yAxis: -outlierResidual, name: `−${outlierResidual}` },
        ],
      },
    },
    {
      id: 'residual-max',
      name: 'largest |residual| per window',
      type: 'scatter',
      xAxisIndex: 1,
      yAxisIndex: 1,
      data: ok.filter((f) => f.residualMaxAbs !== null).map((f) => [f.windowEndMs, f.residualMaxAbs]),
      symbol: 'circle',
      symbolSize: 3,
      itemStyle: { color: palette.muted },
    },
    {
      id: 'residuals-od',
      name: 'newest window: od residuals',
      type: 'scatter',
      xAxisIndex: 1,
      yAxisIndex: 1,
      data: residualPoints('od'),
      symbolSize: 4,
      itemStyle: { color: palette.od },
    },
    {
      id: 'residuals-substrate',
      name: 'newest window: substrate residuals',
      type: 'scatter',
      xAxisIndex: 1,
      yAxisIndex: 1,
      data: residualPoints('substrate'),
      symbolSize: 4,
      itemStyle: { color: palette.substrate },
    },
    {
      id: 'iterations',
      name: 'iterations',
      type: 'line',
      xAxisIndex: 2,
      yAxisIndex: 2,
      data: data.fits.map((f) => [f.windowEndMs, f.iterations]),
      step: 'middle',
      symbol: 'none',
      lineStyle: { width: 1.5, color: palette.dilution },
      itemStyle: { color: palette.dilution },
      markLine: failureLines,
    },
    {
      id: 'fit-time',
      name: 'fit time',
      type: 'line',
      xAxisIndex: 2,
      yAxisIndex: 3,
      data: data.fits.map((f) => [f.windowEndMs, f.durationMs]),
      symbol: 'none',
      lineStyle: { width: 1.5, color: palette.substrate },
      itemStyle: { color: palette.substrate },
    },
  ];
}

const unitOf = (id: string) => {
  if (id === 'fit-time') return milliseconds;
  if (id.startsWith('residual')) return standardDeviations;
  return dimensionless;
};

function legendItems(palette: ChartPalette): LegendItem[] {
  return [
    { name: 'loss', color: palette.od, key: 'line' },
    { name: 'residual RMS per window', color: palette.model, key: 'line' },
    { name: 'largest |residual| per window', color: palette.muted, key: 'dot' },
    { name: 'newest window: od residuals', color: palette.od, key: 'dot' },
    { name: 'newest window: substrate residuals', color: palette.substrate, key: 'dot' },
    { name: 'iterations', color: palette.dilution, key: 'line' },
    { name: 'fit time', color: palette.substrate, key: 'line' },
  ];
}

function structure(ctx: TimeContext, palette: ChartPalette, legend: ChartOption['legend']): ChartOption {
  const axis = (gridIndex: number, name: string, extra: object = {}) => ({
    type: 'value' as const,
    gridIndex,
    name,
    nameLocation: 'middle' as const,
    nameGap: 44,
    nameTextStyle: { color: palette.muted },
    axisLabel: { color: palette.muted },
    splitLine: { lineStyle: { color: palette.grid } },
    ...extra,
  });
  return {
    backgroundColor: 'transparent',
    animation: false,
    textStyle: { color: palette.text },
    legend,
    tooltip: { trigger: 'axis', confine: true, formatter: axisTooltip(ctx, unitOf) },
    grid: [
      { left: 64, right: 64, top: 12, height: '24%' },
      { left: 64, right: 64, top: '36%', height: '28%' },
      { left: 64, right: 64, top: '71%', height: '16%' },
    ],
    xAxis: [
      timeXAxis(ctx, 0, palette, false),
      timeXAxis(ctx, 1, palette, false),
      timeXAxis(ctx, 2, palette, true),
    ],
    yAxis: [
      { ...axis(0, 'loss (dimensionless)'), type: 'log' as const, splitNumber: 3 },
      axis(1, `residual (${standardDeviations.symbol})`, { scale: true }),
      axis(2, 'iterations', { minInterval: 1, splitNumber: 2 }),
      {
        ...axis(2, `fit time (${milliseconds.symbol})`, { splitNumber: 2 }),
        position: 'right' as const,
        splitLine: { show: false },
      },
    ],
    dataZoom: [{ type: 'inside', xAxisIndex: [0, 1, 2], filterMode: 'none' }],
  };
}

export function DiagnosticsChart(props: {
  data: ReactorData;
  version: number;
  ctx: TimeContext;
  zoom: ZoomLink;
}) {
  const { data, version, ctx, zoom } = props;
  const { theme } = usePreferences();
  const { containerRef, chart, onKeyDown } = useEChart(zoom);
  const palette = chartPalette(theme);
  const legend = useLegend(chart);
  const items = legendItems(palette);

  useLiveChart({
    chart,
    container: containerRef,
    zoom,
    data,
    version,
    ctx,
    xAxes: 3,
    layoutKey: `${theme}|${ctx.timeMode}|${ctx.originMs}`,
    structure: () => structure(ctx, palette, legend.option(items.map((i) => i.name))),
    series: () => allSeries(data, palette),
    sourcesOf: () => ['fits'],
  });

  const failed = data.fits.filter((f) => f.status === 'failed').length;
  return (
    <ChartFrame
      id="diagnostics"
      title="Fit diagnostics"
      description={`Loss, standardized residuals, iterations and fit time of ${data.fits.length} fits; ${failed} failed (dashed red lines).`}
      height={400}
      containerRef={containerRef}
      points={data.fits.length}
      extent={ctx.extent}
      onKeyDown={onKeyDown}
      empty={data.fits.length === 0 ? 'No fits in this range yet.' : null}
      legend={{ items, state: legend }}
    >
      <p className="chart-legend-note">
        Dashed red lines: failed fits. Residuals are (model − reading)/σ: a good fit scatters them around 0
        with an RMS near 1; a window whose RMS stays well above 1 means the model no longer matches the plant.{' '}
        {failed} failed fit{failed === 1 ? '' : 's'} in this range.
      </p>
    </ChartFrame>
  );
}
