'use client';
/** CSV of the shown range, and the newest fit's window as a replayable window-problem file. */
import { exportCsvUrl, type TimeRangeMs, windowFileUrl } from '../lib/api-client';

export function DownloadButtons(props: {
  reactorId: string;
  range: TimeRangeMs;
  newestFitId: number | null;
}) {
  const { reactorId, range, newestFitId } = props;
  return (
    <div className="downloads">
      <a
        className="button"
        href={exportCsvUrl(reactorId, range)}
        download={`culturewatch-${reactorId}.csv`}
        data-testid="download-csv"
      >
        ⤓ CSV (readings and estimates, shown range)
      </a>
      {newestFitId !== null ? (
        <a
          className="button"
          href={windowFileUrl(reactorId, newestFitId)}
          download={`window-${reactorId}-fit${newestFitId}.json`}
          data-testid="download-window"
        >
          ⤓ newest window file
        </a>
      ) : null}
    </div>
  );
}
