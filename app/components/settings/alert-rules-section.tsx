'use client';
/**
 * Alert rules on the settings page: each rule in words, and for operators edit, enable or disable,
 * delete, add. A rule written here becomes the operator's: the service's settings no longer touch it.
 */
import { useCallback, useEffect, useState } from 'react';
import type { AlertRuleView } from '../../../contract/api';
import { severityWords } from '../../lib/alarm-words';
import { type AlertRule, deleteAlertRule, fetchAlertRules, putAlertRule } from '../../lib/alerts-api';
import { describeError } from '../../lib/api-client';
import { useClockZone } from '../../lib/preferences';
import { ruleCondition, ruleKindWords } from '../../lib/rule-kinds';
import { formatClock } from '../../lib/time-format';
import { useKnownReactors } from '../../lib/use-known-reactors';
import { ConfirmButton } from './confirm-button';
import { RuleForm } from './rule-form';

function RuleItem(props: {
  view: AlertRuleView;
  canOperate: boolean;
  knownReactors: readonly string[] | null;
  onSaved: () => void;
  onError: (text: string) => void;
}) {
  const { rule } = props.view;
  const zone = useClockZone();
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);

  async function save(next: AlertRule) {
    try {
      await putAlertRule(next);
    } catch (e) {
      throw new Error(`Not saved: ${describeError(e)}`);
    }
    setEditing(false);
    props.onSaved();
  }

  async function run(action: () => Promise<unknown>, failure: string) {
    setBusy(true);
    try {
      await action();
      props.onSaved();
    } catch (e) {
      props.onError(`${failure}: ${describeError(e)}`);
    } finally {
      setBusy(false);
    }
  }

  const subject = `rule “${rule.name ?? rule.id}”`;
  const timing = [
    rule.pendingMinutes > 0 ? `fires after ${rule.pendingMinutes} min` : 'fires at once',
    rule.keepFiringMinutes > 0 ? `clears after ${rule.keepFiringMinutes} min without it` : 'clears at once',
  ].join(', ');
  return (
    <li
      className="settings-item"
      id={`rule-${rule.id}`}
      data-rule-id={rule.id}
      data-enabled={rule.enabled}
      data-severity={rule.severity}
    >
      <div className="settings-item-head">
        <span className={`severity-tag severity-${rule.severity}`}>{severityWords[rule.severity]}</span>
        <strong>{rule.name ?? rule.id}</strong>
        <code className="muted">{rule.id}</code>
        {/* The kind, unless the name already says it ("Fits failing" · fits failing). */}
        {(rule.name ?? rule.id).toLowerCase().startsWith(ruleKindWords[rule.kind].toLowerCase()) ? null : (
          <span className="muted">{ruleKindWords[rule.kind]}</span>
        )}
        {rule.enabled ? null : <span className="state-label state-warning">disabled</span>}
      </div>
      <div data-testid="rule-condition">Fires when {ruleCondition(rule)}.</div>
      <div className="meta">
        {rule.reactors ? `reactors ${rule.reactors.join(', ')}` : 'every reactor'} · {timing} ·{' '}
        {props.view.source === 'config'
          ? 'from the service settings'
          : `set by ${props.view.updatedBy} on ${formatClock(props.view.updatedAtMs, false, zone)}`}
      </div>
      {typeof rule.description === 'string' ? <div className="meta">{rule.description}</div> : null}
      {props.canOperate && !editing ? (
        <div className="item-actions">
          <button
            type="button"
            className="button button-small"
            onClick={() => setEditing(true)}
            aria-label={`Edit ${subject}`}
            data-testid="edit-rule"
          >
            Edit
          </button>
          <button
            type="button"
            className="button button-small"
            disabled={busy}
            onClick={() =>
              void run(
                () => putAlertRule({ ...rule, enabled: !rule.enabled }),
                rule.enabled ? 'Not disabled' : 'Not enabled',
              )
            }
            aria-label={`${rule.enabled ? 'Disable' : 'Enable'} ${subject}`}
            data-testid="toggle-rule"
          >
            {rule.enabled ? 'Disable' : 'Enable'}
          </button>
          <ConfirmButton
            label="Delete"
            confirmLabel={`Delete rule ${rule.id} (clears its alarms)`}
            subject={subject}
            disabled={busy}
            onConfirm={() => void run(() => deleteAlertRule(rule.id), 'Not deleted')}
            testId="delete-rule"
          />
        </div>
      ) : null}
      {editing ? (
        <RuleForm
          original={rule}
          knownReactors={props.knownReactors}
          onSave={save}
          onCancel={() => setEditing(false)}
        />
      ) : null}
    </li>
  );
}

export function AlertRulesSection(props: { canOperate: boolean }) {
  const [rules, setRules] = useState<AlertRuleView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const knownReactors = useKnownReactors();

  const load = useCallback(async () => {
    try {
      setRules(await fetchAlertRules());
      setError(null);
    } catch (e) {
      setError(describeError(e));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  async function add(rule: AlertRule) {
    if (rules?.some((r) => r.rule.id === rule.id))
      throw new Error(`A rule with the id “${rule.id}” exists: edit it, or choose another id.`);
    try {
      await putAlertRule(rule);
    } catch (e) {
      throw new Error(`Not added: ${describeError(e)}`);
    }
    setAdding(false);
    await load();
  }

  return (
    <section className="panel settings-section" aria-labelledby="rules-title" data-testid="rules-section">
      <div className="section-head">
        <h2 id="rules-title">Alert rules</h2>
        {props.canOperate && !adding ? (
          <button type="button" className="button" onClick={() => setAdding(true)} data-testid="add-rule">
            Add a rule
          </button>
        ) : null}
      </div>
      <p className="muted">
        Each reactor has at most one alarm per rule. Rules come from the service’s <code>ALERT_RULES</code>{' '}
        setting until an operator changes them here.
      </p>
      {adding ? (
        <RuleForm knownReactors={knownReactors} onSave={add} onCancel={() => setAdding(false)} />
      ) : null}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {rules === null && !error ? <p className="muted">Loading…</p> : null}
      {rules !== null && rules.length === 0 ? <p>No rules: no alarm will fire.</p> : null}
      {rules && rules.length > 0 ? (
        <ul className="settings-list">
          {rules.map((view) => (
            <RuleItem
              key={`${view.rule.id}:${view.updatedAtMs}`}
              view={view}
              canOperate={props.canOperate}
              knownReactors={knownReactors}
              onSaved={() => void load()}
              onError={setError}
            />
          ))}
        </ul>
      ) : null}
    </section>
  );
}
