import { createDopri5StepAdjoint } from './gradient/dopri5-adjoint';
import { createDopri5StepTangent, type StepTangent } from './gradient/dopri5-tangent';
import { createRodas4StepAdjoint } from './gradient/rodas4-adjoint';
import { createRodas4StepTangent } from './gradient/rodas4-tangent';
import type { CompiledModel } from './model/compile';
import { createDopri5Stepper, dopri5Interpolate } from './solvers/dopri5';
import { type IntegrationRecord, stepHeader } from './solvers/integration-record';
import { createRodas4Stepper, rodas4Interpolate } from './solvers/rodas4';
import type { MethodName, Stepper } from './solvers/types';

/**
 * Everything one integration method contributes: its stepper, the reverse and tangent sweeps of one
 * of its recorded steps, and its dense output. Each kit owns its scratch.
 */
export interface MethodKit {
  stepper: Stepper;
  /** lambda: ∂L/∂x_{n+1} in, ∂L/∂x_n out; parameter adjoints accumulate into mu. */
  stepAdjoint(
    p: Float64Array,
    record: IntegrationRecord,
    step: number,
    lambda: Float64Array,
    mu: Float64Array,
  ): void;
  /** sens (n × (P+n)) for θ = (parameters in paramColumns, x0): ∂x_n/∂θ in, ∂x_{n+1}/∂θ out. */
  stepTangent: StepTangent;
  /** State at t_n + θh inside recorded step `step`. */
  interpolate(record: IntegrationRecord, step: number, theta: number, out: Float64Array): void;
}

export function createMethodKit(model: CompiledModel, method: MethodName): MethodKit {
  const n = model.stateNames.length;
  const k = model.inputNames.length;
  switch (method) {
    case 'dopri5': {
      const xStart = new Float64Array(n);
      const xEnd = new Float64Array(n);
      return {
        stepper: createDopri5Stepper(model),
        stepAdjoint: createDopri5StepAdjoint(model),
        stepTangent: createDopri5StepTangent(model),
        interpolate(record, step, theta, out) {
          for (let i = 0; i < n; i++) {
            xStart[i] = record.nodeStates[step * n + i];
            xEnd[i] = record.nodeStates[(step + 1) * n + i];
          }
          const offset = step * record.stride;
          const h = record.steps[offset + stepHeader.size];
          dopri5Interpolate(
            record.steps,
            offset + stepHeader.methodRecord(k),
            n,
            xStart,
            xEnd,
            h,
            theta,
            out,
          );
        },
      };
    }
    case 'rodas4': {
      const xStart = new Float64Array(n);
      const xEnd = new Float64Array(n);
      return {
        stepper: createRodas4Stepper(model),
        stepAdjoint: createRodas4StepAdjoint(model),
        stepTangent: createRodas4StepTangent(model),
        interpolate(record, step, theta, out) {
          for (let i = 0; i < n; i++) {
            xStart[i] = record.nodeStates[step * n + i];
            xEnd[i] = record.nodeStates[(step + 1) * n + i];
          }
          const offset = step * record.stride + stepHeader.methodRecord(k);
          rodas4Interpolate(record.steps, offset, n, xStart, xEnd, theta, out);
        },
      };
    }
  }
}
