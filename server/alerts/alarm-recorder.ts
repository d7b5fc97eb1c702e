/**
 * Writes alarm changes: the alarm row, its event, and the webhook notifications the event causes,
 * all in one SQLite transaction, so a notification exists exactly when its change does.
 */
import type Database from 'better-sqlite3';
import type { AlarmEventView, AlarmView } from '../../contract/api';
import type { AlarmEventRow, AlarmRow, AlertStatements, NewAlarmRow } from '../../db/alert-statements';
import type { WebhookStatements } from '../../db/webhook-statements';
import { enqueueNotifications } from '../webhooks/webhook-outbox';
import { type AlarmSnapshot, type AlarmTransition, alarmStatus } from './alarm-lifecycle';

export interface RecordedTransition extends AlarmTransition {
  alarmId: number;
  eventId: number;
  /** Webhook notifications queued with it. */
  notificationsQueued: number;
}

/** A change to write: a transition, or an update of an active alarm (same condition, newer numbers). */
export type AlarmChange =
  | { kind: 'transition'; transition: AlarmTransition }
  | { kind: 'update'; alarm: AlarmSnapshot; wallMs: number };

export interface AlarmRecorderOptions {
  sqlite: Database.Database;
  alerts: AlertStatements;
  webhooks: WebhookStatements;
  /** Where the dashboard is reached, for the links in notifications (asked at each change). */
  externalUrl: string | (() => string);
}

export class AlarmRecorder {
  constructor(private readonly options: AlarmRecorderOptions) {}

  /** All the changes in one transaction; returns the transitions with their ids. */
  record(changes: readonly AlarmChange[]): RecordedTransition[] {
    if (changes.length === 0) return [];
    const { alerts, sqlite } = this.options;
    return sqlite.transaction(() => {
      const recorded: RecordedTransition[] = [];
      for (const change of changes) {
        if (change.kind === 'update') {
          const existing = alerts.alarmOfReactorRule(change.alarm.reactorId, change.alarm.ruleId);
          if (existing) alerts.updateAlarm(existing.id, alarmRowFields(change.alarm, change.wallMs));
          continue;
        }
        recorded.push(this.writeTransition(change.transition));
      }
      return recorded;
    })();
  }

  private writeTransition(transition: AlarmTransition): RecordedTransition {
    const { alerts, webhooks } = this.options;
    const { alarm } = transition;
    const existing = alerts.alarmOfReactorRule(alarm.reactorId, alarm.ruleId);
    const fields = alarmRowFields(alarm, transition.atMs);
    let alarmId: number;
    if (existing) {
      alarmId = existing.id;
      alerts.updateAlarm(alarmId, fields);
    } else {
      alarmId = alerts.insertAlarm(fields);
    }
    const eventId = alerts.insertAlarmEvent({
      alarmId,
      reactorId: alarm.reactorId,
      ruleId: alarm.ruleId,
      kind: transition.kind,
      actor: transition.actor,
      atMs: transition.atMs,
      evidenceAtMs: transition.evidenceAtMs,
      severity: alarm.severity,
      summary: alarm.summary,
      valuesJson: valuesJson(alarm.values),
      active: alarm.active,
      acknowledged: alarm.acknowledged,
    });
    const notificationsQueued = enqueueNotifications(
      webhooks,
      {
        alarmId,
        alarm,
        event: {
          id: eventId,
          kind: transition.kind,
          actor: transition.actor,
          atMs: transition.atMs,
          evidenceAtMs: transition.evidenceAtMs,
        },
        externalUrl:
          typeof this.options.externalUrl === 'string'
            ? this.options.externalUrl
            : this.options.externalUrl(),
      },
      transition.atMs,
    );
    return { ...transition, alarmId, eventId, notificationsQueued };
  }
}

function alarmRowFields(alarm: AlarmSnapshot, wallMs: number): NewAlarmRow {
  return {
    reactorId: alarm.reactorId,
    ruleId: alarm.ruleId,
    ruleName: alarm.ruleName,
    ruleKind: alarm.ruleKind,
    severity: alarm.severity,
    active: alarm.active,
    acknowledged: alarm.acknowledged,
    firedAtMs: alarm.firedAtMs,
    evidenceFiredAtMs: alarm.evidenceFiredAtMs,
    clearedAtMs: alarm.clearedAtMs,
    clearedBy: alarm.clearedBy,
    acknowledgedAtMs: alarm.acknowledgedAtMs,
    acknowledgedBy: alarm.acknowledgedBy,
    lastEvidenceAtMs: alarm.lastEvidenceAtMs,
    summary: alarm.summary,
    valuesJson: valuesJson(alarm.values),
    fireCount: alarm.fireCount,
    updatedAtMs: wallMs,
  };
}

export function alarmSnapshotFromRow(row: AlarmRow): AlarmSnapshot {
  return {
    reactorId: row.reactorId,
    ruleId: row.ruleId,
    ruleName: row.ruleName,
    ruleKind: row.ruleKind,
    severity: row.severity,
    active: row.active,
    acknowledged: row.acknowledged,
    firedAtMs: row.firedAtMs,
    evidenceFiredAtMs: row.evidenceFiredAtMs,
    clearedAtMs: row.clearedAtMs,
    clearedBy: row.clearedBy,
    acknowledgedAtMs: row.acknowledgedAtMs,
    acknowledgedBy: row.acknowledgedBy,
    lastEvidenceAtMs: row.lastEvidenceAtMs,
    summary: row.summary,
    values: parseValues(row.valuesJson),
    fireCount: row.fireCount,
  };
}

export function alarmView(row: AlarmRow): AlarmView {
  return { id: row.id, ...alarmSnapshotFromRow(row), status: alarmStatus(row) };
}

export function alarmEventView(row: AlarmEventRow): AlarmEventView {
  return {
    id: row.id,
    alarmId: row.alarmId,
    reactorId: row.reactorId,
    ruleId: row.ruleId,
    kind: row.kind,
    actor: row.actor,
    atMs: row.atMs,
    evidenceAtMs: row.evidenceAtMs,
    severity: row.severity,
    summary: row.summary,
    values: parseValues(row.valuesJson),
    active: row.active,
    acknowledged: row.acknowledged,
  };
}

/** Only finite numbers: JSON would turn NaN into null. */
function valuesJson(values: Record<string, number>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(values).filter(([, v]) => Number.isFinite(v))));
}

/** A recorded transition as the API and socket.io show an alarm event. */
export function transitionEventView(t: RecordedTransition): AlarmEventView {
  return {
    id: t.eventId,
    alarmId: t.alarmId,
    reactorId: t.alarm.reactorId,
    ruleId: t.alarm.ruleId,
    kind: t.kind,
    actor: t.actor,
    atMs: t.atMs,
    evidenceAtMs: t.evidenceAtMs,
    severity: t.alarm.severity,
    summary: t.alarm.summary,
    values: t.alarm.values,
    active: t.alarm.active,
    acknowledged: t.alarm.acknowledged,
  };
}

function parseValues(json: string): Record<string, number> {
  const parsed: unknown = JSON.parse(json);
  if (typeof parsed !== 'object' || parsed === null) return {};
  return Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === 'number'));
}
