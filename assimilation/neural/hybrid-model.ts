import type { CompiledModel, NetworkInputFunctions, NetworkWeightsAs } from '../model/compile';
import type { ModelDefinition } from '../model/definition';
import { Mlp } from './mlp';
import { initialNetworkWeights, networkShape } from './network-shape';

type Vec = Float64Array;

/** A compiled model with a neural term: the network's part of it, for training and reports. */
export interface HybridParts {
  /** Number of mechanistic parameters (p's first entries). */
  mechanisticCount: number;
  /** Number of network weights. */
  weightCount: number;
  weightsAs: NetworkWeightsAs;
  /** The weights the model reads when they are constants; writable (a trainer may set them). */
  weights: Float64Array;
  /** Per output: the state whose rate it is added to, and the state it is multiplied by (−1: none). */
  outputRate: Int32Array;
  outputPer: Int32Array;
  /**
   * out (outputs) = the network's terms at (x, p, u): [per ·] g(N(z)), what each output adds to its
   * rate; weights from p's tail when they are parameters.
   */
  terms(x: Vec, p: Vec, u: Vec, out: Vec): void;
  /** out (network inputs) = z(x, p, u), what the network reads (value / scale). */
  inputs(x: Vec, p: Vec, u: Vec, out: Vec): void;
  /** out (outputs) = g(N(z)) at given network inputs, with the given weights. */
  outputsAt(weights: Vec, z: Vec, out: Vec): void;
}

/** The network part of a compiled model, or null for a purely mechanistic one. */
export function hybridPartsOf(model: CompiledModel): HybridParts | null {
  return (model as { hybrid?: HybridParts }).hybrid ?? null;
}

/**
 * f(x, p, u) = f_mech(x, p, u) + Σ_j e_{rate_j} · per_j(x) · o_j,  o = N(z(x, p, u); θ).
 *
 * Every function of the compiled model gets the network's part by the chain rule through three
 * pieces: z (generated code), N (mlp.ts, by hand) and the outputs' placement. The second-order
 * contractions are Hessian-vector products of ψ = wᵀ(network terms), by a forward-over-reverse
 * sweep: the tangent of ∇ψ in the direction (v, du). Nothing allocates per call.
 */
export function composeHybridModel(
  def: ModelDefinition,
  mech: CompiledModel,
  z: NetworkInputFunctions,
  weightsAs: NetworkWeightsAs,
): CompiledModel {
  const neural = def.neural!;
  const mlp = new Mlp(networkShape(neural));
  const n = mech.stateNames.length;
  const m = mech.parameterNames.length;
  const k = mech.inputNames.length;
  const q = z.count;
  const r = mlp.outputCount;
  const nTheta = mlp.parameterCount;
  const training = weightsAs === 'parameters';
  const width = training ? m + nTheta : m;
  const constants = neural.weights ? Float64Array.from(neural.weights) : initialNetworkWeights(neural, 0);
  if (constants.length !== nTheta)
    throw new Error(`model ${def.name}: the network needs ${nTheta} weights, got ${constants.length}`);
  const stateIndex = (name: string) => mech.stateNames.indexOf(name);
  const outputRate = Int32Array.from(neural.outputs, (o) => stateIndex(o.rate));
  const outputPer = Int32Array.from(neural.outputs, (o) => (o.per === undefined ? -1 : stateIndex(o.per)));
  /** Rows that some output adds to, each once. */
  const targetRows = Int32Array.from(new Set(outputRate));

  // Scratch, made once.
  const zv = new Float64Array(q);
  const zDot = new Float64Array(q);
  const zBar = new Float64Array(q);
  const zBarDot = new Float64Array(q);
  const zx = new Float64Array(q * n);
  const zp = new Float64Array(q * m);
  const zu = new Float64Array(q * k);
  const nz = new Float64Array(r * q);
  const omega = new Float64Array(r);
  const omegaDot = new Float64Array(r);
  const scale = new Float64Array(r);
  const gradX = new Float64Array(n);
  const networkJx = new Float64Array(n * n);
  const mechP = new Float64Array(n * m);
  const mechPX = new Float64Array(n * n);
  const unitRow = new Float64Array(n);
  const rowP = new Float64Array(width);
  const oDot = mlp.outputTangent;
  const o = mlp.output;

  const thetaOf = (p: Vec): Vec => (training ? p : constants);
  const thetaAt = training ? m : 0;

  /** z, o = N(z), and each output's multiplier at x. */
  const forward = (x: Vec, p: Vec, u: Vec): void => {
    z.value(x, p, u, zv);
    mlp.forward(thetaOf(p), thetaAt, zv);
    for (let j = 0; j < r; j++) scale[j] = outputPer[j] < 0 ? 1 : x[outputPer[j]];
  };

  /** networkJx (n×n) = the network terms' ∂/∂x; also leaves zx, zp, zu and nz current. */
  const networkStateJacobian = (x: Vec, p: Vec, u: Vec): void => {
    forward(x, p, u);
    z.jacobians(x, p, u, zx, zp, zu);
    mlp.inputJacobian(thetaOf(p), thetaAt, nz);
    networkJx.fill(0);
    for (let j = 0; j < r; j++) {
      const row = outputRate[j] * n;
      for (let c = 0; c < n; c++) {
        let acc = 0;
        for (let i = 0; i < q; i++) acc += nz[j * q + i] * zx[i * n + c];
        networkJx[row + c] += scale[j] * acc;
      }
      if (outputPer[j] >= 0) networkJx[row + outputPer[j]] += o[j];
    }
  };

  /**
   * The tangent of everything forward in the direction (vx over states, vu over inputs; either may
   * be null), after forward and the z Jacobians: ż and ȯ.
   */
  const forwardTangent = (p: Vec, vx: Vec | null, vu: Vec | null): void => {
    for (let i = 0; i < q; i++) {
      let acc = 0;
      if (vx) for (let c = 0; c < n; c++) acc += zx[i * n + c] * vx[c];
      if (vu) for (let c = 0; c < k; c++) acc += zu[i * k + c] * vu[c];
      zDot[i] = acc;
    }
    mlp.forwardTangent(thetaOf(p), thetaAt, zDot);
  };

  /**
   * For weights w on the rates: outX += ∇ₓ φ, accP[…] += ∇ₚ φ with φ = D_(vx, vu) (wᵀ network terms),
   * after forward, the z Jacobians and forwardTangent in the same direction. accPAt: where p's
   * gradient starts in accP (θ's follows it when the weights are parameters).
   */
  const contractionGradient = (
    x: Vec,
    p: Vec,
    u: Vec,
    w: Vec,
    vx: Vec | null,
    vu: Vec | null,
    outX: Vec,
    accP: Vec,
  ): void => {
    for (let j = 0; j < r; j++) {
      const wj = w[outputRate[j]];
      omega[j] = wj * scale[j];
      omegaDot[j] = outputPer[j] >= 0 && vx ? wj * vx[outputPer[j]] : 0;
      if (outputPer[j] >= 0) outX[outputPer[j]] += wj * oDot[j];
    }
    mlp.reverseTangent(thetaOf(p), thetaAt, omega, omegaDot, zBar, zBarDot, training ? accP : null, m);
    for (let c = 0; c < n; c++) {
      let acc = 0;
      for (let i = 0; i < q; i++) acc += zx[i * n + c] * zBarDot[i];
      outX[c] += acc;
    }
    for (let c = 0; c < m; c++) {
      let acc = 0;
      for (let i = 0; i < q; i++) acc += zp[i * m + c] * zBarDot[i];
      accP[c] += acc;
    }
    // z's own curvature, contracted with ζ = N_zᵀ ω.
    if (vx) {
      z.stateContractionGradient(x, p, u, zBar, vx, gradX, accP);
      for (let c = 0; c < n; c++) outX[c] += gradX[c];
    }
    if (vu) {
      z.inputContractionGradient(x, p, u, zBar, vu, gradX, accP);
      for (let c = 0; c < n; c++) outX[c] += gradX[c];
    }
  };

  /** outX (n×n), outP (n×width) += rows ∂((∂f_net/∂(x|u)) v)/∂(x, p), one contraction per target row. */
  const directionalDerivative = (
    x: Vec,
    p: Vec,
    u: Vec,
    vx: Vec | null,
    vu: Vec | null,
    outX: Vec,
    outP: Vec,
  ): void => {
    forward(x, p, u);
    z.jacobians(x, p, u, zx, zp, zu);
    forwardTangent(p, vx, vu);
    for (let t = 0; t < targetRows.length; t++) {
      const row = targetRows[t];
      unitRow.fill(0);
      unitRow[row] = 1;
      rowP.fill(0);
      const rowX = networkRowX;
      rowX.fill(0);
      contractionGradient(x, p, u, unitRow, vx, vu, rowX, rowP);
      for (let c = 0; c < n; c++) outX[row * n + c] += rowX[c];
      for (let c = 0; c < width; c++) outP[row * width + c] += rowP[c];
    }
  };
  const networkRowX = new Float64Array(n);

  /** Writes the mechanistic n×m block into a wider row-major n×width block. */
  const widen = (block: Vec, out: Vec): void => {
    out.fill(0);
    for (let i = 0; i < n; i++) for (let c = 0; c < m; c++) out[i * width + c] = block[i * m + c];
  };

  const hybrid: HybridParts = {
    mechanisticCount: m,
    weightCount: nTheta,
    weightsAs,
    weights: constants,
    outputRate,
    outputPer,
    terms(x, p, u, out) {
      forward(x, p, u);
      for (let j = 0; j < r; j++) out[j] = scale[j] * o[j];
    },
    inputs(x, p, u, out) {
      z.value(x, p, u, out);
    },
    outputsAt(weights, zAt, out) {
      mlp.forward(weights, 0, zAt);
      for (let j = 0; j < r; j++) out[j] = o[j];
    },
  };

  const model: CompiledModel & { hybrid: HybridParts } = {
    definition: def,
    stateNames: mech.stateNames,
    parameterNames: training
      ? [...mech.parameterNames, ...Array.from({ length: nTheta }, (_, i) => `network.${i}`)]
      : mech.parameterNames,
    inputNames: mech.inputNames,
    measuredInputNames: mech.measuredInputNames,
    timeInput: mech.timeInput,
    signalNames: mech.signalNames,
    hybrid,
    rhs(x, p, u, out) {
      mech.rhs(x, p, u, out);
      forward(x, p, u);
      for (let j = 0; j < r; j++) out[outputRate[j]] += scale[j] * o[j];
    },
    jacobianStates(x, p, u, out) {
      mech.jacobianStates(x, p, u, out);
      networkStateJacobian(x, p, u);
      for (let i = 0; i < n * n; i++) out[i] += networkJx[i];
    },
    jacobianParams(x, p, u, out) {
      if (training) {
        mech.jacobianParams(x, p, u, mechP);
        widen(mechP, out);
      } else mech.jacobianParams(x, p, u, out);
      forward(x, p, u);
      z.jacobians(x, p, u, zx, zp, zu);
      mlp.inputJacobian(thetaOf(p), thetaAt, nz);
      for (let j = 0; j < r; j++) {
        const row = outputRate[j] * width;
        for (let c = 0; c < m; c++) {
          let acc = 0;
          for (let i = 0; i < q; i++) acc += nz[j * q + i] * zp[i * m + c];
          out[row + c] += scale[j] * acc;
        }
      }
      if (training) {
        mlp.addParameterJacobian(p, thetaAt, scale, outputRate, out, width, m);
      }
    },
    jacobianInputs(x, p, u, out) {
      mech.jacobianInputs(x, p, u, out);
      forward(x, p, u);
      z.jacobians(x, p, u, zx, zp, zu);
      mlp.inputJacobian(thetaOf(p), thetaAt, nz);
      for (let j = 0; j < r; j++) {
        const row = outputRate[j] * k;
        for (let c = 0; c < k; c++) {
          let acc = 0;
          for (let i = 0; i < q; i++) acc += nz[j * q + i] * zu[i * k + c];
          out[row + c] += scale[j] * acc;
        }
      }
    },
    jacobianStatesTimes(x, p, u, matrix, cols, out) {
      mech.jacobianStatesTimes(x, p, u, matrix, cols, out);
      addNetworkTimes(x, p, u, matrix, cols, out);
    },
    jacobianStatesTimesAdd(x, p, u, matrix, cols, out) {
      mech.jacobianStatesTimesAdd(x, p, u, matrix, cols, out);
      addNetworkTimes(x, p, u, matrix, cols, out);
    },
    transposeJacobianProduct(x, p, u, w, outX, accP) {
      mech.transposeJacobianProduct(x, p, u, w, outX, accP);
      forward(x, p, u);
      z.jacobians(x, p, u, zx, zp, zu);
      for (let j = 0; j < r; j++) {
        const wj = w[outputRate[j]];
        omega[j] = wj * scale[j];
        if (outputPer[j] >= 0) outX[outputPer[j]] += wj * o[j];
      }
      mlp.reverse(thetaOf(p), thetaAt, omega, zBar, training ? accP : null, m);
      for (let c = 0; c < n; c++) {
        let acc = 0;
        for (let i = 0; i < q; i++) acc += zx[i * n + c] * zBar[i];
        outX[c] += acc;
      }
      for (let c = 0; c < m; c++) {
        let acc = 0;
        for (let i = 0; i < q; i++) acc += zp[i * m + c] * zBar[i];
        accP[c] += acc;
      }
    },
    stateJacobianContractionGradient(x, p, u, w, v, outX, accP) {
      mech.stateJacobianContractionGradient(x, p, u, w, v, outX, accP);
      forward(x, p, u);
      z.jacobians(x, p, u, zx, zp, zu);
      forwardTangent(p, v, null);
      contractionGradient(x, p, u, w, v, null, outX, accP);
    },
    inputJacobianContractionGradient(x, p, u, w, du, outX, accP) {
      mech.inputJacobianContractionGradient(x, p, u, w, du, outX, accP);
      forward(x, p, u);
      z.jacobians(x, p, u, zx, zp, zu);
      forwardTangent(p, null, du);
      contractionGradient(x, p, u, w, null, du, outX, accP);
    },
    stateJacobianDirectionalDerivative(x, p, u, v, outX, outP) {
      if (training) {
        mech.stateJacobianDirectionalDerivative(x, p, u, v, mechPX, mechP);
        outX.set(mechPX);
        widen(mechP, outP);
      } else mech.stateJacobianDirectionalDerivative(x, p, u, v, outX, outP);
      directionalDerivative(x, p, u, v, null, outX, outP);
    },
    inputJacobianDirectionalDerivative(x, p, u, du, outX, outP) {
      if (training) {
        mech.inputJacobianDirectionalDerivative(x, p, u, du, mechPX, mechP);
        outX.set(mechPX);
        widen(mechP, outP);
      } else mech.inputJacobianDirectionalDerivative(x, p, u, du, outX, outP);
      directionalDerivative(x, p, u, null, du, outX, outP);
    },
    measure: mech.measure,
    measureGradient: mech.measureGradient,
  };

  /** out (n×cols) += (network terms' ∂/∂x) · matrix, on the rows the network adds to. */
  function addNetworkTimes(x: Vec, p: Vec, u: Vec, matrix: Vec, cols: number, out: Vec): void {
    networkStateJacobian(x, p, u);
    for (let t = 0; t < targetRows.length; t++) {
      const row = targetRows[t];
      for (let c = 0; c < cols; c++) {
        let acc = 0;
        for (let s = 0; s < n; s++) acc += networkJx[row * n + s] * matrix[s * cols + c];
        out[row * cols + c] += acc;
      }
    }
  }
  return model;
}
