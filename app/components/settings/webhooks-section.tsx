'use client';
/**
 * Webhook endpoints on the settings page: where each transition is sent (Grafana's webhook shape,
 * signed with the endpoint's secret), how many notifications wait, the last attempt and the log of
 * attempts. The secret is write-only: typed when the endpoint is made or the secret rotated, then
 * never shown (the service never sends it back).
 */
import { type FormEvent, useCallback, useEffect, useId, useState } from 'react';
import type { AlarmSeverity, WebhookDeliveryView, WebhookEndpointView } from '../../../contract/api';
import { alarmSeverities, severityWords } from '../../lib/alarm-words';
import {
  createWebhook,
  deleteWebhook,
  fetchWebhookDeliveries,
  fetchWebhooks,
  patchWebhook,
  sendWebhookTest,
} from '../../lib/alerts-api';
import { describeError } from '../../lib/api-client';
import { useClockZone } from '../../lib/preferences';
import { formatAge, formatClock } from '../../lib/time-format';
import { ConfirmButton } from './confirm-button';

const minSecretLength = 16;

const outcomeWords: Record<WebhookDeliveryView['outcome'], string> = {
  delivered: 'delivered',
  'http-error': 'refused (HTTP error)',
  timeout: 'timed out',
  'network-error': 'unreachable',
};

function attemptWords(a: WebhookDeliveryView): string {
  return `${outcomeWords[a.outcome]}${a.httpStatus !== null ? ` (${a.httpStatus})` : ''}`;
}

function SeverityChoice(props: { value: AlarmSeverity[]; onChange: (v: AlarmSeverity[]) => void }) {
  return (
    <fieldset className="checkbox-row">
      <legend>severities sent</legend>
      {alarmSeverities.map((s) => (
        <label key={s} className="checkbox-label">
          <span>
            <input
              type="checkbox"
              name={`severity-${s}`}
              checked={props.value.includes(s)}
              onChange={(e) =>
                props.onChange(
                  e.target.checked
                    ? alarmSeverities.filter((x) => x === s || props.value.includes(x))
                    : props.value.filter((x) => x !== s),
                )
              }
            />{' '}
            {severityWords[s]}
          </span>
        </label>
      ))}
    </fieldset>
  );
}

function SecretInput(props: { id: string; value: string; onChange: (v: string) => void; label: string }) {
  return (
    <label htmlFor={props.id}>
      {props.label}
      <input
        id={props.id}
        name="secret"
        type="password"
        autoComplete="new-password"
        required
        minLength={minSecretLength}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </label>
  );
}

function NewWebhookForm(props: { onCreated: () => void; onCancel: () => void }) {
  const id = useId();
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState('');
  const [severities, setSeverities] = useState<AlarmSeverity[]>([...alarmSeverities]);
  const [enabled, setEnabled] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    if (secret.length < minSecretLength) {
      setError(`The secret needs at least ${minSecretLength} characters.`);
      return;
    }
    setBusy(true);
    try {
      await createWebhook({ name: name.trim(), url: url.trim(), secret, severities, enabled });
      // The secret leaves the page with the request.
      setSecret('');
      props.onCreated();
    } catch (e) {
      setError(`Not added: ${describeError(e)}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="settings-form" onSubmit={onSubmit} data-testid="webhook-form">
      <div className="form-grid">
        <label htmlFor={`${id}-name`}>
          name
          <input
            id={`${id}-name`}
            name="name"
            required
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <label htmlFor={`${id}-url`} className="wide-field">
          URL (http:// or https://)
          <input
            id={`${id}-url`}
            name="url"
            type="url"
            required
            placeholder="https://alerts.example.org/hook"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
          />
        </label>
        <SecretInput
          id={`${id}-secret`}
          value={secret}
          onChange={setSecret}
          label={`secret (≥ ${minSecretLength} characters; signs every request)`}
        />
        <SeverityChoice value={severities} onChange={setSeverities} />
        <label className="checkbox-label">
          <span>
            <input
              type="checkbox"
              name="enabled"
              checked={enabled}
              onChange={(e) => setEnabled(e.target.checked)}
            />{' '}
            enabled
          </span>
        </label>
      </div>
      <p className="muted form-note">
        The secret is stored to sign requests (hex HMAC-SHA256 of{' '}
        <code>timestamp + &quot;:&quot; + body</code> in <code>X-Grafana-Alerting-Signature</code>) and is
        never shown again: keep it with the receiver.
      </p>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy} data-testid="save-webhook">
          Add endpoint
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

function Deliveries(props: { endpointId: number }) {
  const zone = useClockZone();
  const [attempts, setAttempts] = useState<WebhookDeliveryView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setAttempts(await fetchWebhookDeliveries(props.endpointId));
      setError(null);
    } catch (e) {
      setError(describeError(e));
    }
  }, [props.endpointId]);
  useEffect(() => {
    void load();
  }, [load]);
  if (error)
    return (
      <p className="form-error" role="alert">
        {error}
      </p>
    );
  if (attempts === null) return <p className="muted">Loading…</p>;
  if (attempts.length === 0) return <p className="muted">No attempts yet.</p>;
  return (
    <div className="table-scroll">
      <table className="compact-table" data-testid="deliveries">
        <caption>
          The newest {attempts.length} attempts.{' '}
          <button type="button" className="button button-small button-quiet" onClick={() => void load()}>
            Refresh
          </button>
        </caption>
        <thead>
          <tr>
            <th scope="col">when</th>
            <th scope="col">outcome</th>
            <th scope="col">attempt</th>
            <th scope="col">took</th>
            <th scope="col">notification</th>
            <th scope="col">error</th>
          </tr>
        </thead>
        <tbody>
          {attempts.map((a) => (
            <tr
              key={a.id}
              data-outcome={a.outcome}
              className={a.outcome === 'delivered' ? undefined : 'row-failed'}
            >
              <td>{formatClock(a.startedAtMs, true, zone)}</td>
              <td>{attemptWords(a)}</td>
              <td>{a.attempt}</td>
              <td>{a.durationMs < 10 ? a.durationMs.toFixed(1) : Math.round(a.durationMs)} ms</td>
              <td>
                alarm {a.alarmId} {a.transition}
              </td>
              <td>{a.error ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function WebhookItem(props: {
  endpoint: WebhookEndpointView;
  canOperate: boolean;
  nowMs: number;
  onChanged: () => void;
}) {
  const { endpoint: w, canOperate } = props;
  const id = useId();
  const [mode, setMode] = useState<'view' | 'edit' | 'rotate'>('view');
  const [showLog, setShowLog] = useState(false);
  const [name, setName] = useState(w.name);
  const [url, setUrl] = useState(w.url);
  const [severities, setSeverities] = useState<AlarmSeverity[]>(w.severities);
  const [secret, setSecret] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [tested, setTested] = useState<string | null>(null);

  async function onTest() {
    setBusy(true);
    setTested(null);
    try {
      const r = await sendWebhookTest(w.id);
      setTested(
        r.outcome === 'delivered'
          ? `Test delivered (${r.httpStatus}) in ${Math.round(r.durationMs)} ms.`
          : `Test not delivered: ${outcomeWords[r.outcome]}${r.error ? ` (${r.error})` : ''}.`,
      );
    } catch (e) {
      setTested(`Test not sent: ${describeError(e)}`);
    } finally {
      setBusy(false);
    }
  }

  async function change(patch: Parameters<typeof patchWebhook>[1], failure: string): Promise<boolean> {
    setBusy(true);
    setError(null);
    try {
      await patchWebhook(w.id, patch);
      props.onChanged();
      return true;
    } catch (e) {
      setError(`${failure}: ${describeError(e)}`);
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function onSaveEdit(event: FormEvent) {
    event.preventDefault();
    if (await change({ name: name.trim(), url: url.trim(), severities }, 'Not saved')) setMode('view');
  }

  async function onRotate(event: FormEvent) {
    event.preventDefault();
    if (secret.length < minSecretLength) {
      setError(`The secret needs at least ${minSecretLength} characters.`);
      return;
    }
    const ok = await change({ secret }, 'Secret not changed');
    setSecret('');
    if (ok) setMode('view');
  }

  async function onDelete() {
    setBusy(true);
    try {
      await deleteWebhook(w.id);
      props.onChanged();
    } catch (e) {
      setError(`Not deleted: ${describeError(e)}`);
      setBusy(false);
    }
  }

  return (
    <li className="settings-item" data-webhook-id={w.id} data-webhook-name={w.name} data-enabled={w.enabled}>
      <div className="settings-item-head">
        <strong>{w.name}</strong>
        <code className="webhook-url">{w.url}</code>
        {w.enabled ? null : <span className="state-label state-warning">disabled</span>}
      </div>
      <div className="meta">
        sends{' '}
        {w.severities.length === 4 ? 'every severity' : w.severities.map((s) => severityWords[s]).join(', ')}{' '}
        · secret set (never shown) ·{' '}
        <span data-testid="pending-count" data-count={w.pendingCount}>
          {w.pendingCount === 0 ? 'nothing waiting' : `${w.pendingCount} waiting`}
        </span>
      </div>
      <div className="meta" role="status" aria-live="polite" data-testid="webhook-test-result">
        {tested ?? ''}
      </div>
      <div className="meta" data-testid="last-attempt" data-outcome={w.lastAttempt?.outcome ?? ''}>
        {w.lastAttempt
          ? `last attempt ${attemptWords(w.lastAttempt)}, ${formatAge(props.nowMs - w.lastAttempt.startedAtMs)}${w.lastAttempt.error ? `: ${w.lastAttempt.error}` : ''}`
          : 'no attempt yet'}
      </div>
      <div className="item-actions">
        <button
          type="button"
          className="button button-small"
          onClick={() => setShowLog((v) => !v)}
          aria-expanded={showLog}
          aria-label={`${showLog ? 'Hide attempts' : 'Attempts'} of endpoint “${w.name}”`}
          data-testid="show-deliveries"
        >
          {showLog ? 'Hide attempts' : 'Attempts'}
        </button>
        {canOperate && mode === 'view' ? (
          <>
            <button
              type="button"
              className="button button-small"
              disabled={busy}
              onClick={() => void onTest()}
              aria-label={`Send a test to endpoint “${w.name}”`}
              data-testid="test-webhook"
            >
              Send test
            </button>
            <button
              type="button"
              className="button button-small"
              disabled={busy}
              onClick={() => void change({ enabled: !w.enabled }, w.enabled ? 'Not disabled' : 'Not enabled')}
              aria-label={`${w.enabled ? 'Disable' : 'Enable'} endpoint “${w.name}”`}
              data-testid="toggle-webhook"
            >
              {w.enabled ? 'Disable' : 'Enable'}
            </button>
            <button
              type="button"
              className="button button-small"
              onClick={() => setMode('edit')}
              aria-label={`Edit endpoint “${w.name}”`}
            >
              Edit
            </button>
            <button
              type="button"
              className="button button-small"
              onClick={() => setMode('rotate')}
              aria-label={`New secret for endpoint “${w.name}”`}
              data-testid="rotate-secret"
            >
              New secret
            </button>
            <ConfirmButton
              label="Delete"
              confirmLabel={`Delete “${w.name}” (cancels what it has not received)`}
              subject={`endpoint “${w.name}”`}
              disabled={busy}
              onConfirm={() => void onDelete()}
              testId="delete-webhook"
            />
          </>
        ) : null}
      </div>
      {mode === 'edit' ? (
        <form className="settings-form" onSubmit={onSaveEdit}>
          <div className="form-grid">
            <label htmlFor={`${id}-name`}>
              name
              <input id={`${id}-name`} required value={name} onChange={(e) => setName(e.target.value)} />
            </label>
            <label htmlFor={`${id}-url`} className="wide-field">
              URL
              <input
                id={`${id}-url`}
                type="url"
                required
                value={url}
                onChange={(e) => setUrl(e.target.value)}
              />
            </label>
            <SeverityChoice value={severities} onChange={setSeverities} />
          </div>
          <div className="form-actions">
            <button type="submit" className="button button-primary" disabled={busy}>
              Save
            </button>
            <button type="button" className="button button-quiet" onClick={() => setMode('view')}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      {mode === 'rotate' ? (
        <form className="settings-form" onSubmit={onRotate}>
          <div className="form-grid">
            <SecretInput
              id={`${id}-secret`}
              value={secret}
              onChange={setSecret}
              label="new secret (≥ 16 characters)"
            />
          </div>
          <div className="form-actions">
            <button type="submit" className="button button-primary" disabled={busy}>
              Replace secret
            </button>
            <button
              type="button"
              className="button button-quiet"
              onClick={() => {
                setSecret('');
                setMode('view');
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {showLog ? <Deliveries endpointId={w.id} /> : null}
    </li>
  );
}

export function WebhooksSection(props: { canOperate: boolean }) {
  const [endpoints, setEndpoints] = useState<WebhookEndpointView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [nowMs, setNowMs] = useState(() => Date.now());

  const load = useCallback(async () => {
    try {
      setEndpoints(await fetchWebhooks());
      setError(null);
    } catch (e) {
      setError(describeError(e));
    }
    setNowMs(Date.now());
  }, []);

  useEffect(() => {
    void load();
    // Pending counts and the last attempt move while the sender works.
    const timer = setInterval(() => void load(), 10_000);
    return () => clearInterval(timer);
  }, [load]);

  return (
    <section
      className="panel settings-section"
      aria-labelledby="webhooks-title"
      data-testid="webhooks-section"
    >
      <div className="section-head">
        <h2 id="webhooks-title">Webhooks</h2>
        {props.canOperate && !adding ? (
          <button type="button" className="button" onClick={() => setAdding(true)} data-testid="add-webhook">
            Add an endpoint
          </button>
        ) : null}
      </div>
      <p className="muted">
        Every alarm change is posted to each enabled endpoint that takes its severity, in order, retried until
        it is received (Grafana’s webhook body, so existing receivers work).
      </p>
      {adding ? (
        <NewWebhookForm
          onCreated={() => {
            setAdding(false);
            void load();
          }}
          onCancel={() => setAdding(false)}
        />
      ) : null}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {endpoints === null && !error ? <p className="muted">Loading…</p> : null}
      {endpoints !== null && endpoints.length === 0 ? (
        <p>No endpoints: alarms are shown here and on MQTT only.</p>
      ) : null}
      {endpoints && endpoints.length > 0 ? (
        <ul className="settings-list" data-testid="webhook-list">
          {endpoints.map((w) => (
            <WebhookItem
              key={`${w.id}:${w.updatedAtMs}`}
              endpoint={w}
              canOperate={props.canOperate}
              nowMs={nowMs}
              onChanged={() => void load()}
            />
          ))}
        </ul>
      ) : null}
    </section>
  );
}
