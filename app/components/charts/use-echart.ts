'use client';
/**
 * One ECharts instance per chart element, made once (when it first nears the screen, or the page is
 * printed) and disposed on unmount; resized with its box, switched between light and dark without being rebuilt, and tied
 * into the page's zoom.
 */
import { type KeyboardEvent, useCallback, useEffect, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { usePreferences } from '../../lib/preferences';
import { type EChartsInstance, echarts } from './echarts-setup';
import type { ZoomLink } from './zoom-link';

export function useEChart(zoomLink?: ZoomLink) {
  const containerRef = useRef<HTMLDivElement>(null);
  const [chart, setChart] = useState<EChartsInstance | null>(null);
  const { theme } = usePreferences();
  const themeNow = useRef(theme);
  themeNow.current = theme;
  const drawnTheme = useRef(theme);

  // Made when the chart first comes near the screen, so a page loads without building the charts
  // below the fold.
  useEffect(() => {
    const element = containerRef.current;
    if (!element) return;
    let instance: EChartsInstance | null = null;
    let resize: ResizeObserver | null = null;
    let unlink: (() => void) | undefined;
    const create = () => {
      if (instance) return;
      drawnTheme.current = themeNow.current;
      instance = echarts.init(element, themeNow.current === 'dark' ? 'dark' : undefined, {
        renderer: 'canvas',
      });
      const made = instance;
      resize = new ResizeObserver(() => {
        if (!made.isDisposed()) made.resize();
      });
      resize.observe(element);
      unlink = zoomLink?.register(made);
      setChart(made);
    };
    let near: IntersectionObserver | null = null;
    if (typeof IntersectionObserver === 'undefined') create();
    else {
      near = new IntersectionObserver(
        (entries) => {
          if (entries.some((e) => e.isIntersecting)) {
            near?.disconnect();
            create();
          }
        },
        { rootMargin: '300px 0px' },
      );
      near.observe(element);
    }
    // Printing lays out the whole page at once: every chart is drawn before it does.
    const onPrint = () => flushSync(create);
    window.addEventListener('beforeprint', onPrint);
    return () => {
      window.removeEventListener('beforeprint', onPrint);
      near?.disconnect();
      unlink?.();
      resize?.disconnect();
      instance?.dispose();
      setChart(null);
    };
  }, [zoomLink]);

  useEffect(() => {
    if (!chart || chart.isDisposed() || drawnTheme.current === theme) return;
    drawnTheme.current = theme;
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
