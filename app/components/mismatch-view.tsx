'use client';
/**
 * Whether the model still explains the plant (GET /api/reactors/:id/mismatch): in words first, then
 * the test's p-value over the fits of the last days, against the level at which it fires, and with a
 * hybrid model which rates its network had to correct, by how much against the mechanistic rate.
 * Fetched once the reactor has a fit, and again whenever a new one arrives.
 */
import { useEffect, useState } from 'react';
import type { ModelMismatchView } from '../../contract/api';
import { describeError, fetchMismatch } from '../lib/api-client';
import { formatNumber } from '../lib/number-format';
import { formatTime, type TimeMode } from '../lib/time-format';

/** −log10 p is drawn up to this (a p-value of 1e-20 and below is off the scale). */
const scaleTop = 20;

export function MismatchView(props: {
  reactorId: string;
  /** The newest fit's id: a new one fetches the view again. */
  newestFitId: number | null;
  timeMode: TimeMode;
  originMs: number;
}) {
  const { reactorId, newestFitId, timeMode, originMs } = props;
  const [view, setView] = useState<ModelMismatchView | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    // Before the first fit there is nothing to judge (and a reactor not yet heard of has no mismatch).
    if (newestFitId === null) return;
    const abort = new AbortController();
    fetchMismatch(reactorId, abort.signal)
      .then((v) => {
        setView(v);
        setError(null);
      })
      .catch((e) => {
        if (!abort.signal.aborted) setError(describeError(e));
      });
    return () => abort.abort();
  }, [reactorId, newestFitId]);

  const time = (ms: number) => formatTime(ms, timeMode, originMs);
  const newest = view?.points.findLast((p) => p.pValue !== null)?.pValue ?? null;
  return (
    <section className="panel" aria-labelledby="mismatch-title" data-testid="mismatch-view">
      <h2 id="mismatch-title">Model mismatch</h2>
      {error ? <p className="form-error">Could not load the mismatch signal: {error}</p> : null}
      {view === null ? (
        error ? null : (
          <p className="muted">{newestFitId === null ? 'Not judged yet: no fit so far.' : 'loading…'}</p>
        )
      ) : (
        <>
          <p
            data-testid="mismatch-state"
            data-explained={view.explained}
            className={view.explained ? undefined : 'banner banner-warning'}
            role={view.explained ? undefined : 'alert'}
          >
            {view.explained ? (
              newest === null ? (
                'Not judged yet: the fits so far hold too few readings for the test.'
              ) : (
                <>
                  The model explains the plant: the fits’ residuals look like noise (p{' '}
                  {formatNumber(newest, 2)} over the last {view.test.spanHours} plant hours).
                </>
              )
            ) : (
              <>
                <strong>The model no longer explains the plant</strong> since{' '}
                <span data-testid="mismatch-since">{time(view.sinceMs ?? view.toMs ?? 0)}</span>
                {view.firedAtMs !== null ? ` (declared at ${time(view.firedAtMs)})` : ''}:{' '}
                {view.signals.length > 0 ? (
                  <>
                    the <span data-testid="mismatch-signals">{view.signals.join(', ')}</span> residuals show
                    structure that noise does not
                  </>
                ) : view.rates.length > 0 ? null : (
                  'the residuals show structure that noise does not'
                )}
                {view.rates.length > 0 ? (
                  <>
                    {view.signals.length > 0 ? '; ' : ''}the network corrects{' '}
                    <span data-testid="mismatch-rates">{view.rates.join(', ')}</span> beyond{' '}
                    {view.test.growthFactor} times what it added in training
                  </>
                ) : null}
                {newest !== null ? ` (p ${formatNumber(newest, 2)})` : ''}. Its estimates are not to be
                trusted until the model is mended or the plant is back to what it describes.
              </>
            )}
          </p>
          <PValueTrace view={view} />
          {view.network ? <NetworkCorrections view={view} network={view.network} /> : null}
          <p className="muted">
            Ljung–Box test of the fits’ standardized residuals over {view.test.spanHours} plant hours (
            {view.test.lags} lags); it fires below p {view.test.fireP} and dates the start from the first
            window below {view.test.onsetP}.
          </p>
        </>
      )}
    </section>
  );
}

/**
 * Per rate the network adds to: its correction in the newest window (RMS along the fitted window),
 * its share of the mechanistic rate there and its range over the recent windows, and the newest
 * against what it added in training.
 */
function NetworkCorrections({
  view,
  network,
}: {
  view: ModelMismatchView;
  network: NonNullable<ModelMismatchView['network']>;
}) {
  const windows = network.rates[0]?.windows.length ?? 0;
  return (
    <div data-testid="mismatch-network">
      <h3>Rates the network corrects</h3>
      <p className="muted">
        What the hybrid’s network added to each rate over the last {windows} window
        {windows === 1 ? '' : 's'} (root mean square along each fitted window, in the rate’s unit), against
        the mechanistic rate there. It counts as grown when its median over the last {view.test.spanHours}{' '}
        plant hours is beyond {view.test.growthFactor} times what it added in training.
      </p>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Output</th>
              <th scope="col">Correction, newest window</th>
              <th scope="col">Against the mechanistic rate: newest (recent windows)</th>
              <th scope="col">× training</th>
            </tr>
          </thead>
          <tbody>
            {network.rates.map((r) => {
              const newest = r.windows.at(-1);
              const shares = r.windows
                .filter((w) => w.mechanistic > 0)
                .map((w) => (100 * w.network) / w.mechanistic);
              const share = (v: number) => `${formatNumber(v, 2)} %`;
              return (
                <tr key={r.label} data-testid="mismatch-network-rate" data-grown={r.grown}>
                  <th scope="row">
                    {r.label} <span className="muted">(rate of {r.rate})</span>
                  </th>
                  <td>{newest ? formatNumber(newest.network, 3) : '—'}</td>
                  <td data-testid="mismatch-network-share">
                    {newest && newest.mechanistic > 0
                      ? share((100 * newest.network) / newest.mechanistic)
                      : '—'}
                    {shares.length > 1 ? (
                      <span className="muted">
                        {' '}
                        ({share(Math.min(...shares))} to {share(Math.max(...shares))})
                      </span>
                    ) : null}
                  </td>
                  <td className={r.grown ? 'banner-warning' : undefined}>
                    {newest && r.trained ? `${formatNumber(newest.network / r.trained, 2)}×` : '—'}
                    {r.grown ? ' (grown)' : ''}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** −log10 p per window end, with the firing level: a plain SVG (one trace, no zoom needed). */
function PValueTrace({ view }: { view: ModelMismatchView }) {
  const points = view.points.filter((p) => p.pValue !== null);
  if (points.length < 2) return null;
  const width = 600;
  const height = 80;
  const t0 = points[0].tMs;
  const span = Math.max(1, points[points.length - 1].tMs - t0);
  const y = (p: number) =>
    height - (Math.min(scaleTop, -Math.log10(Math.max(p, 1e-300))) / scaleTop) * height;
  const path = points
    .map(
      (p, i) =>
        `${i === 0 ? 'M' : 'L'}${(((p.tMs - t0) / span) * width).toFixed(1)},${y(p.pValue!).toFixed(1)}`,
    )
    .join(' ');
  const fire = y(view.test.fireP);
  return (
    <svg
      viewBox={`0 0 ${width} ${height}`}
      width="100%"
      height={height}
      role="img"
      aria-label={`−log10 p of the test at ${points.length} window ends; it fires above the dashed line (p ${view.test.fireP})`}
      data-testid="mismatch-trace"
    >
      <line x1={0} x2={width} y1={fire} y2={fire} stroke="currentColor" strokeDasharray="4 4" opacity={0.6} />
      <path d={path} fill="none" stroke="currentColor" strokeWidth={1.5} />
    </svg>
  );
}
