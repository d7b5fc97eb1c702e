import type { MethodName } from './types';

/**
 * What a forward solve leaves behind for gradients, sensitivities and dense output: every accepted
 * step and every node state. Buffers grow by doubling and are reused from solve to solve, so a warm
 * solve allocates nothing.
 *
 * Step layout: [t_n, h, inputBase (k), inputSlope (k), method's step record].
 */
export interface IntegrationRecord {
  method: MethodName;
  n: number;
  k: number;
  stepCount: number;
  stride: number;
  steps: Float64Array;
  /** (stepCount + 1) × n node states; node 0 is x(t0). */
  nodeStates: Float64Array;
  /** Node index of each observation (observations sit on nodes: steps stop at their times). */
  obsNode: Int32Array;
  rejectedSteps: number;
  rhsEvaluations: number;
  jacobianEvaluations: number;
}

export const stepHeader = {
  time: 0,
  size: 1,
  inputBase: 2,
  inputSlope: (k: number) => 2 + k,
  methodRecord: (k: number) => 2 + 2 * k,
};

export function createIntegrationRecord(n: number, k: number): IntegrationRecord {
  return {
    method: 'dopri5',
    n,
    k,
    stepCount: 0,
    stride: 0,
    steps: new Float64Array(0),
    nodeStates: new Float64Array(64 * n),
    obsNode: new Int32Array(0),
    rejectedSteps: 0,
    rhsEvaluations: 0,
    jacobianEvaluations: 0,
  };
}

/** Makes room for one more step and its end node. */
export function reserveStep(r: IntegrationRecord): void {
  const needSteps = (r.stepCount + 1) * r.stride;
  if (r.steps.length < needSteps) {
    const grown = new Float64Array(Math.max(needSteps, 2 * r.steps.length, 64 * r.stride));
    grown.set(r.steps.subarray(0, r.stepCount * r.stride));
    r.steps = grown;
  }
  const needNodes = (r.stepCount + 2) * r.n;
  if (r.nodeStates.length < needNodes) {
    const grown = new Float64Array(Math.max(needNodes, 2 * r.nodeStates.length));
    grown.set(r.nodeStates.subarray(0, (r.stepCount + 1) * r.n));
    r.nodeStates = grown;
  }
}
