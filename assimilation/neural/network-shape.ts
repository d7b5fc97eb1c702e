import type { NeuralTermDefinition } from '../model/definition';
import { type MlpShape, mlpParameterCount } from './mlp';

/** The network a neural term declares: its inputs, hidden widths and outputs. */
export function networkShape(neural: NeuralTermDefinition): MlpShape {
  return {
    sizes: [neural.inputs.length, ...neural.hidden, neural.outputs.length],
    activation: neural.activation,
    bounds: neural.outputs.map((o) => o.bound),
    signs: neural.outputs.map((o) => o.sign),
  };
}

export function networkWeightCount(neural: NeuralTermDefinition): number {
  return mlpParameterCount(networkShape(neural).sizes);
}

/**
 * Weights to start training from, the same for the same seed: hidden layers Glorot-uniform, the
 * last layer's weights zero, so the untrained hybrid is the mechanistic model (a sign-constrained
 * output starts at σ(−6) ≈ 0.25 % of its bound, since σ is never 0).
 */
export function initialNetworkWeights(neural: NeuralTermDefinition, seed: number): Float64Array {
  const { sizes } = networkShape(neural);
  const theta = new Float64Array(mlpParameterCount(sizes));
  const random = seededUniform(seed);
  let at = 0;
  for (let l = 1; l < sizes.length; l++) {
    const rows = sizes[l];
    const cols = sizes[l - 1];
    const last = l === sizes.length - 1;
    const limit = Math.sqrt(6 / (rows + cols));
    for (let i = 0; i < rows * cols; i++) theta[at++] = last ? 0 : (2 * random() - 1) * limit;
    for (let i = 0; i < rows; i++) theta[at++] = last && neural.outputs[i].sign !== 'any' ? -6 : 0;
  }
  return theta;
}

/** Uniform numbers in [0, 1) from a seed (mulberry32): deterministic, no global state. */
export function seededUniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
