/**
 * PI step-size control (Hairer, Nørsett & Wanner, II.4, and Gustafsson): the new step follows the
 * current error and the previous accepted one, which damps the oscillation of a plain I controller.
 */
export interface StepSizeController {
  /** log of the previous accepted error norm, floored at 1e-4. */
  logPreviousError: number;
}

const safety = 0.9;
const maxGrowth = 10;
const maxShrink = 0.2;
const beta = 0.04;
const logErrorFloor = Math.log(1e-4);

export function createStepSizeController(): StepSizeController {
  return { logPreviousError: Math.log(1e-4) };
}

/** Proposes the next step after an error norm `err` (1 = exactly at tolerance). */
export function proposeStep(
  c: StepSizeController,
  h: number,
  err: number,
  embeddedOrder: number,
  accepted: boolean,
): number {
  const q = embeddedOrder + 1;
  if (!(err > 0)) return h * maxGrowth;
  const alpha = 1 / q - 0.75 * beta;
  // In logs: one log and one exp instead of two non-integer powers per step.
  const logErr = Math.log(err);
  if (accepted) {
    const factor = safety * Math.exp(-alpha * logErr + beta * c.logPreviousError);
    c.logPreviousError = Math.max(logErr, logErrorFloor);
    return h * Math.min(maxGrowth, Math.max(maxShrink, factor));
  }
  // After a rejection never grow the step.
  return h * Math.min(1, Math.max(maxShrink, safety * Math.exp(-alpha * logErr)));
}
