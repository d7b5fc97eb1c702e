/**
 * Request signing as Grafana's webhook contact point does it with a timestamp header: the hex
 * HMAC-SHA256 of `timestamp + ":" + body` under the endpoint's secret, the timestamp in Unix seconds.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const signatureHeader = 'X-Grafana-Alerting-Signature';
export const timestampHeader = 'X-Grafana-Alerting-Timestamp';
/** The same on every attempt of one notification: a receiver drops what it has already seen. */
export const idempotencyHeader = 'Idempotency-Key';

export function webhookSignature(secret: string, timestampSeconds: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}:${body}`).digest('hex');
}

/**
 * What a receiver does (and the tests): recompute and compare in constant time. `maxAgeSeconds`
 * refuses an old timestamp, against replays.
 */
export function verifyWebhookSignature(
  secret: string,
  timestampSeconds: string,
  body: string,
  signatureHex: string,
  options: { nowMs?: number; maxAgeSeconds?: number } = {},
): boolean {
  if (!/^\d{1,12}$/.test(timestampSeconds) || !/^[0-9a-f]{64}$/.test(signatureHex)) return false;
  if (options.maxAgeSeconds !== undefined) {
    const ageSeconds = (options.nowMs ?? Date.now()) / 1000 - Number(timestampSeconds);
    if (Math.abs(ageSeconds) > options.maxAgeSeconds) return false;
  }
  const expected = Buffer.from(webhookSignature(secret, timestampSeconds, body), 'hex');
  return timingSafeEqual(expected, Buffer.from(signatureHex, 'hex'));
}
