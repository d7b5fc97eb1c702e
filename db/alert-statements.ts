/**
 * What server/alerts/ reads and writes, as raw prepared statements: alert rules, alarms and their
 * history, and what the rules read of stored fits and sensor arrivals. Rows come back in the shapes
 * of db/schema.ts (booleans as booleans); server/alerts/ decides when anything changes.
 */
import type Database from 'better-sqlite3';
import type { alarmEvents, alarms, alertRules } from './schema';

export type AlertRuleRow = typeof alertRules.$inferSelect;
export type AlarmRow = typeof alarms.$inferSelect;
export type NewAlarmRow = Omit<AlarmRow, 'id'>;
export type AlarmEventRow = typeof alarmEvents.$inferSelect;
export type NewAlarmEventRow = Omit<AlarmEventRow, 'id'>;

/** One stored fit, as much as the alert rules read of it. */
export interface FitOutcome {
  id: number;
  reactorId: string;
  windowEndMs: number;
  status: 'ok' | 'failed';
  reason: string | null;
  refit: boolean;
  satelliteFraction: { value: number; sd: number } | null;
  /** The free parameters with a known spread: natural value and sd of log. */
  params: { name: string; value: number; sdLog: number }[];
  /** `{tMs, signal, value}` as stored (values may be null), or null. */
  residualsJson: string | null;
}

type Stored<T> = { [K in keyof T]: T[K] extends boolean ? number : T[K] };

const alarmColumns = `id, reactor_id AS reactorId, rule_id AS ruleId, rule_name AS ruleName,
  rule_kind AS ruleKind, severity, active, acknowledged, fired_at_ms AS firedAtMs,
  evidence_fired_at_ms AS evidenceFiredAtMs, cleared_at_ms AS clearedAtMs, cleared_by AS clearedBy,
  acknowledged_at_ms AS acknowledgedAtMs, acknowledged_by AS acknowledgedBy,
  last_evidence_at_ms AS lastEvidenceAtMs, summary, values_json AS valuesJson,
  fire_count AS fireCount, updated_at_ms AS updatedAtMs`;
const alarmValues = `@reactorId, @ruleId, @ruleName, @ruleKind, @severity, @active, @acknowledged,
  @firedAtMs, @evidenceFiredAtMs, @clearedAtMs, @clearedBy, @acknowledgedAtMs, @acknowledgedBy,
  @lastEvidenceAtMs, @summary, @valuesJson, @fireCount, @updatedAtMs`;
const eventColumns = `id, alarm_id AS alarmId, reactor_id AS reactorId, rule_id AS ruleId, kind, actor,
  at_ms AS atMs, evidence_at_ms AS evidenceAtMs, severity, summary, values_json AS valuesJson,
  active, acknowledged`;
const ruleColumns = `id, kind, definition_json AS definitionJson, source, created_at_ms AS createdAtMs,
  updated_at_ms AS updatedAtMs, updated_by AS updatedBy`;

const alarmRow = (row: Stored<AlarmRow>): AlarmRow => ({
  ...row,
  active: row.active === 1,
  acknowledged: row.acknowledged === 1,
});
const eventRow = (row: Stored<AlarmEventRow>): AlarmEventRow => ({
  ...row,
  active: row.active === 1,
  acknowledged: row.acknowledged === 1,
});
const stored = <T extends { active: boolean; acknowledged: boolean }>(row: T) => ({
  ...row,
  active: row.active ? 1 : 0,
  acknowledged: row.acknowledged ? 1 : 0,
});

export function prepareAlertStatements(sqlite: Database.Database) {
  const s = {
    rules: sqlite.prepare<[], AlertRuleRow>(`SELECT ${ruleColumns} FROM alert_rules ORDER BY id`),
    rule: sqlite.prepare<[string], AlertRuleRow>(`SELECT ${ruleColumns} FROM alert_rules WHERE id = ?`),
    upsertRule: sqlite.prepare<[AlertRuleRow]>(
      `INSERT INTO alert_rules (id, kind, definition_json, source, created_at_ms, updated_at_ms, updated_by)
       VALUES (@id, @kind, @definitionJson, @source, @createdAtMs, @updatedAtMs, @updatedBy)
       ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, definition_json = excluded.definition_json,
         source = excluded.source, updated_at_ms = excluded.updated_at_ms, updated_by = excluded.updated_by`,
    ),
    deleteRule: sqlite.prepare<[string]>('DELETE FROM alert_rules WHERE id = ?'),

    activeAlarms: sqlite.prepare<[], Stored<AlarmRow>>(`SELECT ${alarmColumns} FROM alarms WHERE active = 1`),
    alarm: sqlite.prepare<[number], Stored<AlarmRow>>(`SELECT ${alarmColumns} FROM alarms WHERE id = ?`),
    alarmOfReactorRule: sqlite.prepare<[string, string], Stored<AlarmRow>>(
      `SELECT ${alarmColumns} FROM alarms WHERE reactor_id = ? AND rule_id = ?`,
    ),
    insertAlarm: sqlite.prepare<[Stored<NewAlarmRow>]>(
      `INSERT INTO alarms (reactor_id, rule_id, rule_name, rule_kind, severity, active, acknowledged,
         fired_at_ms, evidence_fired_at_ms, cleared_at_ms, cleared_by, acknowledged_at_ms,
         acknowledged_by, last_evidence_at_ms, summary, values_json, fire_count, updated_at_ms)
       VALUES (${alarmValues})`,
    ),
    updateAlarm: sqlite.prepare<[Stored<AlarmRow>]>(
      `UPDATE alarms SET reactor_id = @reactorId, rule_id = @ruleId, rule_name = @ruleName,
         rule_kind = @ruleKind, severity = @severity, active = @active, acknowledged = @acknowledged,
         fired_at_ms = @firedAtMs, evidence_fired_at_ms = @evidenceFiredAtMs,
         cleared_at_ms = @clearedAtMs, cleared_by = @clearedBy, acknowledged_at_ms = @acknowledgedAtMs,
         acknowledged_by = @acknowledgedBy, last_evidence_at_ms = @lastEvidenceAtMs,
         summary = @summary, values_json = @valuesJson, fire_count = @fireCount,
         updated_at_ms = @updatedAtMs
       WHERE id = @id`,
    ),
    /** Newest fired first; a null reactor is every reactor. */
    alarmsToList: sqlite.prepare<
      [{ reactorId: string | null; openOnly: number; limit: number }],
      Stored<AlarmRow>
    >(
      `SELECT ${alarmColumns} FROM alarms
       WHERE (@reactorId IS NULL OR reactor_id = @reactorId) AND (@openOnly = 0 OR active = 1 OR acknowledged = 0)
       ORDER BY fired_at_ms DESC, id DESC LIMIT @limit`,
    ),
    insertEvent: sqlite.prepare<[Stored<NewAlarmEventRow>]>(
      `INSERT INTO alarm_events (alarm_id, reactor_id, rule_id, kind, actor, at_ms, evidence_at_ms,
         severity, summary, values_json, active, acknowledged)
       VALUES (@alarmId, @reactorId, @ruleId, @kind, @actor, @atMs, @evidenceAtMs, @severity, @summary,
         @valuesJson, @active, @acknowledged)`,
    ),
    /** Newest first; a null filter passes everything. */
    eventsInRange: sqlite.prepare<
      [
        {
          reactorId: string | null;
          alarmId: number | null;
          fromMs: number | null;
          toMs: number | null;
          limit: number;
        },
      ],
      Stored<AlarmEventRow>
    >(
      `SELECT ${eventColumns} FROM alarm_events
       WHERE (@reactorId IS NULL OR reactor_id = @reactorId) AND (@alarmId IS NULL OR alarm_id = @alarmId)
         AND (@fromMs IS NULL OR at_ms >= @fromMs) AND (@toMs IS NULL OR at_ms <= @toMs)
       ORDER BY id DESC LIMIT @limit`,
    ),
    event: sqlite.prepare<[number], Stored<AlarmEventRow>>(
      `SELECT ${eventColumns} FROM alarm_events WHERE id = ?`,
    ),
    eventCount: sqlite.prepare<[], { n: number }>('SELECT count(*) AS n FROM alarm_events'),

    fit: sqlite.prepare<
      [number],
      Omit<FitOutcome, 'refit' | 'satelliteFraction' | 'params' | 'residualsJson'> & { refit: number }
    >(
      `SELECT id, reactor_id AS reactorId, window_end_ms AS windowEndMs, status, reason, refit
       FROM fits WHERE id = ?`,
    ),
    satelliteFraction: sqlite.prepare<[number], { value: number; sd: number }>(
      `SELECT value, sd FROM fit_composition WHERE fit_id = ? AND quantity = 'satellite_fraction'`,
    ),
    freeParameters: sqlite.prepare<[number], { name: string; value: number; sdLog: number }>(
      `SELECT name, value, sd_log AS sdLog FROM fit_parameters
       WHERE fit_id = ? AND free = 1 AND sd_log IS NOT NULL`,
    ),
    residualsJson: sqlite.prepare<[number], { residualsJson: string | null }>(
      'SELECT residuals_json AS residualsJson FROM fit_documents WHERE fit_id = ?',
    ),
    reactorIds: sqlite.prepare<[], { id: string }>('SELECT id FROM reactors ORDER BY id'),
    /** (reactorId, fromMs, toMs): fits whose window ends in [from, to], oldest first (rule previews). */
    fitIdsInRange: sqlite.prepare<[string, number, number], { id: number }>(
      `SELECT id FROM fits WHERE reactor_id = ? AND window_end_ms >= ? AND window_end_ms <= ?
       ORDER BY window_end_ms, id`,
    ),
    /** (reactorId, signal, fromMs, toMs): readings in [from, to], oldest first (rule previews). */
    readingsInRange: sqlite.prepare<[string, string, number, number], { tsMs: number; value: number }>(
      `SELECT ts_ms AS tsMs, value FROM readings
       WHERE reactor_id = ? AND signal = ? AND ts_ms >= ? AND ts_ms <= ? ORDER BY ts_ms`,
    ),
    /** (reactorId, signal): the newest reading's time, plant clock (an index look-up). */
    newestReadingOf: sqlite.prepare<[string, string], { tsMs: number | null }>(
      'SELECT max(ts_ms) AS tsMs FROM readings WHERE reactor_id = ? AND signal = ?',
    ),
    /** (parameter, reactorId, count): oldest window first, refits left out. */
    firstFitValues: sqlite.prepare<[string, string, number], { value: number }>(
      `SELECT p.value FROM fits f JOIN fit_parameters p ON p.fit_id = f.id AND p.name = ?
       WHERE f.reactor_id = ? AND f.status = 'ok' AND f.refit = 0
       ORDER BY f.window_end_ms, f.id LIMIT ?`,
    ),
  };

  return {
    alertRules: (): AlertRuleRow[] => s.rules.all(),
    alertRule: (id: string): AlertRuleRow | undefined => s.rule.get(id),
    upsertAlertRule: (row: AlertRuleRow): void => void s.upsertRule.run(row),
    /** True when there was such a rule. */
    deleteAlertRule: (id: string): boolean => s.deleteRule.run(id).changes > 0,

    activeAlarms: (): AlarmRow[] => s.activeAlarms.all().map(alarmRow),
    alarmById: (id: number): AlarmRow | undefined => {
      const row = s.alarm.get(id);
      return row && alarmRow(row);
    },
    alarmOfReactorRule: (reactorId: string, ruleId: string): AlarmRow | undefined => {
      const row = s.alarmOfReactorRule.get(reactorId, ruleId);
      return row && alarmRow(row);
    },
    insertAlarm: (row: NewAlarmRow): number => Number(s.insertAlarm.run(stored(row)).lastInsertRowid),
    updateAlarm: (id: number, row: NewAlarmRow): void => void s.updateAlarm.run(stored({ ...row, id })),
    /**
     * Alarms to list, newest fired first: with `openOnly`, the active ones and the cleared ones nobody
     * has acknowledged yet (what an operator still has to look at).
     */
    alarmsToList: (options: { reactorId?: string; openOnly: boolean; limit: number }): AlarmRow[] =>
      s.alarmsToList
        .all({
          reactorId: options.reactorId ?? null,
          openOnly: options.openOnly ? 1 : 0,
          limit: options.limit,
        })
        .map(alarmRow),
    /** Each reactor's active alarms, for its summary (most severe first is the caller's to pick). */
    activeAlarmsByReactor: (): Map<string, AlarmRow[]> => {
      const byReactor = new Map<string, AlarmRow[]>();
      for (const row of s.activeAlarms.all().map(alarmRow)) {
        const list = byReactor.get(row.reactorId) ?? [];
        list.push(row);
        byReactor.set(row.reactorId, list);
      }
      return byReactor;
    },
    insertAlarmEvent: (row: NewAlarmEventRow): number =>
      Number(s.insertEvent.run(stored(row)).lastInsertRowid),
    /** The history: alarm changes with wall-clock time in [fromMs, toMs], newest first. */
    alarmEventsInRange: (options: {
      reactorId?: string;
      alarmId?: number;
      fromMs?: number;
      toMs?: number;
      limit: number;
    }): AlarmEventRow[] =>
      s.eventsInRange
        .all({
          reactorId: options.reactorId ?? null,
          alarmId: options.alarmId ?? null,
          fromMs: options.fromMs ?? null,
          toMs: options.toMs ?? null,
          limit: options.limit,
        })
        .map(eventRow),
    alarmEventById: (id: number): AlarmEventRow | undefined => {
      const row = s.event.get(id);
      return row && eventRow(row);
    },
    alarmEventCount: (): number => s.eventCount.get()?.n ?? 0,

    reactorIds: (): string[] => s.reactorIds.all().map((r) => r.id),
    fitIdsInRange: (reactorId: string, fromMs: number, toMs: number): number[] =>
      s.fitIdsInRange.all(reactorId, fromMs, toMs).map((r) => r.id),
    readingsInRange: (reactorId: string, signal: string, fromMs: number, toMs: number) =>
      s.readingsInRange.all(reactorId, signal, fromMs, toMs),
    /** The newest reading of any of the signals, plant clock; null without one. */
    newestReadingMs: (reactorId: string, signals: readonly string[]): number | null => {
      let newest: number | null = null;
      for (const signal of signals) {
        const ts = s.newestReadingOf.get(reactorId, signal)?.tsMs ?? null;
        if (ts !== null && (newest === null || ts > newest)) newest = ts;
      }
      return newest;
    },
    fitOutcomeById: (fitId: number): FitOutcome | undefined => {
      const fit = s.fit.get(fitId);
      if (!fit) return undefined;
      return {
        ...fit,
        refit: fit.refit === 1,
        satelliteFraction: s.satelliteFraction.get(fitId) ?? null,
        params: s.freeParameters.all(fitId),
        residualsJson: s.residualsJson.get(fitId)?.residualsJson ?? null,
      };
    },
    /**
     * A parameter's values in a reactor's first successful fits, oldest window first (refits left out,
     * so each window counts once): what a baseline learned from the first fits is made of.
     */
    firstFitValuesOf: (reactorId: string, parameter: string, count: number): number[] =>
      s.firstFitValues.all(parameter, reactorId, count).map((r) => r.value),
  };
}

export type AlertStatements = ReturnType<typeof prepareAlertStatements>;
