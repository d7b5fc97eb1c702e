import { type Expr, ExpressionBuilder } from '../symbolic/expression';
import {
  buildFormula,
  FormulaError,
  type FormulaTree,
  formulaFunctions,
  parseFormulaTree,
} from '../symbolic/parse';
import { type ModelDefinition, stateUnit, timeName } from './definition';
import {
  constantValue,
  type Dimension,
  dimensionless,
  divide,
  formatDimension,
  isDimensionless,
  multiply,
  parseUnit,
  power,
  sameDimension,
  time,
  UnitError,
} from './units';

/**
 * A model definition that cannot be compiled. `field` says where (`rates.S`, `parameters.gA.unit`);
 * start and end, when given, are offsets into that field's formula or unit text.
 */
export class ModelCheckError extends Error {
  constructor(
    readonly field: string,
    readonly detail: string,
    readonly start?: number,
    readonly end?: number,
    /** The formula or unit that start and end point into. */
    readonly text?: string,
  ) {
    const where =
      text !== undefined && start !== undefined && start < text.length ? ` (character ${start + 1})` : '';
    super(`${field}: ${text === undefined ? '' : `"${text}": `}${detail}${where}`);
    this.name = 'ModelCheckError';
  }
}

const reserved = new Set<string>([...Object.keys(formulaFunctions), timeName]);

/** A bare number takes the unit of whatever it is added to or compared with. */
type Inferred = Dimension | 'number';

/**
 * Everything compileModel needs to be true of a definition, checked before any code is made: names,
 * values, units, formulas that parse and refer only to what exists, and consistent dimensions.
 * Throws the first problem as a ModelCheckError.
 */
export function checkModelDefinition(def: ModelDefinition): void {
  const kinds = new Map<string, string>();
  const declare = (name: string, kind: string, field: string): void => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new ModelCheckError(
        field,
        `"${name}" is not a name (letters, digits and _, not starting with a digit)`,
      );
    if (reserved.has(name))
      throw new ModelCheckError(
        field,
        `"${name}" is reserved (${name === timeName ? 'the time, in hours' : 'a function'})`,
      );
    const earlier = kinds.get(name);
    if (earlier) throw new ModelCheckError(field, `"${name}" is declared twice (also ${earlier})`);
    kinds.set(name, kind);
  };
  const unitOf = (text: string, field: string): Dimension => {
    try {
      return parseUnit(text);
    } catch (e) {
      if (e instanceof UnitError) throw new ModelCheckError(field, e.message, e.start, e.end, text);
      throw e;
    }
  };

  const dims = new Map<string, Inferred>();
  if (def.states.length === 0) throw new ModelCheckError('states', 'a model needs at least one state');
  for (const s of def.states) {
    declare(s, 'a state', `states.${s}`);
    dims.set(s, unitOf(stateUnit(def, s), `states.${s}.unit`));
  }
  for (const q of def.parameters) {
    const field = `parameters.${q.name}`;
    declare(q.name, 'a parameter', field);
    dims.set(q.name, unitOf(q.unit, `${field}.unit`));
    checkParameterValues(q, field);
  }
  for (const q of def.inputs) {
    declare(q.name, 'an input', `inputs.${q.name}`);
    dims.set(q.name, unitOf(q.unit, `inputs.${q.name}.unit`));
    if (!Number.isFinite(q.nominal))
      throw new ModelCheckError(`inputs.${q.name}.nominal`, 'must be a finite number');
  }
  dims.set(timeName, time);

  const builder = new ExpressionBuilder();
  const built = new Map<string, Expr>();
  const intermediateNames = new Set(def.intermediates.map(([name]) => name));
  const formula = (
    field: string,
    text: string,
    may: (name: string) => string | undefined,
  ): { inferred: Inferred; expr: Expr } => {
    const tree = parseTree(field, text);
    forEachName(tree, (name, start, end) => {
      const refusal = may(name);
      if (refusal) throw new ModelCheckError(field, refusal, start, end, text);
    });
    const inferred = inferDimension(tree, text, field, (name) => dims.get(name) as Inferred);
    try {
      // Building folds constants, which finds a division by zero or an overflowing constant.
      return { inferred, expr: buildFormula(tree, builder, (name) => built.get(name) ?? builder.sym(name)) };
    } catch (e) {
      throw new ModelCheckError(field, (e as Error).message);
    }
  };
  const known = (name: string): string | undefined => {
    if (kinds.has(name) || name === timeName) return undefined;
    if (intermediateNames.has(name))
      return `"${name}" is defined below; an intermediate may use only those above it`;
    return `unknown name "${name}" (not a state, parameter, input, intermediate or the time t)`;
  };

  for (const [name, text] of def.intermediates) {
    const field = `intermediates.${name}`;
    const { inferred, expr } = formula(field, text, known);
    declare(name, 'an intermediate', field);
    dims.set(name, inferred);
    built.set(name, expr);
  }
  for (const s of def.states) {
    const text = def.rates[s];
    if (text === undefined) throw new ModelCheckError(`rates`, `no rate for the state "${s}"`);
    const field = `rates.${s}`;
    const { inferred } = formula(field, text, known);
    const expected = divide(dims.get(s) as Dimension, time);
    if (inferred !== 'number' && !sameDimension(inferred, expected))
      throw new ModelCheckError(
        field,
        `d${s}/dt must be in ${formatDimension(expected)}, but the formula is in ${formatDimension(inferred)}`,
      );
  }
  for (const s of Object.keys(def.rates)) {
    if (kinds.get(s) !== 'a state') throw new ModelCheckError(`rates.${s}`, `"${s}" is not a state`);
  }
  if (Object.keys(def.signals).length === 0)
    throw new ModelCheckError('signals', 'a model needs at least one signal');
  for (const [signal, text] of Object.entries(def.signals)) {
    formula(`signals.${signal}`, text, (name) => {
      const kind = kinds.get(name);
      if (kind === 'an input' || name === timeName)
        return `a signal is a function of the states and parameters; it may not read ${name === timeName ? 'the time t' : `the input "${name}"`}`;
      return known(name);
    });
  }
  const parameterNames = new Set(def.parameters.map((q) => q.name));
  for (const c of def.combinations ?? []) {
    const field = `combinations.${c.name}`;
    const terms = Object.entries(c.exponents);
    if (terms.length === 0) throw new ModelCheckError(field, 'a combination needs at least one parameter');
    for (const [name, power] of terms) {
      if (!parameterNames.has(name))
        throw new ModelCheckError(field, `"${name}" is not a parameter of the model`);
      if (!Number.isFinite(power) || power === 0)
        throw new ModelCheckError(field, `the power of ${name} must be a finite number other than 0`);
    }
  }
}

function checkParameterValues(q: ModelDefinition['parameters'][number], field: string): void {
  const positive = (v: number | undefined, what: string): void => {
    if (v !== undefined && !(Number.isFinite(v) && v > 0))
      throw new ModelCheckError(
        `${field}.${what}`,
        `must be a positive number (fits work in log space), got ${v}`,
      );
  };
  positive(q.plantValue, 'value');
  positive(q.farGuess, 'far_guess');
  if (q.bounds) {
    positive(q.bounds.lower, 'bounds');
    positive(q.bounds.upper, 'bounds');
    if (!(q.bounds.lower < q.bounds.upper))
      throw new ModelCheckError(`${field}.bounds`, `the lower bound must be below the upper one`);
    for (const [what, v] of [
      ['value', q.plantValue],
      ['far_guess', q.farGuess],
      ['prior', q.prior?.median],
    ] as const) {
      if (v !== undefined && (v < q.bounds.lower || v > q.bounds.upper))
        throw new ModelCheckError(
          `${field}.${what}`,
          `${v} is outside the bounds [${q.bounds.lower}, ${q.bounds.upper}]`,
        );
    }
  }
  if (q.prior) {
    positive(q.prior.median, 'prior');
    if (!(Number.isFinite(q.prior.sdLog) && q.prior.sdLog > 0))
      throw new ModelCheckError(`${field}.prior`, `sd_log must be a positive number, got ${q.prior.sdLog}`);
  }
}

function parseTree(field: string, text: string): FormulaTree {
  try {
    return parseFormulaTree(text);
  } catch (e) {
    if (e instanceof FormulaError) throw new ModelCheckError(field, e.detail, e.start, e.end, text);
    throw e;
  }
}

function forEachName(n: FormulaTree, visit: (name: string, start: number, end: number) => void): void {
  switch (n.kind) {
    case 'name':
      visit(n.name, n.start, n.end);
      return;
    case 'number':
      return;
    case 'negate':
      forEachName(n.arg, visit);
      return;
    case 'binary':
    case 'compare':
      forEachName(n.left, visit);
      forEachName(n.right, visit);
      return;
    case 'call':
      for (const a of n.args) forEachName(a, visit);
  }
}

/** The dimension of a formula, or the first place where its units do not fit together. */
function inferDimension(
  tree: FormulaTree,
  text: string,
  field: string,
  dimOf: (name: string) => Inferred,
): Inferred {
  const quote = (n: FormulaTree) => `"${text.slice(n.start, n.end)}"`;
  const show = (d: Inferred) => (d === 'number' ? 'a number' : formatDimension(d));
  const refuse = (detail: string, at: { start: number; end: number }): never => {
    throw new ModelCheckError(field, detail, at.start, at.end, text);
  };
  /** Where an operator stands, for an error about the operation. */
  const operator = (n: { at: number }) => ({ start: n.at, end: n.at + 1 });
  const concrete = (d: Inferred): Dimension => (d === 'number' ? dimensionless : d);
  /** Two operands that must share one unit: a sum, a comparison, the branches of if, min, max. */
  const same = (
    a: Inferred,
    b: Inferred,
    what: string,
    left: FormulaTree,
    right: FormulaTree,
    at: { start: number; end: number },
  ) => {
    if (a === 'number') return b;
    if (b === 'number' || sameDimension(a, b)) return a;
    return refuse(`${what}: ${quote(left)} is in ${show(a)} but ${quote(right)} is in ${show(b)}`, at);
  };
  const needDimensionless = (d: Inferred, what: string, at: FormulaTree) => {
    if (d !== 'number' && !isDimensionless(d)) refuse(`${what}; ${quote(at)} is in ${show(d)}`, at);
  };

  const walk = (n: FormulaTree): Inferred => {
    switch (n.kind) {
      case 'number':
        return 'number';
      case 'name':
        return dimOf(n.name);
      case 'negate':
        return walk(n.arg);
      case 'compare':
        same(
          walk(n.left),
          walk(n.right),
          'a comparison needs one unit on both sides',
          n.left,
          n.right,
          operator(n),
        );
        return dimensionless;
      case 'binary': {
        const a = walk(n.left);
        if (n.op === '^') {
          const exponent = constantValue(n.right);
          if (exponent !== undefined) return a === 'number' ? 'number' : power(a, exponent);
          needDimensionless(walk(n.right), 'an exponent must be dimensionless', n.right);
          if (a !== 'number' && !isDimensionless(a))
            refuse(
              `a power whose exponent is not a number needs a dimensionless base; ${quote(n.left)} is in ${show(a)} (divide it by a constant of the same unit, as in (S/K)^n)`,
              n,
            );
          return dimensionless;
        }
        const b = walk(n.right);
        if (n.op === '+' || n.op === '-')
          return same(
            a,
            b,
            `a ${n.op === '+' ? 'sum' : 'difference'} needs one unit`,
            n.left,
            n.right,
            operator(n),
          );
        if (a === 'number' && b === 'number') return 'number';
        return n.op === '*' ? multiply(concrete(a), concrete(b)) : divide(concrete(a), concrete(b));
      }
      case 'call': {
        const args = n.args.map(walk);
        switch (n.fn) {
          case 'exp':
          case 'log':
          case 'tanh':
          case 'sigmoid':
            needDimensionless(args[0], `${n.fn} needs a dimensionless argument`, n.args[0]);
            return dimensionless;
          case 'sqrt':
            return args[0] === 'number' ? 'number' : power(args[0], 0.5);
          case 'abs':
            return args[0];
          case 'min':
          case 'max':
            return same(args[0], args[1], `${n.fn} needs one unit`, n.args[0], n.args[1], n);
          case 'if':
            return same(args[1], args[2], 'both branches of if need one unit', n.args[1], n.args[2], n);
        }
      }
    }
  };
  return walk(tree);
}
