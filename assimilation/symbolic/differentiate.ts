import type { Expr, ExpressionBuilder } from './expression';

/**
 * Symbolic partial derivative ∂e/∂name. Memoised per call over shared nodes, and written in terms of
 * the nodes of `e` itself (for example d(a/b) reuses a/b), so generated code shares work with f.
 */
export function differentiate(e: Expr, name: string, b: ExpressionBuilder): Expr {
  const memo = new Map<number, Expr>();
  const zero = b.num(0);
  const d = (n: Expr): Expr => {
    const cached = memo.get(n.id);
    if (cached) return cached;
    let r: Expr;
    switch (n.kind) {
      case 'num':
        r = zero;
        break;
      case 'sym':
        r = n.name === name ? b.num(1) : zero;
        break;
      case 'add':
        r = b.add(d(n.a), d(n.b));
        break;
      case 'sub':
        r = b.sub(d(n.a), d(n.b));
        break;
      case 'neg':
        r = b.neg(d(n.a));
        break;
      case 'mul':
        r = b.add(b.mul(d(n.a), n.b), b.mul(n.a, d(n.b)));
        break;
      case 'div': {
        // d(a/b) = (da - (a/b) db) / b
        const da = d(n.a);
        const db = d(n.b);
        r = db === zero ? b.div(da, n.b) : b.div(b.sub(da, b.mul(n, db)), n.b);
        break;
      }
      case 'pow':
        // d(1/a) = −(1/a)² da keeps to the reciprocal already computed.
        if (n.exponent === -1) r = b.neg(b.mul(b.mul(n, n), d(n.a)));
        else if (Number.isInteger(n.exponent))
          r = b.mul(b.mul(b.num(n.exponent), b.pow(n.a, n.exponent - 1)), d(n.a));
        else r = b.mul(fractionalPowerSlope(n.a, n.exponent, b), d(n.a));
        break;
      case 'powv': {
        // max(a,0)^e: e·a^(e−1) da + a^e·log(a) de where a > 0; at a = 0 the slope from the right
        // where it is finite (e ≥ 1), and 0 below, where the clamped power is flat.
        const da = d(n.a);
        const de = d(n.b);
        const slope = b.mul(n.b, b.powv(n.a, b.sub(n.b, b.num(1))));
        const positive = b.cmp('>', n.a, zero);
        const atZero = b.select(
          b.cmp('>=', n.a, zero),
          b.select(b.cmp('>=', n.b, b.num(1)), slope, zero),
          zero,
        );
        r = b.add(
          b.mul(b.select(positive, slope, atZero), da),
          b.mul(b.select(positive, b.mul(n, b.call('log', n.a)), zero), de),
        );
        break;
      }
      case 'call': {
        const da = d(n.a);
        if (da === zero) r = zero;
        else r = b.mul(functionSlope(n, b), da);
        break;
      }
      case 'select':
        r = b.select(n.cond, d(n.a), d(n.b));
        break;
      case 'cmp':
        throw new Error('a comparison has no derivative (it is only the condition of a select)');
    }
    memo.set(n.id, r);
    return r;
  };
  return d(e);
}

/** d max(a,0)^e / da for a fractional constant e: e·a^(e−1) where it is finite, else 0. */
function fractionalPowerSlope(a: Expr, exponent: number, b: ExpressionBuilder): Expr {
  const zero = b.num(0);
  const slope = b.mul(b.num(exponent), b.pow(a, exponent - 1));
  return b.select(b.cmp(exponent > 1 ? '>=' : '>', a, zero), slope, zero);
}

/** f'(a) of a unary function node n = f(a), written with n itself where that saves work. */
function functionSlope(n: Extract<Expr, { kind: 'call' }>, b: ExpressionBuilder): Expr {
  const one = b.num(1);
  switch (n.fn) {
    case 'exp':
      return n;
    case 'log':
      return b.pow(n.a, -1);
    case 'sqrt':
      // 1/(2 sqrt a) where a > 0; 0 at and below 0, where the clamped root is flat from the left.
      return b.select(b.cmp('>', n.a, b.num(0)), b.div(b.num(0.5), n), b.num(0));
    case 'tanh':
      return b.sub(one, b.mul(n, n));
    case 'abs':
      return b.call('sign', n.a);
    case 'sign':
      return b.num(0);
    case 'sigmoid':
      return b.mul(n, b.sub(one, n));
  }
}
