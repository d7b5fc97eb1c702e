/**
 * What the operator wants to know better: the satellite fraction at the horizon's end, a named
 * combination of the model (gB/vB …), a free parameter, or a state. Each is a linear function cᵀv of
 * the belief v = (log free parameters, log states), in log space, or for the fraction in logit space
 * (logit f = log Y − log X).
 */
import type { CompiledModel } from '../model/compile';
import { compositionRoles } from '../model/composition-roles';
import type { DesignPosterior } from './design-types';

export const satelliteFractionTarget = 'satellite_fraction';
const z95 = 1.959963984540054;

export interface DesignTarget {
  name: string;
  label: string;
  space: 'log' | 'logit';
  /** c, over v. */
  vector: Float64Array;
}

/** The targets named, or a reason naming the first unknown one. */
export function resolveTargets(
  model: CompiledModel,
  posterior: DesignPosterior,
  names: readonly string[],
): DesignTarget[] | { error: string } {
  const p = posterior.freeParams.length;
  const q = p + model.stateNames.length;
  const out: DesignTarget[] = [];
  for (const name of names) {
    const vector = new Float64Array(q);
    const combination = model.definition.combinations?.find((c) => c.name === name);
    if (name === satelliteFractionTarget) {
      const roles = compositionRoles(model.definition);
      if (!roles) return { error: `the model names no main organism and satellites for ${name}` };
      const x = model.stateNames.indexOf(roles.main);
      const ys = roles.satellites.map((y) => model.stateNames.indexOf(y));
      // logit f = log ΣYᵢ − log X; with several satellites, each log Yᵢ weighs Yᵢ/ΣY (at today's mean).
      const levels = ys.map((y) => Math.exp(posterior.mean[p + y]));
      const total = levels.reduce((a, b) => a + b, 0);
      ys.forEach((y, k) => {
        vector[p + y] = ys.length === 1 ? 1 : levels[k] / total;
      });
      vector[p + x] = -1;
      const satellites =
        roles.satellites.length === 1 ? roles.satellites[0] : `(${roles.satellites.join('+')})`;
      out.push({
        name,
        label: `satellite fraction ${satellites}/(${roles.main}+${satellites}) at the horizon’s end`,
        space: 'logit',
        vector,
      });
    } else if (combination) {
      for (const [term, exponent] of Object.entries(combination.exponents)) {
        const i = posterior.freeParams.indexOf(term);
        if (i < 0) return { error: `target ${name}: ${term} is fixed, nothing to learn about it` };
        vector[i] = exponent;
      }
      out.push({ name, label: `combination ${name}`, space: 'log', vector });
    } else if (posterior.freeParams.includes(name)) {
      vector[posterior.freeParams.indexOf(name)] = 1;
      out.push({ name, label: `parameter ${name}`, space: 'log', vector });
    } else if (model.stateNames.includes(name)) {
      vector[p + model.stateNames.indexOf(name)] = 1;
      out.push({ name, label: `${name} at the horizon’s end`, space: 'log', vector });
    } else {
      const known = [
        satelliteFractionTarget,
        ...(model.definition.combinations ?? []).map((c) => c.name),
        ...posterior.freeParams,
        ...model.stateNames,
      ];
      return { error: `unknown target "${name}" (known: ${known.join(', ')})` };
    }
  }
  if (out.length === 0) return { error: 'no targets' };
  return out;
}

/**
 * The default targets: the satellite fraction, gB/vB, and every other named combination whose band
 * today is wider than `determinedSdLog` (sd of log): what the data have not yet told.
 */
export function defaultTargetNames(
  model: CompiledModel,
  posterior: DesignPosterior,
  determinedSdLog: number,
): string[] {
  const names = [satelliteFractionTarget];
  const all = resolveTargets(
    model,
    posterior,
    (model.definition.combinations ?? [])
      .filter((c) => Object.keys(c.exponents).every((t) => posterior.freeParams.includes(t)))
      .map((c) => c.name),
  );
  if ('error' in all) return names;
  const q = posterior.mean.length;
  for (const target of all) {
    const sd = Math.sqrt(quadratic(target.vector, posterior.covariance, q));
    if (target.name === 'gB/vB' || sd > determinedSdLog) names.push(target.name);
  }
  return names;
}

/** cᵀ C c */
export function quadratic(c: Float64Array, covariance: ArrayLike<number>, q: number): number {
  let v = 0;
  for (let i = 0; i < q; i++) {
    if (c[i] === 0) continue;
    for (let j = 0; j < q; j++) v += c[i] * covariance[i * q + j] * c[j];
  }
  return Math.max(v, 0);
}

/** A target's 95 % band from the centre of cᵀv and its sd, in its own space. */
export function bandOf(space: 'log' | 'logit', centre: number, sd: number) {
  const back = space === 'log' ? Math.exp : (v: number) => 1 / (1 + Math.exp(-v));
  const value = back(centre);
  // d value / d centre: value for a log, f (1 − f) for a logit.
  const slope = space === 'log' ? value : value * (1 - value);
  return { value, lower95: back(centre - z95 * sd), upper95: back(centre + z95 * sd), sd: slope * sd };
}
