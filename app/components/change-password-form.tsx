'use client';
/**
 * Choose a new password: after logging in with a one-time password (before anything else is shown),
 * or by choice on the settings page. At least `minPasswordLength` characters; the user's other
 * sessions end.
 */
import { type FormEvent, useId, useState } from 'react';
import { minPasswordLength, type SessionView } from '../../contract/auth';
import { ApiRequestError, describeError } from '../lib/api-client';
import { changePassword } from '../lib/auth-api';

export function ChangePasswordForm(props: {
  /** Filled in when the user has just typed it (the one-time password on the login page). */
  knownCurrentPassword?: string;
  submitLabel?: string;
  onChanged: (view: SessionView) => void;
}) {
  const id = useId();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    if (next.length < minPasswordLength) {
      setError(`The new password needs at least ${minPasswordLength} characters.`);
      return;
    }
    if (next !== again) {
      setError('The two new passwords differ.');
      return;
    }
    setBusy(true);
    try {
      const view = await changePassword(props.knownCurrentPassword ?? current, next);
      setCurrent('');
      setNext('');
      setAgain('');
      props.onChanged(view);
    } catch (e) {
      setError(
        e instanceof ApiRequestError && e.status === 401
          ? 'The current password is wrong.'
          : `Not changed: ${describeError(e)}`,
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="stack-form" method="post" onSubmit={onSubmit} data-testid="change-password-form">
      {props.knownCurrentPassword === undefined ? (
        <label htmlFor={`${id}-current`}>
          current password
          <input
            id={`${id}-current`}
            type="password"
            name="current-password"
            autoComplete="current-password"
            required
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
          />
        </label>
      ) : null}
      <label htmlFor={`${id}-new`}>
        new password (at least {minPasswordLength} characters)
        <input
          id={`${id}-new`}
          type="password"
          name="new-password"
          autoComplete="new-password"
          required
          minLength={minPasswordLength}
          value={next}
          onChange={(e) => setNext(e.target.value)}
        />
      </label>
      <label htmlFor={`${id}-again`}>
        new password again
        <input
          id={`${id}-again`}
          type="password"
          name="new-password-again"
          autoComplete="new-password"
          required
          value={again}
          onChange={(e) => setAgain(e.target.value)}
        />
      </label>
      <div>
        <button type="submit" className="button button-primary" disabled={busy}>
          {props.submitLabel ?? 'Change password'}
        </button>
      </div>
      <p className="form-error" role="alert">
        {error ?? ''}
      </p>
    </form>
  );
}
