export type MethodName = 'dopri5' | 'rodas4';

export interface SolverOptions {
  rtol: number;
  atol: number;
  /** 'auto' starts explicit and moves to the Rosenbrock method when the problem is detected to be stiff. */
  method: MethodName | 'auto';
  maxSteps: number;
  /** Smallest step allowed, relative to |t| (hours). */
  minStepRelative: number;
}

export const defaultSolverOptions: SolverOptions = {
  rtol: 1e-6,
  atol: 1e-8,
  method: 'auto',
  maxSteps: 100_000,
  minStepRelative: 1e-13,
};

/** Why a solve could not finish. A solve never returns a NaN state instead. */
export type SolveFailure =
  | { kind: 'non-finite'; atHour: number; detail: string }
  | { kind: 'step-size-underflow'; atHour: number; stepHours: number; lastRejection: string }
  | { kind: 'too-many-steps'; atHour: number; steps: number }
  /** The explicit method found the problem stiff and stopped so that an implicit one can take over. */
  | { kind: 'stiff'; atHour: number };

export function describeFailure(f: SolveFailure): string {
  switch (f.kind) {
    case 'non-finite':
      return `non-finite value at t=${f.atHour} h: ${f.detail}`;
    case 'step-size-underflow':
      return `step size fell to ${f.stepHours} h at t=${f.atHour} h (${f.lastRejection})`;
    case 'too-many-steps':
      return `more than ${f.steps} steps, stopped at t=${f.atHour} h`;
    case 'stiff':
      return `the problem turned stiff at t=${f.atHour} h`;
  }
}

/** Step inputs: u(t_n + s) = base + slope * s within one step (inputs are linear between samples). */
export interface StepInputs {
  base: Float64Array;
  slope: Float64Array;
}

/** One integration method, as the step driver sees it. */
export interface Stepper {
  readonly method: MethodName;
  /** The model's input that is the time t (its last), or -1: the step driver sets it. */
  readonly timeInput: number;
  /** The lower order of the embedded pair; the controller uses err ~ h^(order+1). */
  readonly embeddedOrder: number;
  /** Floats this method records per accepted step, for its gradient and dense output. */
  readonly stepRecordLength: number;
  /**
   * Tries one step of size h from x: writes the new state into xNew, the local error estimate into err,
   * and its step record at record[offset...]. Returns false when a non-finite value appeared.
   */
  attempt(
    p: Float64Array,
    inputs: StepInputs,
    x: Float64Array,
    h: number,
    xNew: Float64Array,
    err: Float64Array,
    record: Float64Array,
    offset: number,
  ): boolean;
  /** The last attempt was accepted (lets FSAL methods reuse their last stage). */
  accepted(): void;
  /** Drops any stage cached from the previous step. */
  reset(): void;
  /** True once the method has seen enough evidence that the problem is stiff for it. */
  stiffnessDetected(): boolean;
  rhsEvaluations: number;
  jacobianEvaluations: number;
}
