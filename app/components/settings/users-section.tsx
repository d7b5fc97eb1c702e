'use client';
/**
 * Accounts (operators): who may log in, with which role. A new account gets a one-time password,
 * shown once; its owner chooses their own at the first login. The last operator cannot be removed,
 * nor can one remove oneself.
 */
import { type FormEvent, useState } from 'react';
import type { CreatedUser, Role, UserView } from '../../../contract/auth';
import { createUser, fetchUsers, removeUser } from '../../lib/auth-api';
import { useClockZone } from '../../lib/preferences';
import { formatAge, formatClock } from '../../lib/time-format';
import { useShownOnceList } from '../../lib/use-shown-once-list';
import { ConfirmButton } from './confirm-button';
import { ShownOnce } from './shown-once';

export function UsersSection(props: { me: string }) {
  const zone = useClockZone();
  const {
    items: users,
    error,
    busy,
    created,
    setCreated,
    nowMs,
    make,
    remove,
  } = useShownOnceList<UserView, CreatedUser>(fetchUsers);
  const [username, setUsername] = useState('');
  const [role, setRole] = useState<Role>('viewer');

  async function onCreate(event: FormEvent) {
    event.preventDefault();
    if (await make(() => createUser({ username: username.trim(), role }))) setUsername('');
  }

  async function onRemove(name: string) {
    await remove(
      () => removeUser(name),
      (c) => c.username === name,
      'removed',
    );
  }

  return (
    <section className="panel settings-section" aria-labelledby="users-title" data-testid="users-section">
      <h2 id="users-title">Accounts</h2>
      <p className="muted">
        A viewer reads every page; an operator also acknowledges and clears alarms, changes rules, webhooks
        and the estimator, makes tokens and accounts, and uses the demo controls.
      </p>
      <form className="settings-form inline-settings-form" onSubmit={onCreate} data-testid="user-form">
        <label htmlFor="user-name">
          username
          <input
            id="user-name"
            name="new-username"
            required
            pattern="[A-Za-z0-9._\-]{1,64}"
            autoComplete="off"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <label htmlFor="user-role">
          role
          <select
            id="user-role"
            name="user-role"
            value={role}
            onChange={(e) => setRole(e.target.value as Role)}
          >
            <option value="viewer">viewer</option>
            <option value="operator">operator</option>
          </select>
        </label>
        <button type="submit" className="button button-primary" disabled={busy} data-testid="create-user">
          Make account
        </button>
      </form>
      {created ? (
        <ShownOnce
          title={`One-time password for ${created.username} (${created.role})`}
          value={created.oneTimePassword}
          note="Give it to them by a safe way; it works once, and they choose their own password at the first login."
          onDismiss={() => setCreated(null)}
        />
      ) : null}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {users && users.length > 0 ? (
        <div className="table-scroll">
          <table className="compact-table" data-testid="user-list">
            <thead>
              <tr>
                <th scope="col">username</th>
                <th scope="col">role</th>
                <th scope="col">made</th>
                <th scope="col">last login</th>
                <th scope="col">password</th>
                <th scope="col">
                  <span className="visually-hidden">actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.username} data-username={u.username}>
                  <td>
                    {u.username}
                    {u.username === props.me ? ' (you)' : ''}
                  </td>
                  <td>{u.role}</td>
                  <td>{formatClock(u.createdAtMs, false, zone)}</td>
                  <td>{u.lastLoginAtMs === null ? 'never' : formatAge(nowMs - u.lastLoginAtMs)}</td>
                  <td>{u.mustChangePassword ? 'one-time, not yet changed' : 'own'}</td>
                  <td>
                    {u.username === props.me ? null : (
                      <ConfirmButton
                        label="Remove"
                        confirmLabel={`Remove ${u.username}`}
                        subject={`account ${u.username}`}
                        onConfirm={() => void onRemove(u.username)}
                        testId="remove-user"
                      />
                    )}
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
