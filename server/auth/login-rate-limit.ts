/**
 * Failed logins counted per username and per client address over a sliding 15 minutes. Past the
 * limit, logins for that name or from that address are refused (429) until the oldest failure ages
 * out, before any password is checked, so guessing costs the attacker time and us no scrypt. An
 * address gets five times a name's allowance: a control room behind one NAT shares it. One process
 * keeps the failures in memory (`LoginRateLimit`); the web processes of the scaled deployment keep
 * them in their shared database (`SharedLoginRateLimit`), so that spreading guesses over them gains
 * nothing.
 */
import type { LoginFailureStore } from '../../db/auth-statements';

const windowMs = 15 * 60_000;
/** Keys remembered at most; the stalest are dropped past it, so a flood cannot grow memory. */
const maxKeys = 50_000;
const addressAllowanceFactor = 5;

/** What the auth API asks of a limit, in memory or shared. */
export interface LoginLimit {
  /** Milliseconds until a login may be tried again; 0 when allowed now. */
  retryAfterMs(address: string, username: string): number | Promise<number>;
  failed(address: string, username: string): void | Promise<void>;
  /** A right password forgives the username's failures, not the address's. */
  succeeded(username: string): void | Promise<void>;
}

/** The keys a login counts against, each with its allowance. */
function limitsOf(maxFailures: number, address: string, username: string): [string, number][] {
  return [
    [`a:${address}`, maxFailures * addressAllowanceFactor],
    [`u:${username.toLowerCase()}`, maxFailures],
  ];
}

/** The wait the failures (each key's recent times, oldest first) impose at nowMs. */
function waitFor(limits: [string, number][], recentOf: (key: string) => number[], nowMs: number): number {
  let wait = 0;
  for (const [key, limit] of limits) {
    const times = recentOf(key);
    if (times.length >= limit) wait = Math.max(wait, times[times.length - limit] + windowMs - nowMs);
  }
  return wait;
}

export class LoginRateLimit implements LoginLimit {
  private readonly failures = new Map<string, number[]>();

  /** `maxFailures` per username in 15 minutes. */
  constructor(private readonly maxFailures: number) {}

  /** Milliseconds until a login may be tried again; 0 when allowed now. */
  retryAfterMs(address: string, username: string, nowMs = Date.now()): number {
    const limits = limitsOf(this.maxFailures, address, username);
    return waitFor(limits, (key) => this.recent(key, nowMs), nowMs);
  }

  failed(address: string, username: string, nowMs = Date.now()): void {
    for (const [key] of limitsOf(this.maxFailures, address, username)) {
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

export class SharedLoginRateLimit implements LoginLimit {
  constructor(
    private readonly store: LoginFailureStore,
    private readonly maxFailures: number,
  ) {}

  async retryAfterMs(address: string, username: string, nowMs = Date.now()): Promise<number> {
    const limits = limitsOf(this.maxFailures, address, username);
    const recent = await this.store.recent(
      limits.map(([key]) => key),
      nowMs - windowMs,
    );
    return waitFor(limits, (key) => recent.get(key) ?? [], nowMs);
  }

  failed(address: string, username: string, nowMs = Date.now()): Promise<void> {
    const keys = limitsOf(this.maxFailures, address, username).map(([key]) => key);
    return this.store.add(keys, nowMs, nowMs - windowMs);
  }

  succeeded(username: string): Promise<void> {
    return this.store.forget(`u:${username.toLowerCase()}`);
  }
}
