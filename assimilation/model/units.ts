import { FormulaError, type FormulaTree, literalValue, parseFormulaTree } from '../symbolic/parse';

/**
 * Units over the base dimensions a culture model uses: concentration (`conc`, the plant's one
 * concentration unit) and time (`h`, hours, the model's clock); `1` is dimensionless. A unit is a
 * product of powers of these, written like a formula: `1/h`, `conc/h`, `1/(conc*h)`, `conc^0.5/h`.
 */
export interface Dimension {
  readonly conc: number;
  readonly time: number;
}

export const dimensionless: Dimension = { conc: 0, time: 0 };
export const concentration: Dimension = { conc: 1, time: 0 };
export const time: Dimension = { conc: 0, time: 1 };

const baseUnits: Record<string, Dimension> = { conc: concentration, h: time };

export class UnitError extends Error {
  constructor(
    message: string,
    readonly start = 0,
    readonly end = 0,
  ) {
    super(message);
    this.name = 'UnitError';
  }
}

/** Reads a unit such as `conc/h`; throws UnitError naming what it cannot read. */
export function parseUnit(text: string): Dimension {
  let tree: FormulaTree;
  try {
    tree = parseFormulaTree(text);
  } catch (e) {
    if (e instanceof FormulaError) throw new UnitError(`not a unit: ${e.detail}`, e.start, e.end);
    throw e;
  }
  const walk = (n: FormulaTree): Dimension => {
    switch (n.kind) {
      case 'number':
        if (n.value === 1) return dimensionless;
        break;
      case 'name': {
        const unit = baseUnits[n.name];
        if (unit) return unit;
        throw new UnitError(
          `unknown unit "${n.name}" (units are conc, h and 1, in products, quotients and powers)`,
          n.start,
          n.end,
        );
      }
      case 'binary': {
        if (n.op === '*') return multiply(walk(n.left), walk(n.right));
        if (n.op === '/') return divide(walk(n.left), walk(n.right));
        if (n.op === '^') {
          const exponent = constantValue(n.right);
          if (exponent !== undefined) return power(walk(n.left), exponent);
        }
        break;
      }
    }
    throw new UnitError(
      'not a unit (write conc, h and 1 with *, / and numeric powers, such as conc/h)',
      n.start,
      n.end,
    );
  };
  return walk(tree);
}

export function multiply(a: Dimension, b: Dimension): Dimension {
  return { conc: a.conc + b.conc, time: a.time + b.time };
}

export function divide(a: Dimension, b: Dimension): Dimension {
  return { conc: a.conc - b.conc, time: a.time - b.time };
}

export function power(a: Dimension, exponent: number): Dimension {
  return { conc: a.conc * exponent, time: a.time * exponent };
}

export function sameDimension(a: Dimension, b: Dimension): boolean {
  return Math.abs(a.conc - b.conc) < 1e-9 && Math.abs(a.time - b.time) < 1e-9;
}

export function isDimensionless(a: Dimension): boolean {
  return sameDimension(a, dimensionless);
}

/** The unit written back: `1`, `conc`, `1/h`, `conc/h`, `1/(conc*h)`, `conc^0.5/h`. */
export function formatDimension(d: Dimension): string {
  const factor = (name: string, e: number): string => {
    const rounded = Math.round(e * 1e9) / 1e9;
    return rounded === 1 ? name : `${name}^${rounded}`;
  };
  const up: string[] = [];
  const down: string[] = [];
  for (const [name, e] of [
    ['conc', d.conc],
    ['h', d.time],
  ] as const) {
    if (Math.abs(e) < 1e-9) continue;
    (e > 0 ? up : down).push(factor(name, Math.abs(e)));
  }
  const numerator = up.length ? up.join('*') : '1';
  if (!down.length) return numerator;
  return `${numerator}/${down.length > 1 ? `(${down.join('*')})` : down[0]}`;
}

/** The value of a subtree made of numbers alone (such as the exponent `(1/2)`), else undefined. */
export function constantValue(n: FormulaTree): number | undefined {
  const literal = literalValue(n);
  if (literal !== undefined) return literal;
  if (n.kind === 'negate') {
    const v = constantValue(n.arg);
    return v === undefined ? undefined : -v;
  }
  if (n.kind !== 'binary') return undefined;
  const a = constantValue(n.left);
  const b = constantValue(n.right);
  if (a === undefined || b === undefined) return undefined;
  switch (n.op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '^':
      return a ** b;
  }
}

/** The unit of a product of parameters' powers (a named combination such as gB/vB), written back. */
export function productUnit(
  units: ReadonlyMap<string, string>,
  exponents: Readonly<Record<string, number>>,
): string {
  let d = dimensionless;
  for (const [name, e] of Object.entries(exponents)) {
    const unit = units.get(name);
    if (unit !== undefined) d = multiply(d, power(parseUnit(unit), e));
  }
  return formatDimension(d);
}
