/** When to try a failed delivery again: exponential backoff with jitter, from seconds up to a cap. */

export interface RetryBackoff {
  /** Delay after the first failure, before jitter. */
  initialMs: number;
  /** The cap (an hour by default). */
  maxMs: number;
}

export const defaultRetryBackoff: RetryBackoff = { initialMs: 2_000, maxMs: 3_600_000 };

/**
 * The delay after the `failures`-th failed attempt (1 for the first): "equal jitter" — half of
 * initial·2^(failures−1) (capped) for sure, the other half at random — so retries of many endpoints
 * spread out but never come back sooner than half the nominal delay. A server's `Retry-After` is
 * honoured up to the cap.
 */
export function retryDelayMs(
  failures: number,
  backoff: RetryBackoff,
  random: () => number = Math.random,
  retryAfterMs?: number,
): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 52);
  const nominal = Math.min(backoff.maxMs, backoff.initialMs * 2 ** exponent);
  const jittered = nominal / 2 + random() * (nominal / 2);
  const delay = retryAfterMs !== undefined && retryAfterMs > jittered ? retryAfterMs : jittered;
  return Math.round(Math.min(delay, backoff.maxMs));
}

/** `Retry-After` as seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}
