/**
 * Where a reactor's fits stand against its readings (contract/api.ts `FitProgress`), from what the
 * service knows: the readings' span, the newest fit, the estimator's window and its queue. Catching
 * up is told from the queue (the estimator has this reactor's windows to do), not from how recently
 * a fit finished, so a backlog after a start reads as catching up and a stopped estimator as behind.
 */
import type { FitProgress } from '../../contract/api';
import { formatAge, formatSpan, msPerHour } from '../../contract/time';

/** Fits whose window ends this far behind the newest reading (plant time) are not keeping up. */
export const fitLagMs = 3 * msPerHour;

export interface FitProgressInput {
  firstReadingMs: number | undefined;
  newestReadingMs: number | null;
  /** The newest fit (failed ones too): its window end and when it finished (wall clock). */
  newestFit: { windowEndMs: number; fittedAtMs: number } | null;
  /** Null when the estimator is off. */
  estimator: { windowHours: number; windowsDue: number; running: boolean } | null;
  /** Plant ms per wall ms (contract/time.ts). */
  plantMsPerWallMs: number;
  wallNowMs: number;
}

const hours = (h: number) => String(Number(h.toFixed(1)));

/** "about 40 s", "about 3 min", "about 4.5 h" (wall clock). */
function aboutWall(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 90) return `about ${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 90 * 60) return `about ${Math.round(seconds / 60)} min`;
  return `about ${formatSpan(ms)}`;
}

export function fitProgress(input: FitProgressInput): FitProgress | undefined {
  const { newestReadingMs: newest, estimator } = input;
  if (newest === null) return undefined;
  const readingsHours = Math.max(0, (newest - (input.firstReadingMs ?? newest)) / msPerHour);
  const windowHours = estimator?.windowHours ?? 0;
  const windowsDue = estimator?.windowsDue ?? 0;
  const base = { readingsHours, windowHours, windowsDue, lagMs: null, firstFitInWallMs: null };
  if (!estimator) return { ...base, state: 'off', words: 'The estimator is off: no fits are made' };
  const fit = input.newestFit;
  if (!fit) {
    if (readingsHours >= windowHours)
      return {
        ...base,
        state: 'first-fit-due',
        words: `${hours(windowHours)} of ${hours(windowHours)} h of readings in: the first fit is on its way`,
      };
    const inWallMs = ((windowHours - readingsHours) * msPerHour) / input.plantMsPerWallMs;
    return {
      ...base,
      state: 'first-window',
      firstFitInWallMs: inWallMs,
      words: `${hours(readingsHours)} of ${hours(windowHours)} h of readings in, first fit in ${aboutWall(inWallMs)}`,
    };
  }
  const lagMs = Math.max(0, newest - fit.windowEndMs);
  const withLag = { ...base, lagMs };
  if (lagMs <= fitLagMs) return { ...withLag, state: 'up-to-date', words: 'Fits follow the readings' };
  if (estimator.running && windowsDue > 0)
    return {
      ...withLag,
      state: 'catching-up',
      words: `Catching up: fits have reached ${formatSpan(lagMs)} behind the newest reading (plant time), ${windowsDue} window${windowsDue === 1 ? '' : 's'} to go`,
    };
  return {
    ...withLag,
    state: 'behind',
    words: `Fits lag the readings by ${formatSpan(lagMs)} (plant time), and none has finished for ${formatAge(input.wallNowMs - fit.fittedAtMs).replace(' ago', '')}`,
  };
}
