import { type DisplayUnit, shownValue } from '../../contract/display-units';

const superscriptDigits: Record<string, string> = {
  '-': '⁻',
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
  '.': '·',
};

/** −4 → ⁻⁴, 0.5 → ⁰·⁵. */
export function superscript(n: number): string {
  return [...Number(n.toFixed(2)).toString()].map((c) => superscriptDigits[c] ?? c).join('');
}

/** Numbers for operators: a few significant figures, no exponent unless the value needs one. */
export function formatNumber(value: number | null | undefined, significant = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e5 || abs < 1e-3) {
    const [mantissa, exponent] = value.toExponential(significant - 1).split('e');
    return `${mantissa}×10${superscript(Number(exponent))}`;
  }
  const digits = Math.max(0, significant - 1 - Math.floor(Math.log10(abs)));
  return value.toFixed(Math.min(digits, 6));
}

/** A stored value in its display unit, with the unit: `2.31 %`, `93.1 biomass conc.`. */
export function formatQuantity(
  stored: number | null | undefined,
  unit: DisplayUnit,
  significant = 3,
): string {
  if (stored === null || stored === undefined || !Number.isFinite(stored)) return '—';
  const shown = shownValue(unit, stored);
  const text = unit.decimals !== undefined ? shown.toFixed(unit.decimals) : formatNumber(shown, significant);
  return unit.symbol ? `${text} ${unit.symbol}` : text;
}

/** Milliseconds of work, as "850 ms" or "2.4 s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
