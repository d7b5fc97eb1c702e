'use client';
/** The form of one alert rule: the fields every rule has, then its kind's own. */
import { type FormEvent, useId, useState } from 'react';
import type { AlarmSeverity } from '../../../contract/api';
import { alarmSeverities, severityWords } from '../../lib/alarm-words';
import type { AlertRule } from '../../lib/alerts-api';
import {
  draftOf,
  initialFields,
  kindFields,
  newDraft,
  type RuleDraft,
  type RuleKind,
  ruleKinds,
  ruleKindWords,
  ruleOf,
} from '../../lib/rule-kinds';

export function RuleForm(props: {
  /** Absent: a new rule (its id and kind are chosen here). */
  original?: AlertRule;
  onSave: (rule: AlertRule) => Promise<void>;
  onCancel: () => void;
}) {
  const id = useId();
  const [draft, setDraft] = useState<RuleDraft>(() =>
    props.original ? draftOf(props.original) : newDraft(),
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const isNew = props.original === undefined;
  const set = (patch: Partial<RuleDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const setField = (key: string, value: string) =>
    setDraft((d) => ({ ...d, fields: { ...d.fields, [key]: value } }));

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await props.onSave(ruleOf(draft, props.original));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="settings-form" onSubmit={onSubmit} data-testid="rule-form">
      <div className="form-grid">
        {isNew ? (
          <>
            <label htmlFor={`${id}-id`}>
              id (a–z, 0–9, - and _)
              <input
                id={`${id}-id`}
                name="id"
                required
                pattern="[a-z0-9][a-z0-9_\-]{0,63}"
                value={draft.id}
                onChange={(e) => set({ id: e.target.value })}
              />
            </label>
            <label htmlFor={`${id}-kind`}>
              kind
              <select
                id={`${id}-kind`}
                name="kind"
                value={draft.kind}
                onChange={(e) => {
                  const kind = e.target.value as RuleKind;
                  set({ kind, fields: initialFields(kind) });
                }}
              >
                {ruleKinds.map((k) => (
                  <option key={k} value={k}>
                    {ruleKindWords[k]}
                  </option>
                ))}
              </select>
            </label>
          </>
        ) : null}
        <label htmlFor={`${id}-name`}>
          name
          <input
            id={`${id}-name`}
            name="name"
            placeholder={draft.id || 'shown on alarms'}
            value={draft.name}
            onChange={(e) => set({ name: e.target.value })}
          />
        </label>
        <label htmlFor={`${id}-severity`}>
          severity
          <select
            id={`${id}-severity`}
            name="severity"
            value={draft.severity}
            onChange={(e) => set({ severity: e.target.value as AlarmSeverity })}
          >
            {alarmSeverities.map((s) => (
              <option key={s} value={s}>
                {severityWords[s]}
              </option>
            ))}
          </select>
        </label>
        <label htmlFor={`${id}-reactors`}>
          reactors (empty: all)
          <input
            id={`${id}-reactors`}
            name="reactors"
            placeholder="all reactors"
            value={draft.reactors}
            onChange={(e) => set({ reactors: e.target.value })}
          />
        </label>
        <label htmlFor={`${id}-pending`}>
          pending (min)
          <input
            id={`${id}-pending`}
            name="pendingMinutes"
            type="number"
            min="0"
            step="any"
            value={draft.pendingMinutes}
            onChange={(e) => set({ pendingMinutes: e.target.value })}
          />
        </label>
        <label htmlFor={`${id}-keep`}>
          keep firing (min)
          <input
            id={`${id}-keep`}
            name="keepFiringMinutes"
            type="number"
            min="0"
            step="any"
            value={draft.keepFiringMinutes}
            onChange={(e) => set({ keepFiringMinutes: e.target.value })}
          />
        </label>
        {kindFields[draft.kind]
          .filter((f) => !f.when || draft.fields[f.when.key] === f.when.value)
          .map((f) => (
            <label key={f.key} htmlFor={`${id}-${f.key}`}>
              {f.label}
              {f.input === 'select' ? (
                <select
                  id={`${id}-${f.key}`}
                  name={f.key}
                  value={draft.fields[f.key] ?? ''}
                  onChange={(e) => setField(f.key, e.target.value)}
                >
                  {(f.options ?? []).map((o) => (
                    <option key={o} value={o}>
                      {o}
                    </option>
                  ))}
                </select>
              ) : (
                <input
                  id={`${id}-${f.key}`}
                  name={f.key}
                  type="number"
                  step={f.step ?? 'any'}
                  required={!f.optional}
                  value={draft.fields[f.key] ?? ''}
                  onChange={(e) => setField(f.key, e.target.value)}
                />
              )}
            </label>
          ))}
        <label className="checkbox-label" htmlFor={`${id}-enabled`}>
          <span>
            <input
              id={`${id}-enabled`}
              name="enabled"
              type="checkbox"
              checked={draft.enabled}
              onChange={(e) => set({ enabled: e.target.checked })}
            />{' '}
            enabled
          </span>
        </label>
      </div>
      <p className="muted form-note">
        Pending: how long the condition must hold before the alarm fires; keep firing: how long it must be
        gone before the alarm clears (plant time for readings and fits, the wall clock for stale sensors).
      </p>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy} data-testid="save-rule">
          {isNew ? 'Add rule' : 'Save rule'}
        </button>
        <button type="button" className="button button-quiet" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
      <p className="form-error" role="alert">
        {error ?? ''}
      </p>
    </form>
  );
}
