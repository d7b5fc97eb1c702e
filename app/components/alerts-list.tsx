'use client';
/**
 * Until the alert rules exist, the alerts page lists what the service already knows: each reactor's
 * alert state, its fit failures in the last three plant days, and sensors gone stale.
 */
import Link from 'next/link';
import { useCallback, useEffect, useState } from 'react';
import type { FitRecord, ReactorSummary } from '../../contract/api';
import { msPerHour } from '../../contract/time';
import { fetchEstimates, fetchReactors, fetchReadings } from '../lib/api-client';
import { usePreferences } from '../lib/preferences';
import { newestReadingMs, type Severity, staleSensors } from '../lib/reactor-status';
import { formatAge, formatTime } from '../lib/time-format';
import { problemIcons } from './reactor-card';

const lookbackMs = 72 * msPerHour;
/** The list is rebuilt this often (each reactor's failures mean one request per reactor). */
const pollMs = 10_000;

interface AlertEntry {
  key: string;
  reactorId: string;
  severity: Severity;
  kind: 'alert' | 'fit failure' | 'stale sensor';
  text: string;
  atMs: number | null;
  originMs: number;
  fittedAtMs?: number;
}

const rank: Record<Severity, number> = { alarm: 0, warning: 1, info: 2, ok: 3 };

function entriesOf(
  summary: ReactorSummary,
  failures: FitRecord[],
  nowMs: number,
  originMs: number,
): AlertEntry[] {
  const out: AlertEntry[] = [];
  if (summary.alert.level !== 'ok') {
    out.push({
      key: `${summary.id}:alert`,
      reactorId: summary.id,
      severity: summary.alert.level === 'critical' || summary.alert.level === 'major' ? 'alarm' : 'warning',
      kind: 'alert',
      text: `${summary.alert.level}: ${summary.alert.summary} (${summary.alert.activeCount} active)`,
      atMs: null,
      originMs,
    });
  }
  for (const p of staleSensors(summary, nowMs)) {
    if (p.severity !== 'warning') continue;
    out.push({
      key: `${summary.id}:${p.text}`,
      reactorId: summary.id,
      severity: 'warning',
      kind: 'stale sensor',
      text: p.text,
      atMs: null,
      originMs,
    });
  }
  for (const f of failures) {
    out.push({
      key: `${summary.id}:fit:${f.id}`,
      reactorId: summary.id,
      severity: 'warning',
      kind: 'fit failure',
      text: `Fit of the window ending ${formatTime(f.windowEndMs, 'plant', originMs)} failed: ${f.reason ?? 'unknown reason'}${f.detail ? ` — ${f.detail}` : ''}. The last good estimate stays in use.`,
      atMs: f.windowEndMs,
      originMs,
      fittedAtMs: f.fittedAtMs,
    });
  }
  return out;
}

export function AlertsList() {
  const [entries, setEntries] = useState<AlertEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [nowMs, setNowMs] = useState(() => Date.now());
  const { timeMode } = usePreferences();

  const load = useCallback(async () => {
    try {
      const now = Date.now();
      const reactors = await fetchReactors();
      const lists = await Promise.all(
        reactors.map(async (r) => {
          const newest = newestReadingMs(r);
          const origin = r.firstReadingMs ?? (await fetchReadings(r.id, 'od', { maxPoints: 2 })).tMs[0] ?? 0;
          const fits = await fetchEstimates(r.id, {
            fromMs: newest === null ? undefined : newest - lookbackMs,
            trajectories: 'none',
          });
          return entriesOf(
            r,
            fits.filter((f) => f.status === 'failed'),
            now,
            origin,
          );
        }),
      );
      const all = lists
        .flat()
        .sort((a, b) => rank[a.severity] - rank[b.severity] || (b.atMs ?? 0) - (a.atMs ?? 0));
      setEntries(all);
      setError(null);
      setNowMs(now);
    } catch (e) {
      setError((e as Error).message);
    }
  }, []);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), pollMs);
    return () => clearInterval(timer);
  }, [load]);

  return (
    <>
      <div className="page-head">
        <h1>Alerts</h1>
        {entries ? (
          <span className="muted" data-testid="alert-count">
            {entries.length === 0 ? 'nothing needs attention' : `${entries.length} open`}
          </span>
        ) : null}
      </div>
      <p className="muted">
        Alert rules with acknowledge and clear are coming with the alerting service. Until then this page
        lists what the service already knows: each reactor’s alert state, fits that failed in the last three
        plant days, and sensors that have gone stale.
      </p>
      {error ? (
        <div className="banner banner-warning panel" role="alert">
          <strong>The plant service did not answer:</strong> {error}
        </div>
      ) : null}
      {entries === null && !error ? <p className="muted">Loading…</p> : null}
      {entries !== null && entries.length === 0 ? (
        <section className="empty-state" data-testid="no-alerts">
          <h2>Nothing needs attention</h2>
          <p>No reactor has an active alert, a failed fit in the last three plant days, or a stale sensor.</p>
        </section>
      ) : null}
      {entries && entries.length > 0 ? (
        <ul className="alert-list">
          {entries.map((e) => (
            <li key={e.key} className="alert-item" data-severity={e.severity}>
              <div>
                <span aria-hidden="true">{problemIcons[e.severity]} </span>
                <strong>
                  {e.severity === 'alarm' ? 'Alarm' : 'Warning'} · {e.kind}
                </strong>{' '}
                on <Link href={`/reactors/${encodeURIComponent(e.reactorId)}`}>reactor {e.reactorId}</Link>
              </div>
              <div>{e.text}</div>
              <div className="meta">
                {e.atMs !== null ? `plant time ${formatTime(e.atMs, timeMode, e.originMs)}` : 'now'}
                {e.fittedAtMs !== undefined ? ` · ${formatAge(nowMs - e.fittedAtMs)}` : ''}
              </div>
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}
