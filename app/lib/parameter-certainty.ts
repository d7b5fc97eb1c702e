/**
 * How much the data say about a parameter or combination, in three words an operator can act on.
 * The estimator keeps each parameter's fixed prior where the data are silent, so a band close to the
 * prior's width is the prior speaking, not a measurement.
 */
import type { ParameterCombination, ParameterEstimate } from '../../contract/api';

export type Certainty = 'determined' | 'narrowed' | 'undetermined';

/** Data that shrink the prior's sd of log below this share have said something (about one prior's worth). */
const narrowedShare = 0.7;

export function certaintyOf(p: Pick<ParameterEstimate, 'determined' | 'sdLog' | 'priorSdLog'>): Certainty {
  if (p.determined) return 'determined';
  if (p.priorSdLog !== undefined && p.sdLog < narrowedShare * p.priorSdLog) return 'narrowed';
  return 'undetermined';
}

/** A combination has no prior of its own: determined or not. */
export function combinationCertainty(c: Pick<ParameterCombination, 'determined'>): Certainty {
  return c.determined ? 'determined' : 'undetermined';
}

export const certaintyLabel: Record<Certainty, string> = {
  determined: 'determined',
  narrowed: 'narrowed',
  undetermined: 'undetermined',
};

export const certaintyWords: Record<Certainty, string> = {
  determined: 'determined by the data (to ±10 % or better)',
  narrowed: 'narrowed by the data, not determined: read the band, not the value',
  undetermined: 'undetermined: the data say little, the band is what the prior allows',
};
