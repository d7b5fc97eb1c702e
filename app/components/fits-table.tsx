'use client';
/** The newest fits as a table: window, status in words, model, loss, residuals, iterations, fit time, file. */
import { windowFileUrl } from '../lib/api-client';
import { formatDuration, formatNumber } from '../lib/number-format';
import type { FitPoint } from '../lib/reactor-data';
import { formatAge, formatTime, type TimeMode } from '../lib/time-format';

const shown = 12;

export function FitsTable(props: {
  reactorId: string;
  fits: readonly FitPoint[];
  timeMode: TimeMode;
  originMs: number;
  nowMs: number;
}) {
  const { reactorId, fits, timeMode, originMs, nowMs } = props;
  const newest = fits.slice(-shown).reverse();
  if (newest.length === 0) return null;
  return (
    <div className="table-scroll">
      <table className="compact-table fits-table">
        <caption>
          Newest {newest.length} fits. Each window downloads as a replayable window-problem file (
          <code>culturewatch fit window.json</code>).
        </caption>
        <thead>
          <tr>
            <th scope="col">window</th>
            <th scope="col">status</th>
            <th scope="col">model</th>
            <th scope="col">loss</th>
            <th scope="col">residual RMS (σ)</th>
            <th scope="col">iterations</th>
            <th scope="col">fit time</th>
            <th scope="col">fitted</th>
            <th scope="col">window file</th>
          </tr>
        </thead>
        <tbody>
          {newest.map((fit) => (
            <tr key={fit.id} className={fit.status === 'failed' ? 'row-failed' : undefined}>
              <td>
                {formatTime(fit.windowStartMs, timeMode, originMs)} –{' '}
                {formatTime(fit.windowEndMs, timeMode, originMs)}
              </td>
              <td>
                {fit.status === 'ok' ? (
                  <span className="status-text status-ok">
                    ✓ ok{fit.refit ? ' (refit)' : ''}
                    {fit.coldStart ? ' (cold start)' : ''}
                  </span>
                ) : (
                  <span className="status-text status-bad" title={fit.detail ?? undefined}>
                    ✕ failed: {fit.reason ?? 'unknown reason'}
                  </span>
                )}
              </td>
              <td data-testid="fit-model" title={fit.model ? `version ${fit.model.version}` : undefined}>
                {fit.model?.name ?? '—'}
              </td>
              <td>{formatNumber(fit.loss, 4)}</td>
              <td>{formatNumber(fit.residualRms, 3)}</td>
              <td>{fit.iterations}</td>
              <td>{formatDuration(fit.durationMs)}</td>
              <td>{formatAge(nowMs - fit.fittedAtMs)}</td>
              <td>
                <a
                  className="button button-small"
                  href={windowFileUrl(reactorId, fit.id)}
                  download={`window-${reactorId}-fit${fit.id}.json`}
                  aria-label={`Download the window of fit ${fit.id} as a window-problem file`}
                >
                  ⤓ window
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
