/**
 * Failed logins counted per username and per client address over a sliding 15 minutes. Past the
 * limit, logins for that name or from that address are refused (429) until the oldest failure ages
 * out, before any password is checked, so guessing costs the attacker time and us no scrypt. An
 * address gets five times a name's allowance: a control room behind one NAT shares it.
 */
const windowMs = 15 * 60_000;
/** Keys remembered at most; the stalest are dropped past it, so a flood cannot grow memory. */
const maxKeys = 50_000;
const addressAllowanceFactor = 5;

export class LoginRateLimit {
  private readonly failures = new Map<string, number[]>();

  /** `maxFailures` per username in 15 minutes. */
  constructor(private readonly maxFailures: number) {}

  /** Milliseconds until a login may be tried again; 0 when allowed now. */
  retryAfterMs(address: string, username: string, nowMs = Date.now()): number {
    let wait = 0;
    const limits: [string, number][] = [
      [`a:${address}`, this.maxFailures * addressAllowanceFactor],
      [`u:${username.toLowerCase()}`, this.maxFailures],
    ];
    for (const [key, limit] of limits) {
      const times = this.recent(key, nowMs);
      if (times.length >= limit) wait = Math.max(wait, times[times.length - limit] + windowMs - nowMs);
    }
    return wait;
  }

  failed(address: string, username: string, nowMs = Date.now()): void {
    for (const key of [`a:${address}`, `u:${username.toLowerCase()}`]) {
      const times = this.recent(key, nowMs);
      times.push(nowMs);
      this.failures.delete(key);
      this.failures.set(key, times);
    }
    while (this.failures.size > maxKeys) {
      const oldest = this.failures.keys().next().value as string;
      this.failures.delete(oldest);
    }
  }

  /** A right password forgives the username's failures, not the address's. */
  succeeded(username: string): void {
    this.failures.delete(`u:${username.toLowerCase()}`);
  }

  private recent(key: string, nowMs: number): number[] {
    const times = (this.failures.get(key) ?? []).filter((t) => t > nowMs - windowMs);
    if (times.length === 0) this.failures.delete(key);
    return times;
  }
}
