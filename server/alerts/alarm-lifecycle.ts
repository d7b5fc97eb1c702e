/**
 * The alarm lifecycle, after ThingsBoard, as pure functions: an alarm is active or cleared, and
 * acknowledged or not; there is one per reactor and rule. A condition must hold for the rule's
 * pending time before the alarm fires, and be gone for its keep-firing time before it clears, so a
 * noisy signal near a threshold does not flap. Operators acknowledge and clear; every change is a
 * transition with its time and actor.
 */
import type { AlarmSeverity } from '../../contract/api';
import type { AlertRule } from './alert-rules';
import { minuteMs, ruleDisplayName } from './alert-rules';
import type { ConditionObservation } from './rule-conditions';

/**
 * Where a reactor's rule stands: `inactive` (condition false), `pending` (true, not yet for long
 * enough), `firing` (alarm active), `resolving` (alarm active, condition gone, not yet for long enough).
 */
export type ConditionPhase = 'inactive' | 'pending' | 'firing' | 'resolving';

export interface ConditionTracker {
  phase: ConditionPhase;
  /** Evidence-clock ms at which the phase began. */
  sinceMs: number;
  /** Newest evidence-clock ms seen: evidence is never older than this (a late reading counts as now). */
  lastAtMs: number;
}

export const idleTracker: ConditionTracker = {
  phase: 'inactive',
  sinceMs: Number.NEGATIVE_INFINITY,
  lastAtMs: Number.NEGATIVE_INFINITY,
};

export interface AlarmSnapshot {
  reactorId: string;
  ruleId: string;
  ruleName: string;
  ruleKind: string;
  severity: AlarmSeverity;
  active: boolean;
  acknowledged: boolean;
  /** Wall clock. */
  firedAtMs: number;
  evidenceFiredAtMs: number | null;
  clearedAtMs: number | null;
  clearedBy: string | null;
  acknowledgedAtMs: number | null;
  acknowledgedBy: string | null;
  lastEvidenceAtMs: number | null;
  summary: string;
  values: Record<string, number>;
  fireCount: number;
}

export type AlarmTransitionKind = 'fired' | 'acknowledged' | 'cleared';

export const systemActor = 'system';

export interface AlarmTransition {
  kind: AlarmTransitionKind;
  actor: string;
  /** Wall clock. */
  atMs: number;
  evidenceAtMs: number | null;
  /** The alarm after the change. */
  alarm: AlarmSnapshot;
}

export interface AlarmStep {
  tracker: ConditionTracker;
  alarm: AlarmSnapshot | null;
  transition: AlarmTransition | null;
  /** The alarm's summary, values or severity changed without a transition (the condition repeated). */
  updated: boolean;
}

/**
 * One observation of a rule's condition for one reactor. The tracker is reconciled with the alarm
 * first, so an active alarm read back after a restart carries on as `firing`.
 */
export function stepAlarm(
  rule: AlertRule,
  reactorId: string,
  tracker: ConditionTracker,
  alarm: AlarmSnapshot | null,
  observation: ConditionObservation,
  wallMs: number,
): AlarmStep {
  const atMs = Math.max(observation.atMs, tracker.lastAtMs);
  const pendingMs = rule.pendingMinutes * minuteMs;
  const keepFiringMs = rule.keepFiringMinutes * minuteMs;
  let phase = reconcile(tracker.phase, alarm);
  let sinceMs = phase === tracker.phase ? tracker.sinceMs : atMs;
  const next = (p: ConditionPhase, since: number): ConditionTracker => ({
    phase: p,
    sinceMs: since,
    lastAtMs: atMs,
  });

  if (observation.holds) {
    if (phase === 'inactive') {
      phase = 'pending';
      sinceMs = atMs;
    }
    if (phase === 'pending') {
      if (atMs - sinceMs < pendingMs)
        return { tracker: next('pending', sinceMs), alarm, transition: null, updated: false };
      const fired = fire(rule, reactorId, alarm, observation, atMs, wallMs);
      return {
        tracker: next('firing', atMs),
        alarm: fired,
        transition: { kind: 'fired', actor: systemActor, atMs: wallMs, evidenceAtMs: atMs, alarm: fired },
        updated: false,
      };
    }
    // firing, or resolving and back: the same alarm, brought up to date.
    const updated = refresh(rule, alarm!, observation, atMs);
    return {
      tracker: next('firing', phase === 'firing' ? sinceMs : atMs),
      alarm: updated,
      transition: null,
      updated: true,
    };
  }

  if (phase === 'inactive' || phase === 'pending') {
    return { tracker: next('inactive', atMs), alarm, transition: null, updated: false };
  }
  if (phase === 'firing') {
    phase = 'resolving';
    sinceMs = atMs;
  }
  if (atMs - sinceMs < keepFiringMs) {
    return { tracker: next('resolving', sinceMs), alarm, transition: null, updated: false };
  }
  const cleared: AlarmSnapshot = {
    ...alarm!,
    active: false,
    clearedAtMs: wallMs,
    clearedBy: systemActor,
    lastEvidenceAtMs: atMs,
    summary: observation.summary,
    values: observation.values,
  };
  return {
    tracker: next('inactive', atMs),
    alarm: cleared,
    transition: { kind: 'cleared', actor: systemActor, atMs: wallMs, evidenceAtMs: atMs, alarm: cleared },
    updated: false,
  };
}

function reconcile(phase: ConditionPhase, alarm: AlarmSnapshot | null): ConditionPhase {
  if (alarm?.active) return phase === 'resolving' ? 'resolving' : 'firing';
  return phase === 'pending' ? 'pending' : 'inactive';
}

function fire(
  rule: AlertRule,
  reactorId: string,
  previous: AlarmSnapshot | null,
  observation: ConditionObservation,
  atMs: number,
  wallMs: number,
): AlarmSnapshot {
  return {
    reactorId,
    ruleId: rule.id,
    ruleName: ruleDisplayName(rule),
    ruleKind: rule.kind,
    severity: rule.severity,
    active: true,
    acknowledged: false,
    firedAtMs: wallMs,
    evidenceFiredAtMs: atMs,
    clearedAtMs: null,
    clearedBy: null,
    acknowledgedAtMs: null,
    acknowledgedBy: null,
    lastEvidenceAtMs: atMs,
    summary: observation.summary,
    values: observation.values,
    fireCount: (previous?.fireCount ?? 0) + 1,
  };
}

function refresh(
  rule: AlertRule,
  alarm: AlarmSnapshot,
  observation: ConditionObservation,
  atMs: number,
): AlarmSnapshot {
  return {
    ...alarm,
    ruleName: ruleDisplayName(rule),
    severity: rule.severity,
    lastEvidenceAtMs: atMs,
    summary: observation.summary,
    values: observation.values,
  };
}

/** A new alarm's identity; `stepAlarm` fills in the rest when it fires. */
export function alarmFor(reactorId: string, rule: AlertRule): AlarmSnapshot {
  return {
    reactorId,
    ruleId: rule.id,
    ruleName: ruleDisplayName(rule),
    ruleKind: rule.kind,
    severity: rule.severity,
    active: false,
    acknowledged: false,
    firedAtMs: 0,
    evidenceFiredAtMs: null,
    clearedAtMs: null,
    clearedBy: null,
    acknowledgedAtMs: null,
    acknowledgedBy: null,
    lastEvidenceAtMs: null,
    summary: '',
    values: {},
    fireCount: 0,
  };
}

export type OperatorAction = { ok: true; transition: AlarmTransition } | { ok: false; reason: string };

/** An operator acknowledges: active or cleared, the alarm becomes acknowledged. */
export function acknowledgeAlarm(alarm: AlarmSnapshot, actor: string, wallMs: number): OperatorAction {
  if (alarm.fireCount === 0) return { ok: false, reason: 'the alarm has never fired' };
  if (alarm.acknowledged) return { ok: false, reason: `already acknowledged by ${alarm.acknowledgedBy}` };
  const after: AlarmSnapshot = {
    ...alarm,
    acknowledged: true,
    acknowledgedAtMs: wallMs,
    acknowledgedBy: actor,
  };
  return {
    ok: true,
    transition: { kind: 'acknowledged', actor, atMs: wallMs, evidenceAtMs: null, alarm: after },
  };
}

/**
 * An operator clears an active alarm. Its condition is then watched afresh: if it still holds, the
 * alarm fires again after the pending time.
 */
export function clearAlarm(alarm: AlarmSnapshot, actor: string, wallMs: number): OperatorAction {
  if (!alarm.active) return { ok: false, reason: `already cleared by ${alarm.clearedBy}` };
  const after: AlarmSnapshot = { ...alarm, active: false, clearedAtMs: wallMs, clearedBy: actor };
  return { ok: true, transition: { kind: 'cleared', actor, atMs: wallMs, evidenceAtMs: null, alarm: after } };
}

export type AlarmStatus =
  | 'active-unacknowledged'
  | 'active-acknowledged'
  | 'cleared-unacknowledged'
  | 'cleared-acknowledged';

export function alarmStatus(alarm: Pick<AlarmSnapshot, 'active' | 'acknowledged'>): AlarmStatus {
  return `${alarm.active ? 'active' : 'cleared'}-${alarm.acknowledged ? 'acknowledged' : 'unacknowledged'}`;
}
