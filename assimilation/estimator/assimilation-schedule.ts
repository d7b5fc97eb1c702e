import { firstTime, type PlantData } from './plant-data';
import {
  fitNextWindow,
  nextWindowStart,
  rewindForLateData,
  type SlidingWindowEstimator,
  startCold,
  type WindowFitOutcome,
} from './sliding-window-estimator';

export type ScheduledFit = WindowFitOutcome & {
  /** True when this window was fitted before and is fitted again because late data arrived in it. */
  refit: boolean;
};

/**
 * The windows to fit now, one at a time, for the live assimilator and the replay alike: every window
 * that has ended by `nowH`, after rewinding for any late sample (its plant time lies inside a window
 * already fitted). A generator, so the caller can time, persist or interrupt each fit.
 */
export function* windowsDue(
  est: SlidingWindowEstimator,
  data: PlantData,
  nowH: number,
  initialParams: Float64Array,
  earliestLateSampleH = Number.POSITIVE_INFINITY,
): Generator<ScheduledFit> {
  if (est.checkpoints.length === 0) {
    const first = firstTime(data);
    if (!Number.isFinite(first)) return;
    startCold(est, data, first, initialParams);
  }
  const fittedUpTo = nextWindowStart(est) - est.settings.stepHours + est.settings.windowHours;
  const rewound = Number.isFinite(earliestLateSampleH) ? rewindForLateData(est, earliestLateSampleH) : 0;
  let refitsLeft = rewound;
  while (nextWindowStart(est) + est.settings.windowHours <= nowH) {
    const outcome = fitNextWindow(est, data);
    yield { ...outcome, refit: refitsLeft-- > 0 && outcome.windowEndH <= fittedUpTo };
  }
}
