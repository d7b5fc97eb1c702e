/** One stored fit, as much as the alert rules read of it: status, satellite fraction, parameters, residuals. */
import { and, asc, eq } from 'drizzle-orm';
import type { CulturewatchDb } from '../open-database';
import { fitComposition, fitDocuments, fitParameters, fits } from '../schema';

export interface FitOutcome {
  id: number;
  reactorId: string;
  windowEndMs: number;
  status: 'ok' | 'failed';
  reason: string | null;
  refit: boolean;
  satelliteFraction: { value: number; sd: number } | null;
  /** The free parameters: natural value and sd of log. */
  params: { name: string; value: number; sdLog: number }[];
  /** `{tMs, signal, value}` as stored (values may be null), or null. */
  residualsJson: string | null;
}

export function fitOutcomeById(db: CulturewatchDb, fitId: number): FitOutcome | undefined {
  const fit = db.select().from(fits).where(eq(fits.id, fitId)).get();
  if (!fit) return undefined;
  const fraction = db
    .select({ value: fitComposition.value, sd: fitComposition.sd })
    .from(fitComposition)
    .where(and(eq(fitComposition.fitId, fitId), eq(fitComposition.quantity, 'satellite_fraction')))
    .get();
  const params = db
    .select({ name: fitParameters.name, value: fitParameters.value, sdLog: fitParameters.sdLog })
    .from(fitParameters)
    .where(and(eq(fitParameters.fitId, fitId), eq(fitParameters.free, true)))
    .all()
    .flatMap((p) => (p.sdLog === null ? [] : [{ name: p.name, value: p.value, sdLog: p.sdLog }]));
  const documents = db
    .select({ residualsJson: fitDocuments.residualsJson })
    .from(fitDocuments)
    .where(eq(fitDocuments.fitId, fitId))
    .get();
  return {
    id: fit.id,
    reactorId: fit.reactorId,
    windowEndMs: fit.windowEndMs,
    status: fit.status,
    reason: fit.reason,
    refit: fit.refit,
    satelliteFraction: fraction ?? null,
    params,
    residualsJson: documents?.residualsJson ?? null,
  };
}

/**
 * A parameter's values in a reactor's first successful fits, oldest window first (refits left out,
 * so each window counts once): what a baseline learned from the first fits is made of.
 */
export function firstFitValuesOf(
  db: CulturewatchDb,
  reactorId: string,
  parameter: string,
  count: number,
): number[] {
  return db
    .select({ value: fitParameters.value })
    .from(fits)
    .innerJoin(fitParameters, and(eq(fitParameters.fitId, fits.id), eq(fitParameters.name, parameter)))
    .where(and(eq(fits.reactorId, reactorId), eq(fits.status, 'ok'), eq(fits.refit, false)))
    .orderBy(asc(fits.windowEndMs), asc(fits.id))
    .limit(count)
    .all()
    .map((r) => r.value);
}
