/**
 * The plant's true parameters over time: plant values times any number of linear ramps. A ramp moves
 * one parameter by `factor` over `durationH` hours from `startH`, then holds it; ramps on the same
 * parameter multiply.
 */
export interface ParameterRamp {
  parameter: string;
  startH: number;
  durationH: number;
  factor: number;
}

export function rampMultiplierAt(ramp: ParameterRamp, timeH: number): number {
  if (timeH <= ramp.startH) return 1;
  if (ramp.durationH <= 0 || timeH >= ramp.startH + ramp.durationH) return ramp.factor;
  return 1 + ((ramp.factor - 1) * (timeH - ramp.startH)) / ramp.durationH;
}

/** Writes every parameter's value at timeH into out (model order). */
export function parameterValuesAt(
  names: readonly string[],
  base: Float64Array,
  ramps: readonly ParameterRamp[],
  timeH: number,
  out: Float64Array,
): void {
  out.set(base);
  for (const ramp of ramps) {
    const index = names.indexOf(ramp.parameter);
    out[index] *= rampMultiplierAt(ramp, timeH);
  }
}
