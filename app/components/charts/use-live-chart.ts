'use client';
/**
 * Feeds one chart from the reactor data: the whole option once (and again only when the theme, the
 * time display or the chart's layout changes), then, on each live update, just the series whose
 * sources moved and the time extent — merged by series id, never re-rendered from scratch — and only
 * while the chart is on screen.
 */
import { type RefObject, useEffect, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import type { ReactorData } from '../../lib/reactor-data';
import { changedSeries, markSeen, type SourcesOf, type TimeContext, xExtentOnly } from './chart-parts';
import type { ChartOption, EChartsInstance, SeriesOption } from './echarts-setup';
import { scheduleChartUpdate } from './update-queue';
import type { ZoomLink } from './zoom-link';

export interface LiveChartInput {
  chart: EChartsInstance | null;
  /** The chart's element: a chart scrolled out of sight is not redrawn until it comes back. */
  container: RefObject<HTMLDivElement | null>;
  zoom: ZoomLink;
  data: ReactorData;
  version: number;
  ctx: TimeContext;
  /** How many x axes (grids) the chart has. */
  xAxes: number;
  /** Changes when the whole option must be rebuilt: theme, time display, layout. */
  layoutKey: string;
  structure: () => ChartOption;
  series: () => SeriesOption[];
  sourcesOf: SourcesOf;
}

function extentKey(ctx: TimeContext): string {
  return ctx.extent ? `${ctx.extent.minMs},${ctx.extent.maxMs}` : '';
}

export function useLiveChart(input: LiveChartInput): void {
  const { chart, zoom, data, version, ctx, xAxes, layoutKey } = input;
  const seen = useRef(new Map<string, number>());
  const drawnExtent = useRef('');
  const latest = useRef(input);
  latest.current = input;
  const [visible, setVisible] = useState(true);

  // Live updates go only to charts on (or near) the screen; the others catch up when scrolled to.
  useEffect(() => {
    const element = latest.current.container.current;
    if (!element || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(
      (entries) => setVisible(entries.some((e) => e.isIntersecting)),
      {
        rootMargin: '300px 0px',
      },
    );
    observer.observe(element);
    const onPrint = () => flushSync(() => setVisible(true));
    window.addEventListener('beforeprint', onPrint);
    return () => {
      observer.disconnect();
      window.removeEventListener('beforeprint', onPrint);
    };
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: layoutKey stands for what structure() reads.
  useEffect(() => {
    if (!chart || chart.isDisposed()) return;
    const { structure, series, sourcesOf } = latest.current;
    const all = series();
    chart.setOption({ ...structure(), series: all }, { notMerge: true });
    markSeen(all, sourcesOf, data, seen.current);
    drawnExtent.current = extentKey(latest.current.ctx);
    zoom.apply(zoom.window);
  }, [chart, layoutKey, data, zoom]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: version stands for the data's contents.
  useEffect(() => {
    if (!chart || chart.isDisposed() || !visible) return;
    scheduleChartUpdate(chart, () => {
      const { series, sourcesOf, ctx: now, xAxes: axes } = latest.current;
      const changed = changedSeries(series(), sourcesOf, data, seen.current);
      const extent = extentKey(now);
      if (changed.length === 0 && extent === drawnExtent.current) return;
      drawnExtent.current = extent;
      chart.setOption({ xAxis: xExtentOnly(now, axes), series: changed });
    });
  }, [chart, data, version, ctx, xAxes, visible]);
}
