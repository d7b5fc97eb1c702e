import type { Comparison, Expr, ExpressionBuilder, UnaryFunction } from './expression';

/**
 * Model formulas such as `mu0 * IA/(IA + A) * S/(Ks + S)`, read into a tree that keeps where each
 * part stands in the text (for errors that point at it, and for unit checks), then built into the
 * shared expression graph.
 *
 * Grammar: + - * / ^ (right-associative; any exponent), unary minus, parentheses, numbers, names,
 * the functions of `formulaFunctions`, and comparisons (< <= > >=) only as the condition of if(…).
 */
export type FormulaTree =
  | { kind: 'number'; value: number; start: number; end: number }
  | { kind: 'name'; name: string; start: number; end: number }
  | { kind: 'negate'; arg: FormulaTree; start: number; end: number }
  | {
      kind: 'binary';
      op: '+' | '-' | '*' | '/' | '^';
      left: FormulaTree;
      right: FormulaTree;
      /** Offset of the operator. */
      at: number;
      start: number;
      end: number;
    }
  | {
      kind: 'compare';
      op: Comparison;
      left: FormulaTree;
      right: FormulaTree;
      at: number;
      start: number;
      end: number;
    }
  | { kind: 'call'; fn: FormulaFunction; args: FormulaTree[]; start: number; end: number };

/** The functions a formula may call, with their argument counts. All are differentiated exactly. */
export const formulaFunctions = {
  exp: 1,
  log: 1,
  sqrt: 1,
  tanh: 1,
  abs: 1,
  sigmoid: 1,
  min: 2,
  max: 2,
  if: 3,
} as const;
export type FormulaFunction = keyof typeof formulaFunctions;

/** Functions a modeller may reach for that have no derivative to fit with, and what to use instead. */
const notDifferentiable: Record<string, string> = {
  floor: 'a smooth switch such as sigmoid',
  ceil: 'a smooth switch such as sigmoid',
  round: 'a smooth switch such as sigmoid',
  trunc: 'a smooth switch such as sigmoid',
  sign: 'tanh(x/w) for a small width w',
  step: 'sigmoid((x - x0)/w), or if(x > x0, 1, 0)',
  heaviside: 'sigmoid((x - x0)/w), or if(x > x0, 1, 0)',
  mod: 'a formula without it',
};

/** A formula that cannot be read; start and end are offsets into its text. */
export class FormulaError extends Error {
  constructor(
    readonly detail: string,
    readonly start: number,
    readonly end: number,
  ) {
    super(detail);
    this.name = 'FormulaError';
  }
}

interface Token {
  text: string;
  start: number;
  end: number;
}

export function parseFormulaTree(source: string): FormulaTree {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  /** Refuses at a token (by default the next one); past the last token, says so. */
  const fail = (what: string, at: Token | undefined = peek()): never => {
    if (at) throw new FormulaError(what, at.start, at.end);
    throw new FormulaError(`${what} at the end of the formula`, source.length, source.length);
  };
  const expect = (t: string): Token => {
    const token = peek();
    if (token?.text !== t) fail(`expected "${t}"`);
    pos++;
    return token as Token;
  };

  /** One precedence level of left-associative operators over the next level down. */
  const level = (ops: readonly string[], next: () => FormulaTree) => (): FormulaTree => {
    let left = next();
    for (let t = peek(); t && ops.includes(t.text); t = peek()) {
      pos++;
      const right = next();
      const op = t.text as '+' | '-' | '*' | '/';
      left = { kind: 'binary', op, left, right, at: t.start, start: left.start, end: right.end };
    }
    return left;
  };
  const product = level(['*', '/'], () => unary());
  const sum = level(['+', '-'], product);
  const unary = (): FormulaTree => {
    const t = peek();
    if (t?.text === '-') {
      pos++;
      const arg = unary();
      return { kind: 'negate', arg, start: t.start, end: arg.end };
    }
    if (t?.text === '+') pos++;
    return power();
  };
  const power = (): FormulaTree => {
    const base = atom();
    const t = peek();
    if (t?.text !== '^') return base;
    pos++;
    const exponent = unary();
    return {
      kind: 'binary',
      op: '^',
      left: base,
      right: exponent,
      at: t.start,
      start: base.start,
      end: exponent.end,
    };
  };
  const comparison = (): FormulaTree => {
    const left = sum();
    const t = peek();
    if (!t || !isComparison(t.text))
      return fail('expected a comparison (<, <=, >, >=) as the condition of if');
    pos++;
    const right = sum();
    return {
      kind: 'compare',
      op: t.text as Comparison,
      left,
      right,
      at: t.start,
      start: left.start,
      end: right.end,
    };
  };
  const atom = (): FormulaTree => {
    const t = peek();
    if (t === undefined) return fail('a term is missing');
    if (t.text === '(') {
      pos++;
      const inner = sum();
      const close = expect(')');
      return { ...inner, start: t.start, end: close.end };
    }
    if (isNumberToken(t.text)) {
      pos++;
      return { kind: 'number', value: Number(t.text), start: t.start, end: t.end };
    }
    if (/^[A-Za-z_]/.test(t.text)) {
      pos++;
      if (peek()?.text !== '(') return { kind: 'name', name: t.text, start: t.start, end: t.end };
      if (!Object.hasOwn(formulaFunctions, t.text)) {
        const instead = notDifferentiable[t.text];
        if (instead) return fail(`${t.text}(…) cannot be differentiated; use ${instead}`, t);
        return fail(`unknown function "${t.text}" (known: ${Object.keys(formulaFunctions).join(', ')})`, t);
      }
      const fn = t.text as FormulaFunction;
      pos++;
      const args: FormulaTree[] = [];
      const arity = formulaFunctions[fn];
      for (let i = 0; i < arity; i++) {
        if (i > 0) {
          if (peek()?.text !== ',') fail(`${fn} takes ${arity} arguments`);
          pos++;
        }
        args.push(fn === 'if' && i === 0 ? comparison() : sum());
      }
      if (peek()?.text === ',') fail(`${fn} takes ${arity} argument${arity > 1 ? 's' : ''}`);
      const close = expect(')');
      return { kind: 'call', fn, args, start: t.start, end: close.end };
    }
    if (isComparison(t.text)) return fail(`a comparison may only be the condition of if(…)`);
    return fail('unexpected token');
  };

  const result = sum();
  if (pos !== tokens.length) {
    const t = peek() as Token;
    if (isComparison(t.text)) fail(`a comparison may only be the condition of if(…)`);
    fail(t.text === ')' ? 'unbalanced ")"' : 'unexpected text after the formula');
  }
  return result;
}

/**
 * Builds a tree into the expression graph: children left to right, then the node, so that a formula
 * gets the same nodes (and node numbers) however it is read. `resolve` turns each name into an
 * expression, so intermediates are substituted as shared nodes.
 */
export function buildFormula(tree: FormulaTree, b: ExpressionBuilder, resolve: (name: string) => Expr): Expr {
  const build = (n: FormulaTree): Expr => {
    switch (n.kind) {
      case 'number':
        return b.num(n.value);
      case 'name':
        return resolve(n.name);
      case 'negate':
        return b.neg(build(n.arg));
      case 'binary': {
        const left = build(n.left);
        if (n.op === '^') {
          // A literal exponent (-2, 0.5) is a number, not a node.
          const literal = literalValue(n.right);
          if (literal !== undefined) return b.pow(left, literal);
          return b.powv(left, build(n.right));
        }
        const right = build(n.right);
        if (n.op === '+') return b.add(left, right);
        if (n.op === '-') return b.sub(left, right);
        if (n.op === '*') return b.mul(left, right);
        return b.div(left, right);
      }
      case 'compare':
        return b.cmp(n.op, build(n.left), build(n.right));
      case 'call': {
        const args = n.args.map(build);
        if (n.fn === 'if') return b.select(args[0], args[1], args[2]);
        // min and max choose the first argument on a tie, and differentiate along the one chosen.
        if (n.fn === 'min') return b.select(b.cmp('<=', args[0], args[1]), args[0], args[1]);
        if (n.fn === 'max') return b.select(b.cmp('>=', args[0], args[1]), args[0], args[1]);
        return b.call(n.fn as UnaryFunction, args[0]);
      }
    }
  };
  return build(tree);
}

/** Parses and builds in one go; errors quote the formula. */
export function parseFormula(
  source: string,
  builder: ExpressionBuilder,
  resolve: (name: string) => Expr,
): Expr {
  let tree: FormulaTree;
  try {
    tree = parseFormulaTree(source);
  } catch (e) {
    if (e instanceof FormulaError)
      throw new Error(`formula "${source}": ${e.detail} (character ${e.start + 1})`);
    throw e;
  }
  return buildFormula(tree, builder, resolve);
}

/** A number written as such, possibly negated: the exponent of `x^-2`. */
export function literalValue(n: FormulaTree): number | undefined {
  if (n.kind === 'number') return n.value;
  if (n.kind === 'negate') {
    const inner = literalValue(n.arg);
    return inner === undefined ? undefined : -inner;
  }
  return undefined;
}

function isComparison(t: string): boolean {
  return t === '<' || t === '<=' || t === '>' || t === '>=';
}

function isNumberToken(t: string): boolean {
  return /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t);
}

function tokenize(source: string): Token[] {
  const pattern =
    /(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(<=|>=|==|!=|[-+*/^(),<>])/y;
  const tokens: Token[] = [];
  let index = 0;
  while (index < source.length) {
    const space = /\s+/y;
    space.lastIndex = index;
    if (space.exec(source)) index = space.lastIndex;
    if (index >= source.length) break;
    pattern.lastIndex = index;
    const m = pattern.exec(source);
    if (!m) throw new FormulaError(`cannot read "${source.slice(index, index + 10)}"`, index, index + 1);
    const text = m[0];
    if (text === '==' || text === '!=')
      throw new FormulaError(`"${text}" is not supported: compare with <, <=, > or >=`, index, index + 2);
    tokens.push({ text, start: index, end: pattern.lastIndex });
    index = pattern.lastIndex;
  }
  return tokens;
}
