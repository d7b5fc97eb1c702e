/**
 * Where a reactor's fits stand (server/api/fit-progress.ts): the first window's progress with the
 * wait in wall time at the plant's rate; a backlog the estimator has queued is catching up, fits
 * behind with nothing queued (or the estimator not running) need an operator.
 */
import { describe, expect, it } from 'vitest';
import { fitProgress } from '../../server/api/fit-progress';

const h = 3_600_000;
const t0 = Date.UTC(2026, 0, 1);
const estimator = { windowHours: 12, windowsDue: 0, running: true };
const input = (over: Partial<Parameters<typeof fitProgress>[0]>) =>
  fitProgress({
    firstReadingMs: t0,
    newestReadingMs: t0 + 7.5 * h,
    newestFit: null,
    estimator,
    plantMsPerWallMs: 1,
    wallNowMs: t0,
    ...over,
  });

describe('fit progress', () => {
  it('says how much of the first window is in and when the first fit comes, on the wall clock', () => {
    expect(input({})).toMatchObject({
      state: 'first-window',
      readingsHours: 7.5,
      windowHours: 12,
      firstFitInWallMs: 4.5 * h,
      words: '7.5 of 12 h of readings in, first fit in about 4.5 h',
    });
    // A demo plant at 1 plant h/s: the 4.5 plant hours are 4.5 s away.
    expect(input({ plantMsPerWallMs: 3600 })?.words).toBe(
      '7.5 of 12 h of readings in, first fit in about 5 s',
    );
    expect(input({ newestReadingMs: t0 + 13 * h })).toMatchObject({
      state: 'first-fit-due',
      words: '12 of 12 h of readings in: the first fit is on its way',
    });
    expect(input({ newestReadingMs: null })).toBeUndefined();
    expect(input({ estimator: null })?.state).toBe('off');
  });

  it('tells catching up (windows queued) from behind (none queued, or the estimator not running)', () => {
    const behindFit = { windowEndMs: t0 + 7.5 * h - 20 * h, fittedAtMs: t0 - 3_600_000 };
    expect(input({ newestFit: { windowEndMs: t0 + 6 * h, fittedAtMs: t0 } })).toMatchObject({
      state: 'up-to-date',
      lagMs: 1.5 * h,
    });
    expect(input({ newestFit: behindFit, estimator: { ...estimator, windowsDue: 20 } })).toMatchObject({
      state: 'catching-up',
      windowsDue: 20,
      words: 'Catching up: fits have reached 20 h behind the newest reading (plant time), 20 windows to go',
    });
    expect(input({ newestFit: behindFit })).toMatchObject({
      state: 'behind',
      words: 'Fits lag the readings by 20 h (plant time), and none has finished for 60 min',
    });
    expect(
      input({ newestFit: behindFit, estimator: { ...estimator, windowsDue: 20, running: false } })?.state,
    ).toBe('behind');
  });
});
