/**
 * Logs rejected input once per burst, not once per message: the first rejection of a quiet period
 * is logged with its details, and when the burst window closes one line sums up the rest by reason.
 * A stream of bad input therefore costs two log lines per window.
 */
import type { Logger } from 'pino';
import type { Rejection, RejectionReason } from './rejection-reasons';

interface Burst {
  count: number;
  byReason: Partial<Record<RejectionReason, number>>;
  timer: NodeJS.Timeout;
}

export class RejectionBurstLog {
  private burst: Burst | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly windowMs = 10_000,
  ) {}

  note(rejection: Rejection): void {
    if (this.burst) {
      this.burst.count++;
      this.burst.byReason[rejection.reason] = (this.burst.byReason[rejection.reason] ?? 0) + 1;
      return;
    }
    this.logger.warn(
      {
        reason: rejection.reason,
        detail: rejection.detail,
        topic: rejection.topic,
        payload: rejection.payloadExcerpt.slice(0, 120),
      },
      'rejected input',
    );
    const timer = setTimeout(() => this.closeBurst(), this.windowMs);
    timer.unref();
    this.burst = { count: 1, byReason: { [rejection.reason]: 1 }, timer };
  }

  /** Logs the summary of an open burst now. */
  closeBurst(): void {
    const burst = this.burst;
    if (!burst) return;
    clearTimeout(burst.timer);
    this.burst = undefined;
    if (burst.count > 1) {
      this.logger.warn({ rejected: burst.count, byReason: burst.byReason }, 'rejected input burst');
    }
  }
}
