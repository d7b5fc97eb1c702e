/**
 * Priors for a simulation study of the estimator's bands. A band is a promise about how often it
 * holds the truth; a band that the data do not narrow is the prior's own, and holds the truth as often
 * as the prior does. So each simulated history gets a prior whose median is drawn around the truth
 * with the prior's own spread, median = truth · exp(sd · z), z ~ N(0, 1): the same as drawing the
 * truth from the prior. The z are a Latin hypercube over the histories (each parameter takes one value
 * from each of the K equal-probability strata of N(0, 1), in a seeded order), so that coverage pooled
 * over a few histories is not at the mercy of one extreme draw.
 */
import type { ParameterDefinition } from '../assimilation';
import { createPurposeStream } from './seeded-random';

/** Prior medians (all parameters, model order) for `count` histories; fixed ones at their plant value. */
export function priorMediansAroundTruth(
  parameters: readonly ParameterDefinition[],
  drawn: readonly string[],
  sdLog: number,
  count: number,
  seed: number,
): Float64Array[] {
  const rng = createPurposeStream(seed, 'prior-medians-around-truth');
  const strata = parameters.map(() => {
    const order = Array.from({ length: count }, (_, k) => k);
    for (let k = count - 1; k > 0; k--) {
      const j = Math.min(k, Math.floor(rng.between(0, k + 1)));
      [order[k], order[j]] = [order[j], order[k]];
    }
    return order.map((k) => normalQuantile((k + rng.between(0.05, 0.95)) / count));
  });
  return Array.from({ length: count }, (_, h) =>
    Float64Array.from(parameters, (q, i) =>
      drawn.includes(q.name) ? q.plantValue * Math.exp(sdLog * strata[i][h]) : q.plantValue,
    ),
  );
}

/** Φ⁻¹(p), by Acklam's rational approximation (relative error below 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) =>
    (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}
