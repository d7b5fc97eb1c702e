import type { ModelDefinition, ParameterDefinition } from '../model/definition';
import { stateUnit } from '../model/definition';
import { Mlp } from './mlp';
import { networkShape } from './network-shape';
import { outputLabel } from './weights-file';

/**
 * From network to equation: sparse regression (SINDy's sequentially thresholded least squares) of a
 * trained network's outputs, at the points where it was trained, over a library of candidate terms
 * (1, each input, each product of two inputs, in natural units). What survives the thresholding is
 * offered as new terms of the model file, for an engineer to review: each coefficient becomes a
 * positive parameter with its unit, its sign written into the rate.
 */
export interface SuggestedTerm {
  output: string;
  /** The library term, e.g. `B` or `A*B` (`1` for a constant). */
  term: string;
  coefficient: number;
  /** The parameter the candidate model names for it, and its unit. */
  parameter: string;
  unit: string;
}

export interface SparseSuggestion {
  terms: SuggestedTerm[];
  /** Per output: the share of the network output's variance the sparse terms explain (R²). */
  explained: Record<string, number>;
  /** The model with the terms in its rates and no network: a candidate for review. */
  candidate: ModelDefinition;
}

export function suggestTerms(
  def: ModelDefinition,
  weights: Float64Array,
  domain: readonly (readonly number[])[],
  options: { threshold?: number; iterations?: number } = {},
): SparseSuggestion {
  const neural = def.neural;
  if (!neural) throw new Error(`model ${def.name} has no neural term`);
  if (domain.length < 10) throw new Error('too few training points to regress on');
  const threshold = options.threshold ?? 0.1;
  const names = neural.inputs.map((i) => i.name);
  const unitOf = (name: string): string => {
    if (def.states.includes(name)) return stateUnit(def, name);
    const input = def.inputs.find((i) => i.name === name);
    if (input) return input.unit;
    return '';
  };
  // Intermediates have no declared unit: they stay out of the library.
  const usable = names.map((name, i) => ({ name, i, unit: unitOf(name) })).filter((v) => v.unit !== '');
  const library: { term: string; unit: string; value: (z: readonly number[]) => number }[] = [
    { term: '1', unit: '1', value: () => 1 },
  ];
  for (const a of usable) library.push({ term: a.name, unit: a.unit, value: (z) => z[a.i] });
  for (const [k, a] of usable.entries())
    for (const b of usable.slice(k))
      library.push({
        term: `${a.name}*${b.name}`,
        unit: `(${a.unit})*(${b.unit})`,
        value: (z) => z[a.i] * z[b.i],
      });

  const mlp = new Mlp(networkShape(neural));
  const scaled = new Float64Array(names.length);
  const targets = neural.outputs.map(() => new Float64Array(domain.length));
  domain.forEach((point, k) => {
    for (let i = 0; i < names.length; i++) scaled[i] = point[i] / neural.inputs[i].scale;
    mlp.forward(weights, 0, scaled);
    for (let j = 0; j < targets.length; j++) targets[j][k] = mlp.output[j];
  });
  const columns = library.map((c) => Float64Array.from(domain, (z) => c.value(z)));
  const norms = columns.map((col) => Math.sqrt(col.reduce((s, v) => s + v * v, 0) / col.length) || 1);

  const terms: SuggestedTerm[] = [];
  const explained: Record<string, number> = {};
  const rates: Record<string, string> = { ...def.rates };
  const parameters: ParameterDefinition[] = [...def.parameters];
  neural.outputs.forEach((output, j) => {
    const y = targets[j];
    let active = library.map(() => true);
    let coefficients: Float64Array = new Float64Array(library.length);
    for (let round = 0; round < (options.iterations ?? 10); round++) {
      coefficients = leastSquares(columns, norms, active, y);
      const largest = Math.max(...coefficients.map((c, i) => Math.abs(c) * norms[i]));
      const next = active.map((on, i) => on && Math.abs(coefficients[i]) * norms[i] >= threshold * largest);
      if (next.every((on, i) => on === active[i])) break;
      active = next;
    }
    const label = outputLabel(output);
    let residual = 0;
    let total = 0;
    const mean = y.reduce((s, v) => s + v, 0) / y.length;
    for (let k = 0; k < y.length; k++) {
      let fit = 0;
      for (let i = 0; i < library.length; i++) if (active[i]) fit += coefficients[i] * columns[i][k];
      residual += (y[k] - fit) ** 2;
      total += (y[k] - mean) ** 2;
    }
    explained[label] = total > 0 ? 1 - residual / total : 1;
    const pieces: string[] = [];
    library.forEach((c, i) => {
      if (!active[i] || coefficients[i] === 0) return;
      const parameter = `sindy_${output.rate}_${i}`;
      const unit = c.unit === '1' ? output.unit : `(${output.unit})/(${c.unit})`;
      terms.push({ output: label, term: c.term, coefficient: coefficients[i], parameter, unit });
      parameters.push({
        name: parameter,
        description: `suggested from the trained network: ${label} ≈ … ${coefficients[i] < 0 ? '−' : '+'} ${parameter}·${c.term}`,
        plantValue: Math.abs(coefficients[i]),
        unit,
      });
      pieces.push(`${coefficients[i] < 0 ? '-' : '+'} ${parameter}${c.term === '1' ? '' : `*${c.term}`}`);
    });
    if (pieces.length)
      rates[output.rate] =
        `${rates[output.rate]} ${output.per ? `+ ${output.per}*(${pieces.join(' ')})` : pieces.join(' ')}`;
  });
  const { neural: _network, ...mechanistic } = def;
  return {
    terms,
    explained,
    candidate: {
      ...mechanistic,
      name: `${def.name}-suggested`,
      description: `${def.description} Terms suggested from the trained network by sparse regression, for review.`,
      parameters,
      rates,
    },
  };
}

/** Least squares on the active, normalized columns (normal equations; the library is small). */
function leastSquares(
  columns: Float64Array[],
  norms: number[],
  active: boolean[],
  y: Float64Array,
): Float64Array {
  const index = active.flatMap((on, i) => (on ? [i] : []));
  const size = index.length;
  const a = new Float64Array(size * size);
  const b = new Float64Array(size);
  for (let r = 0; r < size; r++) {
    const cr = columns[index[r]];
    for (let c = 0; c < size; c++) {
      const cc = columns[index[c]];
      let s = 0;
      for (let k = 0; k < y.length; k++) s += cr[k] * cc[k];
      a[r * size + c] = s / (norms[index[r]] * norms[index[c]]);
    }
    let s = 0;
    for (let k = 0; k < y.length; k++) s += cr[k] * y[k];
    b[r] = s / norms[index[r]];
    a[r * size + r] += 1e-10 * y.length;
  }
  // Gaussian elimination with partial pivoting.
  for (let col = 0; col < size; col++) {
    let pivot = col;
    for (let r = col + 1; r < size; r++)
      if (Math.abs(a[r * size + col]) > Math.abs(a[pivot * size + col])) pivot = r;
    for (let c = 0; c < size; c++)
      [a[col * size + c], a[pivot * size + c]] = [a[pivot * size + c], a[col * size + c]];
    [b[col], b[pivot]] = [b[pivot], b[col]];
    for (let r = col + 1; r < size; r++) {
      const f = a[r * size + col] / a[col * size + col];
      for (let c = col; c < size; c++) a[r * size + c] -= f * a[col * size + c];
      b[r] -= f * b[col];
    }
  }
  const x = new Float64Array(size);
  for (let r = size - 1; r >= 0; r--) {
    let s = b[r];
    for (let c = r + 1; c < size; c++) s -= a[r * size + c] * x[c];
    x[r] = s / a[r * size + r];
  }
  const out = new Float64Array(columns.length);
  index.forEach((i, r) => {
    out[i] = x[r] / norms[i];
  });
  return out;
}
