/**
 * Webhook endpoints as operators write them (validated) and as the API shows them: never with the
 * secret. `redactedUrl` is the only form of a URL that goes into logs.
 */
import { z } from 'zod';
import {
  type AlarmSeverity,
  alarmSeverities,
  type WebhookDeliveryView,
  type WebhookEndpointView,
} from '../../contract/api';
import type { WebhookEndpointRow } from '../../db/webhook-statements';
import { httpUrl, plainText } from '../http/request-input';

const fields = {
  name: plainText(120),
  url: httpUrl,
  secret: z.string().min(16, 'at least 16 characters').max(512),
  severities: z
    .array(z.enum(alarmSeverities))
    .min(1)
    .transform((list) => [...new Set(list)]),
  enabled: z.boolean(),
};

export const newWebhookEndpointSchema = z.strictObject({
  ...fields,
  severities: fields.severities.default([...alarmSeverities]),
  enabled: fields.enabled.default(true),
});

export const webhookEndpointPatchSchema = z
  .strictObject({
    name: fields.name.optional(),
    url: fields.url.optional(),
    secret: fields.secret.optional(),
    severities: fields.severities.optional(),
    enabled: fields.enabled.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, { message: 'nothing to change' });

export type NewWebhookEndpoint = z.output<typeof newWebhookEndpointSchema>;
export type WebhookEndpointPatch = z.output<typeof webhookEndpointPatchSchema>;

export function endpointSeverities(row: Pick<WebhookEndpointRow, 'severitiesJson'>): AlarmSeverity[] {
  const parsed: unknown = JSON.parse(row.severitiesJson);
  return Array.isArray(parsed) ? parsed.filter((s): s is AlarmSeverity => alarmSeverities.includes(s)) : [];
}

export function webhookEndpointView(
  row: WebhookEndpointRow,
  pendingCount: number,
  lastAttempt: WebhookDeliveryView | null,
): WebhookEndpointView {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    severities: endpointSeverities(row),
    enabled: row.enabled,
    hasSecret: true,
    createdAtMs: row.createdAtMs,
    updatedAtMs: row.updatedAtMs,
    pendingCount,
    lastAttempt,
  };
}

/** Scheme, host, port and path: no user, password, query or fragment, which may carry tokens. */
export function redactedUrl(text: string): string {
  try {
    const url = new URL(text);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return '(unparsable url)';
  }
}
