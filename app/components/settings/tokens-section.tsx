'use client';
/**
 * API tokens (operators): for scripts, sent as `Authorization: Bearer cwt_…`. A new token is shown
 * once, with a copy button; the service keeps only its hash. Revoking takes effect at once.
 */
import { type FormEvent, useState } from 'react';
import type { ApiTokenView, CreatedApiToken, Role } from '../../../contract/auth';
import { createToken, fetchTokens, revokeToken } from '../../lib/auth-api';
import { useClockZone } from '../../lib/preferences';
import { formatAge, formatClock } from '../../lib/time-format';
import { useShownOnceList } from '../../lib/use-shown-once-list';
import { ConfirmButton } from './confirm-button';
import { ShownOnce } from './shown-once';

export function TokensSection() {
  const zone = useClockZone();
  const {
    items: tokens,
    error,
    busy,
    created,
    setCreated,
    nowMs,
    make,
    remove,
  } = useShownOnceList<ApiTokenView, CreatedApiToken>(fetchTokens);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');

  async function onCreate(event: FormEvent) {
    event.preventDefault();
    if (await make(() => createToken({ name: name.trim(), role }))) setName('');
  }

  async function onRevoke(id: number) {
    await remove(
      () => revokeToken(id),
      (c) => c.id === id,
      'revoked',
    );
  }

  return (
    <section className="panel settings-section" aria-labelledby="tokens-title" data-testid="tokens-section">
      <h2 id="tokens-title">API tokens</h2>
      <p className="muted">
        For scripts: send <code>Authorization: Bearer cwt_…</code> (socket.io: <code>auth: {'{token}'}</code>
        ). A token acts with its role; what it changes is recorded as <code>token:NAME</code>.
      </p>
      <form className="settings-form inline-settings-form" onSubmit={onCreate} data-testid="token-form">
        <label htmlFor="token-name">
          name
          <input
            id="token-name"
            name="token-name"
            required
            maxLength={64}
            placeholder="e.g. lims-export"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <label htmlFor="token-role">
          role
          <select
            id="token-role"
            name="token-role"
            value={role}
            onChange={(e) => setRole(e.target.value as Role)}
          >
            <option value="viewer">viewer (reads)</option>
            <option value="operator">operator (also changes)</option>
          </select>
        </label>
        <button type="submit" className="button button-primary" disabled={busy} data-testid="create-token">
          Make token
        </button>
      </form>
      {created ? (
        <ShownOnce
          title={`Token “${created.name}” (${created.role})`}
          value={created.token}
          note="This is the only time it is shown: the service keeps only its hash."
          onDismiss={() => setCreated(null)}
        />
      ) : null}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {tokens !== null && tokens.length === 0 ? <p className="muted">No tokens yet.</p> : null}
      {tokens && tokens.length > 0 ? (
        <div className="table-scroll">
          <table className="compact-table" data-testid="token-list">
            <thead>
              <tr>
                <th scope="col">name</th>
                <th scope="col">role</th>
                <th scope="col">made</th>
                <th scope="col">last used</th>
                <th scope="col">state</th>
                <th scope="col">
                  <span className="visually-hidden">actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((t) => (
                <tr
                  key={t.id}
                  data-token-id={t.id}
                  data-token-name={t.name}
                  data-revoked={t.revokedAtMs !== null}
                >
                  <td>{t.name}</td>
                  <td>{t.role}</td>
                  <td>
                    {formatClock(t.createdAtMs, false, zone)} by {t.createdBy}
                  </td>
                  <td>{t.lastUsedAtMs === null ? 'never' : formatAge(nowMs - t.lastUsedAtMs)}</td>
                  <td>
                    {t.revokedAtMs === null ? 'active' : `revoked ${formatClock(t.revokedAtMs, false, zone)}`}
                  </td>
                  <td>
                    {t.revokedAtMs === null ? (
                      <ConfirmButton
                        label="Revoke"
                        confirmLabel={`Revoke “${t.name}” now`}
                        subject={`API token “${t.name}”`}
                        onConfirm={() => void onRevoke(t.id)}
                        testId="revoke-token"
                      />
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
