/**
 * The rules in the database: those from the settings are written at each start (unless an operator
 * has edited them since, which makes them the operator's), and the API adds, replaces and deletes.
 */
import type { Logger } from 'pino';
import type { AlertRuleView } from '../../contract/api';
import type { AlertRuleRow, AlertStatements } from '../../db/alert-statements';
import { type AlertRule, AlertRuleError, parseAlertRule } from './alert-rules';

export const configActor = 'settings';

/** Writes the settings' rules; drops settings rules no longer listed. Operator-edited rules are left alone. */
export function syncConfigRules(store: AlertStatements, rules: readonly AlertRule[], nowMs: number): void {
  const listed = new Set(rules.map((r) => r.id));
  for (const row of store.alertRules()) {
    if (row.source === 'config' && !listed.has(row.id)) store.deleteAlertRule(row.id);
  }
  for (const rule of rules) {
    const existing = store.alertRule(rule.id);
    if (existing?.source === 'api') continue;
    const definitionJson = JSON.stringify(rule);
    if (existing?.definitionJson === definitionJson) continue;
    store.upsertAlertRule({
      id: rule.id,
      kind: rule.kind,
      definitionJson,
      source: 'config',
      createdAtMs: existing?.createdAtMs ?? nowMs,
      updatedAtMs: nowMs,
      updatedBy: configActor,
    });
  }
}

/** Every stored rule that still validates; a rule that no longer does is logged and left out. */
export function loadAlertRules(store: AlertStatements, log?: Logger): AlertRule[] {
  const rules: AlertRule[] = [];
  for (const row of store.alertRules()) {
    try {
      rules.push(parseAlertRule(JSON.parse(row.definitionJson)));
    } catch (error) {
      log?.error(
        { ruleId: row.id, problem: (error as Error).message },
        'a stored alert rule is invalid; ignored',
      );
    }
  }
  return rules;
}

/** Adds or replaces a rule as an operator's. */
export function putAlertRule(
  store: AlertStatements,
  rule: AlertRule,
  actor: string,
  nowMs: number,
): AlertRuleRow {
  const existing = store.alertRule(rule.id);
  const row: AlertRuleRow = {
    id: rule.id,
    kind: rule.kind,
    definitionJson: JSON.stringify(rule),
    source: 'api',
    createdAtMs: existing?.createdAtMs ?? nowMs,
    updatedAtMs: nowMs,
    updatedBy: actor,
  };
  store.upsertAlertRule(row);
  return row;
}

export function removeAlertRule(store: AlertStatements, id: string): boolean {
  return store.deleteAlertRule(id);
}

export function alertRuleView(row: AlertRuleRow): AlertRuleView {
  const rule = parseAlertRule(JSON.parse(row.definitionJson));
  return { rule, source: row.source, updatedAtMs: row.updatedAtMs, updatedBy: row.updatedBy };
}

export function alertRuleViews(store: AlertStatements): AlertRuleView[] {
  return store.alertRules().flatMap((row) => {
    try {
      return [alertRuleView(row)];
    } catch (error) {
      if (error instanceof AlertRuleError || error instanceof SyntaxError) return [];
      throw error;
    }
  });
}
