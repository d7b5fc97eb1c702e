/**
 * Largest-Triangle-Three-Buckets (Steinarsson 2013): keeps the first and last points and, from each
 * of `threshold − 2` equal buckets in between, the point that makes the largest triangle with the
 * point kept before it and the mean of the next bucket. Keeps peaks a plain stride would drop.
 * Returns the indices kept, increasing.
 */
export function lttbIndices(t: ArrayLike<number>, v: ArrayLike<number>, threshold: number): number[] {
  const n = t.length;
  if (threshold >= n || threshold < 3) {
    if (threshold >= n) return Array.from({ length: n }, (_, i) => i);
    return n === 0 ? [] : threshold <= 1 ? [0] : [0, n - 1];
  }
  const kept: number[] = [0];
  const bucketSize = (n - 2) / (threshold - 2);
  let a = 0;
  for (let b = 0; b < threshold - 2; b++) {
    const start = Math.floor(b * bucketSize) + 1;
    const end = Math.min(Math.floor((b + 1) * bucketSize) + 1, n - 1);
    // Mean of the next bucket (the last point for the last bucket).
    const nextStart = end;
    const nextEnd = Math.min(Math.floor((b + 2) * bucketSize) + 1, n);
    let meanT = 0;
    let meanV = 0;
    const count = Math.max(1, nextEnd - nextStart);
    for (let i = nextStart; i < nextStart + count; i++) {
      meanT += t[i];
      meanV += v[i];
    }
    meanT /= count;
    meanV /= count;
    const at = t[a];
    const av = v[a];
    let best = start;
    let bestArea = -1;
    for (let i = start; i < end; i++) {
      const area = Math.abs((at - meanT) * (v[i] - av) - (at - t[i]) * (meanV - av));
      if (area > bestArea) {
        bestArea = area;
        best = i;
      }
    }
    kept.push(best);
    a = best;
  }
  kept.push(n - 1);
  return kept;
}
