/**
 * The embedded broker's accounts: the service's own (a plain secret it holds in memory), the demo
 * simulator's (likewise), and the devices' (scrypt hashes from `MQTT_DEVICES`).
 *
 * The dashboard's device accounts (device-accounts.ts) are looked up at each login, so that a new one
 * works at once and a revoked one is refused at once.
 *
 * A scrypt verification costs ~128 MiB and a few hundred ms, so a reconnect storm must not pay it per
 * connection: a verified (username, stored hash, SHA-256 of the password) is remembered, and so is a
 * refused one (the stored hash in the key: a name made again with a new password starts afresh). At most `maxConcurrentHashes` verifications
 * run at once; beyond `maxWaiting` queued ones the broker answers "server unavailable" at once.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { hashPassword, randomSecret, verifyPassword } from '../auth/password-hash';
import type { TopicGrant } from './topic-acl';

export type MqttCredential = { kind: 'secret'; password: string } | { kind: 'scrypt'; hash: string };

export interface MqttAccount {
  username: string;
  credential: MqttCredential;
  grant: TopicGrant;
}

export type LoginResult =
  | { ok: true; account: MqttAccount }
  | { ok: false; reason: 'unknown-user' | 'bad-password' | 'no-credentials' | 'busy' };

export interface AccountsOptions {
  maxConcurrentHashes?: number;
  maxWaiting?: number;
  /** Refused (username, password digest) pairs remembered, oldest forgotten first. */
  maxRememberedFailures?: number;
  /** Accounts made while the process runs (the dashboard's), looked up after the fixed ones. */
  lookup?: (username: string) => MqttAccount | undefined;
}

function sha256(data: Buffer | string): Buffer {
  return createHash('sha256').update(data).digest();
}

export class MqttAccounts {
  private readonly byName = new Map<string, MqttAccount>();
  private readonly verified = new Set<string>();
  private readonly refused = new Set<string>();
  private readonly inFlight = new Map<string, Promise<boolean | 'busy'>>();
  private running = 0;
  private decoyHash: Promise<string> | undefined;
  /** Verifications waiting for a slot; a finished one hands its slot to the first. */
  private readonly waiting: (() => void)[] = [];
  private readonly maxConcurrentHashes: number;
  private readonly maxWaiting: number;
  private readonly maxRememberedFailures: number;
  private readonly lookup: (username: string) => MqttAccount | undefined;
  readonly counters = { hashVerifications: 0, cacheHits: 0 };

  constructor(accounts: readonly MqttAccount[], options: AccountsOptions = {}) {
    for (const account of accounts) {
      if (this.byName.has(account.username)) throw new Error(`MQTT account ${account.username} given twice`);
      this.byName.set(account.username, account);
    }
    this.maxConcurrentHashes = options.maxConcurrentHashes ?? 2;
    this.maxWaiting = options.maxWaiting ?? 64;
    this.maxRememberedFailures = options.maxRememberedFailures ?? 10_000;
    this.lookup = options.lookup ?? (() => undefined);
  }

  async login(username: string | undefined, password: Buffer | undefined): Promise<LoginResult> {
    if (username === undefined || password === undefined) return { ok: false, reason: 'no-credentials' };
    const account = this.byName.get(username) ?? this.lookup(username);
    if (!account) {
      // An unknown name costs a hash as a known one does, so the answer's timing does not tell which names exist.
      this.decoyHash ??= hashPassword(randomSecret());
      const outcome = await this.verifyOnce(username, password, await this.decoyHash);
      return { ok: false, reason: outcome === 'busy' ? 'busy' : 'unknown-user' };
    }
    const { credential } = account;
    if (credential.kind === 'secret') {
      // Digests have equal lengths, so the comparison takes the same time whatever was sent.
      const ok = timingSafeEqual(sha256(password), sha256(credential.password));
      return ok ? { ok: true, account } : { ok: false, reason: 'bad-password' };
    }
    const outcome = await this.verifyOnce(username, password, credential.hash);
    if (outcome === 'busy') return { ok: false, reason: 'busy' };
    return outcome ? { ok: true, account } : { ok: false, reason: 'bad-password' };
  }

  /** A remembered outcome for this name and password, or a verification shared by everyone asking at once. */
  private async verifyOnce(username: string, password: Buffer, hash: string): Promise<boolean | 'busy'> {
    const key = `${username}\u0000${hash}\u0000${sha256(password).toString('hex')}`;
    if (this.verified.has(key) || this.refused.has(key)) {
      this.counters.cacheHits++;
      return this.verified.has(key);
    }
    // Connections of one device at once (a reconnect storm) share one verification.
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.verifyInTurn(key, password, hash);
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  /** Waits for a slot, verifies, remembers the outcome; `busy` when too many are waiting already. */
  private async verifyInTurn(key: string, password: Buffer, hash: string): Promise<boolean | 'busy'> {
    try {
      if (!(await this.acquireSlot())) return 'busy';
      let ok: boolean;
      try {
        this.counters.hashVerifications++;
        ok = await verifyPassword(password.toString('utf8'), hash).catch(() => false);
      } finally {
        this.releaseSlot();
      }
      if (ok) this.verified.add(key);
      else {
        this.refused.add(key);
        if (this.refused.size > this.maxRememberedFailures) {
          const oldest = this.refused.values().next().value;
          if (oldest !== undefined) this.refused.delete(oldest);
        }
      }
      return ok;
    } finally {
      this.inFlight.delete(key);
    }
  }

  private async acquireSlot(): Promise<boolean> {
    if (this.running < this.maxConcurrentHashes) {
      this.running++;
      return true;
    }
    if (this.waiting.length >= this.maxWaiting) return false;
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    return true;
  }

  private releaseSlot(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
