/** A named combination's unit from its parameters' units: what the dashboard writes beside its value. */
import { describe, expect, it } from 'vitest';
import { productUnit } from '../../assimilation';
import { builtInModel } from '../../simulator/model-files';

const model = builtInModel();
const units = new Map(model.parameters.map((p) => [p.name, p.unit]));

describe('productUnit', () => {
  it('gives each of the built-in model’s combinations the unit of its product', () => {
    const of = (name: string) => {
      const c = model.combinations?.find((x) => x.name === name);
      if (!c) throw new Error(`no combination ${name}`);
      return productUnit(units, c.exponents);
    };
    // gB is dimensionless and vB per hour: gB/vB is in hours; KB/IB is a ratio of concentrations.
    expect(of('gB/vB')).toBe('h');
    expect(of('gA/vA')).toBe('h');
    expect(of('KB/IB')).toBe('1');
    expect(of('KA/IA')).toBe('1');
  });

  it('adds the powers of each unit', () => {
    const u = new Map([
      ['k', '1/h'],
      ['K', 'conc'],
    ]);
    expect(productUnit(u, { k: 2, K: -0.5 })).toBe('1/(conc^0.5*h^2)');
    expect(productUnit(u, { K: 1, k: -1 })).toBe('conc*h');
  });
});
