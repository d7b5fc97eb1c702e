/**
 * What the dashboard shows of the model: parameter names, meanings and units, read from the model
 * definition (a pure data file) so the page and the estimator never disagree.
 */
import { chemostatSatellite } from '../../assimilation/model/chemostat-satellite';
import { concentrationUnit } from './units';

export const model = chemostatSatellite;

export function displayUnit(unit: string): string {
  if (unit === '1') return 'dimensionless';
  if (unit === 'conc') return concentrationUnit;
  return unit;
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

const superscripts: Record<string, string> = {
  '-': '⁻',
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
  '.': '·',
};

function superscript(n: number): string {
  const text = Number(n.toFixed(2)).toString();
  return [...text].map((c) => superscripts[c] ?? c).join('');
}

/** A parameter combination as text: `gB / vB`, `muBmax · KB⁻¹ · IB⁰·⁵`. */
export function combinationText(exponents: Record<string, number>): string {
  const entries = Object.entries(exponents).filter(([, e]) => e !== 0);
  const up = entries.filter(([, e]) => e > 0);
  const down = entries.filter(([, e]) => e < 0);
  const term = (name: string, e: number) => (e === 1 ? name : `${name}${superscript(e)}`);
  const numerator = up.map(([n, e]) => term(n, e)).join(' · ') || '1';
  if (down.length === 0) return numerator;
  const denominator = down.map(([n, e]) => term(n, -e)).join(' · ');
  return `${numerator} / ${down.length > 1 ? `(${denominator})` : denominator}`;
}
