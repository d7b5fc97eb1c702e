import type { ModelMismatchView } from '../../contract/api';
import type { ReactorFreshness } from '../../contract/freshness';

/** What the rules look at: a finished fit, a stored reading, a reactor's signals' freshness. */

/** A fit as stored by the assimilator (server/alerts/fit-evidence.ts reads one from the database). */
export interface FitEvidence {
  kind: 'fit';
  reactorId: string;
  fitId: number;
  /** End of the fitted window, plant time (epoch ms): the clock fit rules run on. */
  windowEndMs: number;
  status: 'ok' | 'failed';
  reason: string | null;
  refit: boolean;
  /** Y/(X+Y) at the window end with its sd; null for a failed fit. */
  satelliteFraction: { value: number; sd: number } | null;
  /** The free parameters, natural value and sd of log; null for a failed fit. */
  params: Record<string, { value: number; sdLog: number }> | null;
  /** Standardized residuals (h(x) − v)/σ of the window's observations; null when not kept. */
  standardizedResiduals: number[] | null;
  /** The mismatch signal over the reactor's fits up to this one (server/mismatch/reactor-mismatch.ts); absent when not worked out. */
  modelMismatch?: ModelMismatchView;
}

/** One stored reading. */
export interface ReadingEvidence {
  kind: 'reading';
  reactorId: string;
  signal: string;
  /** Measurement time, plant clock. */
  tsMs: number;
  value: number;
}

/** A reactor's online signals judged on its plant clock (server/realtime/signal-freshness.ts). */
export interface StalenessEvidence {
  kind: 'staleness';
  reactorId: string;
  freshness: ReactorFreshness;
}

export type AlertEvidence = FitEvidence | ReadingEvidence | StalenessEvidence;
