/**
 * The alert engine: feeds each piece of evidence (a stored fit, stored readings, the wall clock) to
 * the rules that read it, steps each reactor's alarms through their lifecycle, records the changes
 * with their webhook notifications in one transaction, then tells the listeners (MQTT `$alarm`, the
 * webhook sender, socket.io). It holds where each condition stands (pending since, resolving since)
 * in memory: after a restart an active alarm carries on as firing, and a pending condition starts
 * its pending time afresh.
 */
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { ReactorFreshness } from '../../contract/freshness';
import { type AlertStatements, prepareAlertStatements } from '../../db/alert-statements';
import { prepareWebhookStatements } from '../../db/webhook-statements';
import { type Job, type JobHealth, JobStatus } from '../lifecycle';
import {
  type AlarmSnapshot,
  acknowledgeAlarm,
  type ConditionTracker,
  clearAlarm,
  idleTracker,
  type OperatorAction,
  stepAlarm,
  systemActor,
} from './alarm-lifecycle';
import {
  type AlarmChange,
  AlarmRecorder,
  alarmSnapshotFromRow,
  type RecordedTransition,
} from './alarm-recorder';
import type { AlertEvidence, FitEvidence } from './alert-evidence';
import { type AlertRule, ruleAppliesTo } from './alert-rules';
import { observeCondition, type RuleMemory, startingMemory } from './rule-conditions';

export interface StoredReading {
  reactorId: string;
  signal: string;
  tsMs: number;
  value: number;
  receivedAtMs: number;
}

export interface AlertEngineOptions {
  sqlite: Database.Database;
  log: Logger;
  rules: readonly AlertRule[];
  /** Where the dashboard is reached, for links in notifications. */
  externalUrl: string | (() => string);
  /**
   * Every reactor's signals' freshness now (server/realtime/signal-freshness.ts), stepped through
   * the sensor-stale rules every `stalenessCheckMs` (wall clock, default 30 s) so that their pending
   * times run; a change of level is stepped at once (`checkStaleness`).
   */
  freshness?: () => ReadonlyMap<string, ReactorFreshness>;
  stalenessCheckMs?: number;
  /** An active alarm's newer numbers are written at most this often (transitions always at once). Default 10 s. */
  updateEveryMs?: number;
  now?: () => number;
  /**
   * A parameter's values (natural) in a reactor's first successful fits, oldest first, at most
   * `count` (the stored fits): a baseline learned from the first fits is then the same after a
   * restart. Without it the engine learns from the fits it is shown.
   */
  firstFitValues?: (reactorId: string, parameter: string, count: number) => number[];
}

export interface AlertEngineMetrics {
  transitions: number;
  evidence: number;
  activeAlarms: number;
  recordFailures: number;
}

export type OperatorResult =
  | { ok: true; transition: RecordedTransition }
  | { ok: false; status: 404 | 409; reason: string };

const key = (reactorId: string, ruleId: string) => `${reactorId}\u0000${ruleId}`;
const ruleIdOf = (k: string) => k.slice(k.indexOf('\u0000') + 1);

interface Working {
  trackers: Map<string, ConditionTracker>;
  alarms: Map<string, AlarmSnapshot | null>;
  changes: AlarmChange[];
}

export class AlertEngine implements Job<AlertEngineMetrics> {
  readonly name = 'alerts';
  private readonly status: JobStatus;
  private readonly now: () => number;
  private readonly recorder: AlarmRecorder;
  private readonly store: AlertStatements;
  private rules: AlertRule[];
  private readonly trackers = new Map<string, ConditionTracker>();
  private readonly memories = new Map<string, RuleMemory>();
  /** Alarms read or written so far (null: none yet for that reactor and rule). */
  private readonly alarms = new Map<string, AlarmSnapshot | null>();
  private readonly updatesWrittenAtMs = new Map<string, number>();
  private readonly newestFitWindowEndMs = new Map<string, number>();
  private readonly listeners = new Set<(t: RecordedTransition) => void>();
  private timer: NodeJS.Timeout | null = null;
  private counters = { transitions: 0, evidence: 0, recordFailures: 0 };

  constructor(private readonly options: AlertEngineOptions) {
    this.now = options.now ?? Date.now;
    this.status = new JobStatus(this.now);
    this.rules = [...options.rules];
    this.store = prepareAlertStatements(options.sqlite);
    this.recorder = new AlarmRecorder({
      sqlite: options.sqlite,
      alerts: this.store,
      webhooks: prepareWebhookStatements(options.sqlite),
      externalUrl: options.externalUrl,
    });
  }

  /** Reads the active alarms back, then checks staleness on a timer. */
  async start(): Promise<void> {
    for (const row of this.store.activeAlarms()) {
      const k = key(row.reactorId, row.ruleId);
      this.alarms.set(k, alarmSnapshotFromRow(row));
      const at = row.lastEvidenceAtMs ?? Number.NEGATIVE_INFINITY;
      this.trackers.set(k, { phase: 'firing', sinceMs: at, lastAtMs: at });
    }
    const freshness = this.options.freshness;
    if (freshness) {
      this.timer = setInterval(
        () => this.checkStaleness(freshness()),
        this.options.stalenessCheckMs ?? 30_000,
      );
      this.timer.unref();
    }
    this.status.set('ready');
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.status.set('stopped');
  }

  health(): JobHealth {
    return this.status.health();
  }

  metrics(): AlertEngineMetrics {
    let active = 0;
    for (const alarm of this.alarms.values()) if (alarm?.active) active++;
    return { ...this.counters, activeAlarms: active };
  }

  /** Called after each recorded transition (after its commit). */
  onTransition(listener: (t: RecordedTransition) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  currentRules(): readonly AlertRule[] {
    return this.rules;
  }

  /** Whether an enabled rule of this kind applies to the reactor (evidence that costs is worked out only then). */
  hasRuleOfKind(kind: AlertRule['kind'], reactorId: string): boolean {
    return this.rules.some((r) => r.kind === kind && ruleAppliesTo(r, reactorId));
  }

  /**
   * Replaces the rules. A changed rule starts its condition afresh; the active alarms of a rule that
   * is gone or disabled are cleared by `system`.
   */
  setRules(rules: readonly AlertRule[]): RecordedTransition[] {
    const before = new Map(this.rules.map((r) => [r.id, JSON.stringify(r)]));
    const after = new Map(rules.map((r) => [r.id, r]));
    const changed = new Set<string>();
    for (const id of new Set([...before.keys(), ...after.keys()])) {
      const rule = after.get(id);
      if (before.get(id) !== (rule ? JSON.stringify(rule) : undefined)) changed.add(id);
    }
    this.rules = [...rules];
    for (const k of new Set([...this.trackers.keys(), ...this.memories.keys()])) {
      if (!changed.has(ruleIdOf(k))) continue;
      this.trackers.delete(k);
      this.memories.delete(k);
    }
    const working: Working = { trackers: new Map(), alarms: new Map(), changes: [] };
    const wallMs = this.now();
    for (const [k, alarm] of this.alarms) {
      if (!alarm?.active || !changed.has(alarm.ruleId)) continue;
      const rule = after.get(alarm.ruleId);
      if (rule && ruleAppliesTo(rule, alarm.reactorId)) continue;
      const why = rule ? 'disabled' : 'removed';
      const action = clearAlarm({ ...alarm, summary: `${alarm.summary} (rule ${why})` }, systemActor, wallMs);
      if (!action.ok) continue;
      working.alarms.set(k, action.transition.alarm);
      working.changes.push({ kind: 'transition', transition: action.transition });
    }
    return this.commit(working);
  }

  /** A fit was stored. A refit of a window older than the newest one seen says nothing about now. */
  onFit(fit: FitEvidence): RecordedTransition[] {
    const newest = this.newestFitWindowEndMs.get(fit.reactorId) ?? Number.NEGATIVE_INFINITY;
    if (fit.windowEndMs < newest) return [];
    this.newestFitWindowEndMs.set(fit.reactorId, fit.windowEndMs);
    return this.evaluate([fit]);
  }

  /** Readings were stored (any reactors, any order). */
  onReadings(readings: readonly StoredReading[]): RecordedTransition[] {
    const evidence: AlertEvidence[] = [];
    for (const r of readings) {
      evidence.push({
        kind: 'reading',
        reactorId: r.reactorId,
        signal: r.signal,
        tsMs: r.tsMs,
        value: r.value,
      });
    }
    return this.evaluate(evidence);
  }

  /** These reactors' signals' freshness against the sensor-stale rules. */
  checkStaleness(freshness: ReadonlyMap<string, ReactorFreshness>): RecordedTransition[] {
    if (!this.rules.some((r) => r.kind === 'sensor-stale')) return [];
    const evidence: AlertEvidence[] = [];
    for (const [reactorId, f] of freshness) evidence.push({ kind: 'staleness', reactorId, freshness: f });
    return this.evaluate(evidence);
  }

  acknowledge(alarmId: number, actor: string): OperatorResult {
    return this.operatorAction(alarmId, (alarm, wallMs) => acknowledgeAlarm(alarm, actor, wallMs));
  }

  /** Clears an active alarm; if its condition still holds, it fires again after the pending time. */
  clear(alarmId: number, actor: string): OperatorResult {
    return this.operatorAction(alarmId, (alarm, wallMs) => clearAlarm(alarm, actor, wallMs));
  }

  private operatorAction(
    alarmId: number,
    act: (alarm: AlarmSnapshot, wallMs: number) => OperatorAction,
  ): OperatorResult {
    const row = this.store.alarmById(alarmId);
    if (!row) return { ok: false, status: 404, reason: `no alarm ${alarmId}` };
    const k = key(row.reactorId, row.ruleId);
    const alarm = this.alarms.get(k) ?? alarmSnapshotFromRow(row);
    const action = act(alarm, this.now());
    if (!action.ok) return { ok: false, status: 409, reason: action.reason };
    const working: Working = { trackers: new Map(), alarms: new Map(), changes: [] };
    working.alarms.set(k, action.transition.alarm);
    if (!action.transition.alarm.active) working.trackers.set(k, { ...idleTracker });
    working.changes.push({ kind: 'transition', transition: action.transition });
    const [recorded] = this.commit(working);
    if (!recorded) return { ok: false, status: 409, reason: 'the change could not be recorded' };
    return { ok: true, transition: recorded };
  }

  private evaluate(evidence: readonly AlertEvidence[]): RecordedTransition[] {
    const wallMs = this.now();
    const working: Working = { trackers: new Map(), alarms: new Map(), changes: [] };
    for (const piece of evidence) {
      this.counters.evidence++;
      for (const rule of this.rules) {
        if (!ruleAppliesTo(rule, piece.reactorId)) continue;
        const k = key(piece.reactorId, rule.id);
        const { observation, memory } = observeCondition(
          rule,
          piece,
          this.memoryOf(k, rule, piece.reactorId),
        );
        this.memories.set(k, memory);
        if (!observation) continue;
        const tracker = working.trackers.get(k) ?? this.trackers.get(k) ?? idleTracker;
        const alarm = working.alarms.has(k) ? working.alarms.get(k)! : this.alarmOf(piece.reactorId, rule.id);
        const step = stepAlarm(rule, piece.reactorId, tracker, alarm, observation, wallMs);
        working.trackers.set(k, step.tracker);
        working.alarms.set(k, step.alarm);
        if (step.transition) {
          working.changes.push({ kind: 'transition', transition: step.transition });
          this.updatesWrittenAtMs.set(k, wallMs);
        } else if (
          step.updated &&
          step.alarm &&
          wallMs - (this.updatesWrittenAtMs.get(k) ?? 0) >= this.updateEveryMs()
        ) {
          working.changes.push({ kind: 'update', alarm: step.alarm, wallMs });
          this.updatesWrittenAtMs.set(k, wallMs);
        }
      }
    }
    return this.commit(working);
  }

  /** What the rule remembers for a reactor; a learned baseline is read back from the stored fits when they suffice. */
  private memoryOf(k: string, rule: AlertRule, reactorId: string): RuleMemory {
    const known = this.memories.get(k);
    if (known) return known;
    const source = this.options.firstFitValues;
    const memory = startingMemory(
      rule,
      source && ((parameter, count) => source(reactorId, parameter, count)),
    );
    this.memories.set(k, memory);
    return memory;
  }

  private updateEveryMs(): number {
    return this.options.updateEveryMs ?? 10_000;
  }

  /** The alarm of a reactor and rule, read once from the database. */
  private alarmOf(reactorId: string, ruleId: string): AlarmSnapshot | null {
    const k = key(reactorId, ruleId);
    if (!this.alarms.has(k)) {
      const row = this.store.alarmOfReactorRule(reactorId, ruleId);
      this.alarms.set(k, row ? alarmSnapshotFromRow(row) : null);
    }
    return this.alarms.get(k) ?? null;
  }

  /**
   * Writes the changes; only then does the engine adopt the new states and tell the listeners. If
   * the write fails, the states stay as they were and the next evidence tries again.
   */
  private commit(working: Working): RecordedTransition[] {
    let recorded: RecordedTransition[] = [];
    try {
      recorded = this.recorder.record(working.changes);
    } catch (error) {
      this.counters.recordFailures++;
      this.status.set('lost', 'alarm changes could not be written');
      this.options.log.error(
        { err: error, changes: working.changes.length },
        'alarm changes could not be written',
      );
      return [];
    }
    if (this.status.state === 'lost') this.status.set('ready');
    for (const [k, tracker] of working.trackers) this.trackers.set(k, tracker);
    for (const [k, alarm] of working.alarms) this.alarms.set(k, alarm);
    this.counters.transitions += recorded.length;
    for (const t of recorded) {
      this.options.log.info(
        {
          reactorId: t.alarm.reactorId,
          ruleId: t.alarm.ruleId,
          transition: t.kind,
          actor: t.actor,
          alarmId: t.alarmId,
        },
        `alarm ${t.kind}: ${t.alarm.summary}`,
      );
      for (const listener of this.listeners) {
        try {
          listener(t);
        } catch (error) {
          this.options.log.error({ err: error }, 'an alarm listener threw');
        }
      }
    }
    return recorded;
  }
}
