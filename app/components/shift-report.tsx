'use client';
/**
 * A shift report of one reactor over a range, for printing (and a PDF through the browser's print):
 * its state now, the community composition with 95 % bands (a chart and the values at the start and
 * end), the alarms of the range and who handled them, and the fits with their quality. All from the
 * existing API: the summary, the estimates (without trajectories) and the alarms.
 */
import Link from 'next/link';
import { useEffect, useMemo, useState } from 'react';
import type { AlertsResponse, Composition, FitRecord, ReactorSummary } from '../../contract/api';
import {
  concentration,
  type DisplayUnit,
  satelliteFraction,
  signalUnits,
} from '../../contract/display-units';
import { actorWords, severityWords, statusWords, transitionWords } from '../lib/alarm-words';
import { fetchAlerts } from '../lib/alerts-api';
import { describeError, fetchEstimates, fetchReactors } from '../lib/api-client';
import { formatDuration, formatNumber, formatQuantity } from '../lib/number-format';
import { usePlantOrigins } from '../lib/plant-origin';
import { useClockZone, usePreferences } from '../lib/preferences';
import { ReactorData } from '../lib/reactor-data';
import { newestReadingMs, reactorProblems } from '../lib/reactor-status';
import { useSession } from '../lib/session';
import { formatClock, formatSpan, formatTime } from '../lib/time-format';
import { type RangeChoice, resolveRange } from '../lib/time-range';
import { type ViewState, viewToSearch } from '../lib/view-url';
import { CompositionChart } from './charts/composition-chart';
import { ZoomLink } from './charts/zoom-link';
import { ProblemList, StateLabel } from './reactor-card';
import { LinkProblems } from './view-controls';

const z95 = 1.959964;

interface Loaded {
  summary: ReactorSummary;
  fits: FitRecord[];
  alerts: AlertsResponse;
  fromMs: number;
  toMs: number;
}

const parts: { part: keyof Composition; label: string; unit: DisplayUnit }[] = [
  { part: 'satellite_fraction', label: 'satellite fraction Y/(X+Y)', unit: satelliteFraction },
  { part: 'X', label: 'X, main organism', unit: concentration },
  { part: 'Y', label: 'Y, satellite', unit: concentration },
  { part: 'A', label: 'metabolite A', unit: concentration },
  { part: 'B', label: 'metabolite B', unit: concentration },
];

function withBand(c: { value: number; sd: number } | undefined, unit: DisplayUnit, ceiling: number): string {
  if (!c) return '—';
  const lower = Math.max(0, c.value - z95 * c.sd);
  const upper = Math.min(ceiling, c.value + z95 * c.sd);
  return `${formatQuantity(c.value, unit)} (95 %: ${formatQuantity(lower, unit)} – ${formatQuantity(upper, unit)})`;
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Alarms whose evidence falls in the range (plant clock), or that are active at a live range's end. */
function alarmsInRange(alerts: AlertsResponse, fromMs: number, toMs: number, live: boolean) {
  const alarms = alerts.alarms.filter((a) => {
    const first = a.evidenceFiredAtMs;
    const last = a.lastEvidenceAtMs ?? first;
    if (live && a.active) return true;
    if (first === null) return false;
    return first <= toMs && (last ?? first) >= fromMs;
  });
  const ids = new Set(alarms.map((a) => a.id));
  return { alarms, events: alerts.events.filter((e) => ids.has(e.alarmId)) };
}

export function ShiftReport(props: {
  reactorId: string;
  initialView: ViewState;
  linkProblems: readonly string[];
}) {
  const { reactorId } = props;
  const range: RangeChoice = props.initialView.range;
  const { timeMode, setTimeMode } = usePreferences();
  const zone = useClockZone();
  const session = useSession();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Set once mounted: the server's render and the browser's would differ by the time between them.
  const [generatedAtMs, setGeneratedAtMs] = useState<number | null>(null);
  useEffect(() => setGeneratedAtMs(Date.now()), []);
  const zoom = useMemo(() => new ZoomLink(), []);
  const data = useMemo(() => new ReactorData(), []);
  const [version, setVersion] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the link's own time display, once.
  useEffect(() => {
    if (props.initialView.timeMode) setTimeMode(props.initialView.timeMode);
  }, []);

  useEffect(() => {
    const abort = new AbortController();
    void (async () => {
      const summaries = await fetchReactors(abort.signal);
      const summary = summaries.find((s) => s.id === reactorId);
      if (!summary) throw new Error(`The service has no reactor ${reactorId}.`);
      const newest = newestReadingMs(summary);
      const resolved = resolveRange(range, newest);
      const [fits, alerts] = await Promise.all([
        fetchEstimates(
          reactorId,
          { fromMs: resolved.fromMs, toMs: resolved.toMs, trajectories: 'none' },
          abort.signal,
        ),
        fetchAlerts({ state: 'all', reactorId, limit: 5000 }, abort.signal),
      ]);
      const fromMs = resolved.fromMs ?? summary.firstReadingMs ?? fits[0]?.windowEndMs ?? newest ?? 0;
      const toMs = resolved.toMs ?? newest ?? fromMs;
      data.replaceFits(fits);
      setVersion(data.version);
      setLoaded({ summary, fits, alerts, fromMs, toMs });
    })().catch((e) => {
      if (!abort.signal.aborted) setError(describeError(e));
    });
    return () => abort.abort();
  }, [reactorId, range, data]);

  const origins = usePlantOrigins(loaded ? [loaded.summary] : null);
  const originMs = origins.get(reactorId) ?? loaded?.fromMs ?? 0;
  const extent = loaded ? { minMs: loaded.fromMs, maxMs: loaded.toMs } : null;
  const ctx = useMemo(() => ({ timeMode, originMs, extent }), [timeMode, originMs, extent]);
  const at = (ms: number) => formatTime(ms, timeMode, originMs);
  const backHref = `/reactors/${encodeURIComponent(reactorId)}?${viewToSearch({ ...props.initialView, timeMode })}`;

  if (error) {
    return (
      <div className="banner banner-warning panel" role="alert">
        <strong>The report could not be made:</strong> {error}
      </div>
    );
  }

  const problems = loaded ? reactorProblems(loaded.summary) : [];
  const okFits = loaded?.fits.filter((f) => f.status === 'ok') ?? [];
  const failedFits = loaded?.fits.filter((f) => f.status === 'failed') ?? [];
  const first = okFits.find((f) => f.composition)?.composition;
  const last = [...okFits].reverse().find((f) => f.composition)?.composition;
  const rms = okFits
    .map((f) => f.residualSummary?.rms)
    .filter((x): x is number => x !== undefined && x !== null);
  const reasons = new Map<string, number>();
  for (const f of failedFits)
    reasons.set(f.reason ?? 'unknown', (reasons.get(f.reason ?? 'unknown') ?? 0) + 1);
  const handled = loaded
    ? alarmsInRange(loaded.alerts, loaded.fromMs, loaded.toMs, resolveRange(range, null).live)
    : null;
  const newestParams = okFits.at(-1)?.params ?? null;
  const fractionValues = okFits
    .map((f) => f.composition?.satellite_fraction.value)
    .filter((x): x is number => x !== undefined);

  return (
    <article className="shift-report" data-testid="shift-report" data-loaded={loaded !== null}>
      <LinkProblems problems={props.linkProblems} />
      <header className="report-head">
        <h1>Shift report: reactor {reactorId}</h1>
        <p>
          {loaded ? (
            <>
              <strong>
                {at(loaded.fromMs)} – {at(loaded.toMs)}
              </strong>{' '}
              ({formatSpan(loaded.toMs - loaded.fromMs)} of plant time
              {timeMode === 'plant'
                ? `; plant clock ${formatClock(loaded.fromMs, false, zone)} – ${formatClock(loaded.toMs, false, zone)}`
                : ''}
              ).{' '}
            </>
          ) : (
            'Loading… '
          )}
          Made {generatedAtMs === null ? '…' : formatClock(generatedAtMs, false, zone)}
          {session.kind === 'signed-in' && session.view.username ? ` by ${session.view.username}` : ''}.
        </p>
        <p className="no-print report-actions">
          <button type="button" className="button button-primary" onClick={() => window.print()}>
            Print or save as PDF
          </button>
          <Link href={backHref} prefetch={false}>
            Back to the reactor page
          </Link>
        </p>
      </header>

      <section className="panel report-section" aria-labelledby="report-state-title">
        <h2 id="report-state-title">State</h2>
        {loaded ? (
          <>
            <p>
              <StateLabel problems={problems} />{' '}
              {(['od', 'substrate', 'dilution'] as const).map((signal) => {
                const latest = loaded.summary.latest[signal];
                return latest ? (
                  <span key={signal} className="report-reading">
                    {signal === 'od' ? 'OD' : signal === 'substrate' ? 'S' : 'D'}{' '}
                    <strong>{formatQuantity(latest.value, signalUnits[signal])}</strong> at {at(latest.tsMs)}
                  </span>
                ) : null;
              })}
            </p>
            <ProblemList problems={problems.filter((p) => p.severity !== 'ok')} />
          </>
        ) : (
          <p className="muted">Loading…</p>
        )}
      </section>

      <section className="panel report-section" aria-labelledby="report-composition-title">
        <h2 id="report-composition-title">Composition (estimated, 95 % bands)</h2>
        {loaded && okFits.length === 0 ? <p>No successful fit in this range.</p> : null}
        {first && last ? (
          <div className="table-scroll">
            <table className="compact-table" data-testid="report-composition">
              <caption>
                At the first and the last fit of the range; the satellite fraction ranged{' '}
                {formatQuantity(Math.min(...fractionValues), satelliteFraction)} –{' '}
                {formatQuantity(Math.max(...fractionValues), satelliteFraction)} over {okFits.length} fits.
              </caption>
              <thead>
                <tr>
                  <th scope="col">quantity</th>
                  <th scope="col">start of range</th>
                  <th scope="col">end of range</th>
                </tr>
              </thead>
              <tbody>
                {parts.map((p) => (
                  <tr key={p.part}>
                    <th scope="row">{p.label}</th>
                    <td>{withBand(first[p.part], p.unit, p.part === 'satellite_fraction' ? 1 : Infinity)}</td>
                    <td>{withBand(last[p.part], p.unit, p.part === 'satellite_fraction' ? 1 : Infinity)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        {loaded ? <CompositionChart data={data} version={version} ctx={ctx} zoom={zoom} /> : null}
      </section>

      <section className="panel report-section" aria-labelledby="report-alarms-title">
        <h2 id="report-alarms-title">Alarms and who handled them</h2>
        {handled && handled.alarms.length === 0 ? <p>No alarm in this range.</p> : null}
        {handled && handled.alarms.length > 0 ? (
          <div className="table-scroll">
            <table className="compact-table" data-testid="report-alarms">
              <caption>Evidence on the plant clock; acknowledgements and clearing on the wall clock.</caption>
              <thead>
                <tr>
                  <th scope="col">alarm</th>
                  <th scope="col">severity</th>
                  <th scope="col">status</th>
                  <th scope="col">fired (evidence)</th>
                  <th scope="col">acknowledged</th>
                  <th scope="col">cleared</th>
                </tr>
              </thead>
              <tbody>
                {handled.alarms.map((a) => (
                  <tr key={a.id} data-alarm-id={a.id}>
                    <th scope="row">
                      {a.ruleName}
                      <div className="muted">{a.summary}</div>
                    </th>
                    <td>{severityWords[a.severity]}</td>
                    <td>{statusWords[a.status]}</td>
                    <td>
                      {a.evidenceFiredAtMs !== null ? at(a.evidenceFiredAtMs) : '—'}
                      {a.fireCount > 1 ? ` (fired ${a.fireCount} times)` : ''}
                    </td>
                    <td>
                      {a.acknowledgedAtMs !== null
                        ? `by ${actorWords(a.acknowledgedBy ?? 'unknown')}, ${formatClock(a.acknowledgedAtMs, false, zone)}`
                        : 'not acknowledged'}
                    </td>
                    <td>
                      {a.clearedAtMs !== null
                        ? `by ${actorWords(a.clearedBy ?? 'unknown')}, ${formatClock(a.clearedAtMs, false, zone)}`
                        : a.active
                          ? 'still active'
                          : '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <table className="compact-table" data-testid="report-alarm-events">
              <caption>Every change of these alarms, oldest first.</caption>
              <thead>
                <tr>
                  <th scope="col">when (wall clock)</th>
                  <th scope="col">alarm</th>
                  <th scope="col">change</th>
                  <th scope="col">by</th>
                </tr>
              </thead>
              <tbody>
                {[...handled.events].reverse().map((e) => (
                  <tr key={e.id}>
                    <td>{formatClock(e.atMs, true, zone)}</td>
                    <td>{handled.alarms.find((a) => a.id === e.alarmId)?.ruleName ?? e.ruleId}</td>
                    <td>{transitionWords[e.kind]}</td>
                    <td>{actorWords(e.actor)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>

      <section className="panel report-section" aria-labelledby="report-fits-title">
        <h2 id="report-fits-title">Fits and their quality</h2>
        {loaded ? (
          <>
            <ul className="report-facts" data-testid="report-fit-facts">
              <li>
                {loaded.fits.length} fits: {okFits.length} good, {failedFits.length} failed
                {failedFits.length > 0 ? ` (${[...reasons].map(([r, n]) => `${n} ${r}`).join(', ')})` : ''};{' '}
                {okFits.filter((f) => f.refit).length} refits after late data,{' '}
                {okFits.filter((f) => f.coldStart).length} cold starts.
              </li>
              <li>
                Residual RMS (standardized; 1 is a perfect match): median {formatNumber(median(rms), 3)} σ,
                largest {formatNumber(rms.length ? Math.max(...rms) : null, 3)} σ;{' '}
                {rms.filter((r) => r > 2).length} of {rms.length} windows above 2 σ.
              </li>
              <li>
                Fit time: median {formatDuration(median(loaded.fits.map((f) => f.durationMs)) ?? Number.NaN)}.
              </li>
              {newestParams ? (
                <li>
                  Newest fit: {Object.values(newestParams).filter((p) => p.determined).length} of{' '}
                  {Object.keys(newestParams).length} parameters determined by the data (
                  {Object.entries(newestParams)
                    .filter(([, p]) => p.determined)
                    .map(([n]) => n)
                    .join(', ') || 'none'}
                  ).
                </li>
              ) : null}
            </ul>
            {loaded.fits.length > 0 ? (
              <div className="table-scroll">
                <table className="compact-table" data-testid="report-fits">
                  <caption>The newest {Math.min(24, loaded.fits.length)} fits of the range.</caption>
                  <thead>
                    <tr>
                      <th scope="col">window</th>
                      <th scope="col">status</th>
                      <th scope="col">residual RMS (σ)</th>
                      <th scope="col">loss</th>
                      <th scope="col">iterations</th>
                    </tr>
                  </thead>
                  <tbody>
                    {loaded.fits
                      .slice(-24)
                      .reverse()
                      .map((f) => (
                        <tr key={f.id} className={f.status === 'failed' ? 'row-failed' : undefined}>
                          <td>
                            {at(f.windowStartMs)} – {at(f.windowEndMs)}
                          </td>
                          <td>
                            {f.status === 'ok'
                              ? `ok${f.refit ? ' (refit)' : ''}`
                              : `failed: ${f.reason ?? 'unknown'}`}
                          </td>
                          <td>{formatNumber(f.residualSummary?.rms ?? null, 3)}</td>
                          <td>{formatNumber(f.loss, 4)}</td>
                          <td>{f.iterations}</td>
                        </tr>
                      ))}
                  </tbody>
                </table>
              </div>
            ) : null}
          </>
        ) : (
          <p className="muted">Loading…</p>
        )}
      </section>
    </article>
  );
}
