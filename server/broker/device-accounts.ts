/**
 * The devices' accounts on the embedded broker: those an operator makes in the dashboard (stored,
 * with a scrypt hash of a generated password shown once), beside the fixed ones of `MQTT_DEVICES` and
 * the demo simulator (read-only here). The broker looks the stored ones up at each login, so a new
 * account works at once; revoking one refuses its next login and closes its open connections.
 *
 * Also when each device last logged in and last published: kept in memory as it happens and written
 * at most every `activityWriteEveryMs` per device, so that the publish path costs no write per message.
 */
import type { Logger } from 'pino';
import {
  type CreatedDeviceAccount,
  type DeviceAccountView,
  deviceUsernamePattern,
  deviceUsernameRule,
  everyReactor,
} from '../../contract/devices';
import type { DeviceAccountRow, DeviceStatements } from '../../db/device-statements';
import { hashPassword, randomSecret } from '../auth/password-hash';
import { HttpError } from '../http/http-error';
import type { DeviceActivitySink } from './embedded-broker';
import type { MqttAccount } from './mqtt-accounts';

const activityWriteEveryMs = 5_000;

/** Why a request to make or revoke an account was refused, counted for /metrics. */
export const deviceAccountRefusalReasons = [
  /** Not JSON of the request's shape. */
  'malformed',
  'bad-name',
  'name-taken',
  'bad-reactors',
  'unknown-reactor',
  'not-managed',
  'unknown-account',
  'not-revocable',
] as const;
export type DeviceAccountRefusalReason = (typeof deviceAccountRefusalReasons)[number];

/** An account fixed at start: `MQTT_DEVICES`'s or the demo simulator's. */
export interface FixedDevice {
  username: string;
  reactors: readonly string[] | 'all';
  source: 'environment' | 'simulator';
}

/** What the running embedded broker tells and does for the accounts (resolve-broker.ts attaches it). */
export interface BrokerSessions {
  disconnect(username: string): number;
  connections(username: string): number;
}

export interface DeviceAccountsOptions {
  statements: DeviceStatements;
  /** A reactor that has sent readings. */
  knownReactor(id: string): boolean;
  logger: Logger;
}

interface Activity {
  connectedAtMs: number | null;
  publishedAtMs: number | null;
  /** When a publish time was last written (a login is written always). */
  publishWrittenAtMs: number;
}

export class DeviceAccounts {
  private readonly statements: DeviceStatements;
  private readonly log: Logger;
  private readonly activity = new Map<string, Activity>();
  private readonly refusedCounts = new Map<DeviceAccountRefusalReason, number>(
    deviceAccountRefusalReasons.map((r) => [r, 0]),
  );
  private fixed: readonly FixedDevice[] = [];
  /** Every username the broker holds at start, the service's included: not to be taken. */
  private reserved = new Set<string>();
  private broker: BrokerSessions | undefined;

  constructor(private readonly options: DeviceAccountsOptions) {
    this.statements = options.statements;
    this.log = options.logger.child({ job: 'device-accounts' });
    for (const row of this.statements.activity.all())
      this.activity.set(row.username, {
        connectedAtMs: row.lastConnectedAtMs,
        publishedAtMs: row.lastPublishedAtMs,
        publishWrittenAtMs: 0,
      });
  }

  /** The embedded broker with accounts is running: accounts can be made, and revoking closes connections. */
  attach(broker: BrokerSessions, fixed: readonly FixedDevice[], reservedUsernames: readonly string[]): void {
    this.broker = broker;
    this.fixed = fixed;
    this.reserved = new Set([...reservedUsernames, ...fixed.map((d) => d.username)]);
  }

  /** Whether this service makes the broker's accounts (the embedded broker, AUTH on). */
  get managed(): boolean {
    return this.broker !== undefined;
  }

  /** A live (unrevoked) dashboard account, for the broker's login. */
  lookup(username: string): MqttAccount | undefined {
    const row = this.statements.account.get(username);
    if (!row || row.revokedAtMs !== null) return undefined;
    const reactors = reactorsOf(row);
    return {
      username: row.username,
      credential: { kind: 'scrypt', hash: row.passwordHash },
      grant: { kind: 'device', reactors: reactors === everyReactor ? 'all' : new Set(reactors) },
    };
  }

  /** The broker's sink for logins and publishes. */
  readonly sink: DeviceActivitySink = {
    connected: (username) => this.seen(username, 'connectedAtMs'),
    published: (username) => this.seen(username, 'publishedAtMs'),
  };

  list(): DeviceAccountView[] {
    const stored = this.statements.accounts.all().map((row): DeviceAccountView => {
      return {
        ...this.seenView(row.username),
        username: row.username,
        reactors: reactorsOf(row),
        source: 'dashboard',
        createdAtMs: row.createdAtMs,
        createdBy: row.createdBy,
        revokedAtMs: row.revokedAtMs,
      };
    });
    const fixed = this.fixed.map(
      (device): DeviceAccountView => ({
        ...this.seenView(device.username),
        username: device.username,
        reactors: device.reactors === 'all' ? everyReactor : [...device.reactors],
        source: device.source,
        createdAtMs: null,
        createdBy: null,
        revokedAtMs: null,
      }),
    );
    return [...fixed, ...stored];
  }

  async create(username: string, reactors: readonly string[], by: string): Promise<CreatedDeviceAccount> {
    if (!this.managed)
      this.refuse(
        409,
        'not-managed',
        'the service makes no device accounts here',
        'an external broker (MQTT_URL) or AUTH=off: the broker keeps its own accounts',
        username,
      );
    if (!deviceUsernamePattern.test(username))
      this.refuse(400, 'bad-name', 'bad device name', `the name must be ${deviceUsernameRule}`, username);
    if (this.reserved.has(username))
      this.refuse(
        409,
        'name-taken',
        'name taken',
        `“${username}” is an account of the environment (MQTT_DEVICES) or of the service`,
        username,
      );
    const existing = this.statements.account.get(username);
    if (existing)
      this.refuse(
        409,
        'name-taken',
        'name taken',
        existing.revokedAtMs === null
          ? `a device “${username}” exists already`
          : `“${username}” was revoked; names are not reused, so that the record stays clear: choose another`,
        username,
      );
    const grant = this.checkReactors(reactors, username);
    const password = randomSecret(24);
    const hash = await hashPassword(password);
    const now = Date.now();
    // Checked again after the hash's wait: two requests for one name at once make one account.
    if (this.statements.account.get(username))
      this.refuse(409, 'name-taken', 'name taken', `a device “${username}” exists already`, username);
    this.statements.insertAccount.run(
      username,
      hash,
      JSON.stringify(grant === everyReactor ? everyReactor : grant),
      now,
      by,
    );
    this.log.info({ device: username, reactors: grant, by }, 'device account created');
    const view = this.list().find((d) => d.source === 'dashboard' && d.username === username);
    if (!view) throw new Error(`device account ${username} not found after its insert`);
    return { ...view, password };
  }

  revoke(username: string, by: string): void {
    const row = this.statements.account.get(username);
    if (!row) {
      if (this.reserved.has(username))
        this.refuse(
          409,
          'not-revocable',
          'set in the environment',
          `“${username}” comes from MQTT_DEVICES (or is the service's): change the environment and restart`,
          username,
        );
      this.refuse(404, 'unknown-account', 'unknown device', `no device account “${username}”`, username);
    }
    if (row.revokedAtMs !== null)
      this.refuse(409, 'not-revocable', 'already revoked', `“${username}” is revoked already`, username);
    this.statements.revokeAccount.run(Date.now(), username);
    const closed = this.broker?.disconnect(username) ?? 0;
    this.log.info({ device: username, by, connectionsClosed: closed }, 'device account revoked');
  }

  /** Refusals of make and revoke requests since start, by reason. */
  refusals(): Record<DeviceAccountRefusalReason, number> {
    return Object.fromEntries(this.refusedCounts) as Record<DeviceAccountRefusalReason, number>;
  }

  /** The reactors granted: known ones, or `*` alone. */
  private checkReactors(reactors: readonly string[], username: string): string[] | typeof everyReactor {
    if (reactors.length === 0)
      this.refuse(
        400,
        'bad-reactors',
        'no reactors',
        'grant at least one reactor, or every reactor (*)',
        username,
      );
    if (reactors.includes(everyReactor)) {
      if (reactors.length > 1)
        this.refuse(
          400,
          'bad-reactors',
          'every reactor stands alone',
          '“*” grants every reactor: give it alone',
          username,
        );
      return everyReactor;
    }
    if (new Set(reactors).size !== reactors.length)
      this.refuse(400, 'bad-reactors', 'a reactor twice', 'each reactor once', username);
    const unknown = reactors.filter((id) => !this.options.knownReactor(id));
    if (unknown.length > 0)
      this.refuse(
        400,
        'unknown-reactor',
        'unknown reactor',
        `${unknown.map((id) => `“${id}”`).join(', ')} ${unknown.length === 1 ? 'has' : 'have'} sent no readings; grant every reactor (*) for a reactor not seen yet`,
        username,
      );
    return [...reactors];
  }

  /** Counts, logs and throws the refusal (the route's 4xx). */
  refuse(
    status: number,
    reason: DeviceAccountRefusalReason,
    error: string,
    detail: string,
    username: string,
  ): never {
    this.refusedCounts.set(reason, (this.refusedCounts.get(reason) ?? 0) + 1);
    this.log.warn({ device: username.slice(0, 100), reason, detail }, 'device account request refused');
    throw new HttpError(status, error, detail);
  }

  private seen(username: string, field: 'connectedAtMs' | 'publishedAtMs'): void {
    const now = Date.now();
    let activity = this.activity.get(username);
    if (!activity) {
      activity = { connectedAtMs: null, publishedAtMs: null, publishWrittenAtMs: 0 };
      this.activity.set(username, activity);
    }
    activity[field] = now;
    const writePublish =
      field === 'publishedAtMs' && now - activity.publishWrittenAtMs >= activityWriteEveryMs;
    if (field === 'connectedAtMs' || writePublish) {
      if (writePublish) activity.publishWrittenAtMs = now;
      try {
        this.statements.upsertActivity.run(username, activity.connectedAtMs, activity.publishedAtMs);
      } catch (error) {
        // A busy or full database must not stop the broker: the time stays in memory.
        this.log.error({ err: error, device: username }, 'could not store when a device was last seen');
      }
    }
  }

  private seenView(
    username: string,
  ): Pick<DeviceAccountView, 'lastConnectedAtMs' | 'lastPublishedAtMs' | 'connected'> {
    const activity = this.activity.get(username);
    return {
      lastConnectedAtMs: activity?.connectedAtMs ?? null,
      lastPublishedAtMs: activity?.publishedAtMs ?? null,
      connected: this.broker?.connections(username) ?? 0,
    };
  }
}

function reactorsOf(row: DeviceAccountRow): string[] | typeof everyReactor {
  return JSON.parse(row.reactors) as string[] | typeof everyReactor;
}
