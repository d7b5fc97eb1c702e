/**
 * An estimator chain as JSON, so that it survives a restart: the checkpoints of the recent windows
 * (where each starts, its prior, warm start and parameters). The last good fit is not kept: after a
 * restart a failed window holds the prior instead of carrying that fit forward.
 */
import type { Checkpoint, SlidingWindowEstimator } from './sliding-window-estimator';

interface StoredCheckpoint {
  start: number;
  prior: { mean: number[]; covariance: number[] };
  warmStart: number[];
  params: number[];
  cold: boolean;
}

interface StoredChain {
  version: 1;
  checkpoints: StoredCheckpoint[];
}

export function snapshotCheckpoints(est: SlidingWindowEstimator): string {
  const stored: StoredChain = {
    version: 1,
    checkpoints: est.checkpoints.map((c) => ({
      start: c.start,
      prior: { mean: Array.from(c.prior.mean), covariance: Array.from(c.prior.covariance) },
      warmStart: Array.from(c.warmStart),
      params: Array.from(c.params),
      cold: c.cold,
    })),
  };
  return JSON.stringify(stored);
}

/**
 * Restores the checkpoints into a fresh estimator of the same model and settings. Returns false
 * (leaving it unstarted) when the stored chain does not fit: other sizes, or a value not finite.
 */
export function restoreCheckpoints(est: SlidingWindowEstimator, json: string): boolean {
  let stored: StoredChain;
  try {
    stored = JSON.parse(json) as StoredChain;
  } catch {
    return false;
  }
  if (stored?.version !== 1 || !Array.isArray(stored.checkpoints) || stored.checkpoints.length === 0)
    return false;
  const q = est.layout.size;
  const m = est.model.parameterNames.length;
  const finiteArray = (a: unknown, length: number): a is number[] =>
    Array.isArray(a) && a.length === length && a.every((v) => typeof v === 'number' && Number.isFinite(v));
  const checkpoints: Checkpoint[] = [];
  for (const c of stored.checkpoints) {
    if (
      typeof c?.start !== 'number' ||
      !Number.isFinite(c.start) ||
      !finiteArray(c.prior?.mean, q) ||
      !finiteArray(c.prior?.covariance, q * q) ||
      !finiteArray(c.warmStart, q) ||
      !finiteArray(c.params, m) ||
      typeof c.cold !== 'boolean'
    )
      return false;
    checkpoints.push({
      start: c.start,
      prior: { mean: Float64Array.from(c.prior.mean), covariance: Float64Array.from(c.prior.covariance) },
      warmStart: Float64Array.from(c.warmStart),
      params: Float64Array.from(c.params),
      cold: c.cold,
    });
  }
  est.checkpoints = checkpoints;
  est.lastGood = null;
  return true;
}
