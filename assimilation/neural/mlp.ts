import type { NeuralActivation, NeuralOutputSign } from '../model/definition';

/**
 * A small multilayer network in float64, with what the solver's derivatives need: forward, its
 * tangent (Jacobian-vector product), the reverse sweep (vector-Jacobian product, into the inputs
 * and the weights) and the reverse sweep's tangent (forward-over-reverse: the second derivatives the
 * Rosenbrock method's gradients contract). Every buffer is made once, here; nothing allocates per call.
 *
 * Weights θ are flat, layer by layer: W (out × in, row-major), then b (out). Hidden layers apply the
 * activation; the last layer's value a_j becomes the output g_j(a_j): bound·tanh(a), bound·σ(a) or
 * −bound·σ(a) by the output's sign.
 */
export interface MlpShape {
  /** Layer widths: inputs, hidden…, outputs. */
  sizes: readonly number[];
  activation: NeuralActivation;
  bounds: readonly number[];
  signs: readonly NeuralOutputSign[];
}

export function mlpParameterCount(sizes: readonly number[]): number {
  let count = 0;
  for (let l = 1; l < sizes.length; l++) count += sizes[l] * (sizes[l - 1] + 1);
  return count;
}

/** Where layer l's (1-based) W and b start in θ. */
function layerOffsets(sizes: readonly number[]): { w: Int32Array; b: Int32Array } {
  const w = new Int32Array(sizes.length);
  const b = new Int32Array(sizes.length);
  let at = 0;
  for (let l = 1; l < sizes.length; l++) {
    w[l] = at;
    at += sizes[l] * sizes[l - 1];
    b[l] = at;
    at += sizes[l];
  }
  return { w, b };
}

export class Mlp {
  readonly inputCount: number;
  readonly outputCount: number;
  readonly parameterCount: number;
  /** The latest forward's outputs. */
  readonly output: Float64Array;
  /** The latest tangent's output tangent. */
  readonly outputTangent: Float64Array;
  private readonly layers: number;
  private readonly sizes: Int32Array;
  private readonly wAt: Int32Array;
  private readonly bAt: Int32Array;
  private readonly softplus: boolean;
  private readonly bound: Float64Array;
  /** 0: any (tanh), 1: nonnegative, −1: nonpositive. */
  private readonly sign: Int8Array;
  /** Per layer l = 0…L: values (a[0] = inputs; a[L] = last-layer values before g). */
  private readonly a: Float64Array[];
  /** φ′ and φ″ at each hidden pre-activation; g′ and g″ for the last layer. */
  private readonly d1: Float64Array[];
  private readonly d2: Float64Array[];
  private readonly aDot: Float64Array[];
  private readonly sDot: Float64Array[];
  private readonly unit: Float64Array;
  private readonly row: Float64Array;
  private readonly sBar: Float64Array[];
  private readonly sBarDot: Float64Array[];
  private readonly aBar: Float64Array;
  private readonly aBarDot: Float64Array;

  constructor(shape: MlpShape) {
    const sizes = shape.sizes;
    if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1))
      throw new Error(`network sizes must be positive integers, got [${sizes.join(', ')}]`);
    this.layers = sizes.length - 1;
    this.sizes = Int32Array.from(sizes);
    this.inputCount = sizes[0];
    this.outputCount = sizes[this.layers];
    if (shape.bounds.length !== this.outputCount || shape.signs.length !== this.outputCount)
      throw new Error('one bound and one sign per output');
    this.parameterCount = mlpParameterCount(sizes);
    const offsets = layerOffsets(sizes);
    this.wAt = offsets.w;
    this.bAt = offsets.b;
    this.softplus = shape.activation === 'softplus';
    this.bound = Float64Array.from(shape.bounds);
    this.sign = Int8Array.from(shape.signs, (s) => (s === 'any' ? 0 : s === 'nonnegative' ? 1 : -1));
    const perLayer = () => Array.from(sizes, (s) => new Float64Array(s));
    this.a = perLayer();
    this.d1 = perLayer();
    this.d2 = perLayer();
    this.aDot = perLayer();
    this.sDot = perLayer();
    this.sBar = perLayer();
    this.sBarDot = perLayer();
    const widest = Math.max(...sizes);
    this.aBar = new Float64Array(widest);
    this.aBarDot = new Float64Array(widest);
    this.unit = new Float64Array(this.outputCount);
    this.row = new Float64Array(this.inputCount);
    this.output = new Float64Array(this.outputCount);
    this.outputTangent = new Float64Array(this.outputCount);
  }

  /** output = N(z); keeps what the sweeps below need. */
  forward(theta: Float64Array, thetaAt: number, z: Float64Array): void {
    const { a, d1, d2, sizes, layers } = this;
    const a0 = a[0];
    for (let i = 0; i < sizes[0]; i++) a0[i] = z[i];
    for (let l = 1; l <= layers; l++) {
      const rows = sizes[l];
      const cols = sizes[l - 1];
      const prev = a[l - 1];
      const cur = a[l];
      const first = d1[l];
      const second = d2[l];
      const w = thetaAt + this.wAt[l];
      const b = thetaAt + this.bAt[l];
      const last = l === layers;
      for (let i = 0; i < rows; i++) {
        let s = theta[b + i];
        const row = w + i * cols;
        for (let j = 0; j < cols; j++) s += theta[row + j] * prev[j];
        if (last) {
          cur[i] = s;
          this.outputValue(i, s);
        } else if (this.softplus) {
          const sig = 1 / (1 + Math.exp(-s));
          cur[i] = s > 0 ? s + Math.log1p(Math.exp(-s)) : Math.log1p(Math.exp(s));
          first[i] = sig;
          second[i] = sig * (1 - sig);
        } else {
          const t = Math.tanh(s);
          cur[i] = t;
          first[i] = 1 - t * t;
          second[i] = -2 * t * (1 - t * t);
        }
      }
    }
  }

  /** g(a) with its first and second derivatives. */
  private outputValue(i: number, s: number): void {
    const bound = this.bound[i];
    const sign = this.sign[i];
    const L = this.layers;
    if (sign === 0) {
      const t = Math.tanh(s);
      this.output[i] = bound * t;
      this.d1[L][i] = bound * (1 - t * t);
      this.d2[L][i] = -2 * bound * t * (1 - t * t);
    } else {
      const sig = 1 / (1 + Math.exp(-s));
      const scale = sign * bound;
      this.output[i] = scale * sig;
      this.d1[L][i] = scale * sig * (1 - sig);
      this.d2[L][i] = scale * sig * (1 - sig) * (1 - 2 * sig);
    }
  }

  /** outputTangent = N_z ż, after forward. */
  forwardTangent(theta: Float64Array, thetaAt: number, zDot: Float64Array): void {
    const { aDot, sDot, d1, sizes, layers } = this;
    const a0 = aDot[0];
    for (let i = 0; i < sizes[0]; i++) a0[i] = zDot[i];
    for (let l = 1; l <= layers; l++) {
      const rows = sizes[l];
      const cols = sizes[l - 1];
      const prev = aDot[l - 1];
      const pre = sDot[l];
      const cur = l === layers ? this.outputTangent : aDot[l];
      const first = d1[l];
      const w = thetaAt + this.wAt[l];
      for (let i = 0; i < rows; i++) {
        let s = 0;
        const row = w + i * cols;
        for (let j = 0; j < cols; j++) s += theta[row + j] * prev[j];
        pre[i] = s;
        cur[i] = first[i] * s;
      }
    }
  }

  /**
   * zBar = N_zᵀ ω and, when thetaBar is given, thetaBar[at…] += N_θᵀ ω; after forward. ω is the
   * weight on each output.
   */
  reverse(
    theta: Float64Array,
    thetaAt: number,
    omega: Float64Array,
    zBar: Float64Array,
    thetaBar: Float64Array | null,
    thetaBarAt: number,
  ): void {
    const { a, d1, sBar, sizes, layers, aBar } = this;
    const top = sBar[layers];
    for (let i = 0; i < sizes[layers]; i++) top[i] = d1[layers][i] * omega[i];
    for (let l = layers; l >= 1; l--) {
      const rows = sizes[l];
      const cols = sizes[l - 1];
      const bar = sBar[l];
      const prev = a[l - 1];
      const w = thetaAt + this.wAt[l];
      if (thetaBar) {
        const wBar = thetaBarAt + this.wAt[l];
        const bBar = thetaBarAt + this.bAt[l];
        for (let i = 0; i < rows; i++) {
          const g = bar[i];
          thetaBar[bBar + i] += g;
          const row = wBar + i * cols;
          for (let j = 0; j < cols; j++) thetaBar[row + j] += g * prev[j];
        }
      }
      for (let j = 0; j < cols; j++) aBar[j] = 0;
      for (let i = 0; i < rows; i++) {
        const g = bar[i];
        const row = w + i * cols;
        for (let j = 0; j < cols; j++) aBar[j] += theta[row + j] * g;
      }
      if (l > 1) {
        const below = sBar[l - 1];
        const first = d1[l - 1];
        for (let j = 0; j < cols; j++) below[j] = first[j] * aBar[j];
      } else {
        for (let j = 0; j < cols; j++) zBar[j] = aBar[j];
      }
    }
  }

  /**
   * The reverse sweep and its tangent, after forward and forwardTangent (whose direction ż gives
   * the tangent of everything forward): zBar = N_zᵀ ω, zBarDot = d/dε[N_z(z + εż)ᵀ (ω + ε ω̇)], and,
   * when given, thetaBarDot[at…] += d/dε[N_θ(z + εż)ᵀ (ω + ε ω̇)].
   */
  reverseTangent(
    theta: Float64Array,
    thetaAt: number,
    omega: Float64Array,
    omegaDot: Float64Array,
    zBar: Float64Array,
    zBarDot: Float64Array,
    thetaBarDot: Float64Array | null,
    thetaBarDotAt: number,
  ): void {
    const { a, aDot, sDot, d1, d2, sBar, sBarDot, sizes, layers, aBar, aBarDot } = this;
    const L = layers;
    for (let i = 0; i < sizes[L]; i++) {
      sBar[L][i] = d1[L][i] * omega[i];
      sBarDot[L][i] = d2[L][i] * sDot[L][i] * omega[i] + d1[L][i] * omegaDot[i];
    }
    for (let l = L; l >= 1; l--) {
      const rows = sizes[l];
      const cols = sizes[l - 1];
      const bar = sBar[l];
      const barDot = sBarDot[l];
      const prev = a[l - 1];
      const prevDot = aDot[l - 1];
      const w = thetaAt + this.wAt[l];
      if (thetaBarDot) {
        const wBar = thetaBarDotAt + this.wAt[l];
        const bBar = thetaBarDotAt + this.bAt[l];
        for (let i = 0; i < rows; i++) {
          const g = bar[i];
          const gDot = barDot[i];
          thetaBarDot[bBar + i] += gDot;
          const row = wBar + i * cols;
          for (let j = 0; j < cols; j++) thetaBarDot[row + j] += gDot * prev[j] + g * prevDot[j];
        }
      }
      for (let j = 0; j < cols; j++) {
        aBar[j] = 0;
        aBarDot[j] = 0;
      }
      for (let i = 0; i < rows; i++) {
        const g = bar[i];
        const gDot = barDot[i];
        const row = w + i * cols;
        for (let j = 0; j < cols; j++) {
          aBar[j] += theta[row + j] * g;
          aBarDot[j] += theta[row + j] * gDot;
        }
      }
      if (l > 1) {
        const below = sBar[l - 1];
        const belowDot = sBarDot[l - 1];
        const first = d1[l - 1];
        const second = d2[l - 1];
        const pre = sDot[l - 1];
        for (let j = 0; j < cols; j++) {
          below[j] = first[j] * aBar[j];
          belowDot[j] = second[j] * pre[j] * aBar[j] + first[j] * aBarDot[j];
        }
      } else {
        for (let j = 0; j < cols; j++) {
          zBar[j] = aBar[j];
          zBarDot[j] = aBarDot[j];
        }
      }
    }
  }

  /** out (outputs × inputs, row-major) = N_z, after forward: one reverse sweep per output. */
  inputJacobian(theta: Float64Array, thetaAt: number, out: Float64Array): void {
    const q = this.inputCount;
    const unit = this.unit;
    const row = this.row;
    for (let j = 0; j < this.outputCount; j++) {
      unit.fill(0);
      unit[j] = 1;
      this.reverse(theta, thetaAt, unit, row, null, 0);
      for (let i = 0; i < q; i++) out[j * q + i] = row[i];
    }
  }

  /**
   * out[j·stride + at + c] += scale_j · ∂N_j/∂θ_c, after forward: the weights' columns of a rate
   * Jacobian, one reverse sweep per output with a nonzero scale.
   */
  addParameterJacobian(
    theta: Float64Array,
    thetaAt: number,
    scale: Float64Array,
    rowOf: Int32Array,
    out: Float64Array,
    stride: number,
    at: number,
  ): void {
    const unit = this.unit;
    for (let j = 0; j < this.outputCount; j++) {
      if (scale[j] === 0) continue;
      unit.fill(0);
      unit[j] = scale[j];
      this.reverse(theta, thetaAt, unit, this.row, out, rowOf[j] * stride + at);
    }
  }
}
