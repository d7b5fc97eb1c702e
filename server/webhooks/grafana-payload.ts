/**
 * The notification body, shaped like Grafana's webhook contact point (alertmanager's webhook with
 * Grafana's additions), so existing receivers work: one alert per notification, the alarm's
 * transition in `annotations` and in the extra `culturewatch` block.
 */
import { createHash } from 'node:crypto';
import type { AlarmSnapshot, AlarmTransitionKind } from '../alerts/alarm-lifecycle';

export interface GrafanaAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  /** Grafana's zero time while firing. */
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
  silenceURL: string;
  dashboardURL: string;
  panelURL: string;
  values: Record<string, number>;
}

export interface GrafanaWebhookBody {
  receiver: string;
  status: 'firing' | 'resolved';
  orgId: number;
  alerts: GrafanaAlert[];
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  version: '1';
  groupKey: string;
  truncatedAlerts: number;
  title: string;
  state: 'alerting' | 'ok';
  message: string;
  /** Not in Grafana's schema (receivers ignore it): which change this is. */
  culturewatch: {
    eventId: number;
    alarmId: number;
    transition: AlarmTransitionKind;
    actor: string;
    atMs: number;
    evidenceAtMs: number | null;
    fireCount: number;
  };
}

export interface NotificationSource {
  alarmId: number;
  alarm: AlarmSnapshot;
  event: { id: number; kind: AlarmTransitionKind; actor: string; atMs: number; evidenceAtMs: number | null };
  /** The receiver's name (the endpoint's). */
  receiver: string;
  /** Where the dashboard is reached, without a trailing slash. */
  externalUrl: string;
}

const zeroTime = '0001-01-01T00:00:00Z';

/** Stable per reactor and rule: the same alarm keeps its fingerprint through every episode. */
export function alarmFingerprint(reactorId: string, ruleId: string): string {
  return createHash('sha256').update(`${reactorId}\u0000${ruleId}`).digest('hex').slice(0, 16);
}

export function grafanaWebhookBody(source: NotificationSource): GrafanaWebhookBody {
  const { alarm, event, externalUrl } = source;
  const status = alarm.active ? 'firing' : 'resolved';
  const labels = {
    alertname: alarm.ruleName,
    reactor: alarm.reactorId,
    rule_id: alarm.ruleId,
    rule_kind: alarm.ruleKind,
    severity: alarm.severity,
  };
  const annotations: Record<string, string> = {
    summary: alarm.summary,
    transition: event.kind,
    actor: event.actor,
    acknowledged: String(alarm.acknowledged),
  };
  if (alarm.acknowledgedBy) annotations.acknowledged_by = alarm.acknowledgedBy;
  if (alarm.clearedBy && !alarm.active) annotations.cleared_by = alarm.clearedBy;
  if (event.evidenceAtMs !== null) annotations.evidence_time = new Date(event.evidenceAtMs).toISOString();
  const reactorUrl = `${externalUrl}/reactors/${encodeURIComponent(alarm.reactorId)}`;
  const alert: GrafanaAlert = {
    status,
    labels,
    annotations,
    startsAt: new Date(alarm.firedAtMs).toISOString(),
    endsAt: alarm.active || alarm.clearedAtMs === null ? zeroTime : new Date(alarm.clearedAtMs).toISOString(),
    generatorURL: `${externalUrl}/alerts?alarm=${source.alarmId}`,
    fingerprint: alarmFingerprint(alarm.reactorId, alarm.ruleId),
    silenceURL: '',
    dashboardURL: reactorUrl,
    panelURL: '',
    values: alarm.values,
  };
  const groupLabels = { alertname: alarm.ruleName, reactor: alarm.reactorId };
  const title = `[${status.toUpperCase()}:1] ${alarm.ruleName} (${alarm.reactorId} ${alarm.severity})`;
  return {
    receiver: source.receiver,
    status,
    orgId: 1,
    alerts: [alert],
    groupLabels,
    commonLabels: labels,
    commonAnnotations: annotations,
    externalURL: externalUrl,
    version: '1',
    groupKey: `{}:{alertname=${JSON.stringify(alarm.ruleName)}, reactor=${JSON.stringify(alarm.reactorId)}}`,
    truncatedAlerts: 0,
    title,
    state: status === 'firing' ? 'alerting' : 'ok',
    message: `${title}: ${event.kind} by ${event.actor} — ${alarm.summary}`,
    culturewatch: {
      eventId: event.id,
      alarmId: source.alarmId,
      transition: event.kind,
      actor: event.actor,
      atMs: event.atMs,
      evidenceAtMs: event.evidenceAtMs,
      fireCount: alarm.fireCount,
    },
  };
}
