import { describe, expect, it } from 'vitest';
import {
  type AlarmSnapshot,
  acknowledgeAlarm,
  alarmStatus,
  type ConditionTracker,
  clearAlarm,
  idleTracker,
  stepAlarm,
} from '../../server/alerts/alarm-lifecycle';
import { type AlertRule, parseAlertRule } from '../../server/alerts/alert-rules';
import type { ConditionObservation } from '../../server/alerts/rule-conditions';

const minute = 60_000;

const rule = (pendingMinutes: number, keepFiringMinutes: number): AlertRule =>
  parseAlertRule({
    id: 'od-high',
    kind: 'reading-range',
    signal: 'od',
    max: 1,
    severity: 'major',
    pendingMinutes,
    keepFiringMinutes,
  });

const seen = (holds: boolean, atMinutes: number, value = holds ? 2 : 0.5): ConditionObservation => ({
  holds,
  atMs: atMinutes * minute,
  summary: `od ${value}`,
  values: { value },
});

/** Feeds observations in order; returns the transitions with the evidence minute they happened at. */
function run(r: AlertRule, observations: ConditionObservation[], alarm: AlarmSnapshot | null = null) {
  let tracker: ConditionTracker = idleTracker;
  const transitions: { kind: string; atMinute: number }[] = [];
  for (const [i, o] of observations.entries()) {
    const step = stepAlarm(r, 'r1', tracker, alarm, o, 1_000_000 + i);
    tracker = step.tracker;
    alarm = step.alarm;
    if (step.transition) transitions.push({ kind: step.transition.kind, atMinute: o.atMs / minute });
  }
  return { tracker, alarm, transitions };
}

describe('alarm lifecycle', () => {
  it('fires only after the condition has held for the pending time', () => {
    const r = rule(10, 0);
    const early = run(r, [seen(true, 0), seen(true, 5), seen(true, 9)]);
    expect(early.transitions).toEqual([]);
    expect(early.tracker.phase).toBe('pending');
    expect(early.alarm).toBeNull();
    const fired = run(r, [seen(true, 0), seen(true, 5), seen(true, 10)]);
    expect(fired.transitions).toEqual([{ kind: 'fired', atMinute: 10 }]);
    expect(fired.alarm).toMatchObject({ active: true, acknowledged: false, fireCount: 1, reactorId: 'r1' });
    expect(fired.alarm?.evidenceFiredAtMs).toBe(10 * minute);
  });

  it('restarts the pending time when the condition lapses', () => {
    const r = rule(10, 0);
    const { transitions, tracker } = run(r, [
      seen(true, 0),
      seen(true, 8),
      seen(false, 9),
      seen(true, 12),
      seen(true, 21),
    ]);
    expect(transitions).toEqual([]);
    expect(tracker).toMatchObject({ phase: 'pending', sinceMs: 12 * minute });
  });

  it('fires at once with no pending time and clears at once with no keep-firing time', () => {
    const { transitions } = run(rule(0, 0), [seen(true, 0), seen(false, 1), seen(true, 2)]);
    expect(transitions.map((t) => t.kind)).toEqual(['fired', 'cleared', 'fired']);
  });

  it('keeps firing through short lapses and clears after the keep-firing time', () => {
    const r = rule(0, 30);
    const { transitions, alarm } = run(r, [
      seen(true, 0),
      seen(false, 10),
      seen(false, 30),
      seen(true, 35), // back before 30 min had passed
      seen(false, 40),
      seen(false, 69),
      seen(false, 70),
    ]);
    expect(transitions).toEqual([
      { kind: 'fired', atMinute: 0 },
      { kind: 'cleared', atMinute: 70 },
    ]);
    expect(alarm).toMatchObject({ active: false, clearedBy: 'system', fireCount: 1 });
  });

  it('updates the one alarm while the condition repeats, and re-activates it when it returns', () => {
    const r = rule(0, 0);
    const first = run(r, [seen(true, 0, 2), seen(true, 1, 3)]);
    expect(first.alarm).toMatchObject({ active: true, values: { value: 3 }, fireCount: 1 });
    const again = run(r, [seen(false, 2), seen(true, 3, 5)], first.alarm);
    expect(again.transitions.map((t) => t.kind)).toEqual(['cleared', 'fired']);
    expect(again.alarm).toMatchObject({
      active: true,
      acknowledged: false,
      fireCount: 2,
      values: { value: 5 },
    });
  });

  it('treats evidence older than what was seen as now (late data cannot rewind the clock)', () => {
    const r = rule(10, 0);
    const { transitions } = run(r, [seen(true, 0), seen(true, 20), seen(true, 5)]);
    expect(transitions).toEqual([{ kind: 'fired', atMinute: 20 }]);
  });

  it('carries on firing after a restart: an active alarm with an idle tracker is reconciled', () => {
    const r = rule(10, 10);
    const active = run(r, [seen(true, 0), seen(true, 10)]).alarm!;
    // As if the process restarted: the alarm is read back, the tracker is new.
    const { transitions } = run(r, [seen(true, 100), seen(false, 101), seen(false, 111)], active);
    expect(transitions).toEqual([{ kind: 'cleared', atMinute: 111 }]);
  });

  it('acknowledges once, active or cleared, and records who and when', () => {
    const fired = run(rule(0, 0), [seen(true, 0)]).alarm!;
    const ack = acknowledgeAlarm(fired, 'alice', 5000);
    expect(ack.ok).toBe(true);
    if (!ack.ok) return;
    expect(ack.transition).toMatchObject({ kind: 'acknowledged', actor: 'alice', atMs: 5000 });
    expect(alarmStatus(ack.transition.alarm)).toBe('active-acknowledged');
    const twice = acknowledgeAlarm(ack.transition.alarm, 'bob', 6000);
    expect(twice).toEqual({ ok: false, reason: 'already acknowledged by alice' });

    const clearedThenAck = run(rule(0, 0), [seen(true, 0), seen(false, 1)]).alarm!;
    expect(alarmStatus(clearedThenAck)).toBe('cleared-unacknowledged');
    const late = acknowledgeAlarm(clearedThenAck, 'carol', 7000);
    expect(late.ok && alarmStatus(late.transition.alarm)).toBe('cleared-acknowledged');
  });

  it('an operator clear ends the episode; a condition still there fires again after pending', () => {
    const r = rule(10, 0);
    let { alarm, tracker } = run(r, [seen(true, 0), seen(true, 10)]);
    const cleared = clearAlarm(alarm!, 'alice', 9000);
    expect(cleared.ok).toBe(true);
    if (!cleared.ok) return;
    expect(cleared.transition.alarm).toMatchObject({ active: false, clearedBy: 'alice', clearedAtMs: 9000 });
    expect(clearAlarm(cleared.transition.alarm, 'bob', 9500)).toEqual({
      ok: false,
      reason: 'already cleared by alice',
    });
    alarm = cleared.transition.alarm;
    const steps: string[] = [];
    for (const o of [seen(true, 11), seen(true, 20), seen(true, 21)]) {
      const step = stepAlarm(r, 'r1', tracker, alarm, o, 10_000);
      tracker = step.tracker;
      alarm = step.alarm;
      if (step.transition) steps.push(`${step.transition.kind}@${o.atMs / minute}`);
    }
    expect(steps).toEqual(['fired@21']);
    expect(alarm).toMatchObject({ fireCount: 2, acknowledged: false });
  });

  it('a noisy signal around the threshold does not flap with pending and keep-firing times', () => {
    // A reading every minute for two days, alternating around the threshold with random runs.
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const noisy: ConditionObservation[] = [];
    for (let m = 0; m < 2 * 24 * 60; m++) noisy.push(seen(random() < 0.5, m));
    const bare = run(rule(0, 0), noisy).transitions.length;
    const damped = run(rule(5, 15), noisy).transitions.length;
    expect(bare).toBeGreaterThan(500);
    // Five minutes in a row above the threshold happen (p = 1/32 per minute), but the alarm then
    // needs fifteen minutes in a row below to clear (p ≈ 3e-5): it fires and stays, it does not flap.
    expect(damped).toBeLessThanOrEqual(2);
  });
});
