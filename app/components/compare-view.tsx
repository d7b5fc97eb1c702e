'use client';
/**
 * Compare reactors: one signal or estimate of the chosen reactors on one chart, over one time range
 * ("now" is the newest reading of any of them). The choice and the view are in the address; new data
 * are fetched at the chosen refresh (live: as the reactors' summaries change, at most every 5 s).
 */
import Link from 'next/link';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { ReactorSummary } from '../../contract/api';
import { describeError, fetchEstimates, fetchReactors, fetchReadings } from '../lib/api-client';
import {
  type CompareQuantity,
  compareQuantities,
  estimatePoints,
  readingPoints,
} from '../lib/compare-quantities';
import { usePlantOrigins } from '../lib/plant-origin';
import { newestReadingMs } from '../lib/reactor-status';
import { useReactorUpdates } from '../lib/realtime-client';
import { formatSpan, formatTime } from '../lib/time-format';
import { resolveRange } from '../lib/time-range';
import { useNarrow } from '../lib/use-narrow';
import { useViewInUrl } from '../lib/use-view-url';
import { refreshDelayMs, type ViewState } from '../lib/view-url';
import { CompareChart, type CompareSeries } from './charts/compare-chart';
import { ZoomLink } from './charts/zoom-link';
import { TimeRangePicker } from './time-range-picker';
import { CopyLinkButton, LinkProblems, RefreshPicker } from './view-controls';

const liveAtMostEveryMs = 5000;
const groups = ['Readings', 'Estimates', 'Parameters'] as const;

export function CompareView(props: {
  initialView: ViewState;
  /** Reactor ids from the link; null: every reactor. */
  initialReactors: readonly string[] | null;
  initialQuantity: CompareQuantity;
  linkProblems: readonly string[];
}) {
  const zoom = useMemo(() => new ZoomLink(props.initialView.zoom), [props.initialView.zoom]);
  const [chosen, setChosen] = useState<readonly string[] | null>(props.initialReactors);
  const [quantity, setQuantity] = useState(props.initialQuantity);
  const extra = { reactors: (chosen ?? []).join(','), quantity: quantity.key };
  const { range, setRange, refresh, setRefresh, timeMode } = useViewInUrl(props.initialView, zoom, extra);
  const [summaries, setSummaries] = useState<ReactorSummary[] | null>(null);
  const [series, setSeries] = useState<CompareSeries[]>([]);
  const [extent, setExtent] = useState<{ minMs: number; maxMs: number } | null>(null);
  const [state, setState] = useState<{ kind: 'loading' | 'ready' } | { kind: 'error'; message: string }>({
    kind: 'loading',
  });
  const [tick, setTick] = useState(0);
  const lastFetch = useRef(0);
  const narrow = useNarrow();

  useEffect(() => {
    void fetchReactors()
      .then((list) => {
        const sorted = list.slice().sort((a, b) => a.id.localeCompare(b.id, undefined, { numeric: true }));
        setSummaries(sorted);
        setChosen((c) => c ?? sorted.map((r) => r.id));
      })
      .catch((e) => setState({ kind: 'error', message: describeError(e) }));
  }, []);

  const shown = useMemo(() => (summaries ?? []).filter((s) => chosen?.includes(s.id)), [summaries, chosen]);
  const unknown = (chosen ?? []).filter((id) => summaries && !summaries.some((s) => s.id === id));

  // biome-ignore lint/correctness/useExhaustiveDependencies: tick asks for the same again.
  useEffect(() => {
    if (!summaries) return;
    const abort = new AbortController();
    lastFetch.current = Date.now();
    void (async () => {
      const fresh = await fetchReactors(abort.signal);
      const picked = fresh.filter((s) => chosen?.includes(s.id));
      const newest = Math.max(...picked.map((s) => newestReadingMs(s) ?? Number.NEGATIVE_INFINITY));
      const resolved = resolveRange(range, Number.isFinite(newest) ? newest : null);
      const query = { fromMs: resolved.fromMs, toMs: resolved.toMs };
      const loaded = await Promise.all(
        picked.map(async (s): Promise<CompareSeries> => {
          if ('signal' in quantity) {
            const readings = await fetchReadings(
              s.id,
              quantity.signal,
              { ...query, maxPoints: 1500 },
              abort.signal,
            );
            return { reactorId: s.id, points: readingPoints(quantity, readings) };
          }
          const fits = await fetchEstimates(s.id, { ...query, trajectories: 'none' }, abort.signal);
          return { reactorId: s.id, points: estimatePoints(quantity, fits) };
        }),
      );
      const times = loaded
        .flatMap((l) => [l.points[0]?.t, l.points.at(-1)?.t])
        .filter((t) => t !== undefined);
      const minMs = resolved.fromMs ?? (times.length ? Math.min(...times) : null);
      const maxMs =
        resolved.toMs ?? (Number.isFinite(newest) ? newest : times.length ? Math.max(...times) : null);
      setSeries(loaded);
      setExtent(minMs !== null && maxMs !== null && maxMs > minMs ? { minMs, maxMs } : null);
      setState({ kind: 'ready' });
    })().catch((e) => {
      if (!abort.signal.aborted) setState({ kind: 'error', message: describeError(e) });
    });
    return () => abort.abort();
  }, [summaries, chosen, quantity, range, tick]);

  // Refresh: live follows the summaries' changes (at most every 5 s), an interval polls, paused waits.
  const everyMs = refreshDelayMs(refresh);
  useEffect(() => {
    if (everyMs === null || everyMs === 0) return;
    const timer = setInterval(() => setTick((n) => n + 1), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  const pendingLive = useRef<ReturnType<typeof setTimeout> | null>(null);
  useReactorUpdates((id) => {
    if (everyMs !== 0 || pendingLive.current) return;
    if (id !== null && !chosen?.includes(id)) return;
    pendingLive.current = setTimeout(
      () => {
        pendingLive.current = null;
        setTick((n) => n + 1);
      },
      Math.max(0, lastFetch.current + liveAtMostEveryMs - Date.now()),
    );
  });
  useEffect(
    () => () => {
      if (pendingLive.current) clearTimeout(pendingLive.current);
    },
    [],
  );

  const origins = usePlantOrigins(shown);
  const originMs = Math.min(...shown.map((s) => origins.get(s.id) ?? Number.POSITIVE_INFINITY));
  const ctx = useMemo(
    () => ({ timeMode, originMs: Number.isFinite(originMs) ? originMs : (extent?.minMs ?? 0), extent }),
    [timeMode, originMs, extent],
  );

  function toggleReactor(id: string, on: boolean) {
    const all = summaries?.map((s) => s.id) ?? [];
    setChosen((c) => all.filter((r) => (r === id ? on : (c ?? []).includes(r))));
  }

  return (
    <div className="compare-page" data-testid="compare-page" data-loaded={state.kind === 'ready'}>
      <LinkProblems problems={props.linkProblems} />
      <div className="page-head">
        <h1>Compare reactors</h1>
        <span className="spacer" />
        <Link className="button" href="/kiosk" prefetch={false}>
          Wall display (kiosk)
        </Link>
      </div>
      <div className="compare-controls panel">
        <fieldset className="checkbox-row compare-reactors">
          <legend>reactors</legend>
          {(summaries ?? []).map((s) => (
            <label key={s.id} className="checkbox-label">
              <span>
                <input
                  type="checkbox"
                  name={`reactor-${s.id}`}
                  checked={chosen?.includes(s.id) ?? false}
                  onChange={(e) => toggleReactor(s.id, e.target.checked)}
                />{' '}
                {s.id}
              </span>
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="compare-quantity">signal or estimate</label>
          <select
            id="compare-quantity"
            name="quantity"
            value={quantity.key}
            onChange={(e) => {
              const next = compareQuantities.find((q) => q.key === e.target.value);
              if (next) setQuantity(next);
            }}
          >
            {groups.map((g) => (
              <optgroup key={g} label={g}>
                {compareQuantities
                  .filter((q) => q.group === g)
                  .map((q) => (
                    <option key={q.key} value={q.key}>
                      {q.label}
                      {q.unit.symbol ? ` (${q.unit.symbol})` : ''}
                    </option>
                  ))}
              </optgroup>
            ))}
          </select>
        </div>
      </div>
      {unknown.length > 0 ? (
        <p className="banner banner-warning panel" role="alert">
          The link names {unknown.length === 1 ? 'a reactor' : 'reactors'} this plant does not have:{' '}
          {unknown.join(', ')}.
        </p>
      ) : null}
      <div className="toolbar">
        <TimeRangePicker value={range} onChange={setRange} timeMode={timeMode} originMs={ctx.originMs} />
        <RefreshPicker value={refresh} onChange={setRefresh} />
        <CopyLinkButton />
        <span className="range-caption" aria-live="polite">
          {state.kind === 'loading'
            ? 'loading…'
            : extent
              ? `${formatTime(extent.minMs, timeMode, ctx.originMs)} – ${formatTime(extent.maxMs, timeMode, ctx.originMs)} (${formatSpan(extent.maxMs - extent.minMs)})`
              : ''}
        </span>
        <span className="range-caption" id="chart-keys">
          Zoom: wheel or drag on the chart; with it focused, + − ← → and 0.
        </span>
      </div>
      {state.kind === 'error' ? (
        <div className="banner banner-warning panel" role="alert">
          <strong>Could not load:</strong> {state.message}
        </div>
      ) : null}
      <CompareChart quantity={quantity} series={series} ctx={ctx} zoom={zoom} height={narrow ? 320 : 460} />
      {timeMode === 'plant' ? (
        <p className="muted">Plant hours count from the first reading of any reactor shown.</p>
      ) : null}
    </div>
  );
}
