/**
 * The alerts and webhooks API (contract/api.ts, "Alerts and webhooks"): alarms and their history,
 * acknowledge and clear, the rules, the webhook endpoints and their attempt log; and the estimator
 * settings. Requests go through api-client.ts, which adds the CSRF token to every change.
 */
import type {
  AlarmView,
  AlertRuleView,
  AlertsResponse,
  EstimatorSettingsRequest,
  EstimatorSettingsView,
  RulePreview,
  WebhookDeliveryView,
  WebhookEndpointRequest,
  WebhookEndpointView,
  WebhookTestResult,
} from '../../contract/api';
import { jsonBody, requestJson, requestVoid } from './api-client';

export type AlarmListState = 'active' | 'all';

export function fetchAlerts(
  options: { state: AlarmListState; reactorId?: string; limit?: number },
  signal?: AbortSignal,
): Promise<AlertsResponse> {
  const search = new URLSearchParams({ state: options.state, limit: String(options.limit ?? 200) });
  if (options.reactorId) search.set('reactor', options.reactorId);
  return requestJson(`/api/alerts?${search}`, { signal });
}

/** 409 when it does not apply any more (already acknowledged, already cleared). */
export function alarmAction(alarmId: number, action: 'acknowledge' | 'clear'): Promise<AlarmView> {
  return requestJson(`/api/alerts/${alarmId}/${action}`, jsonBody('POST', {}));
}

export type AlertRule = AlertRuleView['rule'];

export function fetchAlertRules(): Promise<AlertRuleView[]> {
  return requestJson('/api/alert-rules');
}

/** Creates or replaces the rule; 400 `malformed rule` names every problem. */
export function putAlertRule(rule: AlertRule): Promise<AlertRuleView> {
  return requestJson(`/api/alert-rules/${encodeURIComponent(rule.id)}`, jsonBody('PUT', { rule }));
}

/** The rule replayed over the stored history of the last `days` (nothing is saved). */
export function previewAlertRule(rule: AlertRule, days = 7): Promise<RulePreview> {
  return requestJson('/api/alert-rules/preview', jsonBody('POST', { rule, days }));
}

export function deleteAlertRule(id: string): Promise<void> {
  return requestVoid(`/api/alert-rules/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export function fetchWebhooks(): Promise<WebhookEndpointView[]> {
  return requestJson('/api/webhooks');
}

export function createWebhook(request: WebhookEndpointRequest): Promise<WebhookEndpointView> {
  return requestJson('/api/webhooks', jsonBody('POST', request));
}

export function patchWebhook(
  id: number,
  patch: Partial<WebhookEndpointRequest>,
): Promise<WebhookEndpointView> {
  return requestJson(`/api/webhooks/${id}`, jsonBody('PATCH', patch));
}

export function deleteWebhook(id: number): Promise<void> {
  return requestVoid(`/api/webhooks/${id}`, { method: 'DELETE' });
}

/** A signed test notification to the endpoint now (outside the outbox): what it answered. */
export function sendWebhookTest(id: number): Promise<WebhookTestResult> {
  return requestJson(`/api/webhooks/${id}/test`, jsonBody('POST', {}));
}

export function fetchWebhookDeliveries(id: number, limit = 50): Promise<WebhookDeliveryView[]> {
  return requestJson(`/api/webhooks/${id}/deliveries?limit=${limit}`);
}

export function fetchEstimatorSettings(): Promise<EstimatorSettingsView> {
  return requestJson('/api/estimator-settings');
}

export function putEstimatorSettings(request: EstimatorSettingsRequest): Promise<EstimatorSettingsView> {
  return requestJson('/api/estimator-settings', jsonBody('PUT', request));
}
