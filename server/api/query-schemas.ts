/** The reading API's own queries and bodies (the shared pieces are in ../http/request-input.ts). */
import { z } from 'zod';
import { plantSignals } from '../../contract/api';
import { countParameter, rangeFields, refuseInvertedRange } from '../http/request-input';

export const rangeQuery = z.strictObject(rangeFields).superRefine(refuseInvertedRange);

export const estimatesQuery = z
  .strictObject({ ...rangeFields, trajectories: z.enum(['all', 'latest', 'none']).default('all') })
  .superRefine(refuseInvertedRange);

export function readingsQuery(maxPointsLimit: number, defaultMaxPoints: number) {
  return z
    .strictObject({
      ...rangeFields,
      signal: z.enum(plantSignals, { message: `expected one of ${plantSignals.join(', ')}` }),
      maxPoints: countParameter(2, maxPointsLimit, defaultMaxPoints),
    })
    .superRefine(refuseInvertedRange);
}

export const dilutionBody = z.strictObject({
  perHour: z.number().positive().max(1, 'at most 1 1/h (the culture washes out well before)'),
});
export const faultBody = z.strictObject({
  kind: z.enum(['spike', 'stuck-substrate', 'gap']),
  durationHours: z.number().min(0).max(72, 'at most 72 h'),
});
