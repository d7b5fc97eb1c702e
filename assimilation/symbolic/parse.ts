import type { Expr, ExpressionBuilder, UnaryFunction } from './expression';

/**
 * Parses an arithmetic formula such as `mu0 * IA/(IA + A) * S/(Ks + S)` into an expression graph.
 * Grammar: + - * / ^ (constant exponents), unary minus, parentheses, numbers, names, exp/log/sqrt.
 * `resolve` turns each name into an expression, so intermediates are substituted as shared nodes.
 */
export function parseFormula(
  source: string,
  builder: ExpressionBuilder,
  resolve: (name: string) => Expr,
): Expr {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = (): string | undefined => tokens[pos];
  const fail = (what: string): never => {
    throw new Error(`formula "${source}": ${what} at token ${pos + 1} (${peek() ?? 'end'})`);
  };
  const expect = (t: string): void => {
    if (tokens[pos] !== t) fail(`expected "${t}"`);
    pos++;
  };

  const sum = (): Expr => {
    let left = product();
    for (let t = peek(); t === '+' || t === '-'; t = peek()) {
      pos++;
      const right = product();
      left = t === '+' ? builder.add(left, right) : builder.sub(left, right);
    }
    return left;
  };
  const product = (): Expr => {
    let left = unary();
    for (let t = peek(); t === '*' || t === '/'; t = peek()) {
      pos++;
      const right = unary();
      left = t === '*' ? builder.mul(left, right) : builder.div(left, right);
    }
    return left;
  };
  const unary = (): Expr => {
    if (peek() === '-') {
      pos++;
      return builder.neg(unary());
    }
    if (peek() === '+') pos++;
    return power();
  };
  const power = (): Expr => {
    const base = atom();
    if (peek() !== '^') return base;
    pos++;
    let sign = 1;
    if (peek() === '-') {
      sign = -1;
      pos++;
    }
    const t = peek();
    if (t === undefined || !isNumberToken(t)) return fail('exponent must be a number');
    pos++;
    return builder.pow(base, sign * Number(t));
  };
  const atom = (): Expr => {
    const t = peek();
    if (t === undefined) return fail('unexpected end');
    if (t === '(') {
      pos++;
      const inner = sum();
      expect(')');
      return inner;
    }
    if (isNumberToken(t)) {
      pos++;
      return builder.num(Number(t));
    }
    if (/^[A-Za-z_]/.test(t)) {
      pos++;
      if (peek() === '(') {
        if (t !== 'exp' && t !== 'log' && t !== 'sqrt') return fail(`unknown function "${t}"`);
        pos++;
        const arg = sum();
        expect(')');
        return builder.call(t as UnaryFunction, arg);
      }
      return resolve(t);
    }
    return fail('unexpected token');
  };

  const result = sum();
  if (pos !== tokens.length) fail('unexpected trailing input');
  return result;
}

function isNumberToken(t: string): boolean {
  return /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t);
}

function tokenize(source: string): string[] {
  const pattern =
    /\s*(?:(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|([-+*/^()]))/y;
  const tokens: string[] = [];
  let index = 0;
  while (index < source.length) {
    if (/^\s*$/.test(source.slice(index))) break;
    pattern.lastIndex = index;
    const m = pattern.exec(source);
    if (!m) throw new Error(`formula "${source}": cannot read "${source.slice(index, index + 10)}"`);
    tokens.push(m[1] ?? m[2] ?? m[3]);
    index = pattern.lastIndex;
  }
  return tokens;
}
