'use client';
/**
 * The estimator's window, step and forecast (plant hours). An operator's change restarts the
 * assimilator: a new window or step starts every reactor's fits afresh (cold), a new forecast
 * applies to the next fits.
 */
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import type { EstimatorSettingsView } from '../../../contract/api';
import { fetchEstimatorSettings, putEstimatorSettings } from '../../lib/alerts-api';
import { describeError } from '../../lib/api-client';
import { numberProblem } from '../../lib/field-checks';
import { useClockZone } from '../../lib/preferences';
import { formatClock } from '../../lib/time-format';

export function EstimatorSection(props: { canOperate: boolean }) {
  const zone = useClockZone();
  const [view, setView] = useState<EstimatorSettingsView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState({ windowHours: '', stepHours: '', forecastHours: '' });
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const [problems, setProblems] = useState<Partial<Record<keyof typeof draft, string>> | null>(null);

  /** What the service accepts, checked here so that each field says what is wrong with it. */
  function check(d: typeof draft): Partial<Record<keyof typeof draft, string>> {
    const found: Partial<Record<keyof typeof draft, string>> = {};
    const windowHours = Number(d.windowHours);
    const limits = {
      windowHours: { label: 'window', limits: { min: 1, max: 72 } },
      stepHours: {
        label: 'step',
        limits: { min: 0.25, max: Number.isFinite(windowHours) && windowHours >= 1 ? windowHours : 72 },
      },
      forecastHours: { label: 'forecast', limits: { min: 0, max: 168 } },
    } as const;
    for (const key of Object.keys(limits) as (keyof typeof draft)[]) {
      const problem = numberProblem(limits[key].label, d[key], limits[key].limits, { unitSymbol: 'plant h' });
      if (problem)
        found[key] =
          key === 'stepHours' && !problem.includes('not a number')
            ? `${problem} (at most the window)`
            : problem;
    }
    return found;
  }

  const load = useCallback(async () => {
    try {
      setView(await fetchEstimatorSettings());
      setError(null);
    } catch (e) {
      setError(describeError(e));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  function startEditing(v: EstimatorSettingsView) {
    setDraft({
      windowHours: String(v.windowHours),
      stepHours: String(v.stepHours),
      forecastHours: String(v.forecastHours),
    });
    setSaved(null);
    setProblems(null);
    setEditing(true);
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (!view) return;
    const found = check(draft);
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      const next = await putEstimatorSettings({
        windowHours: Number(draft.windowHours),
        stepHours: Number(draft.stepHours),
        forecastHours: Number(draft.forecastHours),
      });
      const cold = next.windowHours !== view.windowHours || next.stepHours !== view.stepHours;
      setView(next);
      setEditing(false);
      setSaved(
        cold
          ? 'Saved. The estimator restarted: every reactor’s fits start afresh from the new window.'
          : 'Saved. The next fits use it.',
      );
    } catch (e) {
      setError(`Not saved: ${describeError(e)}`);
    } finally {
      setBusy(false);
    }
  }

  const field = (key: keyof typeof draft, label: string) => (
    <div className="field">
      <label htmlFor={`estimator-${key}`}>{label}</label>
      <input
        id={`estimator-${key}`}
        name={key}
        inputMode="decimal"
        value={draft[key]}
        aria-invalid={problems?.[key] ? true : undefined}
        aria-describedby={problems?.[key] ? `estimator-${key}-error` : undefined}
        onChange={(e) => {
          const next = { ...draft, [key]: e.target.value };
          setDraft(next);
          if (problems) setProblems(check(next));
        }}
      />
      {problems?.[key] ? (
        <span className="form-error field-error" id={`estimator-${key}-error`}>
          {problems[key]}
        </span>
      ) : null}
    </div>
  );

  return (
    <section
      className="panel settings-section"
      aria-labelledby="estimator-title"
      data-testid="estimator-section"
    >
      <h2 id="estimator-title">Estimator</h2>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {view ? (
        <>
          <p>
            Fits a window of <strong>{view.windowHours} plant h</strong>, a new one every{' '}
            <strong>{view.stepHours} h</strong>, and forecasts <strong>{view.forecastHours} h</strong> past
            its end.{' '}
            <span className="muted">
              {view.source === 'config'
                ? 'From the service settings.'
                : `Set by ${view.updatedBy ?? 'an operator'}${view.updatedAtMs ? ` on ${formatClock(view.updatedAtMs, false, zone)}` : ''}.`}
              {view.assimilatorEnabled ? '' : ' The assimilator is off (ASSIMILATOR=off): nothing is fitted.'}
            </span>
          </p>
          {props.canOperate && view.assimilatorEnabled && !editing ? (
            <button type="button" className="button button-small" onClick={() => startEditing(view)}>
              Change
            </button>
          ) : null}
          {editing ? (
            <form className="settings-form" onSubmit={onSubmit} noValidate>
              <div className="form-grid">
                {field('windowHours', 'window (plant h, 1–72)')}
                {field('stepHours', 'step (plant h, 0.25 to the window)')}
                {field('forecastHours', 'forecast (plant h, 0–168)')}
              </div>
              <p className="muted form-note">
                A new window or step restarts the estimator and fits every reactor afresh from a cold start.
              </p>
              <div className="form-actions">
                <button type="submit" className="button button-primary" disabled={busy}>
                  Save
                </button>
                <button type="button" className="button button-quiet" onClick={() => setEditing(false)}>
                  Cancel
                </button>
              </div>
            </form>
          ) : null}
          {saved ? (
            <p className="form-ok" role="status">
              {saved}
            </p>
          ) : null}
        </>
      ) : error ? null : (
        <p className="muted">Loading…</p>
      )}
    </section>
  );
}
