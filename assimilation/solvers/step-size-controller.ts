/**
 * PI step-size control (Hairer, Nørsett & Wanner, II.4, and Gustafsson): the new step follows the
 * current error and the previous accepted one, which damps the oscillation of a plain I controller.
 */
export interface StepSizeController {
  /** Previous accepted error norm, floored. */
  previousError: number;
}

const safety = 0.9;
const maxGrowth = 10;
const maxShrink = 0.2;
const beta = 0.04;

export function createStepSizeController(): StepSizeController {
  return { previousError: 1e-4 };
}

/** Proposes the next step after an error norm `err` (1 = exactly at tolerance). */
export function proposeStep(c: StepSizeController, h: number, err: number, embeddedOrder: number, accepted: boolean): number {
  const q = embeddedOrder + 1;
  if (!(err > 0)) return h * maxGrowth;
  const alpha = 1 / q - 0.75 * beta;
  let factor = safety * err ** -alpha;
  if (accepted) {
    factor *= c.previousError ** beta;
    c.previousError = Math.max(err, 1e-4);
    return h * Math.min(maxGrowth, Math.max(maxShrink, factor));
  }
  // After a rejection never grow the step.
  return h * Math.min(1, Math.max(maxShrink, factor));
}
