'use client';
/**
 * One alarm: severity and status in words, what fired it, when, who acknowledged or cleared it, and
 * for operators the acknowledge and clear buttons.
 */
import Link from 'next/link';
import { useState } from 'react';
import type { AlarmView } from '../../contract/api';
import { actorWords, alarmValueText, severityWords, statusWords } from '../lib/alarm-words';
import { alarmAction } from '../lib/alerts-api';
import { describeError } from '../lib/api-client';
import { useClockZone } from '../lib/preferences';
import { formatAge, formatClock, formatTime, type TimeMode } from '../lib/time-format';

function When(props: { ms: number; nowMs: number }) {
  const zone = useClockZone();
  return (
    <time dateTime={new Date(props.ms).toISOString()}>
      {formatClock(props.ms, true, zone)} ({formatAge(props.nowMs - props.ms)})
    </time>
  );
}

export function AlarmCard(props: {
  alarm: AlarmView;
  nowMs: number;
  canOperate: boolean;
  timeMode: TimeMode;
  originMs: number | undefined;
  /** The alarm as the service answered an action. */
  onChanged: (alarm: AlarmView) => void;
}) {
  const { alarm, nowMs, canOperate, timeMode, originMs } = props;
  const [busy, setBusy] = useState<'acknowledge' | 'clear' | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function act(action: 'acknowledge' | 'clear') {
    setBusy(action);
    setError(null);
    try {
      props.onChanged(await alarmAction(alarm.id, action));
    } catch (e) {
      setError(`Not ${action === 'acknowledge' ? 'acknowledged' : 'cleared'}: ${describeError(e)}`);
    } finally {
      setBusy(null);
    }
  }

  // The evidence's own clock: plant time for readings and fits.
  const evidenceAt = (ms: number | null) =>
    ms === null || (timeMode === 'plant' && originMs === undefined)
      ? null
      : `${timeMode === 'plant' ? 'plant time' : 'plant clock'} ${formatTime(ms, timeMode, originMs ?? 0)}`;
  const firedEvidence = evidenceAt(alarm.evidenceFiredAtMs);
  const subject = `alarm “${alarm.ruleName}” on reactor ${alarm.reactorId}`;
  const values = Object.entries(alarm.values);

  return (
    <li
      className="alarm-item"
      data-alarm-id={alarm.id}
      data-rule={alarm.ruleId}
      data-reactor={alarm.reactorId}
      data-status={alarm.status}
      data-severity={alarm.severity}
      data-active={alarm.active}
    >
      <div className="alarm-head">
        <span className={`severity-tag severity-${alarm.severity}`}>{severityWords[alarm.severity]}</span>
        <strong>
          <Link href={`/settings#rule-${alarm.ruleId}`} prefetch={false}>
            {alarm.ruleName}
          </Link>
        </strong>
        <span>
          on <Link href={`/reactors/${encodeURIComponent(alarm.reactorId)}`}>reactor {alarm.reactorId}</Link>
        </span>
        <span
          className={`alarm-status alarm-status-${alarm.active ? 'active' : 'cleared'}`}
          data-testid="alarm-status"
        >
          {statusWords[alarm.status]}
        </span>
      </div>
      <div>{alarm.summary}</div>
      {values.length > 0 ? (
        <div className="meta">
          {values.map(([k, v]) => {
            const text = alarmValueText(alarm.ruleKind, k, v);
            return text === null ? null : (
              <span key={k} className="alarm-value">
                {k} = {text}
              </span>
            );
          })}
        </div>
      ) : null}
      <div className="meta">
        Fired <When ms={alarm.firedAtMs} nowMs={nowMs} />
        {firedEvidence ? ` · evidence at ${firedEvidence}` : ''}
        {alarm.fireCount > 1 ? ` · fired ${alarm.fireCount} times` : ''}
      </div>
      {alarm.acknowledgedAtMs !== null ? (
        <div className="meta" data-testid="acknowledged-by" data-actor={alarm.acknowledgedBy ?? ''}>
          Acknowledged by <strong>{actorWords(alarm.acknowledgedBy ?? 'unknown')}</strong>{' '}
          <When ms={alarm.acknowledgedAtMs} nowMs={nowMs} />
        </div>
      ) : null}
      {alarm.clearedAtMs !== null ? (
        <div className="meta" data-testid="cleared-by" data-actor={alarm.clearedBy ?? ''}>
          Cleared by <strong>{actorWords(alarm.clearedBy ?? 'unknown')}</strong>{' '}
          <When ms={alarm.clearedAtMs} nowMs={nowMs} />
        </div>
      ) : null}
      {canOperate && (!alarm.acknowledged || alarm.active) ? (
        <div className="alarm-actions">
          {!alarm.acknowledged ? (
            <button
              type="button"
              className="button button-small"
              disabled={busy !== null}
              onClick={() => void act('acknowledge')}
              aria-label={`Acknowledge ${subject}`}
              data-testid="acknowledge"
            >
              {busy === 'acknowledge' ? 'Acknowledging…' : 'Acknowledge'}
            </button>
          ) : null}
          {alarm.active ? (
            <button
              type="button"
              className="button button-small"
              disabled={busy !== null}
              onClick={() => void act('clear')}
              aria-label={`Clear ${subject}`}
              data-testid="clear"
              title="Clear it now; it fires again if its condition still holds"
            >
              {busy === 'clear' ? 'Clearing…' : 'Clear'}
            </button>
          ) : null}
        </div>
      ) : null}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </li>
  );
}
