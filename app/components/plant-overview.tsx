'use client';
/**
 * The plant overview: one card per reactor, kept current over socket.io (and a slow poll). In kiosk
 * mode (the control-room wall) the same cards, larger, under a slim bar with the clock and the
 * connection instead of the site's header; Escape leaves it.
 */
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { type ReactNode, useCallback, useEffect, useState } from 'react';
import type { ReactorSummary } from '../../contract/api';
import { fetchReactors } from '../lib/api-client';
import { usePlantOrigins } from '../lib/plant-origin';
import { useClockZone, usePreferences } from '../lib/preferences';
import { needsAttention, reactorProblems, stateWords } from '../lib/reactor-status';
import { useReactorUpdates } from '../lib/realtime-client';
import { formatClock } from '../lib/time-format';
import { BrokerAddress, PublishExample, useBrokerView } from './connect-devices';
import { fractionScaleMax, ReactorCard } from './reactor-card';
import { ConnectionState } from './site-header';

const pollMs = 5000;

/** The broker's host and port, and a publish line to copy, for a plant with no reactors yet. */
function NoReactorsConnection() {
  const { broker, error } = useBrokerView();
  if (error) return <p className="muted">The broker’s address could not be read: {error}</p>;
  if (!broker) return null;
  return (
    <>
      <BrokerAddress broker={broker} />
      <PublishExample broker={broker} reactorId="r1" />
    </>
  );
}

function KioskBar(props: { summaryText: ReactNode }) {
  const zone = useClockZone();
  const router = useRouter();
  // Set once mounted: the server's render and the browser's would differ by the time between them.
  const [clockMs, setClockMs] = useState<number | null>(null);
  useEffect(() => {
    setClockMs(Date.now());
    const timer = setInterval(() => setClockMs(Date.now()), 1000);
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') router.push('/');
    };
    window.addEventListener('keydown', onKey);
    return () => {
      clearInterval(timer);
      window.removeEventListener('keydown', onKey);
    };
  }, [router]);
  return (
    <div className="kiosk-bar">
      <h1>culturewatch · plant overview</h1>
      <span data-testid="reactor-count">{props.summaryText}</span>
      <span className="spacer" />
      <ConnectionState />
      <span>
        wall clock{' '}
        <time
          className="kiosk-clock"
          dateTime={clockMs === null ? undefined : new Date(clockMs).toISOString()}
        >
          {clockMs === null ? '—' : formatClock(clockMs, true, zone)}
        </time>
      </span>
      <Link href="/" prefetch={false} className="kiosk-exit">
        Leave wall display (Esc)
      </Link>
    </div>
  );
}

export function PlantOverview(props: { kiosk?: boolean }) {
  const [reactors, setReactors] = useState<ReactorSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [nowMs, setNowMs] = useState(() => Date.now());
  const { timeMode } = usePreferences();

  const load = useCallback(async () => {
    try {
      const list = await fetchReactors();
      setReactors(list.slice().sort((a, b) => a.id.localeCompare(b.id, undefined, { numeric: true })));
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
    setNowMs(Date.now());
  }, []);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), pollMs);
    return () => clearInterval(timer);
  }, [load]);

  useReactorUpdates(() => void load());

  const origins = usePlantOrigins(reactors);
  const states = (reactors ?? []).map((r) => reactorProblems(r));
  const attention = states.filter(needsAttention).length;
  // Starting up and catching up are said as such, not counted as needing attention.
  const passing = new Map<string, number>();
  for (const problems of states) {
    const words = stateWords(problems);
    if (!needsAttention(problems) && words !== 'Running normally')
      passing.set(words, (passing.get(words) ?? 0) + 1);
  }
  const passingText = [...passing].map(([words, n]) => `${n} ${words.toLowerCase()}`).join(' · ');
  const scaleMax = fractionScaleMax(reactors ?? []);
  const summaryText = reactors ? (
    <>
      {reactors.length} reactor{reactors.length === 1 ? '' : 's'}
      {reactors.length > 0
        ? ` · ${attention === 0 ? (passing.size === 0 ? 'all running normally' : 'none needs attention') : `${attention} need${attention === 1 ? 's' : ''} attention`}`
        : ''}
      {passingText ? ` · ${passingText}` : ''}
    </>
  ) : null;
  return (
    <div className={props.kiosk ? 'kiosk' : undefined} data-testid={props.kiosk ? 'kiosk' : undefined}>
      {props.kiosk ? (
        <KioskBar summaryText={summaryText} />
      ) : (
        <div className="page-head">
          <h1>Plant overview</h1>
          {summaryText ? (
            <span className="muted" data-testid="reactor-count">
              {summaryText}
            </span>
          ) : null}
          <span className="spacer" />
          <Link className="button" href="/compare" prefetch={false}>
            Compare reactors
          </Link>
          <Link className="button" href="/kiosk" prefetch={false} data-testid="kiosk-link">
            Wall display (kiosk)
          </Link>
        </div>
      )}
      {error ? (
        <div className="banner banner-warning panel" role="alert">
          <strong>The plant service did not answer:</strong> {error}. Retrying every {pollMs / 1000} s.
        </div>
      ) : null}
      {reactors === null && !error ? <p className="muted">Loading reactors…</p> : null}
      {reactors !== null && reactors.length === 0 ? (
        <section className="empty-state" data-testid="no-reactors">
          <h2>No reactors yet</h2>
          <p>
            A reactor appears here with its first reading. Publish readings over MQTT to{' '}
            <code>&lt;reactor&gt;/od</code>, <code>…/substrate</code> and <code>…/dilution</code> under the
            prefix below, as <code>{'{"ts": <epoch ms>, "value": <number>}'}</code>. A device logs in with its
            own account: operators make one in{' '}
            <Link href="/settings#devices-title" prefetch={false}>
              Settings → Devices
            </Link>
            , which shows its password once.
          </p>
          <NoReactorsConnection />
          <p className="muted">
            Or start the service with the simulator (<code>SIMULATOR=on npm start</code>) to watch simulated
            reactors.
          </p>
        </section>
      ) : null}
      {reactors && reactors.length > 0 ? (
        <div className="reactor-grid" data-testid="reactor-grid">
          {reactors.map((r) => (
            <ReactorCard
              key={r.id}
              summary={r}
              nowMs={nowMs}
              timeMode={timeMode}
              originMs={origins.get(r.id)}
              scaleMax={scaleMax}
            />
          ))}
        </div>
      ) : null}
    </div>
  );
}
