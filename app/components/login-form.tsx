'use client';
/**
 * The login page: username and password, then on to `?next=` (a path on this site only). A wrong
 * name or password and a rate limit are said plainly; a one-time password is exchanged for the
 * user's own before going on.
 */
import { type FormEvent, useState } from 'react';
import type { SessionView } from '../../contract/auth';
import { ApiRequestError, describeError } from '../lib/api-client';
import { logIn } from '../lib/auth-api';
import { safeNextPath } from '../lib/safe-next';
import { formatClock } from '../lib/time-format';
import { useHydrated } from '../lib/use-hydrated';
import { ChangePasswordForm } from './change-password-form';

type Problem =
  | { kind: 'wrong' }
  | { kind: 'limited'; retryAfterSeconds: number | null; atMs: number }
  | { kind: 'auth-off' }
  | { kind: 'other'; text: string };

function goOn(): void {
  const next = safeNextPath(new URLSearchParams(window.location.search).get('next'), window.location.origin);
  // A full load: every page starts with the new session and its live connection.
  window.location.replace(next);
}

function waitInWords(seconds: number): string {
  return seconds < 90 ? `${Math.ceil(seconds)} s` : `${Math.ceil(seconds / 60)} min`;
}

function ProblemText({ problem }: { problem: Problem }) {
  switch (problem.kind) {
    case 'wrong':
      return <>Wrong username or password.</>;
    case 'limited':
      return (
        <>
          Too many failed logins for this account or address.{' '}
          {problem.retryAfterSeconds !== null
            ? `Try again in ${waitInWords(problem.retryAfterSeconds)} (after ${formatClock(problem.atMs + problem.retryAfterSeconds * 1000, true)}).`
            : 'Try again later.'}
        </>
      );
    case 'auth-off':
      return (
        <>
          This service runs with <code>AUTH=off</code>: there is nothing to log in to.{' '}
          <a href="/">Go to the plant overview</a>.
        </>
      );
    case 'other':
      return <>Could not log in: {problem.text}</>;
  }
}

export function LoginForm() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const hydrated = useHydrated();
  const [problem, setProblem] = useState<Problem | null>(null);
  const [mustChange, setMustChange] = useState<{ view: SessionView; oneTime: string } | null>(null);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const view = await logIn(username, password);
      if (view.mustChangePassword) {
        setMustChange({ view, oneTime: password });
        setPassword('');
        setBusy(false);
        return;
      }
      goOn();
    } catch (error) {
      if (error instanceof ApiRequestError && error.status === 401) setProblem({ kind: 'wrong' });
      else if (error instanceof ApiRequestError && error.status === 429)
        setProblem({ kind: 'limited', retryAfterSeconds: error.retryAfterSeconds, atMs: Date.now() });
      else if (error instanceof ApiRequestError && error.status === 404) setProblem({ kind: 'auth-off' });
      else setProblem({ kind: 'other', text: describeError(error) });
      setBusy(false);
    }
  }

  if (mustChange) {
    return (
      <section className="panel narrow-panel" aria-labelledby="choose-title" data-testid="first-password">
        <h1 id="choose-title">Choose your own password</h1>
        <p>
          Welcome, <strong>{mustChange.view.username}</strong>. You logged in with a one-time password; choose
          a password of your own to continue.
        </p>
        <ChangePasswordForm
          knownCurrentPassword={mustChange.oneTime}
          submitLabel="Set password and continue"
          onChanged={goOn}
        />
      </section>
    );
  }

  return (
    <section className="panel narrow-panel" aria-labelledby="login-title">
      <h1 id="login-title">Log in to culturewatch</h1>
      {/* POST and a button disabled until hydrated: a submit before the script runs never puts the password in a URL. */}
      <form className="stack-form" method="post" onSubmit={onSubmit} data-testid="login-form">
        <label htmlFor="login-username">
          username
          <input
            id="login-username"
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <label htmlFor="login-password">
          password
          <input
            id="login-password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <div>
          <button type="submit" className="button button-primary" disabled={busy || !hydrated}>
            {busy ? 'Logging in…' : 'Log in'}
          </button>
        </div>
        <p
          className="form-error"
          role="alert"
          data-testid="login-error"
          data-problem={problem?.kind ?? undefined}
        >
          {problem ? <ProblemText problem={problem} /> : null}
        </p>
      </form>
      <p className="muted">
        No account? An operator makes one on the settings page, or on the server with{' '}
        <code>npx culturewatch users add NAME --role viewer</code>.
      </p>
    </section>
  );
}
