'use client';
/**
 * Community composition from the fits: the satellite fraction Y/(X+Y), X and Y, A and B, each at
 * its fit's window end with its 95 % band (the estimator's: a concentration's in log space, never
 * negative; the fraction's in logit space, inside 0–100 %), and the offline assays as points.
 */
import type { Composition, PlantSignal } from '../../../contract/api';
import { concentration, satelliteFraction, shownValue } from '../../../contract/display-units';
import { formatQuantity } from '../../lib/number-format';
import { usePreferences } from '../../lib/preferences';
import type { ReactorData } from '../../lib/reactor-data';
import { ChartFrame, type LegendItem } from './chart-frame';
import { bandFill, type ChartPalette, chartPalette } from './chart-palette';
import { axisTooltip, type BandPoint, bandSeries, type TimeContext, timeXAxis } from './chart-parts';
import type { ChartOption, SeriesOption } from './echarts-setup';
import { useEChart } from './use-echart';
import { useLegend } from './use-legend';
import { useLiveChart } from './use-live-chart';
import type { ZoomLink } from './zoom-link';

type Part = keyof Composition;

function partSeries(
  data: ReactorData,
  part: Part,
  name: string,
  color: string,
  axes: { xAxisIndex: number; yAxisIndex: number },
  unit = concentration,
): SeriesOption[] {
  const shown = (x: number) => shownValue(unit, x);
  const line: [number, number][] = [];
  const band: BandPoint[] = [];
  for (const fit of data.fits) {
    const c = fit.composition?.[part];
    if (fit.status !== 'ok' || !c || !Number.isFinite(c.value)) continue;
    line.push([fit.windowEndMs, shown(c.value)]);
    band.push({ t: fit.windowEndMs, lower: shown(c.lower95), upper: shown(c.upper95) });
  }
  return [
    ...bandSeries(`comp-${part}`, band, bandFill(color, 0.22), axes, { name }),
    {
      id: `comp-${part}`,
      name,
      type: 'line',
      ...axes,
      data: line,
      symbol: 'none',
      lineStyle: { width: 2, color },
      itemStyle: { color },
      z: 3,
    },
  ];
}

function assaySeries(
  data: ReactorData,
  signal: PlantSignal,
  name: string,
  color: string,
  axes: { xAxisIndex: number; yAxisIndex: number },
): SeriesOption {
  const points = data.readings.get(signal) ?? { t: [], v: [] };
  return {
    id: signal,
    name,
    type: 'scatter',
    ...axes,
    data: points.t.map((t, i) => [t, points.v[i]]),
    symbol: 'rect',
    symbolSize: 7,
    itemStyle: { color: 'transparent', borderColor: color, borderWidth: 1.5 },
    z: 4,
  };
}

function allSeries(data: ReactorData, palette: ChartPalette): SeriesOption[] {
  const g = (i: number, y = i) => ({ xAxisIndex: i, yAxisIndex: y });
  return [
    ...partSeries(data, 'satellite_fraction', fractionName, palette.fraction, g(0), satelliteFraction),
    ...partSeries(data, 'X', 'X (main)', palette.X, g(1, 1)),
    ...partSeries(data, 'Y', 'Y (satellite)', palette.Y, g(1, 2)),
    assaySeries(data, 'assay/X', 'assay X', palette.X, g(1, 1)),
    assaySeries(data, 'assay/Y', 'assay Y', palette.Y, g(1, 2)),
    ...partSeries(data, 'A', 'A', palette.A, g(2, 3)),
    ...partSeries(data, 'B', 'B', palette.B, g(2, 3)),
    assaySeries(data, 'assay/A', 'assay A', palette.A, g(2, 3)),
    assaySeries(data, 'assay/B', 'assay B', palette.B, g(2, 3)),
  ];
}

const fractionName = 'satellite fraction Y/(X+Y)';
const unitOf = (id: string) => (id.includes('satellite_fraction') ? satelliteFraction : concentration);

function legendItems(palette: ChartPalette): LegendItem[] {
  return [
    { name: fractionName, color: palette.fraction, key: 'band' },
    { name: 'X (main)', color: palette.X, key: 'band' },
    { name: 'Y (satellite)', color: palette.Y, key: 'band' },
    { name: 'assay X', color: palette.X, key: 'square' },
    { name: 'assay Y', color: palette.Y, key: 'square' },
    { name: 'A', color: palette.A, key: 'band' },
    { name: 'B', color: palette.B, key: 'band' },
    { name: 'assay A', color: palette.A, key: 'square' },
    { name: 'assay B', color: palette.B, key: 'square' },
  ];
}

function structure(ctx: TimeContext, palette: ChartPalette, legend: ChartOption['legend']): ChartOption {
  const valueAxis = (
    gridIndex: number,
    name: string,
    color: string,
    position: 'left' | 'right' = 'left',
  ) => ({
    type: 'value' as const,
    gridIndex,
    name,
    position,
    nameLocation: 'middle' as const,
    nameGap: position === 'left' ? 44 : 40,
    nameTextStyle: { color },
    scale: true,
    axisLabel: { color: palette.muted },
    splitLine: { show: position === 'left', lineStyle: { color: palette.grid } },
  });
  return {
    backgroundColor: 'transparent',
    animation: false,
    textStyle: { color: palette.text },
    legend,
    tooltip: { trigger: 'axis', confine: true, formatter: axisTooltip(ctx, unitOf) },
    grid: [
      { left: 64, right: 60, top: 12, height: '24%' },
      { left: 64, right: 60, top: '35%', height: '24%' },
      { left: 64, right: 60, top: '65%', height: '23%' },
    ],
    xAxis: [
      timeXAxis(ctx, 0, palette, false),
      timeXAxis(ctx, 1, palette, false),
      timeXAxis(ctx, 2, palette, true),
    ],
    yAxis: [
      { ...valueAxis(0, `Y/(X+Y) (${satelliteFraction.symbol})`, palette.muted), min: 0 },
      valueAxis(1, `X (${concentration.symbol})`, palette.X),
      valueAxis(1, `Y (${concentration.symbol})`, palette.Y, 'right'),
      { ...valueAxis(2, `A, B (${concentration.symbol})`, palette.muted), min: 0 },
    ],
    dataZoom: [{ type: 'inside', xAxisIndex: [0, 1, 2], filterMode: 'none' }],
  };
}

export function CompositionChart(props: {
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
    sourcesOf: (id) => (id.startsWith('assay/') ? [`signal:${id}`] : ['fits']),
  });

  const fitted = data.fits.some((f) => f.status === 'ok' && f.composition);
  const latest = data.latestFit?.composition?.satellite_fraction;
  return (
    <ChartFrame
      id="composition"
      title="Community composition (estimated, 95 % bands)"
      description={
        latest
          ? `Satellite fraction, main and satellite biomass, and metabolites A and B over time. Newest satellite fraction ${formatQuantity(latest.value, satelliteFraction)}.`
          : 'Satellite fraction, main and satellite biomass, and metabolites A and B over time.'
      }
      height={440}
      containerRef={containerRef}
      points={data.fits.filter((f) => f.composition).length}
      extent={ctx.extent}
      onKeyDown={onKeyDown}
      legend={{ items, state: legend }}
      empty={
        fitted
          ? null
          : 'No fit in this range yet: composition is estimated once a window of readings is fitted.'
      }
    />
  );
}
