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
        r =
          n.exponent === -1
            ? b.neg(b.mul(b.mul(n, n), d(n.a)))
            : b.mul(b.mul(b.num(n.exponent), b.pow(n.a, n.exponent - 1)), d(n.a));
        break;
      case 'call': {
        const da = d(n.a);
        if (da === zero) {
          r = zero;
        } else if (n.fn === 'exp') {
          r = b.mul(n, da);
        } else if (n.fn === 'log') {
          r = b.div(da, n.a);
        } else {
          r = b.div(da, b.mul(b.num(2), n));
        }
        break;
      }
    }
    memo.set(n.id, r);
    return r;
  };
  return d(e);
}
