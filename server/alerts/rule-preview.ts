/**
 * A rule replayed over the stored history before it is saved ("would have fired 3 times in the last
 * 7 days"): each reactor's stored fits and readings of the last days (plant clock) in time order,
 * through the same condition and lifecycle as the live engine (pending and keep-firing included),
 * with nothing written. Staleness is judged live only, so a `sensor-stale` rule is not replayed.
 */
import type { RulePreview } from '../../contract/api';
import { plantSignals } from '../../contract/api';
import type { AlertStatements } from '../../db/alert-statements';
import { type AlarmSnapshot, idleTracker, stepAlarm } from './alarm-lifecycle';
import type { AlertEvidence } from './alert-evidence';
import { type AlertRule, ruleAppliesTo } from './alert-rules';
import { fitEvidenceById } from './fit-evidence';
import { observeCondition, startingMemory } from './rule-conditions';

const dayMs = 86_400_000;

export function previewRule(store: AlertStatements, rule: AlertRule, days: number): RulePreview {
  const firings: RulePreview['firings'] = [];
  let evidenceCount = 0;
  let fromMs: number | null = null;
  let toMs: number | null = null;
  const replayed = rule.kind !== 'sensor-stale';
  for (const reactorId of store.reactorIds()) {
    if (!ruleAppliesTo({ ...rule, enabled: true }, reactorId)) continue;
    const newest = store.newestReadingMs(reactorId, plantSignals);
    if (newest === null || !replayed) continue;
    const from = newest - days * dayMs;
    fromMs = fromMs === null ? from : Math.min(fromMs, from);
    toMs = toMs === null ? newest : Math.max(toMs, newest);
    const evidence = evidenceOf(store, rule, reactorId, from, newest);
    evidenceCount += evidence.length;
    let tracker = idleTracker;
    let alarm: AlarmSnapshot | null = null;
    let memory = startingMemory(rule, (parameter, count) =>
      store.firstFitValuesOf(reactorId, parameter, count),
    );
    for (const piece of evidence) {
      const result = observeCondition(rule, piece, memory);
      memory = result.memory;
      if (!result.observation) continue;
      const step = stepAlarm(rule, reactorId, tracker, alarm, result.observation, result.observation.atMs);
      tracker = step.tracker;
      alarm = step.alarm;
      if (step.transition?.kind === 'fired')
        firings.push({
          reactorId,
          atMs: result.observation.atMs,
          clearedAtMs: null,
          summary: step.transition.alarm.summary,
        });
      if (step.transition?.kind === 'cleared') {
        const open = firings.findLast((f) => f.reactorId === reactorId && f.clearedAtMs === null);
        if (open) open.clearedAtMs = result.observation.atMs;
      }
    }
  }
  const words = !replayed
    ? 'Staleness is judged live only: this rule cannot be replayed over the history'
    : `Would have fired ${firings.length === 1 ? 'once' : `${firings.length} times`} in the last ${days} day${days === 1 ? '' : 's'}` +
      (firings.length > 0 ? ` (on ${[...new Set(firings.map((f) => f.reactorId))].join(', ')})` : '');
  return { days, fromMs, toMs, replayed, evidence: evidenceCount, firings, words };
}

/** The reactor's fits and readings the rule reads, in [from, to], in time order (fits at their window end). */
function evidenceOf(
  store: AlertStatements,
  rule: AlertRule,
  reactorId: string,
  fromMs: number,
  toMs: number,
): AlertEvidence[] {
  const timed: { atMs: number; piece: AlertEvidence }[] = [];
  if (rule.kind === 'reading-range') {
    for (const r of store.readingsInRange(reactorId, rule.signal, fromMs, toMs))
      timed.push({
        atMs: r.tsMs,
        piece: { kind: 'reading', reactorId, signal: rule.signal, tsMs: r.tsMs, value: r.value },
      });
  } else {
    for (const id of store.fitIdsInRange(reactorId, fromMs, toMs)) {
      const fit = fitEvidenceById(store, id);
      if (fit) timed.push({ atMs: fit.windowEndMs, piece: fit });
    }
  }
  return timed.sort((a, b) => a.atMs - b.atMs).map((t) => t.piece);
}
