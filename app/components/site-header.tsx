'use client';
/**
 * The top bar: where you are, the connection, who is logged in (with the logout), and the display
 * preferences (time and theme). On the login page only the name and the theme.
 */
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useState } from 'react';
import { logOut } from '../lib/auth-api';
import { usePreferences } from '../lib/preferences';
import { useConnectionState } from '../lib/realtime-client';
import { useSession } from '../lib/session';
import { timeModes, timeModeWords } from '../lib/time-format';
import { useHydrated } from '../lib/use-hydrated';

const connectionWords = {
  connecting: 'connecting…',
  connected: 'live',
  reconnecting: 'reconnecting…',
} as const;

function ThemeToggle() {
  const { theme, setTheme } = usePreferences();
  const hydrated = useHydrated();
  return (
    <button
      type="button"
      className="button button-quiet"
      disabled={!hydrated}
      onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
      aria-label={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}
      data-testid="theme-toggle"
    >
      {theme === 'dark' ? '☀ light' : '☾ dark'}
    </button>
  );
}

export function ConnectionState() {
  const connection = useConnectionState();
  return (
    <span className={`connection connection-${connection}`} role="status" data-testid="connection">
      <span className="dot" aria-hidden="true" />
      <span className="connection-words">{connectionWords[connection]}</span>
    </span>
  );
}

function Account() {
  const session = useSession();
  const [leaving, setLeaving] = useState(false);
  if (session.kind !== 'signed-in') return null;
  const { view } = session;
  if (view.authDisabled) {
    return (
      <span className="account" data-testid="account" data-role={view.role}>
        <span className="role-tag" title="AUTH=off: every request acts as an operator">
          auth off
        </span>
      </span>
    );
  }
  async function onLogout() {
    setLeaving(true);
    try {
      await logOut();
    } catch {
      // Already ended on the server: the login page is where we go either way.
    }
    window.location.assign('/login');
  }
  return (
    <span className="account" data-testid="account" data-username={view.username} data-role={view.role}>
      <span>
        <span className="visually-hidden">Logged in as </span>
        <strong data-testid="account-name">{view.username}</strong>{' '}
        <span className="role-tag" data-testid="account-role">
          {view.role}
        </span>
      </span>
      {view.via === 'session' ? (
        <button
          type="button"
          className="button button-small"
          onClick={() => void onLogout()}
          disabled={leaving}
          data-testid="logout"
        >
          Log out
        </button>
      ) : null}
    </span>
  );
}

export function SiteHeader() {
  const pathname = usePathname();
  const { timeMode, setTimeMode } = usePreferences();
  const hydrated = useHydrated();
  // The control-room wall shows its own slim bar.
  if (pathname === '/kiosk') return null;
  if (pathname === '/login') {
    return (
      <header className="site-header">
        <span className="brand">culturewatch</span>
        <div className="header-tools">
          <ThemeToggle />
        </div>
      </header>
    );
  }
  const nav = [
    { href: '/', label: 'Overview', active: pathname === '/' || pathname.startsWith('/reactors') },
    { href: '/compare', label: 'Compare', active: pathname.startsWith('/compare') },
    { href: '/alerts', label: 'Alerts', active: pathname.startsWith('/alerts') },
    { href: '/settings', label: 'Settings', active: pathname.startsWith('/settings') },
  ];
  return (
    <header className="site-header">
      <Link href="/" className="brand" prefetch={false}>
        culturewatch
      </Link>
      <nav aria-label="Main">
        <ul>
          {nav.map((item) => (
            <li key={item.href}>
              <Link href={item.href} aria-current={item.active ? 'page' : undefined} prefetch={false}>
                {item.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <div className="header-tools">
        <ConnectionState />
        <fieldset className="segmented" aria-label="Show times as">
          <legend className="visually-hidden">Show times as</legend>
          {timeModes.map((mode) => (
            <button
              key={mode}
              type="button"
              aria-pressed={timeMode === mode}
              disabled={!hydrated}
              onClick={() => setTimeMode(mode)}
              data-time-mode={mode}
            >
              {timeModeWords[mode]}
            </button>
          ))}
        </fieldset>
        <ThemeToggle />
        <Account />
      </div>
    </header>
  );
}
