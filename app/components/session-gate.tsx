'use client';
/**
 * Stands between the pages and a session that cannot use them: with a one-time password the user
 * chooses their own before anything else is shown; a session that has ended says so while the
 * browser goes to the login page. The login page itself always shows.
 */
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';
import { useSession } from '../lib/session';
import { ChangePasswordForm } from './change-password-form';

export function SessionGate({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  const session = useSession();
  if (pathname === '/login') return children;
  if (session.kind === 'anonymous') {
    return (
      <section className="empty-state" data-testid="session-ended">
        <h1>Your session has ended</h1>
        <p>Taking you to the login page…</p>
      </section>
    );
  }
  if (session.kind === 'signed-in' && session.view.mustChangePassword) {
    return (
      <section className="panel narrow-panel" aria-labelledby="must-change-title">
        <h1 id="must-change-title">Choose your own password</h1>
        <p>
          You logged in as <strong>{session.view.username}</strong> with a one-time password. Choose a
          password of your own to continue.
        </p>
        <ChangePasswordForm submitLabel="Set password and continue" onChanged={() => undefined} />
      </section>
    );
  }
  return children;
}
