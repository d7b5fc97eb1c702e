'use client';
/**
 * The form of one alert rule: the fields every rule has, then its kind's own, each typed in the unit
 * shown beside it. Every field is checked here before the rule is sent: a problem is shown at its
 * field, names it and says what is allowed, and goes as soon as the field is put right.
 */
import { type FormEvent, type ReactNode, useId, useState } from 'react';
import type { AlarmSeverity, RulePreview } from '../../../contract/api';
import { alarmSeverities, severityWords } from '../../lib/alarm-words';
import { type AlertRule, previewAlertRule } from '../../lib/alerts-api';
import { useClockZone } from '../../lib/preferences';
import {
  draftOf,
  draftProblems,
  fieldLabel,
  initialFields,
  kindFields,
  newDraft,
  type RuleDraft,
  type RuleKind,
  ruleKinds,
  ruleKindWords,
  ruleOf,
} from '../../lib/rule-kinds';
import { formatClock } from '../../lib/time-format';
import { RulePreviewChart } from '../charts/rule-preview-chart';

/** A labelled control with its problem, if any, said beside it and tied to it for screen readers. */
function Field(props: {
  id: string;
  label: string;
  error: string | undefined;
  className?: string;
  children: (a11y: { id: string; 'aria-invalid'?: boolean; 'aria-describedby'?: string }) => ReactNode;
}) {
  const errorId = `${props.id}-error`;
  return (
    <div className={`field ${props.className ?? ''}`}>
      <label htmlFor={props.id}>{props.label}</label>
      {props.children({
        id: props.id,
        'aria-invalid': props.error ? true : undefined,
        'aria-describedby': props.error ? errorId : undefined,
      })}
      {props.error ? (
        <span className="form-error field-error" id={errorId}>
          {props.error}
        </span>
      ) : null}
    </div>
  );
}

export function RuleForm(props: {
  /** Absent: a new rule (its id and kind are chosen here). */
  original?: AlertRule;
  /** The plant's reactors (from the API), to refuse others; null while unknown. */
  knownReactors: readonly string[] | null;
  onSave: (rule: AlertRule) => Promise<void>;
  onCancel: () => void;
}) {
  const id = useId();
  const [draft, setDraft] = useState<RuleDraft>(() =>
    props.original ? draftOf(props.original) : newDraft(),
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const zone = useClockZone();
  const [preview, setPreview] = useState<{ text: string; answer: RulePreview | null } | null>(null);
  /** Shown once a save was tried; then each edit checks again, so a fixed field's problem goes. */
  const [problems, setProblems] = useState<Record<string, string> | null>(null);
  const isNew = props.original === undefined;
  const update = (next: RuleDraft) => {
    setDraft(next);
    if (!problems) return;
    const found = draftProblems(next, props.knownReactors, isNew);
    setProblems(found);
    if (Object.keys(found).length === 0) setError(null);
  };
  const set = (patch: Partial<RuleDraft>) => update({ ...draft, ...patch });
  const setField = (key: string, value: string) =>
    update({ ...draft, fields: { ...draft.fields, [key]: value } });
  const problemOf = (key: string) => problems?.[key];

  /** Replays the draft over the last 7 days of stored history; nothing is saved. */
  async function onPreview() {
    const found = draftProblems(draft, props.knownReactors, false);
    delete found.id;
    setProblems(found);
    if (Object.keys(found).length > 0) {
      setPreview({ text: 'Not previewed: fix the marked fields first.', answer: null });
      return;
    }
    setBusy(true);
    try {
      const rule = ruleOf(draft, props.original);
      const answer = await previewAlertRule({ ...rule, id: rule.id || 'preview' });
      setPreview({ text: `${answer.words}.`, answer });
    } catch (e) {
      setPreview({ text: `Not previewed: ${(e as Error).message}`, answer: null });
    } finally {
      setBusy(false);
    }
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found = draftProblems(draft, props.knownReactors, isNew);
    setProblems(found);
    setError(null);
    if (Object.keys(found).length > 0) {
      setError(
        `Not saved: ${Object.keys(found).length === 1 ? 'one field needs' : `${Object.keys(found).length} fields need`} changing (marked above).`,
      );
      return;
    }
    setBusy(true);
    try {
      await props.onSave(ruleOf(draft, props.original));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="settings-form" onSubmit={onSubmit} data-testid="rule-form" noValidate>
      <div className="form-grid">
        {isNew ? (
          <>
            <Field id={`${id}-id`} label="id (a–z, 0–9, - and _)" error={problemOf('id')}>
              {(a11y) => (
                <input {...a11y} name="id" value={draft.id} onChange={(e) => set({ id: e.target.value })} />
              )}
            </Field>
            <Field id={`${id}-kind`} label="kind" error={undefined}>
              {(a11y) => (
                <select
                  {...a11y}
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
              )}
            </Field>
          </>
        ) : null}
        <Field id={`${id}-name`} label="name" error={problemOf('name')}>
          {(a11y) => (
            <input
              {...a11y}
              name="name"
              placeholder={draft.id || 'shown on alarms'}
              value={draft.name}
              onChange={(e) => set({ name: e.target.value })}
            />
          )}
        </Field>
        <Field id={`${id}-severity`} label="severity" error={undefined}>
          {(a11y) => (
            <select
              {...a11y}
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
          )}
        </Field>
        <Field
          id={`${id}-reactors`}
          label={`reactors (empty: all${props.knownReactors?.length ? `; ${props.knownReactors.join(', ')}` : ''})`}
          error={problemOf('reactors')}
        >
          {(a11y) => (
            <input
              {...a11y}
              name="reactors"
              placeholder="all reactors"
              value={draft.reactors}
              onChange={(e) => set({ reactors: e.target.value })}
            />
          )}
        </Field>
        {(
          [
            ['pendingMinutes', 'pending (min)'],
            ['keepFiringMinutes', 'keep firing (min)'],
          ] as const
        ).map(([key, label]) => (
          <Field key={key} id={`${id}-${key}`} label={label} error={problemOf(key)}>
            {(a11y) => (
              <input
                {...a11y}
                name={key}
                inputMode="decimal"
                value={draft[key]}
                onChange={(e) => set({ [key]: e.target.value })}
              />
            )}
          </Field>
        ))}
        {kindFields[draft.kind]
          .filter((f) => !f.when || draft.fields[f.when.key] === f.when.value)
          .map((f) => (
            <Field
              key={f.key}
              id={`${id}-${f.key}`}
              label={fieldLabel(f, draft.fields)}
              error={problemOf(f.key)}
            >
              {(a11y) =>
                f.input === 'select' ? (
                  <select
                    {...a11y}
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
                    {...a11y}
                    name={f.key}
                    inputMode="decimal"
                    value={draft.fields[f.key] ?? ''}
                    onChange={(e) => setField(f.key, e.target.value)}
                  />
                )
              }
            </Field>
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
        gone before the alarm clears (plant time: the readings' and fits' own, a reactor's plant clock for
        stale sensors).
      </p>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy} data-testid="save-rule">
          {isNew ? 'Add rule' : 'Save rule'}
        </button>
        <button
          type="button"
          className="button"
          disabled={busy}
          onClick={() => void onPreview()}
          data-testid="preview-rule"
        >
          Preview on the last 7 days
        </button>
        <button type="button" className="button button-quiet" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
      <div role="status" aria-live="polite" data-testid="rule-preview">
        {preview ? (
          <>
            <p>{preview.text}</p>
            {preview.answer && preview.answer.firings.length > 0 ? (
              <RulePreviewChart preview={preview.answer} zone={zone} />
            ) : null}
            {preview.answer && preview.answer.firings.length > 0 ? (
              <ul className="muted">
                {preview.answer.firings.slice(0, 10).map((f) => (
                  <li key={`${f.reactorId}-${f.atMs}`}>
                    {f.reactorId}: {f.summary} (plant clock {formatClock(f.atMs, false, zone)}
                    {f.clearedAtMs !== null ? `, cleared ${formatClock(f.clearedAtMs, false, zone)}` : ''})
                  </li>
                ))}
              </ul>
            ) : null}
          </>
        ) : null}
      </div>
      <p className="form-error" role="alert" data-testid="rule-form-error">
        {error ?? ''}
      </p>
    </form>
  );
}
