/**
 * What the dashboard shows of the model: parameter names, meanings and units, read from the model
 * file the estimator reads (bundled as text, parsed by the same parser) so the page and the
 * estimator never disagree.
 */
import { parseModelFile, productUnit } from '../../assimilation';
import { modelUnit } from '../../contract/display-units';
import builtInModelText from '../../models/chemostat-satellite.yaml';
import { superscript } from './number-format';

export const model = parseModelFile(builtInModelText);

/** A model unit as the page writes it (`dimensionless` where there is no symbol). */
export function displayUnit(unit: string): string {
  const shown = modelUnit(unit);
  return shown.symbol || shown.words;
}

export interface ParameterInfo {
  name: string;
  description: string;
  unit: string;
  usuallyFixed: boolean;
}

export const parameterInfo: ReadonlyMap<string, ParameterInfo> = new Map(
  model.parameters.map((p) => [
    p.name,
    {
      name: p.name,
      description: p.description,
      unit: displayUnit(p.unit),
      usuallyFixed: p.usuallyFixed ?? false,
    },
  ]),
);

export const parameterOrder: readonly string[] = model.parameters.map((p) => p.name);

const modelUnits: ReadonlyMap<string, string> = new Map(model.parameters.map((p) => [p.name, p.unit]));

/** The unit of a combination of the model's parameters (gB/vB: h), as the page writes it. */
export function combinationUnit(exponents: Record<string, number>): string {
  return displayUnit(combinationModelUnit(exponents));
}

/** A combination's unit in the model file's notation (`h`, `1`), from its parameters' units. */
export function combinationModelUnit(exponents: Record<string, number>): string {
  return productUnit(modelUnits, exponents);
}

/**
 * A parameter combination as text: `gB / vB`, `muBmax · IB⁰·⁹ / KB⁰·⁹`. Exponents are rounded to
 * `step`; terms that round to zero are left out and the text starts with ≈ when anything was.
 */
export function combinationText(exponents: Record<string, number>, step = 0.01): string {
  const round = (e: number) => Math.round(e / step) * step;
  const all = Object.entries(exponents).filter(([, e]) => e !== 0);
  const entries = all.map(([n, e]) => [n, round(e)] as const).filter(([, e]) => e !== 0);
  const approximate = entries.length < all.length || all.some(([, e]) => Math.abs(round(e) - e) > 1e-9);
  const up = entries.filter(([, e]) => e > 0);
  const down = entries.filter(([, e]) => e < 0);
  const term = (name: string, e: number) => (Math.abs(e - 1) < 1e-9 ? name : `${name}${superscript(e)}`);
  const numerator = up.map(([n, e]) => term(n, e)).join(' · ') || '1';
  const text =
    down.length === 0
      ? numerator
      : `${numerator} / ${down.length > 1 ? '(' : ''}${down.map(([n, e]) => term(n, -e)).join(' · ')}${down.length > 1 ? ')' : ''}`;
  return `${approximate && step >= 0.05 ? '≈ ' : ''}${text}`;
}
