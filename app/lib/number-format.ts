/** Numbers for operators: a few significant figures, no exponent unless the value needs one. */
export function formatNumber(value: number | null | undefined, significant = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e5 || abs < 1e-3) return value.toExponential(significant - 1).replace('e', '×10^');
  const digits = Math.max(0, significant - 1 - Math.floor(Math.log10(abs)));
  return value.toFixed(Math.min(digits, 6));
}

export function formatPercent(fraction: number | null | undefined, digits = 1): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '—';
  return `${(fraction * 100).toFixed(digits)} %`;
}

/** Milliseconds of work, as "850 ms" or "2.4 s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
