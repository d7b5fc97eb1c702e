'use client';
/** The top bar: where you are, the connection, and the display preferences (time and theme). */
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { usePreferences } from '../lib/preferences';
import { useConnectionState } from '../lib/realtime-client';

const connectionWords = {
  connecting: 'connecting…',
  connected: 'live',
  reconnecting: 'reconnecting…',
} as const;

export function SiteHeader() {
  const pathname = usePathname();
  const { theme, setTheme, timeMode, setTimeMode } = usePreferences();
  const connection = useConnectionState();
  const nav = [
    { href: '/', label: 'Plant overview', active: pathname === '/' || pathname.startsWith('/reactors') },
    { href: '/alerts', label: 'Alerts', active: pathname.startsWith('/alerts') },
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
        <span className={`connection connection-${connection}`} role="status" data-testid="connection">
          <span className="dot" aria-hidden="true" />
          {connectionWords[connection]}
        </span>
        <fieldset className="segmented" aria-label="Show times as">
          <legend className="visually-hidden">Show times as</legend>
          <button type="button" aria-pressed={timeMode === 'plant'} onClick={() => setTimeMode('plant')}>
            plant h
          </button>
          <button type="button" aria-pressed={timeMode === 'clock'} onClick={() => setTimeMode('clock')}>
            local time
          </button>
        </fieldset>
        <button
          type="button"
          className="button button-quiet"
          onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
          aria-label={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}
          data-testid="theme-toggle"
        >
          {theme === 'dark' ? '☀ light' : '☾ dark'}
        </button>
      </div>
    </header>
  );
}
