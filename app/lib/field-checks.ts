/**
 * Form fields checked before anything is sent: each problem names the field and says what is
 * allowed, in the unit the field is typed in.
 */
export interface NumberLimits {
  min?: number;
  max?: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
  integer?: boolean;
}

/** A limit as written: 0.25, 72, 10080. */
const n = (x: number) => String(Number(x.toPrecision(6)));

/** What the limits allow, in words: "a number above 0 and below 100 %", "a whole number from 1 to 1000". */
export function allowedWords(limits: NumberLimits, unitSymbol = ''): string {
  const unit = unitSymbol ? ` ${unitSymbol}` : '';
  const what = limits.integer ? 'a whole number' : 'a number';
  const { min, max } = limits;
  if (min !== undefined && max !== undefined) {
    if (!limits.minExclusive && !limits.maxExclusive) return `${what} from ${n(min)} to ${n(max)}${unit}`;
    return `${what} ${limits.minExclusive ? 'above' : 'from'} ${n(min)} and ${limits.maxExclusive ? 'below' : 'up to'} ${n(max)}${unit}`;
  }
  if (min !== undefined) return `${what} ${limits.minExclusive ? 'above' : 'of at least'} ${n(min)}${unit}`;
  if (max !== undefined) return `${what} ${limits.maxExclusive ? 'below' : 'of at most'} ${n(max)}${unit}`;
  return `${what}${unit ? ` in${unit}` : ''}`;
}

/** Why `text` does not fit `limits` (naming the field by `label`), or null when it does. */
export function numberProblem(
  label: string,
  text: string,
  limits: NumberLimits,
  options: { optional?: boolean; unitSymbol?: string } = {},
): string | null {
  const t = text.trim();
  const allowed = allowedWords(limits, options.unitSymbol);
  if (t === '') return options.optional ? null : `${label}: empty; type ${allowed}.`;
  const x = Number(t);
  if (!Number.isFinite(x)) return `${label}: “${t}” is not a number; type ${allowed}.`;
  const { min, max } = limits;
  const tooLow = min !== undefined && (limits.minExclusive ? x <= min : x < min);
  const tooHigh = max !== undefined && (limits.maxExclusive ? x >= max : x > max);
  if (tooLow || tooHigh || (limits.integer && !Number.isInteger(x)))
    return `${label}: ${t}${options.unitSymbol ? ` ${options.unitSymbol}` : ''} is not allowed; type ${allowed}.`;
  return null;
}
