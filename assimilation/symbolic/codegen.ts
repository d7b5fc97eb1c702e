import { childrenOf, type Expr, type UnaryFunction } from './expression';

/** One assignment the generated function makes: `target = expr` or `target += expr`. */
export interface GeneratedOutput {
  target: string;
  expr: Expr;
  accumulate?: boolean;
}

/**
 * Emits the body of a straight-line float64 function computing `outputs`. Each symbol is read once
 * into a local, each node used more than once is computed once into a temporary, and constant-zero
 * accumulations are dropped. `symbolSource` maps a symbol to the JavaScript that reads it.
 */
export function generateBody(
  outputs: readonly GeneratedOutput[],
  symbolSource: (name: string) => string,
): string {
  const live = outputs.filter((o) => !(o.accumulate && o.expr.kind === 'num' && o.expr.value === 0));
  const uses = new Map<number, number>();
  const order: Expr[] = [];
  const visit = (e: Expr): void => {
    const n = uses.get(e.id);
    uses.set(e.id, (n ?? 0) + 1);
    if (n !== undefined) return;
    for (const c of childrenOf(e)) visit(c);
    order.push(e);
  };
  for (const o of live) visit(o.expr);

  const lines: string[] = [];
  const names = new Map<number, string>();
  const ref = (e: Expr): string => names.get(e.id) ?? inline(e);
  const inline = (e: Expr): string => {
    switch (e.kind) {
      case 'num':
        return e.value < 0 ? `(${numberLiteral(e.value)})` : numberLiteral(e.value);
      case 'sym':
        return names.get(e.id)!;
      case 'add':
        return `(${ref(e.a)} + ${ref(e.b)})`;
      case 'sub':
        return `(${ref(e.a)} - ${ref(e.b)})`;
      case 'mul':
        return `(${ref(e.a)} * ${ref(e.b)})`;
      case 'div':
        return `(${ref(e.a)} / ${ref(e.b)})`;
      case 'neg':
        return `(-${ref(e.a)})`;
      case 'pow':
        return powerSource(ref(e.a), e.exponent);
      case 'powv':
        return `Math.pow(Math.max(${ref(e.a)}, 0), ${ref(e.b)})`;
      case 'call':
        return functionSource(e.fn, ref(e.a));
      case 'cmp':
        return `(${ref(e.a)} ${e.op} ${ref(e.b)})`;
      case 'select':
        return `(${ref(e.cond)} ? ${ref(e.a)} : ${ref(e.b)})`;
    }
  };

  let temp = 0;
  for (const e of order) {
    if (e.kind === 'sym') {
      const local = `s_${e.name}`;
      lines.push(`const ${local} = ${symbolSource(e.name)};`);
      names.set(e.id, local);
    } else if (e.kind !== 'num' && (uses.get(e.id) ?? 0) > 1) {
      const local = `t${temp++}`;
      lines.push(`const ${local} = ${inline(e)};`);
      names.set(e.id, local);
    }
  }
  for (const o of live) lines.push(`${o.target} ${o.accumulate ? '+=' : '='} ${ref(o.expr)};`);
  return lines.join('\n');
}

function numberLiteral(v: number): string {
  const s = String(v);
  return s.includes('.') || s.includes('e') ? s : `${s}.0`;
}

/** The same values as powerOf in expression.ts. */
function powerSource(base: string, exponent: number): string {
  if (exponent === 2) return `(${base} * ${base})`;
  if (exponent === 3) return `(${base} * ${base} * ${base})`;
  if (exponent === -1) return `(1 / ${base})`;
  if (exponent === -2) return `(1 / (${base} * ${base}))`;
  if (Number.isInteger(exponent)) return `Math.pow(${base}, ${exponent})`;
  if (exponent === 0.5) return `Math.sqrt(Math.max(${base}, 0))`;
  return `Math.pow(Math.max(${base}, 0), ${exponent})`;
}

/** The same values as evaluateFunction in expression.ts. */
function functionSource(fn: UnaryFunction, arg: string): string {
  if (fn === 'sqrt') return `Math.sqrt(Math.max(${arg}, 0))`;
  if (fn === 'sigmoid') return `(1 / (1 + Math.exp(-${arg})))`;
  return `Math.${fn}(${arg})`;
}
