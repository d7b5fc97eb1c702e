'use client';
/**
 * One ECharts instance per chart element, made once on mount and disposed on unmount; resized with
 * its box, switched between light and dark without being rebuilt, and tied into the page's zoom.
 */
import { type KeyboardEvent, useCallback, useEffect, useRef, useState } from 'react';
import { usePreferences } from '../../lib/preferences';
import { type EChartsInstance, echarts } from './echarts-setup';
import type { ZoomLink } from './zoom-link';

export function useEChart(zoomLink?: ZoomLink) {
  const containerRef = useRef<HTMLDivElement>(null);
  const [chart, setChart] = useState<EChartsInstance | null>(null);
  const { theme } = usePreferences();
  const themeAtInit = useRef(theme);

  useEffect(() => {
    const element = containerRef.current;
    if (!element) return;
    const instance = echarts.init(element, themeAtInit.current === 'dark' ? 'dark' : undefined, {
      renderer: 'canvas',
    });
    const resize = new ResizeObserver(() => {
      if (!instance.isDisposed()) instance.resize();
    });
    resize.observe(element);
    const unlink = zoomLink?.register(instance);
    setChart(instance);
    return () => {
      unlink?.();
      resize.disconnect();
      instance.dispose();
      setChart(null);
    };
  }, [zoomLink]);

  useEffect(() => {
    if (!chart || chart.isDisposed()) return;
    chart.setTheme(theme === 'dark' ? 'dark' : {});
  }, [chart, theme]);

  /** + and − zoom, ← and → pan, 0 shows the whole range: the same zoom on every chart. */
  const onKeyDown = useCallback(
    (event: KeyboardEvent<HTMLDivElement>) => {
      if (!zoomLink) return;
      switch (event.key) {
        case '+':
        case '=':
          zoomLink.zoomBy(0.5);
          break;
        case '-':
          zoomLink.zoomBy(2);
          break;
        case 'ArrowLeft':
          zoomLink.panBy(-0.25);
          break;
        case 'ArrowRight':
          zoomLink.panBy(0.25);
          break;
        case '0':
          zoomLink.reset();
          break;
        default:
          return;
      }
      event.preventDefault();
    },
    [zoomLink],
  );

  return { containerRef, chart, onKeyDown };
}
