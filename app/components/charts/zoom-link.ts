'use client';
/**
 * Zoom linked across the reactor page's charts. Every chart spans the same time extent (the page's
 * range), so a zoom window in percent means the same times everywhere: a zoom or pan in one chart is
 * replayed, silently, on the others. Keyboard zoom and pan go through here too.
 */
import type { ZoomWindow } from '../../lib/view-url';
import type { EChartsInstance } from './echarts-setup';

interface DataZoomEvent {
  start?: number;
  end?: number;
  batch?: { start?: number; end?: number }[];
}

export class ZoomLink {
  private readonly charts = new Set<EChartsInstance>();
  private readonly listeners = new Set<(zoom: ZoomWindow) => void>();
  window: ZoomWindow;

  /** `initial`: the zoom a link asked for. */
  constructor(initial: ZoomWindow | null = null) {
    this.window = initial ?? { start: 0, end: 100 };
  }

  register(chart: EChartsInstance): () => void {
    this.charts.add(chart);
    const onZoom = (event: unknown) => {
      const e = event as DataZoomEvent;
      const item = e.batch?.[0] ?? e;
      if (item.start === undefined || item.end === undefined) return;
      this.apply({ start: item.start, end: item.end }, chart);
    };
    chart.on('datazoom', onZoom);
    if (this.window.start !== 0 || this.window.end !== 100) this.dispatch(chart, this.window);
    return () => {
      chart.off('datazoom', onZoom);
      this.charts.delete(chart);
    };
  }

  onChange(listener: (zoom: ZoomWindow) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sets the window on every chart but `source` (which already shows it). */
  apply(zoom: ZoomWindow, source?: EChartsInstance): void {
    const start = Math.max(0, Math.min(100, zoom.start));
    const end = Math.max(start + 0.01, Math.min(100, zoom.end));
    this.window = { start, end };
    for (const chart of this.charts) if (chart !== source) this.dispatch(chart, this.window);
    for (const listener of this.listeners) listener(this.window);
  }

  reset(): void {
    this.apply({ start: 0, end: 100 });
  }

  /** factor < 1 zooms in around the window's middle. */
  zoomBy(factor: number): void {
    const { start, end } = this.window;
    const middle = (start + end) / 2;
    const half = Math.min(50, Math.max(0.5, ((end - start) / 2) * factor));
    let s = middle - half;
    let e = middle + half;
    if (s < 0) [s, e] = [0, e - s];
    if (e > 100) [s, e] = [s - (e - 100), 100];
    this.apply({ start: s, end: e });
  }

  /** Moves the window by a fraction of its width (negative: back in time). */
  panBy(fraction: number): void {
    const { start, end } = this.window;
    const width = end - start;
    const shift = Math.max(-start, Math.min(100 - end, width * fraction));
    this.apply({ start: start + shift, end: end + shift });
  }

  private dispatch(chart: EChartsInstance, zoom: ZoomWindow): void {
    if (chart.isDisposed()) return;
    chart.dispatchAction({ type: 'dataZoom', start: zoom.start, end: zoom.end }, { silent: true });
  }
}
