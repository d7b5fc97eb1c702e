'use client';
/**
 * Who is logged in, for every component: `useSession()` reads the session held by api-client.ts.
 * `SessionProvider` asks the service once a page loads (not on the login page), and starts the live
 * connection once the session allows it (not before a one-time password has been changed).
 */
import { usePathname } from 'next/navigation';
import { type ReactNode, useEffect, useSyncExternalStore } from 'react';
import type { SessionView } from '../../contract/auth';
import { loadSession, type SessionState, sessionSnapshot, subscribeSession } from './api-client';
import { connectRealtime } from './realtime-client';

const serverSnapshot: SessionState = { kind: 'loading' };

export function useSession(): SessionState {
  return useSyncExternalStore(subscribeSession, sessionSnapshot, () => serverSnapshot);
}

/** The session's view once it is known and usable (no password change pending), else null. */
export function useSignedIn(): SessionView | null {
  const session = useSession();
  return session.kind === 'signed-in' && !session.view.mustChangePassword ? session.view : null;
}

/** May change state: an operator (with AUTH=off everyone is). False until the session is known. */
export function useCanOperate(): boolean {
  return useSignedIn()?.role === 'operator';
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const onLoginPage = usePathname() === '/login';
  const session = useSession();
  useEffect(() => {
    if (!onLoginPage) void loadSession();
  }, [onLoginPage]);
  // The service did not answer (restarting, unreachable): ask again.
  const failed = session.kind === 'error' && !onLoginPage;
  useEffect(() => {
    if (!failed) return;
    const timer = setTimeout(() => void loadSession(true), 3000);
    return () => clearTimeout(timer);
  }, [failed]);
  const live = session.kind === 'signed-in' && !session.view.mustChangePassword && !onLoginPage;
  useEffect(() => {
    if (live) connectRealtime();
  }, [live]);
  return children;
}
