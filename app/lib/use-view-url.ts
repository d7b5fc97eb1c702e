'use client';
/**
 * A page's view kept in its address: the range and refresh as state, the zoom as the charts have it,
 * the time display as the operator's preference (a link's `time=` sets it). Every change rewrites
 * the address in place, so the address bar and "copy link" always hold the view as shown.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { usePreferences } from './preferences';
import type { RangeChoice } from './time-range';
import { type RefreshChoice, type ViewState, viewToSearch, type ZoomWindow } from './view-url';

/** What the view needs of the charts' linked zoom. */
interface ZoomSource {
  window: ZoomWindow;
  onChange(listener: (zoom: ZoomWindow) => void): () => void;
}

/** Zooming sends many events; the address follows once it rests. */
const zoomSettleMs = 250;

export function useViewInUrl(initial: ViewState, zoom: ZoomSource, extra: Record<string, string> = {}) {
  const { timeMode, setTimeMode } = usePreferences();
  const [range, setRangeState] = useState(initial.range);
  const [refresh, setRefresh] = useState(initial.refresh);
  const latest = useRef({ range, refresh, timeMode, extra });
  latest.current = { range, refresh, timeMode, extra };

  const write = useCallback(() => {
    const now = latest.current;
    const search = viewToSearch(
      { range: now.range, refresh: now.refresh, timeMode: now.timeMode, zoom: zoom.window },
      now.extra,
    );
    if (window.location.search !== `?${search}`)
      window.history.replaceState(window.history.state, '', `?${search}`);
  }, [zoom]);

  // The link's time display, once (before the stored preference is read).
  // biome-ignore lint/correctness/useExhaustiveDependencies: only the link's own choice, at the start.
  useEffect(() => {
    if (initial.timeMode) setTimeMode(initial.timeMode);
  }, []);

  const extraKey = JSON.stringify(extra);
  // biome-ignore lint/correctness/useExhaustiveDependencies: these are what the address holds.
  useEffect(write, [write, range, refresh, timeMode, extraKey]);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = zoom.onChange(() => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(write, zoomSettleMs);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [zoom, write]);

  const setRange = useCallback((next: RangeChoice) => setRangeState(next), []);
  return { range, setRange, refresh, setRefresh: (r: RefreshChoice) => setRefresh(r), timeMode };
}
