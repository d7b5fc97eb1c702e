import { type GeneratedOutput, generateBody } from '../symbolic/codegen';
import { differentiate } from '../symbolic/differentiate';
import { type Expr, ExpressionBuilder, symbolsOf } from '../symbolic/expression';
import { parseFormula } from '../symbolic/parse';
import { checkModelDefinition, ModelCheckError } from './check-model';
import { type ModelDefinition, timeName } from './definition';

type Vec = Float64Array;

/**
 * A model compiled to straight-line float64 functions. Every function reads states x (n), parameters
 * p (m, in definition order) and inputs u (k), and writes into caller-owned arrays: nothing allocates.
 * Matrices are dense and row-major: J[i*cols + j] = ∂f_i/∂(var j).
 */
export interface CompiledModel {
  readonly definition: ModelDefinition;
  readonly stateNames: readonly string[];
  readonly parameterNames: readonly string[];
  /** Every input the functions read: the measured ones, then the time `t` when a formula reads it. */
  readonly inputNames: readonly string[];
  /** The inputs a problem gives as series (spec §2), in order: inputNames without the time. */
  readonly measuredInputNames: readonly string[];
  /**
   * Index of the time in inputNames, or -1. The step driver sets it (u = t_n + s within a step), so
   * time-dependent rates go through the same input terms as the dilution rate.
   */
  readonly timeInput: number;
  readonly signalNames: readonly string[];
  /** out = f(x, p, u) */
  rhs(x: Vec, p: Vec, u: Vec, out: Vec): void;
  /** out (n×n) = ∂f/∂x */
  jacobianStates(x: Vec, p: Vec, u: Vec, out: Vec): void;
  /** out (n×m) = ∂f/∂p */
  jacobianParams(x: Vec, p: Vec, u: Vec, out: Vec): void;
  /** out (n×k) = ∂f/∂u */
  jacobianInputs(x: Vec, p: Vec, u: Vec, out: Vec): void;
  /**
   * out (n×cols) = (∂f/∂x) · matrix (n×cols), row-major, touching only the Jacobian's nonzeros.
   * The forward-sensitivity inner loop.
   */
  jacobianStatesTimes(x: Vec, p: Vec, u: Vec, matrix: Vec, cols: number, out: Vec): void;
  /**
   * out (n×cols) += (∂f/∂x) · matrix, each entry's terms added in column order: for a finite matrix the
   * same sums as a loop that skips zero entries, up to the sign of a zero.
   */
  jacobianStatesTimesAdd(x: Vec, p: Vec, u: Vec, matrix: Vec, cols: number, out: Vec): void;
  /** outX = (∂f/∂x)ᵀ w;  accP += (∂f/∂p)ᵀ w. The adjoint's inner loop. */
  transposeJacobianProduct(x: Vec, p: Vec, u: Vec, w: Vec, outX: Vec, accP: Vec): void;
  /** outX = ∇ₓ(wᵀ (∂f/∂x) v);  accP += ∇ₚ(wᵀ (∂f/∂x) v). Second order, for Rosenbrock gradients. */
  stateJacobianContractionGradient(x: Vec, p: Vec, u: Vec, w: Vec, v: Vec, outX: Vec, accP: Vec): void;
  /** outX = ∇ₓ(wᵀ (∂f/∂u) du);  accP += ∇ₚ(wᵀ (∂f/∂u) du). */
  inputJacobianContractionGradient(x: Vec, p: Vec, u: Vec, w: Vec, du: Vec, outX: Vec, accP: Vec): void;
  /**
   * outX (n×n) = ∂((∂f/∂x) v)/∂x;  outP (n×m) = ∂((∂f/∂x) v)/∂p. Every row at once, for forward
   * sensitivities through a Rosenbrock step (one call instead of n contraction gradients).
   */
  stateJacobianDirectionalDerivative(x: Vec, p: Vec, u: Vec, v: Vec, outX: Vec, outP: Vec): void;
  /** outX (n×n) = ∂((∂f/∂u) du)/∂x;  outP (n×m) = ∂((∂f/∂u) du)/∂p. */
  inputJacobianDirectionalDerivative(x: Vec, p: Vec, u: Vec, du: Vec, outX: Vec, outP: Vec): void;
  /** h_s(x, p) for signal index s. */
  measure: readonly ((x: Vec, p: Vec) => number)[];
  /** outX = ∂h_s/∂x;  accP += ∂h_s/∂p. */
  measureGradient: readonly ((x: Vec, p: Vec, outX: Vec, accP: Vec) => void)[];
}

const W = (i: number) => `$w${i}`;
const V = (i: number) => `$v${i}`;

/**
 * Compiles a model definition: checks it (names, units, formulas; a ModelCheckError's message names
 * the field), parses it once and generates every derivative symbolically.
 */
export function compileModel(def: ModelDefinition): CompiledModel {
  try {
    checkModelDefinition(def);
  } catch (e) {
    if (e instanceof ModelCheckError) throw new Error(`model ${def.name}: ${e.message}`);
    throw e;
  }
  const b = new ExpressionBuilder();
  const states = def.states;
  const params = def.parameters.map((q) => q.name);
  const measuredInputs = def.inputs.map((q) => q.name);
  const inputs = [...measuredInputs];
  const n = states.length;

  const source = new Map<string, string>();
  for (const [i, name] of states.entries()) source.set(name, `x[${i}]`);
  for (const [i, name] of params.entries()) source.set(name, `p[${i}]`);
  for (const [i, name] of inputs.entries()) source.set(name, `u[${i}]`);
  for (let i = 0; i < n; i++) source.set(W(i), `w[${i}]`);

  const intermediates = new Map<string, Expr>();
  const resolve = (name: string): Expr => {
    const known = intermediates.get(name);
    if (known) return known;
    if (name === timeName && !source.has(name)) {
      source.set(name, `u[${inputs.length}]`);
      inputs.push(name);
    }
    if (source.has(name) && !name.startsWith('$')) return b.sym(name);
    throw new Error(`model ${def.name}: unknown name "${name}"`);
  };
  for (const [name, formula] of def.intermediates) {
    if (intermediates.has(name) || source.has(name))
      throw new Error(`model ${def.name}: "${name}" defined twice`);
    intermediates.set(name, parseFormula(formula, b, resolve));
  }
  const f = states.map((s) => {
    const formula = def.rates[s];
    if (formula === undefined) throw new Error(`model ${def.name}: no rate for state "${s}"`);
    return parseFormula(formula, b, resolve);
  });
  const signalNames = Object.keys(def.signals);
  const h = signalNames.map((s) => {
    const e = parseFormula(def.signals[s], b, resolve);
    for (const name of symbolsOf(e)) {
      if (inputs.includes(name))
        throw new Error(`model ${def.name}: signal "${s}" may not read input "${name}"`);
    }
    return e;
  });

  const k = inputs.length;
  for (let i = 0; i < Math.max(n, k); i++) source.set(V(i), `v[${i}]`);

  const jx = f.map((fi) => states.map((s) => differentiate(fi, s, b)));
  const jp = f.map((fi) => params.map((q) => differentiate(fi, q, b)));
  const ju = f.map((fi) => inputs.map((q) => differentiate(fi, q, b)));

  const dense = (name: string, rows: Expr[][]): GeneratedOutput[] =>
    rows.flatMap((row, i) => row.map((expr, j) => ({ target: `${name}[${i * row.length + j}]`, expr })));
  const sumOf = (terms: Expr[]): Expr => terms.reduce((acc, t) => b.add(acc, t), b.num(0));
  const gradientOutputs = (scalar: Expr): GeneratedOutput[] => [
    ...states.map((s, i) => ({ target: `outX[${i}]`, expr: differentiate(scalar, s, b) })),
    ...params.map((q, i) => ({ target: `accP[${i}]`, expr: differentiate(scalar, q, b), accumulate: true })),
  ];

  // wᵀ J_x and wᵀ J_p, as sums over rows of J, one output per column.
  const wTjx = states.map((_, j) => sumOf(f.map((_, i) => b.mul(b.sym(W(i)), jx[i][j]))));
  const wTjp = params.map((_, j) => sumOf(f.map((_, i) => b.mul(b.sym(W(i)), jp[i][j]))));
  // Scalars wᵀ J_x v and wᵀ J_u du whose gradients feed the Rosenbrock adjoint.
  const wJxv = sumOf(
    f.flatMap((_, i) => states.map((_, j) => b.mul(b.mul(b.sym(W(i)), jx[i][j]), b.sym(V(j))))),
  );
  const wJudu = sumOf(
    f.flatMap((_, i) => inputs.map((_, j) => b.mul(b.mul(b.sym(W(i)), ju[i][j]), b.sym(V(j))))),
  );

  // (∂f/∂x) v and (∂f/∂u) du row by row, whose Jacobians feed the Rosenbrock tangent.
  const jxv = f.map((_, i) => sumOf(states.map((_, j) => b.mul(jx[i][j], b.sym(V(j))))));
  const judu = f.map((_, i) => sumOf(inputs.map((_, j) => b.mul(ju[i][j], b.sym(V(j))))));
  const jacobianOutputs = (rows: Expr[]): GeneratedOutput[] => [
    ...dense(
      'outX',
      rows.map((row) => states.map((s) => differentiate(row, s, b))),
    ),
    ...dense(
      'outP',
      rows.map((row) => params.map((q) => differentiate(row, q, b))),
    ),
  ];

  const sym = (name: string): string => source.get(name)!;
  const build = <F>(args: string[], outputs: GeneratedOutput[], tail = ''): F =>
    new Function(...args, `"use strict";\n${generateBody(outputs, sym)}\n${tail}`) as F;

  return {
    definition: def,
    stateNames: states,
    parameterNames: params,
    inputNames: inputs,
    measuredInputNames: measuredInputs,
    timeInput: inputs.indexOf(timeName),
    signalNames,
    rhs: build(
      ['x', 'p', 'u', 'out'],
      f.map((expr, i) => ({ target: `out[${i}]`, expr })),
    ),
    jacobianStates: build(['x', 'p', 'u', 'out'], dense('out', jx)),
    jacobianParams: build(['x', 'p', 'u', 'out'], dense('out', jp)),
    jacobianInputs: build(['x', 'p', 'u', 'out'], dense('out', ju)),
    jacobianStatesTimes: buildJacobianTimes(jx, sym, false),
    jacobianStatesTimesAdd: buildJacobianTimes(jx, sym, true),
    transposeJacobianProduct: build(
      ['x', 'p', 'u', 'w', 'outX', 'accP'],
      [
        ...wTjx.map((expr, i) => ({ target: `outX[${i}]`, expr })),
        ...wTjp.map((expr, i) => ({ target: `accP[${i}]`, expr, accumulate: true })),
      ],
    ),
    stateJacobianContractionGradient: build(['x', 'p', 'u', 'w', 'v', 'outX', 'accP'], gradientOutputs(wJxv)),
    inputJacobianContractionGradient: build(
      ['x', 'p', 'u', 'w', 'v', 'outX', 'accP'],
      gradientOutputs(wJudu),
    ),
    stateJacobianDirectionalDerivative: build(['x', 'p', 'u', 'v', 'outX', 'outP'], jacobianOutputs(jxv)),
    inputJacobianDirectionalDerivative: build(['x', 'p', 'u', 'v', 'outX', 'outP'], jacobianOutputs(judu)),
    measure: h.map((expr) =>
      build<(x: Vec, p: Vec) => number>(['x', 'p'], [{ target: 'const r', expr }], 'return r;'),
    ),
    measureGradient: h.map((expr) => build(['x', 'p', 'outX', 'accP'], gradientOutputs(expr))),
  };
}

/**
 * Straight-line Jacobian entries, then one loop over the columns of the matrix with the nonzero terms;
 * `accumulate` adds them to out, left to right.
 */
function buildJacobianTimes(
  jx: Expr[][],
  sym: (name: string) => string,
  accumulate: boolean,
): CompiledModel['jacobianStatesTimes'] {
  const n = jx.length;
  const entries: GeneratedOutput[] = [];
  const rows = jx.map((row, i) =>
    row.flatMap((expr, j) => {
      if (expr.kind === 'num' && expr.value === 0) return [];
      entries.push({ target: `const J${i}_${j}`, expr });
      return [`J${i}_${j} * m${j}`];
    }),
  );
  const loads = Array.from({ length: n }, (_, j) => `const m${j} = matrix[${j} * cols + c];`).join('\n');
  const stores = rows
    .map((terms, i) => {
      if (accumulate)
        return terms.length ? `out[${i} * cols + c] = out[${i} * cols + c] + ${terms.join(' + ')};` : '';
      return `out[${i} * cols + c] = ${terms.length ? terms.join(' + ') : '0'};`;
    })
    .join('\n');
  const body = `"use strict";\n${generateBody(entries, sym)}\nfor (let c = 0; c < cols; c++) {\n${loads}\n${stores}\n}`;
  return new Function('x', 'p', 'u', 'matrix', 'cols', 'out', body) as CompiledModel['jacobianStatesTimes'];
}
