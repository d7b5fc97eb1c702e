/**
 * Expression graphs for model equations. Nodes are hash-consed by an ExpressionBuilder, so equal
 * subexpressions are one node: derivatives reuse the terms of the function they differentiate, and
 * the code generator emits each shared term once.
 */

export type UnaryFunction = 'exp' | 'log' | 'sqrt' | 'tanh' | 'abs' | 'sign' | 'sigmoid';

export type Comparison = '<' | '<=' | '>' | '>=';

export type Expr =
  | { readonly kind: 'num'; readonly id: number; readonly value: number }
  | { readonly kind: 'sym'; readonly id: number; readonly name: string }
  | { readonly kind: 'add'; readonly id: number; readonly a: Expr; readonly b: Expr }
  | { readonly kind: 'sub'; readonly id: number; readonly a: Expr; readonly b: Expr }
  | { readonly kind: 'mul'; readonly id: number; readonly a: Expr; readonly b: Expr }
  | { readonly kind: 'div'; readonly id: number; readonly a: Expr; readonly b: Expr }
  | { readonly kind: 'neg'; readonly id: number; readonly a: Expr }
  | { readonly kind: 'pow'; readonly id: number; readonly a: Expr; readonly exponent: number }
  | { readonly kind: 'call'; readonly id: number; readonly fn: UnaryFunction; readonly a: Expr }
  /** a^b with an exponent that is not a number: max(a, 0)^b. */
  | { readonly kind: 'powv'; readonly id: number; readonly a: Expr; readonly b: Expr }
  /** A comparison; only ever the condition of a select. */
  | { readonly kind: 'cmp'; readonly id: number; readonly op: Comparison; readonly a: Expr; readonly b: Expr }
  | { readonly kind: 'select'; readonly id: number; readonly cond: Expr; readonly a: Expr; readonly b: Expr };

type Binary = 'add' | 'sub' | 'mul' | 'div';

/** Builds simplified, shared expression nodes. One builder per compiled model; it holds no global state. */
export class ExpressionBuilder {
  private readonly nodes = new Map<string, Expr>();
  private nextId = 0;

  private intern<E extends Expr>(key: string, make: (id: number) => E): E {
    const found = this.nodes.get(key);
    if (found) return found as E;
    const node = make(this.nextId++);
    this.nodes.set(key, node);
    return node;
  }

  num(value: number): Expr {
    if (!Number.isFinite(value)) throw new Error(`non-finite constant ${value} in a model expression`);
    const v = value === 0 ? 0 : value; // fold -0 into 0
    return this.intern(`n${v}`, (id) => ({ kind: 'num', id, value: v }));
  }

  sym(name: string): Expr {
    return this.intern(`s${name}`, (id) => ({ kind: 'sym', id, name }));
  }

  add(a: Expr, b: Expr): Expr {
    if (isNum(a, 0)) return b;
    if (isNum(b, 0)) return a;
    if (a.kind === 'num' && b.kind === 'num') return this.num(a.value + b.value);
    if (b.kind === 'neg') return this.sub(a, b.a);
    if (a.kind === 'neg') return this.sub(b, a.a);
    return this.binary('add', a.id <= b.id ? a : b, a.id <= b.id ? b : a);
  }

  sub(a: Expr, b: Expr): Expr {
    if (isNum(b, 0)) return a;
    if (isNum(a, 0)) return this.neg(b);
    if (a === b) return this.num(0);
    if (a.kind === 'num' && b.kind === 'num') return this.num(a.value - b.value);
    if (b.kind === 'neg') return this.add(a, b.a);
    return this.binary('sub', a, b);
  }

  mul(a: Expr, b: Expr): Expr {
    if (isNum(a, 0) || isNum(b, 0)) return this.num(0);
    if (isNum(a, 1)) return b;
    if (isNum(b, 1)) return a;
    if (isNum(a, -1)) return this.neg(b);
    if (isNum(b, -1)) return this.neg(a);
    if (a.kind === 'num' && b.kind === 'num') return this.num(a.value * b.value);
    if (a.kind === 'neg' && b.kind === 'neg') return this.mul(a.a, b.a);
    if (a.kind === 'neg') return this.neg(this.mul(a.a, b));
    if (b.kind === 'neg') return this.neg(this.mul(a, b.a));
    // Constants first, so that 2*(3*x) folds and c*x is one shape.
    if (b.kind === 'num') return this.mul(b, a);
    if (a.kind === 'num' && b.kind === 'mul' && b.a.kind === 'num')
      return this.mul(this.num(a.value * b.a.value), b.b);
    if (a.kind !== 'num' && a.id > b.id) return this.binary('mul', b, a);
    return this.binary('mul', a, b);
  }

  /**
   * a/b is built as a·(1/b): every quotient by the same b then shares one reciprocal, which matters
   * because divisions dominate the cost of generated Jacobians.
   */
  div(a: Expr, b: Expr): Expr {
    if (isNum(b, 0)) throw new Error('division by the constant 0 in a model expression');
    if (b.kind === 'num') return this.mul(a, this.num(1 / b.value));
    if (a === b) return this.num(1);
    return this.mul(a, this.pow(b, -1));
  }

  neg(a: Expr): Expr {
    if (a.kind === 'num') return this.num(-a.value);
    if (a.kind === 'neg') return a.a;
    if (a.kind === 'sub') return this.sub(a.b, a.a);
    return this.intern(`-${a.id}`, (id) => ({ kind: 'neg', id, a }));
  }

  /** a^exponent; a fractional exponent reads a negative base as 0 (see powerOf). */
  pow(a: Expr, exponent: number): Expr {
    if (exponent === 0) return this.num(1);
    if (exponent === 1) return a;
    if (a.kind === 'num') return this.num(powerOf(a.value, exponent));
    return this.intern(`^${a.id},${exponent}`, (id) => ({ kind: 'pow', id, a, exponent }));
  }

  /** a^b for any exponent expression: max(a, 0)^b, or pow when b is a number. */
  powv(a: Expr, b: Expr): Expr {
    if (b.kind === 'num') return this.pow(a, b.value);
    if (isNum(a, 1)) return a;
    return this.intern(`^^${a.id},${b.id}`, (id) => ({ kind: 'powv', id, a, b }));
  }

  call(fn: UnaryFunction, a: Expr): Expr {
    if (a.kind === 'num') return this.num(evaluateFunction(fn, a.value));
    return this.intern(`${fn}${a.id}`, (id) => ({ kind: 'call', id, fn, a }));
  }

  /** A comparison of two constants folds to 1 or 0, which select then decides on. */
  cmp(op: Comparison, a: Expr, b: Expr): Expr {
    if (a.kind === 'num' && b.kind === 'num') return this.num(compare(op, a.value, b.value) ? 1 : 0);
    return this.intern(`${op}${a.id},${b.id}`, (id) => ({ kind: 'cmp', id, op, a, b }));
  }

  /** cond ? a : b. */
  select(cond: Expr, a: Expr, b: Expr): Expr {
    if (cond.kind === 'num') return cond.value !== 0 ? a : b;
    if (a === b) return a;
    if (cond.kind !== 'cmp') throw new Error('the condition of a select must be a comparison');
    return this.intern(`?${cond.id},${a.id},${b.id}`, (id) => ({ kind: 'select', id, cond, a, b }));
  }

  private binary(kind: Binary, a: Expr, b: Expr): Expr {
    return this.intern(`${kind}${a.id},${b.id}`, (id) => ({ kind, id, a, b }) as Expr);
  }
}

function isNum(e: Expr, value: number): boolean {
  return e.kind === 'num' && e.value === value;
}

/**
 * x^e as the generated code computes it. Integer exponents are plain powers; a fractional exponent
 * reads a negative base as 0, since the bases are concentrations that may round a little below zero
 * within the solver's tolerance (where a real power of a negative number does not exist).
 */
export function powerOf(x: number, exponent: number): number {
  return Number.isInteger(exponent) ? x ** exponent : Math.max(x, 0) ** exponent;
}

/** The value of a unary function, as the generated code computes it. */
export function evaluateFunction(fn: UnaryFunction, x: number): number {
  switch (fn) {
    case 'sqrt':
      return Math.sqrt(Math.max(x, 0));
    case 'sigmoid':
      return 1 / (1 + Math.exp(-x));
    default:
      return Math[fn](x);
  }
}

export function compare(op: Comparison, a: number, b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

/** The children of a node, for graph walks. */
export function childrenOf(e: Expr): Expr[] {
  switch (e.kind) {
    case 'num':
    case 'sym':
      return [];
    case 'neg':
    case 'pow':
    case 'call':
      return [e.a];
    case 'select':
      return [e.cond, e.a, e.b];
    default:
      return [e.a, e.b];
  }
}

/** Every symbol name an expression reads. */
export function symbolsOf(e: Expr, into = new Set<string>()): Set<string> {
  const seen = new Set<number>();
  const walk = (n: Expr): void => {
    if (seen.has(n.id)) return;
    seen.add(n.id);
    if (n.kind === 'sym') into.add(n.name);
    for (const c of childrenOf(n)) walk(c);
  };
  walk(e);
  return into;
}
