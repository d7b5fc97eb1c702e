/**
 * Refused MQTT connections, publishes and subscriptions: counted, and logged as warnings with the
 * client id, username and topic (never a password) — at most `linesPerWindow` lines per window, so a
 * device retrying in a loop cannot flood the log; what was held back is summed up when the window ends.
 */
import type { Logger } from 'pino';

export type RefusalKind = 'connection' | 'publish' | 'subscribe';

/** Why the embedded broker refused (server/README.md, "Bad input"). */
export const mqttRefusalReasons = [
  'bad-password',
  'unknown-user',
  'no-credentials',
  'busy',
  'service-client-id',
  'client-id-in-use',
  'not-granted',
  'not-logged-in',
  'tls-handshake',
  'invalid-utf8',
  'null-character',
] as const;
export type MqttRefusalReason = (typeof mqttRefusalReasons)[number];

export interface MqttRefusalMetrics {
  refusedConnections: number;
  refusedPublishes: number;
  refusedSubscribes: number;
}

export interface Refusal {
  kind: RefusalKind;
  clientId: string | undefined;
  username: string | undefined;
  /** The topic of a publish, or the filter of a subscription. */
  topic?: string;
  reason: MqttRefusalReason;
  /** More about it, where there is more (the TLS error). */
  detail?: string;
}

const messages: Record<RefusalKind, string> = {
  connection: 'MQTT connection refused',
  publish: 'MQTT publish refused',
  subscribe: 'MQTT subscription refused',
};

export class RefusalLog {
  private readonly counts: Record<RefusalKind, number> = { connection: 0, publish: 0, subscribe: 0 };
  private windowStartMs = 0;
  private linesInWindow = 0;
  private suppressed: Record<RefusalKind, number> = { connection: 0, publish: 0, subscribe: 0 };
  private summaryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: Logger,
    private readonly linesPerWindow = 20,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  refused(refusal: Refusal): void {
    this.counts[refusal.kind]++;
    const now = this.now();
    if (now - this.windowStartMs >= this.windowMs) {
      this.flushSuppressed();
      this.windowStartMs = now;
      this.linesInWindow = 0;
    }
    if (this.linesInWindow < this.linesPerWindow) {
      this.linesInWindow++;
      const { kind, clientId, username, topic, reason, detail } = refusal;
      this.log.warn(
        {
          clientId,
          username,
          ...(topic !== undefined && { topic }),
          reason,
          ...(detail !== undefined && { detail }),
        },
        messages[kind],
      );
      return;
    }
    this.suppressed[refusal.kind]++;
    if (!this.summaryTimer) {
      this.summaryTimer = setTimeout(
        () => {
          this.summaryTimer = undefined;
          this.flushSuppressed();
        },
        this.windowMs - (now - this.windowStartMs),
      );
      this.summaryTimer.unref();
    }
  }

  metrics(): MqttRefusalMetrics {
    return {
      refusedConnections: this.counts.connection,
      refusedPublishes: this.counts.publish,
      refusedSubscribes: this.counts.subscribe,
    };
  }

  close(): void {
    if (this.summaryTimer) clearTimeout(this.summaryTimer);
    this.summaryTimer = undefined;
    this.flushSuppressed();
  }

  private flushSuppressed(): void {
    const { connection, publish, subscribe } = this.suppressed;
    if (connection + publish + subscribe === 0) return;
    this.log.warn(
      { connections: connection, publishes: publish, subscriptions: subscribe },
      'more MQTT refusals, not logged one by one',
    );
    this.suppressed = { connection: 0, publish: 0, subscribe: 0 };
  }
}
