'use client';
/**
 * Measurements against the model: OD and substrate readings with the filtered model (each fit's
 * estimate at its window's end), the newest fit over its window and its forecast with a 95 % band;
 * outliers (|standardized residual| > 4) and readings the ingester rejected are marked. The dilution
 * rate has its own grid and axis underneath.
 */
import type { FitRecord, PlantSignal } from '../../../contract/api';
import { concentration, opticalDensity, perHour, signalUnits } from '../../../contract/display-units';
import { formatQuantity } from '../../lib/number-format';
import { usePreferences } from '../../lib/preferences';
import { lowerBound, outlierResidual, type Points, type ReactorData } from '../../lib/reactor-data';
import { ChartFrame, type LegendItem } from './chart-frame';
import { bandFill, type ChartPalette, chartPalette } from './chart-palette';
import { axisTooltip, type BandPoint, bandSeries, type TimeContext, timeXAxis } from './chart-parts';
import type { ChartOption, SeriesOption } from './echarts-setup';
import { useEChart } from './use-echart';
import { useLegend } from './use-legend';
import { useLiveChart } from './use-live-chart';
import type { ZoomLink } from './zoom-link';

const z95 = 1.959964;
const forecastName = 'forecast, 95 % band of readings';

function pairs(t: readonly number[], v: readonly number[]): [number, number][] {
  const out: [number, number][] = new Array(t.length);
  for (let i = 0; i < t.length; i++) out[i] = [t[i], v[i]];
  return out;
}

/**
 * Rejected readings are often absurd (that is why they were rejected): draw them at the edge of the
 * readings' range so they do not flatten the chart, and keep the real value for the tooltip.
 */
function rejectedPoints(rejected: { t: number[]; v: number[] }, readings: { v: number[] }): number[][] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of readings.v) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const pad = Number.isFinite(hi - lo) ? Math.max((hi - lo) * 0.15, 1) : Number.POSITIVE_INFINITY;
  return rejected.t.map((t, i) => [t, Math.min(hi + pad, Math.max(lo - pad, rejected.v[i])), rejected.v[i]]);
}

/**
 * The sensor's noise as the newest fit saw it: the root mean square of reading − model over the
 * fitted window (the model's trajectory interpolated at each reading). The API's forecast band is the
 * model's alone, far narrower than the scatter of the readings it forecasts.
 */
export function readingNoiseSd(fit: FitRecord, signal: 'od' | 'substrate', readings: Points): number {
  const tMs = fit.trajectory?.tMs;
  const model = fit.trajectory?.series[signal];
  if (!tMs || !model || tMs.length < 2) return 0;
  let sum = 0;
  let count = 0;
  let j = 0;
  for (let i = lowerBound(readings.t, fit.windowStartMs); i < readings.t.length; i++) {
    const t = readings.t[i];
    if (t > fit.windowEndMs) break;
    while (j < tMs.length - 2 && tMs[j + 1] < t) j++;
    const span = tMs[j + 1] - tMs[j];
    const w = span > 0 ? Math.min(1, Math.max(0, (t - tMs[j]) / span)) : 0;
    const r = readings.v[i] - (model[j] + w * (model[j + 1] - model[j]));
    if (Number.isFinite(r)) {
      sum += r * r;
      count++;
    }
  }
  return count > 1 ? Math.sqrt(sum / count) : 0;
}

function signalSeries(
  data: ReactorData,
  signal: 'od' | 'substrate',
  name: string,
  color: string,
  palette: ChartPalette,
  grid: number,
): SeriesOption[] {
  const axes = { xAxisIndex: grid, yAxisIndex: grid };
  const readings = data.readings.get(signal) ?? { t: [], v: [] };
  const rejected = data.rejected.get(signal);
  const fit = data.latestFit;
  const modelKey = signal;
  const forecastBand: BandPoint[] = [];
  const forecastLine: [number, number][] = [];
  const forecastValues = fit?.forecast?.series[modelKey];
  const forecastSd = fit?.forecast?.sd?.[modelKey];
  const forecastLower = fit?.forecast?.lower?.[modelKey];
  const forecastUpper = fit?.forecast?.upper?.[modelKey];
  if (fit?.forecast && forecastValues) {
    const noiseHalfWidth = z95 * readingNoiseSd(fit, signal, readings);
    fit.forecast.tMs.forEach((t, i) => {
      const v = forecastValues[i];
      forecastLine.push([t, v]);
      // The model's band (the estimator's, with the inputs' unknown future; older fits: ±1.96 sd),
      // widened by the sensor's noise, since it is the next readings that should fall inside it.
      const sd = forecastSd?.[i];
      const below = forecastLower ? v - forecastLower[i] : sd !== undefined ? z95 * sd : Number.NaN;
      const above = forecastUpper ? forecastUpper[i] - v : sd !== undefined ? z95 * sd : Number.NaN;
      if (Number.isFinite(below) && Number.isFinite(above)) {
        forecastBand.push({
          t,
          lower: Math.max(0, v - Math.hypot(below, noiseHalfWidth)),
          upper: v + Math.hypot(above, noiseHalfWidth),
        });
      }
    });
  }
  const fitValues = fit?.trajectory?.series[modelKey];
  const filtered: [number, number][] = [];
  for (const f of data.fits) {
    const v = f.modelAtEnd[signal];
    if (f.status === 'ok' && v !== undefined) filtered.push([f.windowEndMs, v]);
  }
  return [
    {
      id: signal,
      name,
      type: 'line',
      ...axes,
      data: pairs(readings.t, readings.v),
      sampling: 'lttb',
      symbol: 'circle',
      symbolSize: 3,
      // Dots while each is a reading one can pick out; a plain line for thousands.
      showSymbol: readings.t.length <= 600,
      lineStyle: { width: 1, color },
      itemStyle: { color },
      emphasis: { disabled: true },
      z: 2,
    },
    ...bandSeries(`${signal}:forecast`, forecastBand, bandFill(palette.forecast, 0.3), axes, {
      name: forecastName,
      edge: palette.forecast,
    }),
    {
      id: `${signal}:model`,
      name: 'model (filtered)',
      type: 'line',
      ...axes,
      data: filtered,
      symbol: 'none',
      lineStyle: { width: 2, color: palette.model, opacity: 0.75 },
      itemStyle: { color: palette.model },
      z: 3,
    },
    {
      id: `${signal}:fit`,
      name: 'newest fit',
      type: 'line',
      ...axes,
      data: fit?.trajectory && fitValues ? pairs(fit.trajectory.tMs, fitValues) : [],
      symbol: 'none',
      lineStyle: { width: 2.5, color: palette.model },
      itemStyle: { color: palette.model },
      z: 4,
    },
    {
      id: `${signal}:forecast`,
      name: forecastName,
      type: 'line',
      ...axes,
      data: forecastLine,
      symbol: 'none',
      lineStyle: { width: 2, type: 'dashed', color: palette.forecast },
      itemStyle: { color: palette.forecast },
      z: 4,
    },
    {
      id: `${signal}:outlier`,
      name: 'outlier',
      type: 'scatter',
      ...axes,
      data: data.outlierPoints(signal as PlantSignal),
      symbol: 'diamond',
      symbolSize: 10,
      itemStyle: { color: 'transparent', borderColor: palette.outlier, borderWidth: 2 },
      z: 5,
    },
    {
      id: `${signal}:rejected`,
      name: 'rejected by ingest',
      type: 'scatter',
      ...axes,
      data: rejected ? rejectedPoints(rejected, readings) : [],
      symbol: 'triangle',
      symbolSize: 9,
      itemStyle: { color: palette.rejected },
      z: 5,
    },
  ];
}

function allSeries(data: ReactorData, palette: ChartPalette): SeriesOption[] {
  const dilution = data.readings.get('dilution') ?? { t: [], v: [] };
  return [
    ...signalSeries(data, 'od', 'OD', palette.od, palette, 0),
    ...signalSeries(data, 'substrate', 'substrate S', palette.substrate, palette, 1),
    {
      id: 'dilution',
      name: 'dilution D',
      type: 'line',
      xAxisIndex: 2,
      yAxisIndex: 2,
      data: pairs(dilution.t, dilution.v),
      sampling: 'lttb',
      step: false,
      symbol: 'none',
      lineStyle: { width: 1.5, color: palette.dilution },
      itemStyle: { color: palette.dilution },
    },
  ];
}

/** Readings series follow their signal; model series the fits; outliers both. */
function sourcesOf(id: string): string[] {
  if (id === 'dilution') return ['signal:dilution'];
  const [signal, part] = id.split(':');
  if (part === undefined || part === 'rejected') return [`signal:${signal}`];
  if (part === 'outlier') return ['fits', `signal:${signal}`];
  return ['fits'];
}

const unitOf = (id: string) =>
  id.startsWith('dilution') ? perHour : id.startsWith('od') ? opticalDensity : concentration;

function legendItems(palette: ChartPalette): LegendItem[] {
  return [
    { name: 'OD', color: palette.od, key: 'dot' },
    { name: 'substrate S', color: palette.substrate, key: 'dot' },
    { name: 'dilution D', color: palette.dilution, key: 'line' },
    { name: 'model (filtered)', color: palette.model, key: 'line' },
    { name: 'newest fit', color: palette.model, key: 'line' },
    { name: forecastName, color: palette.forecast, key: 'dashed-band' },
    { name: 'outlier', color: palette.outlier, key: 'diamond' },
    { name: 'rejected by ingest', color: palette.rejected, key: 'triangle' },
  ];
}

function structure(ctx: TimeContext, palette: ChartPalette, legend: ChartOption['legend']): ChartOption {
  const valueAxis = (gridIndex: number, name: string) => ({
    type: 'value' as const,
    gridIndex,
    name,
    nameLocation: 'middle' as const,
    nameGap: 44,
    nameTextStyle: { color: palette.muted },
    scale: true,
    axisLabel: { color: palette.muted },
    splitLine: { lineStyle: { color: palette.grid } },
  });
  return {
    backgroundColor: 'transparent',
    animation: false,
    textStyle: { color: palette.text },
    legend,
    tooltip: { trigger: 'axis', confine: true, formatter: axisTooltip(ctx, unitOf) },
    grid: [
      { left: 64, right: 24, top: 12, height: '34%' },
      { left: 64, right: 24, top: '42%', height: '25%' },
      { left: 64, right: 24, top: '72%', height: '15%' },
    ],
    xAxis: [
      timeXAxis(ctx, 0, palette, false),
      timeXAxis(ctx, 1, palette, false),
      timeXAxis(ctx, 2, palette, true),
    ],
    yAxis: [
      valueAxis(0, `OD (${signalUnits.od.symbol})`),
      valueAxis(1, `S (${signalUnits.substrate.symbol})`),
      { ...valueAxis(2, `D (${signalUnits.dilution.symbol})`), splitNumber: 2 },
    ],
    dataZoom: [{ type: 'inside', xAxisIndex: [0, 1, 2], filterMode: 'none' }],
  };
}

export function MeasurementsChart(props: {
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
    sourcesOf,
  });

  const fit = data.latestFit;
  const noise = fit?.forecast
    ? {
        od: readingNoiseSd(fit, 'od', data.readings.get('od') ?? { t: [], v: [] }),
        substrate: readingNoiseSd(fit, 'substrate', data.readings.get('substrate') ?? { t: [], v: [] }),
      }
    : null;
  const od = data.readings.get('od');
  const empty = !od || od.t.length === 0 ? 'No OD readings in this range.' : null;
  return (
    <ChartFrame
      id="measurements"
      title="Measurements and model"
      description={`OD, substrate and dilution rate over time with the fitted model, its forecast and 95 % band; ${od?.t.length ?? 0} OD readings shown. Outliers (standardized residual beyond ${outlierResidual}) are marked with diamonds, readings rejected at ingest with triangles.`}
      height={440}
      containerRef={containerRef}
      points={od?.t.length ?? 0}
      extent={ctx.extent}
      onKeyDown={onKeyDown}
      empty={empty}
      legend={{ items, state: legend }}
    >
      {noise ? (
        <p className="chart-legend-note" data-testid="forecast-note">
          The forecast’s band is where the next readings should fall (95 %): the model’s own uncertainty and
          the sensors’ noise in the newest window (OD ±{formatQuantity(noise.od, signalUnits.od, 2)}, S ±
          {formatQuantity(noise.substrate, signalUnits.substrate, 2)}, one standard deviation).
        </p>
      ) : null}
    </ChartFrame>
  );
}
