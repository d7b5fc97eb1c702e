'use client';
/**
 * The alerts page: the alarms (active ones, or all), by reactor, with acknowledge and clear for
 * operators, and the history of every change with who made it; beside them, the webhook endpoints
 * whose last attempt failed (the alarms are not reaching them). Live: each alarm change heard over
 * socket.io reloads the list.
 */
import Link from 'next/link';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AlarmView, AlertsResponse, ReactorSummary, WebhookEndpointView } from '../../contract/api';
import { actorWords, severityWords, transitionWords } from '../lib/alarm-words';
import { type AlarmListState, fetchAlerts, fetchWebhooks } from '../lib/alerts-api';
import { describeError, fetchReactors } from '../lib/api-client';
import { usePlantOrigins } from '../lib/plant-origin';
import { useClockZone, usePreferences } from '../lib/preferences';
import { useAlarmEvents } from '../lib/realtime-client';
import { useCanOperate, useSignedIn } from '../lib/session';
import { formatAge, formatClock } from '../lib/time-format';
import { AlarmCard } from './alarm-card';

/** A safety net beside the live events (and it moves the "… ago" times on). */
const pollMs = 30_000;
/** Alarm changes often come in bursts (a rule firing on several reactors): one reload per burst. */
const reloadDelayMs = 200;

/** Enabled endpoints whose last attempt failed: the alarms below are not reaching them. */
function FailingWebhooks(props: { webhooks: readonly WebhookEndpointView[]; nowMs: number }) {
  const failing = props.webhooks.filter(
    (w) => w.enabled && w.lastAttempt !== null && w.lastAttempt.outcome !== 'delivered',
  );
  if (failing.length === 0) return null;
  return (
    <div className="banner banner-warning panel" role="alert" data-testid="failing-webhooks">
      <strong>
        {failing.length === 1 ? 'A webhook is failing' : `${failing.length} webhooks are failing`}:
      </strong>{' '}
      {failing.map((w, i) => {
        const a = w.lastAttempt!;
        return (
          <span key={w.id} data-webhook-name={w.name}>
            {i > 0 ? '; ' : ''}“{w.name}” — last attempt {formatAge(props.nowMs - a.startedAtMs)}:{' '}
            {a.error ?? a.outcome}
            {w.pendingCount > 0
              ? `, ${w.pendingCount} notification${w.pendingCount === 1 ? '' : 's'} waiting`
              : ''}
          </span>
        );
      })}
      . <Link href="/settings#webhooks-title">Webhook settings</Link>
    </div>
  );
}

function AlarmHistory(props: { events: AlertsResponse['events']; nowMs: number }) {
  const zone = useClockZone();
  if (props.events.length === 0) return <p className="muted">No changes recorded yet.</p>;
  return (
    <div className="table-scroll">
      <table className="compact-table" data-testid="alarm-history">
        <caption>Newest first: when each alarm fired, was acknowledged or cleared, and by whom.</caption>
        <thead>
          <tr>
            <th scope="col">when</th>
            <th scope="col">reactor</th>
            <th scope="col">rule</th>
            <th scope="col">change</th>
            <th scope="col">by</th>
            <th scope="col">severity</th>
            <th scope="col">what</th>
          </tr>
        </thead>
        <tbody>
          {props.events.map((e) => (
            <tr key={e.id} data-event-kind={e.kind} data-actor={e.actor} data-alarm-id={e.alarmId}>
              <td>
                <time dateTime={new Date(e.atMs).toISOString()} title={formatAge(props.nowMs - e.atMs)}>
                  {formatClock(e.atMs, true, zone)}
                </time>
              </td>
              <td>{e.reactorId}</td>
              <td>{e.ruleId}</td>
              <td>{transitionWords[e.kind]}</td>
              <td>{actorWords(e.actor)}</td>
              <td>{severityWords[e.severity]}</td>
              <td>{e.summary}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function AlertsList() {
  const [state, setState] = useState<AlarmListState>('active');
  const [reactorId, setReactorId] = useState('');
  const [answer, setAnswer] = useState<AlertsResponse | null>(null);
  const [reactors, setReactors] = useState<ReactorSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [webhooks, setWebhooks] = useState<WebhookEndpointView[]>([]);
  const [nowMs, setNowMs] = useState(() => Date.now());
  const { timeMode } = usePreferences();
  const canOperate = useCanOperate();
  const signedIn = useSignedIn() !== null;
  const generation = useRef(0);
  const reloadTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const load = useCallback(async () => {
    const mine = ++generation.current;
    try {
      const next = await fetchAlerts({ state, reactorId: reactorId || undefined });
      if (mine !== generation.current) return;
      setAnswer(next);
      setError(null);
    } catch (e) {
      if (mine === generation.current) setError(describeError(e));
    }
    await fetchWebhooks()
      .then(setWebhooks)
      .catch(() => undefined);
    setNowMs(Date.now());
  }, [state, reactorId]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), pollMs);
    return () => clearInterval(timer);
  }, [load]);

  useEffect(() => {
    void fetchReactors()
      .then((list) =>
        setReactors(list.slice().sort((a, b) => a.id.localeCompare(b.id, undefined, { numeric: true }))),
      )
      .catch(() => setReactors([]));
  }, []);

  useEffect(
    () => () => {
      if (reloadTimer.current) clearTimeout(reloadTimer.current);
    },
    [],
  );

  useAlarmEvents(() => {
    if (reloadTimer.current) return;
    reloadTimer.current = setTimeout(() => {
      reloadTimer.current = null;
      void load();
    }, reloadDelayMs);
  });

  const onChanged = (alarm: AlarmView) => {
    setAnswer((prev) =>
      prev ? { ...prev, alarms: prev.alarms.map((a) => (a.id === alarm.id ? alarm : a)) } : prev,
    );
    void load();
  };

  const origins = usePlantOrigins(reactors);
  const alarms = answer?.alarms ?? null;
  const activeCount = alarms?.filter((a) => a.active).length ?? 0;
  const unacknowledged = alarms?.filter((a) => !a.acknowledged).length ?? 0;

  return (
    <>
      <div className="page-head">
        <h1>Alerts</h1>
        {alarms ? (
          <span className="muted" data-testid="alert-count" data-active={activeCount}>
            {activeCount === 0 ? 'no active alarm' : `${activeCount} active`}
            {unacknowledged > 0 ? ` · ${unacknowledged} not acknowledged` : ''}
          </span>
        ) : null}
        <span className="spacer" />
        <fieldset className="segmented" aria-label="Which alarms">
          <legend className="visually-hidden">Which alarms</legend>
          <button
            type="button"
            aria-pressed={state === 'active'}
            onClick={() => setState('active')}
            data-state="active"
          >
            active or unacknowledged
          </button>
          <button
            type="button"
            aria-pressed={state === 'all'}
            onClick={() => setState('all')}
            data-state="all"
          >
            all
          </button>
        </fieldset>
        <label>
          reactor
          <select
            value={reactorId}
            onChange={(e) => setReactorId(e.target.value)}
            data-testid="reactor-filter"
          >
            <option value="">all reactors</option>
            {(reactors ?? []).map((r) => (
              <option key={r.id} value={r.id}>
                {r.id}
              </option>
            ))}
          </select>
        </label>
      </div>
      {signedIn && !canOperate ? (
        <p className="muted" data-testid="viewer-notice">
          You are logged in as a viewer: operators acknowledge and clear alarms.
        </p>
      ) : null}
      {error ? (
        <div className="banner banner-warning panel" role="alert">
          <strong>The alarms could not be loaded:</strong> {error}
        </div>
      ) : null}
      <FailingWebhooks webhooks={webhooks} nowMs={nowMs} />
      {alarms === null && !error ? <p className="muted">Loading…</p> : null}
      {alarms !== null && alarms.length === 0 ? (
        <section className="empty-state" data-testid="no-alerts">
          <h2>Nothing needs attention</h2>
          <p>
            {state === 'active'
              ? 'No alarm is active, and every cleared one has been acknowledged.'
              : 'No alarm has fired yet.'}{' '}
            The rules that raise alarms are on the <Link href="/settings">settings page</Link>.
          </p>
        </section>
      ) : null}
      {alarms && alarms.length > 0 ? (
        <ul className="alarm-list" data-testid="alarm-list">
          {alarms.map((a) => (
            <AlarmCard
              key={a.id}
              alarm={a}
              nowMs={nowMs}
              canOperate={canOperate}
              timeMode={timeMode}
              originMs={origins.get(a.reactorId)}
              onChanged={onChanged}
            />
          ))}
        </ul>
      ) : null}
      {answer ? (
        <section className="panel" aria-labelledby="history-title">
          <h2 id="history-title">History</h2>
          <AlarmHistory events={answer.events} nowMs={nowMs} />
        </section>
      ) : null}
    </>
  );
}
