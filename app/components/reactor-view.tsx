'use client';
/**
 * The reactor page: every chart on one shared time range with linked zoom, fed once by the API and
 * then live over socket.io (readings appended as they arrive, each new fit added, drawn at the chosen
 * refresh or held while paused), back-filled after a lost connection. The view (range, zoom, time
 * display, refresh) is in the address. Every section is in the page from the start; only the
 * charts' drawing waits until they come near the screen.
 */
import Link from 'next/link';
import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { FitRecord, ReactorSummary } from '../../contract/api';
import { satelliteFraction, shownValue, signalUnits } from '../../contract/display-units';
import type { ReadingBatch } from '../../contract/realtime';
import {
  ApiRequestError,
  fetchEstimates,
  fetchReactors,
  fetchReactorsSoon,
  fetchReadings,
  prefetchReactors,
} from '../lib/api-client';
import { formatNumber, formatQuantity } from '../lib/number-format';
import { usePlantOrigins } from '../lib/plant-origin';
import { chartedSignals, ReactorData } from '../lib/reactor-data';
import { reactorProblems } from '../lib/reactor-status';
import { useReactorStream, useReactorUpdates } from '../lib/realtime-client';
import { useCanOperate } from '../lib/session';
import { formatAge, formatSpan, formatTime } from '../lib/time-format';
import {
  isLive,
  isSliding,
  type RangeChoice,
  type ResolvedRange,
  resolveRange,
  spanOf,
} from '../lib/time-range';
import { useDemoStatus } from '../lib/use-demo-status';
import { useStickyScrollPadding } from '../lib/use-sticky-scroll-padding';
import { useViewInUrl } from '../lib/use-view-url';
import { refreshDelayMs, type ViewState, viewToSearch } from '../lib/view-url';
import { CombinationsChart } from './charts/combinations-chart';
import { CompositionChart } from './charts/composition-chart';
import { DiagnosticsChart } from './charts/diagnostics-chart';
import { MeasurementsChart } from './charts/measurements-chart';
import { ParameterDriftChart } from './charts/parameter-drift-chart';
import { ZoomLink } from './charts/zoom-link';
import { DemoControls } from './demo-controls';
import { DesignPanel } from './design-panel';
import { DownloadButtons } from './download-buttons';
import { FitsTable } from './fits-table';
import { MismatchView } from './mismatch-view';
import { FreshnessTag, ProblemList, StateLabel } from './reactor-card';
import { ReactorModel } from './reactor-model';
import { TimeRangePicker } from './time-range-picker';
import { CopyLinkButton, LinkProblems, RefreshPicker } from './view-controls';

/** Points asked of the server per signal: about a wide chart's pixels. */
const maxPoints = 2000;
/**
 * Live redraws: twice a second for ranges up to three days; over longer ranges a new reading moves
 * the picture by less than a pixel, so every 2 s is enough and leaves the browser free.
 */
function liveRedrawMs(range: RangeChoice): number {
  const span = spanOf(range);
  return span !== null && span <= 3 * 24 * 3_600_000 ? 500 : 2000;
}
const z95 = 1.959964;

const summaryLabels = { od: 'OD', substrate: 'S', dilution: 'D' } as const;

/** The page's sections, in order, for the jump links (each heading's id is `<id>-title`). */
const sections = [
  ['measurements', 'Measurements'],
  ['composition', 'Composition'],
  ['drift', 'Parameter drift'],
  ['combinations', 'Combinations'],
  ['diagnostics', 'Fit diagnostics'],
  ['mismatch', 'Model mismatch'],
  ['learn', 'To learn more'],
  ['fits', 'Newest fits'],
  ['equations', 'The model'],
] as const;

// The reactor page needs the summary (its newest reading) before anything else: ask at once.
prefetchReactors();

type LoadState =
  | { kind: 'loading' }
  | { kind: 'ready' }
  | { kind: 'unknown' }
  | { kind: 'error'; message: string };

export function ReactorView(props: {
  reactorId: string;
  initialView: ViewState;
  /** What the link's parameters could not be read for. */
  linkProblems: readonly string[];
  /** The built-in model's equations, typeset on the server: shown while the reactor runs it. */
  builtInEquations: ReactNode;
}) {
  const { reactorId } = props;
  const zoom = useMemo(() => new ZoomLink(props.initialView.zoom), [props.initialView.zoom]);
  const { range, setRange, refresh, setRefresh, timeMode } = useViewInUrl(props.initialView, zoom);
  const demo = useDemoStatus();
  useStickyScrollPadding();
  const [summary, setSummary] = useState<ReactorSummary | null>(null);
  /** The range as resolved against the newest reading when it was loaded. */
  const [resolved, setResolved] = useState<ResolvedRange | null>(null);
  const [load, setLoad] = useState<LoadState>({ kind: 'loading' });
  // Demo controls change the plant: operators only.
  const canOperate = useCanOperate();
  const [version, setVersion] = useState(0);
  const [nowMs, setNowMs] = useState(() => Date.now());
  /** Bumped to load again, e.g. when an unknown reactor sends its first reading. */
  const [reloads, setReloads] = useState(0);
  const data = useMemo(() => new ReactorData(), []);
  /** The link's zoom holds for the first load; a new range starts unzoomed. */
  const keepZoom = useRef(true);
  /** Batches and fits that arrive while a range is loading, applied once it has. */
  const buffered = useRef<{ batches: ReadingBatch[]; fits: FitRecord[] } | null>({ batches: [], fits: [] });
  const redrawTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const loadGeneration = useRef(0);
  const rangeRef = useRef(range);
  rangeRef.current = range;
  const refreshRef = useRef(refresh);
  refreshRef.current = refresh;

  /** Shows what arrived: at the next redraw (live), at the chosen interval, or not while paused. */
  const redraw = useCallback(() => {
    if (redrawTimer.current) return;
    const everyMs = refreshDelayMs(refreshRef.current);
    if (everyMs === null) return;
    redrawTimer.current = setTimeout(() => {
      redrawTimer.current = null;
      // A sliding range drops what has slid out of it.
      const span = spanOf(rangeRef.current);
      const newest = data.newestReadingMs();
      if (isSliding(rangeRef.current) && span !== null && newest !== null) data.trimBefore(newest - span);
      setVersion(data.version);
      setNowMs(Date.now());
    }, everyMs || liveRedrawMs(rangeRef.current));
  }, [data]);

  // A new refresh choice applies at once: unpausing shows what arrived meanwhile.
  // biome-ignore lint/correctness/useExhaustiveDependencies: refresh is what changed.
  useEffect(() => {
    if (redrawTimer.current) {
      clearTimeout(redrawTimer.current);
      redrawTimer.current = null;
    }
    redraw();
  }, [refresh, redraw]);

  useEffect(
    () => () => {
      if (redrawTimer.current) clearTimeout(redrawTimer.current);
    },
    [],
  );

  const loadSummary = useCallback(
    async (early = false) => {
      const list = await (early ? fetchReactorsSoon() : fetchReactors());
      const found = list.find((r) => r.id === reactorId) ?? null;
      setSummary(found);
      return found;
    },
    [reactorId],
  );

  // Load the range: the summary (for the newest reading), then every signal and the fits.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reloads asks for the same range again.
  useEffect(() => {
    const generation = ++loadGeneration.current;
    const abort = new AbortController();
    buffered.current = { batches: [], fits: [] };
    setLoad({ kind: 'loading' });
    if (keepZoom.current) keepZoom.current = false;
    else zoom.reset();
    (async () => {
      const found = await loadSummary(true);
      if (generation !== loadGeneration.current) return;
      if (!found) {
        setLoad({ kind: 'unknown' });
        return;
      }
      const newest = Math.max(...Object.values(found.latest).map((r) => r?.tsMs ?? Number.NEGATIVE_INFINITY));
      const resolvedNow = resolveRange(range, Number.isFinite(newest) ? newest : null);
      const query = { fromMs: resolvedNow.fromMs, toMs: resolvedNow.toMs };
      const [series, fits] = await Promise.all([
        Promise.all(
          chartedSignals.map((s) => fetchReadings(reactorId, s, { ...query, maxPoints }, abort.signal)),
        ),
        // Only the newest fit's trajectory is drawn; older fits bring their residual digest.
        fetchEstimates(reactorId, { ...query, trajectories: 'latest' }, abort.signal),
      ]);
      if (generation !== loadGeneration.current) return;
      for (const s of series) data.replaceReadings(s);
      data.replaceFits(fits);
      const pending = buffered.current;
      buffered.current = null;
      if (resolvedNow.live && pending) {
        for (const batch of pending.batches) data.appendBatch(batch);
        for (const fit of pending.fits) data.addFit(fit);
      }
      setResolved(resolvedNow);
      setLoad({ kind: 'ready' });
      setVersion(data.version);
    })().catch((error: unknown) => {
      if (abort.signal.aborted || generation !== loadGeneration.current) return;
      if (error instanceof ApiRequestError && error.status === 404) setLoad({ kind: 'unknown' });
      else setLoad({ kind: 'error', message: (error as Error).message });
    });
    return () => abort.abort();
  }, [range, reactorId, data, zoom, loadSummary, reloads]);

  // An unknown reactor (or one without readings) is looked for again until it shows up.
  useEffect(() => {
    if (load.kind !== 'unknown') return;
    const timer = setInterval(() => {
      void loadSummary()
        .then((found) => {
          if (found) setReloads((n) => n + 1);
        })
        .catch(() => undefined);
    }, 5000);
    return () => clearInterval(timer);
  }, [load.kind, loadSummary]);

  const live = isLive(range);

  useReactorStream(reactorId, {
    onReadings: (batch) => {
      if (!live) return;
      if (buffered.current) buffered.current.batches.push(batch);
      else {
        data.appendBatch(batch);
        redraw();
      }
    },
    onEstimate: (fit) => {
      if (!live) return;
      if (buffered.current) buffered.current.fits.push(fit);
      else {
        data.addFit(fit);
        redraw();
      }
    },
    onBackfill: () => {
      // Fetch what arrived while the connection was away: readings after the newest we hold, fits
      // after the newest window.
      if (!live || buffered.current) return;
      const since = data.newestReadingMs() ?? undefined;
      const lastFitEnd = data.fits.length > 0 ? data.fits[data.fits.length - 1].windowEndMs : undefined;
      void Promise.all([
        Promise.all(chartedSignals.map((s) => fetchReadings(reactorId, s, { fromMs: since, maxPoints }))),
        fetchEstimates(reactorId, { fromMs: lastFitEnd, trajectories: 'latest' }),
      ])
        .then(([series, fits]) => {
          for (const s of series) data.mergeReadings(s);
          for (const fit of fits) data.addFit(fit);
          redraw();
        })
        .catch(() => undefined);
    },
  });

  useReactorUpdates((id) => {
    if (id !== null && id !== reactorId) return;
    void loadSummary()
      .then((found) => {
        if (found && load.kind === 'unknown') setReloads((n) => n + 1);
      })
      .catch(() => undefined);
  });

  // What the page shows is what it held at the last redraw (the data object fills in between).
  // biome-ignore lint/correctness/useExhaustiveDependencies: version stands for data's contents.
  const newestReading = useMemo(() => data.newestReadingMs(), [data, version]);

  // The shared extent: the range, reaching to the newest reading or the forecast's end.
  // biome-ignore lint/correctness/useExhaustiveDependencies: version stands for data's contents.
  const extent = useMemo(() => {
    const newest = newestReading;
    const oldest = data.oldestReadingMs();
    if (!live) {
      const minMs = resolved?.fromMs ?? oldest;
      const maxMs = resolved?.toMs ?? newest;
      return minMs === null || maxMs === null || minMs === undefined ? null : { minMs, maxMs };
    }
    if (newest === null) return null;
    const span = spanOf(range);
    const forecastEnd = data.latestFit?.forecast?.tMs.at(-1) ?? newest;
    // The right edge moves in steps (1/48 of the range, 15 min to 6 h), not with every reading, so
    // that charts fed only by fits are not laid out again each time a reading arrives.
    const shownSpan = span ?? newest - (resolved?.fromMs ?? oldest ?? newest);
    const stepMs = Math.min(6 * 3_600_000, Math.max(15 * 60_000, shownSpan / 48));
    const maxMs = Math.ceil(Math.max(newest, forecastEnd) / stepMs) * stepMs;
    const minMs = span !== null ? maxMs - span : (resolved?.fromMs ?? oldest ?? newest);
    return { minMs, maxMs };
  }, [data, version, newestReading, range, live, resolved]);

  const origins = usePlantOrigins(summary ? [summary] : null);
  const originMs = origins.get(reactorId) ?? data.oldestReadingMs() ?? extent?.minMs ?? 0;
  const ctx = useMemo(() => ({ timeMode, originMs, extent }), [timeMode, originMs, extent]);

  if (load.kind === 'unknown') {
    return (
      <section className="empty-state" data-testid="unknown-reactor">
        <h1>No data yet for reactor {reactorId}</h1>
        <p>
          The service has no readings from <strong>{reactorId}</strong>. Publish to{' '}
          <code>culturewatch/{reactorId}/od</code> (and <code>…/substrate</code>, <code>…/dilution</code>) as{' '}
          <code>{'{"ts": <epoch ms>, "value": <number>}'}</code>; this page fills in with the first reading.
        </p>
        <p>
          <Link href="/">Back to the plant overview</Link>
        </p>
      </section>
    );
  }

  const latestFraction = data.latestFit?.composition?.satellite_fraction ?? null;
  const problems = summary ? reactorProblems(summary) : [];
  const resolvedRange = { fromMs: extent?.minMs, toMs: live ? undefined : extent?.maxMs };
  const pct = (x: number) => formatQuantity(x, satelliteFraction);
  const reading = (signal: 'od' | 'substrate' | 'dilution') => {
    const latest = summary?.latest[signal];
    return latest ? formatNumber(shownValue(signalUnits[signal], latest.value), 3) : null;
  };
  const reportHref = `/reactors/${encodeURIComponent(reactorId)}/report?${viewToSearch({
    range,
    refresh: 'live',
    zoom: null,
    timeMode,
  })}`;
  const od = data.readings.get('od');
  const noReadings = load.kind === 'ready' && (!od || od.t.length === 0) && data.fits.length === 0;

  return (
    <div
      className="reactor-page"
      data-testid="reactor-page"
      data-loaded={load.kind === 'ready'}
      data-newest-reading={newestReading ?? ''}
      data-fits={data.fits.length}
      data-newest-fit={data.latestFit?.id ?? ''}
    >
      <LinkProblems problems={props.linkProblems} />
      <div className="page-head">
        <h1>Reactor {reactorId}</h1>
        {summary ? <StateLabel problems={problems} /> : null}
        <div className="reactor-summary">
          {(['od', 'substrate', 'dilution'] as const).map((signal) =>
            reading(signal) === null ? null : (
              <span
                key={signal}
                data-summary-signal={signal}
                data-freshness={summary?.freshness?.signals[signal]?.level ?? ''}
              >
                {summaryLabels[signal]} <strong>{reading(signal)}</strong> {signalUnits[signal].symbol}
                {summary ? (
                  <>
                    {' '}
                    <FreshnessTag summary={summary} signal={signal} />
                  </>
                ) : null}
              </span>
            ),
          )}
          <span>
            satellite fraction{' '}
            <strong data-testid="satellite-fraction" data-value={latestFraction?.value ?? ''}>
              {latestFraction ? pct(latestFraction.value) : '—'}
            </strong>
            {latestFraction ? (
              <span className="muted">
                {' '}
                (95 %: {pct(Math.max(0, latestFraction.value - z95 * latestFraction.sd))} –{' '}
                {pct(Math.min(1, latestFraction.value + z95 * latestFraction.sd))})
              </span>
            ) : null}
          </span>
          {data.latestFit ? (
            <span className="muted">
              last fit finished {formatAge(nowMs - data.latestFit.fittedAtMs)} (wall clock), its window ends
              at {formatTime(data.latestFit.windowEndMs, timeMode, originMs)}
            </span>
          ) : null}
        </div>
        <span className="spacer" />
        <DownloadButtons
          reactorId={reactorId}
          range={resolvedRange}
          newestFitId={data.latestFit?.id ?? null}
        />
      </div>
      <ProblemList problems={problems.filter((p) => p.severity !== 'ok')} />

      <div className="toolbar">
        <TimeRangePicker value={range} onChange={setRange} timeMode={timeMode} originMs={originMs} />
        <RefreshPicker value={refresh} onChange={setRefresh} />
        <CopyLinkButton />
        <span className="range-caption" data-testid="range-caption" aria-live="polite">
          {load.kind === 'loading'
            ? 'loading…'
            : extent
              ? `${formatTime(extent.minMs, timeMode, originMs)} – ${formatTime(extent.maxMs, timeMode, originMs)} (${formatSpan(extent.maxMs - extent.minMs)}${live ? (refresh === 'off' ? ', paused' : ', live') : ''})`
              : ''}
        </span>
        <span className="range-caption" id="chart-keys">
          Zoom: wheel or drag on any chart; with a chart focused, + − ← → and 0. All charts follow.
        </span>
      </div>

      {load.kind === 'error' ? (
        <div className="banner banner-warning panel" role="alert">
          <strong>Could not load this range:</strong> {load.message}
        </div>
      ) : null}
      {noReadings ? (
        <section className="empty-state" data-testid="no-data">
          <h2>No data yet for reactor {reactorId} in this range</h2>
          <p>
            Publish to <code>culturewatch/{reactorId}/od</code> and{' '}
            <code>culturewatch/{reactorId}/substrate</code>, or pick a longer range.
          </p>
        </section>
      ) : null}

      <nav aria-label="Sections of this page">
        <ul className="section-nav">
          {sections.map(([id, label]) => (
            <li key={id}>
              <a href={`#${id}-title`}>{label}</a>
            </li>
          ))}
          {demo && canOperate ? (
            <li>
              <a href="#demo-title">Demo controls</a>
            </li>
          ) : null}
          <li>
            <Link href={reportHref} prefetch={false} data-testid="report-link">
              Shift report of this range
            </Link>
          </li>
        </ul>
      </nav>

      <MeasurementsChart data={data} version={version} ctx={ctx} zoom={zoom} />
      <CompositionChart data={data} version={version} ctx={ctx} zoom={zoom} />
      <ParameterDriftChart data={data} version={version} ctx={ctx} zoom={zoom} />
      <CombinationsChart data={data} version={version} ctx={ctx} zoom={zoom} />
      <DiagnosticsChart data={data} version={version} ctx={ctx} zoom={zoom} />
      <MismatchView
        reactorId={reactorId}
        newestFitId={data.latestFit?.id ?? null}
        timeMode={timeMode}
        originMs={originMs}
      />
      <DesignPanel
        reactorId={reactorId}
        newestFitId={data.latestFit?.id ?? null}
        newestReadingMs={newestReading}
        timeMode={timeMode}
        originMs={originMs}
        canOperate={canOperate}
      />
      <section className="panel" aria-labelledby="fits-title">
        <h2 id="fits-title">Newest fits</h2>
        <FitsTable
          reactorId={reactorId}
          fits={data.fits}
          timeMode={timeMode}
          originMs={originMs}
          nowMs={nowMs}
        />
      </section>
      {demo && canOperate ? (
        <DemoControls reactorId={reactorId} status={demo} timeMode={timeMode} originMs={originMs} />
      ) : null}
      <section className="panel" aria-labelledby="equations-title">
        <h2 id="equations-title">The model</h2>
        <ReactorModel reactorId={reactorId} builtInEquations={props.builtInEquations} />
      </section>
    </div>
  );
}
