/** What the HTTP port refuses before (or instead of) a route's own answer, counted by reason for /metrics. */

export const httpRefusalReasons = [
  /** 413: an announced Content-Length, or a body read so far, over the body limit. */
  'body-too-large',
  /** 400: a body that is not UTF-8. */
  'body-not-utf8',
  /** 400: a body that is not JSON. */
  'body-not-json',
  /** 408: the request line and headers, or the whole request, came too slowly. */
  'request-timeout',
  /** No answer: a connection with nothing sent either way for the idle timeout is closed. */
  'idle-timeout',
  /** 431: headers past Node's 16 KiB. */
  'headers-too-large',
  /** 400: what Node's HTTP parser cannot read (a control character in the request line, a bad length…). */
  'malformed-request',
  /** 503: one client holds too many connections already. */
  'too-many-connections',
  /** No answer: the client went away before its request was read (logged at info). */
  'client-aborted',
] as const;

export type HttpRefusalReason = (typeof httpRefusalReasons)[number];

export class HttpRefusals {
  private readonly counts = new Map<HttpRefusalReason, number>(httpRefusalReasons.map((r) => [r, 0]));

  refused(reason: HttpRefusalReason): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
  }

  metrics(): Record<HttpRefusalReason, number> {
    return Object.fromEntries(this.counts) as Record<HttpRefusalReason, number>;
  }
}
