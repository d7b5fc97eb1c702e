/**
 * Candidate dilution programs inside the operator's limits: steps (a square wave), ramps (a
 * triangle wave) and pulses, each with a chosen period, around the plant's present dilution and
 * around the middle of the allowed range. Every set point is made by a slew limiter that clamps each
 * move to the allowed rate and each value to the allowed range, so no program can leave its limits;
 * `programViolations` checks that independently.
 */
import type { DilutionLimits, DilutionProgram, ProgramShape } from './design-types';

/** Set points every 15 minutes: the plant's reading interval, at which the dilution is sampled. */
export const programGridH = 0.25;
export const defaultPeriodsH = [4, 6, 8, 12, 24] as const;
const tolerance = 1e-12;

/** Why the limits themselves cannot be used, or null. */
export function limitsProblem(limits: DilutionLimits): string | null {
  const { minPerHour, maxPerHour, maxChangePerHour, maxDurationH } = limits;
  if (![minPerHour, maxPerHour, maxChangePerHour, maxDurationH].every(Number.isFinite))
    return 'every limit must be a finite number';
  if (!(minPerHour > 0)) return 'the lowest dilution must be > 0 1/h';
  if (!(maxPerHour > minPerHour)) return 'the highest dilution must be above the lowest';
  if (!(maxChangePerHour > 0)) return 'the rate of change must be > 0 1/h per h';
  if (!(maxDurationH > 0)) return 'the longest program must be > 0 h';
  return null;
}

/** Where a program breaks its limits, in words; empty when it keeps them. */
export function programViolations(program: DilutionProgram, limits: DilutionLimits): string[] {
  const out: string[] = [];
  const step = limits.maxChangePerHour * program.gridH;
  program.perHour.forEach((d, k) => {
    if (!Number.isFinite(d)) out.push(`set point ${k} is not a number`);
    if (d < limits.minPerHour - tolerance || d > limits.maxPerHour + tolerance)
      out.push(`set point ${k} (${d} 1/h) outside ${limits.minPerHour}–${limits.maxPerHour} 1/h`);
    if (k > 0 && Math.abs(d - program.perHour[k - 1]) > step + tolerance)
      out.push(`set point ${k} changes faster than ${limits.maxChangePerHour} 1/h per h`);
  });
  if (program.durationH > limits.maxDurationH + tolerance)
    out.push(`runs ${program.durationH} h, longer than ${limits.maxDurationH} h`);
  const last = program.perHour[program.perHour.length - 1];
  if (Math.abs(last - program.perHour[0]) > tolerance) out.push('does not end where it started');
  return out;
}

/** Nothing done: the dilution held where it is. */
export function holdProgram(startH: number, startPerHour: number): DilutionProgram {
  return {
    shape: 'hold',
    periodH: 0,
    lowPerHour: startPerHour,
    highPerHour: startPerHour,
    startH,
    gridH: programGridH,
    perHour: [startPerHour],
    durationH: 0,
  };
}

/**
 * Every candidate program: each shape × period, around the present dilution and around the middle
 * of the range, none longer than `horizonH` or the limits' duration. A reason instead when the plant
 * is outside the limits now (a program would have to start outside them).
 */
export function candidatePrograms(
  startH: number,
  startPerHour: number,
  limits: DilutionLimits,
  horizonH: number,
  periodsH: readonly number[] = defaultPeriodsH,
): DilutionProgram[] | { refused: string } {
  const problem = limitsProblem(limits);
  if (problem) return { refused: problem };
  const { minPerHour: min, maxPerHour: max } = limits;
  if (startPerHour < min - tolerance || startPerHour > max + tolerance)
    return {
      refused: `the dilution is ${startPerHour.toPrecision(3)} 1/h now, outside the limits ${min}–${max} 1/h: no program can start inside them`,
    };
  const centres = [startPerHour, (min + max) / 2].filter(
    (c, i, all) => all.findIndex((o) => Math.abs(o - c) < 1e-6) === i,
  );
  const lengthH = Math.min(limits.maxDurationH, horizonH);
  const out: DilutionProgram[] = [];
  for (const centre of centres) {
    const amplitude = Math.min(centre - min, max - centre);
    for (const shape of ['steps', 'ramps', 'pulses'] as const) {
      // A pulse goes to the bound with more room; the waves swing both ways.
      const up = max - centre >= centre - min;
      const low = shape === 'pulses' ? (up ? centre : min) : centre - amplitude;
      const high = shape === 'pulses' ? (up ? max : centre) : centre + amplitude;
      if (high - low < 1e-6) continue;
      for (const periodH of periodsH) {
        if (periodH > lengthH) continue;
        const program = slewLimited(shape, periodH, low, high, centre, startH, startPerHour, lengthH, limits);
        if (program) out.push(program);
      }
    }
  }
  return out;
}

/** The pattern's wanted value at hour `s` into it (before the rate limit). */
function patternAt(
  shape: ProgramShape,
  s: number,
  periodH: number,
  low: number,
  high: number,
  centre: number,
) {
  const phase = (s / periodH) % 1;
  switch (shape) {
    case 'steps':
      return phase < 0.5 ? high : low;
    case 'ramps': {
      // centre → high → centre → low → centre, linear.
      const a = (high - low) / 2;
      const tri = phase < 0.25 ? 4 * phase : phase < 0.75 ? 2 - 4 * phase : 4 * phase - 4;
      return centre + a * tri;
    }
    case 'pulses':
      return phase < 0.25 ? (high > centre ? high : low) : centre;
    case 'hold':
      return centre;
  }
}

function slewLimited(
  shape: ProgramShape,
  periodH: number,
  low: number,
  high: number,
  centre: number,
  startH: number,
  startPerHour: number,
  lengthH: number,
  limits: DilutionLimits,
): DilutionProgram | null {
  const step = limits.maxChangePerHour * programGridH;
  const farthest = Math.max(Math.abs(high - startPerHour), Math.abs(low - startPerHour));
  const returnH = Math.ceil(farthest / step - 1e-9) * programGridH;
  const patternEndH = lengthH - returnH;
  if (patternEndH < periodH / 2) return null;
  const count = Math.round(lengthH / programGridH);
  const perHour = [startPerHour];
  let d = startPerHour;
  for (let k = 1; k <= count; k++) {
    const s = k * programGridH;
    const wanted = s <= patternEndH + 1e-9 ? patternAt(shape, s, periodH, low, high, centre) : startPerHour;
    d += Math.max(-step, Math.min(step, wanted - d));
    d = Math.max(limits.minPerHour, Math.min(limits.maxPerHour, d));
    perHour.push(d);
  }
  // The slew limiter reaches the start value within returnH; snap the last tiny remainder.
  if (Math.abs(perHour[perHour.length - 1] - startPerHour) > 1e-9) return null;
  perHour[perHour.length - 1] = startPerHour;
  return {
    shape,
    periodH,
    lowPerHour: low,
    highPerHour: high,
    startH,
    gridH: programGridH,
    perHour,
    durationH: lengthH,
  };
}

/** The program as an input series over [startH, endH]: its set points, then held. */
export function programSeries(program: DilutionProgram, endH: number): { t: Float64Array; v: Float64Array } {
  const t: number[] = [];
  const v: number[] = [];
  program.perHour.forEach((d, k) => {
    t.push(program.startH + k * program.gridH);
    v.push(d);
  });
  const last = t[t.length - 1];
  if (endH > last + 1e-9) {
    t.push(endH);
    v.push(v[v.length - 1]);
  } else if (t.length === 1) {
    t.push(last + program.gridH);
    v.push(v[0]);
  }
  return { t: Float64Array.from(t), v: Float64Array.from(v) };
}
