'use client';
/**
 * One reactor at a glance: its latest readings, the estimated satellite fraction with its 95 % band,
 * how old the last fit is, the alert state, and every problem in words as well as colour.
 */
import Link from 'next/link';
import type { PlantSignal, ReactorSummary } from '../../contract/api';
import { formatNumber, formatPercent } from '../lib/number-format';
import { type Problem, reactorProblems, type Severity, severityWords, worst } from '../lib/reactor-status';
import { formatAge, formatTime, type TimeMode } from '../lib/time-format';
import { concentrationUnit, perHourUnit } from '../lib/units';

export const problemIcons: Record<Severity, string> = { ok: '✓', info: 'ℹ', warning: '⚠', alarm: '✕' };

function Reading(props: { summary: ReactorSummary; signal: PlantSignal; label: string; unit: string }) {
  const latest = props.summary.latest[props.signal];
  return (
    <div>
      <dt>{props.label}</dt>
      <dd data-signal={props.signal}>
        {latest ? formatNumber(latest.value, 3) : '—'}
        <span className="unit">{props.unit}</span>
      </dd>
    </div>
  );
}

/** A scale for the satellite fraction: 0 to a round bound above the band. */
function fractionScaleMax(upper: number): number {
  const steps = [0.02, 0.05, 0.1, 0.2, 0.5, 1];
  return steps.find((s) => s >= upper * 1.15) ?? 1;
}

export function SatelliteFraction(props: { summary: ReactorSummary }) {
  const f = props.summary.latestEstimate?.satelliteFraction ?? null;
  if (!f) {
    return (
      <div className="fraction">
        <div className="fraction-head">
          <span>satellite fraction Y/(X+Y)</span>
          <span className="muted">not estimated yet</span>
        </div>
      </div>
    );
  }
  const max = fractionScaleMax(f.upper95);
  const pos = (x: number) => `${Math.max(0, Math.min(100, (x / max) * 100))}%`;
  return (
    <div className="fraction">
      <div className="fraction-head">
        <span>satellite fraction Y/(X+Y)</span>
        <span className="fraction-value" data-testid="satellite-fraction" data-value={f.value}>
          {formatPercent(f.value, 2)}
        </span>
      </div>
      <div
        className="fraction-scale"
        role="img"
        aria-label={`Satellite fraction ${formatPercent(f.value, 2)}, 95 % band ${formatPercent(f.lower95, 2)} to ${formatPercent(f.upper95, 2)}, on a scale from 0 to ${formatPercent(max, 0)}`}
      >
        <div
          className="fraction-band"
          style={{ left: pos(f.lower95), width: `calc(${pos(f.upper95)} - ${pos(f.lower95)})` }}
        />
        <div className="fraction-mark" style={{ left: pos(f.value) }} />
      </div>
      <div className="fraction-head muted">
        <span>
          95 %: {formatPercent(f.lower95, 2)} – {formatPercent(f.upper95, 2)}
        </span>
        <span>scale 0 – {formatPercent(max, 0)}</span>
      </div>
    </div>
  );
}

export function ProblemList(props: { problems: readonly Problem[] }) {
  if (props.problems.length === 0) return null;
  return (
    <ul className="problems">
      {props.problems.map((p) => (
        <li key={p.text} className={`problem-${p.severity}`}>
          <span className="problem-icon" aria-hidden="true">
            {problemIcons[p.severity]}
          </span>
          <span className="visually-hidden">{p.severity}: </span>
          {p.text}
        </li>
      ))}
    </ul>
  );
}

export function StateLabel(props: { severity: Severity }) {
  return (
    <span className={`state-label state-${props.severity}`} data-testid="state-label">
      <span aria-hidden="true">{problemIcons[props.severity]} </span>
      {severityWords[props.severity]}
    </span>
  );
}

export function ReactorCard(props: {
  summary: ReactorSummary;
  nowMs: number;
  timeMode: TimeMode;
  /** Plant hour 0 (the first reading), once known. */
  originMs: number | undefined;
}) {
  const { summary, nowMs, timeMode, originMs } = props;
  const problems = reactorProblems(summary, nowMs);
  const severity = worst(problems);
  const estimate = summary.latestEstimate;
  const od = summary.latest.od;
  return (
    <article
      className="reactor-card"
      data-severity={severity}
      data-reactor={summary.id}
      aria-labelledby={`card-${summary.id}`}
    >
      <div className="card-head">
        <h2 id={`card-${summary.id}`}>
          <Link href={`/reactors/${encodeURIComponent(summary.id)}`}>Reactor {summary.id}</Link>
        </h2>
        <StateLabel severity={severity} />
      </div>
      <dl className="readings">
        <Reading summary={summary} signal="od" label="OD" unit={concentrationUnit} />
        <Reading summary={summary} signal="substrate" label="substrate S" unit={concentrationUnit} />
        <Reading summary={summary} signal="dilution" label="dilution D" unit={perHourUnit} />
      </dl>
      <SatelliteFraction summary={summary} />
      <div className="card-meta">
        <span>
          last fit:{' '}
          {estimate ? (
            <>
              {formatAge(nowMs - estimate.fittedAtMs)}
              {estimate.status === 'failed' ? ' (failed)' : ''}
            </>
          ) : (
            'none yet'
          )}
        </span>
        <span>
          alert:{' '}
          {summary.alert.level === 'ok'
            ? 'none'
            : `${summary.alert.level} (${summary.alert.activeCount} active)`}
        </span>
        {od && (timeMode === 'clock' || originMs !== undefined) ? (
          <span>readings as of {formatTime(od.tsMs, timeMode, originMs ?? 0)}</span>
        ) : null}
      </div>
      <ProblemList problems={problems} />
    </article>
  );
}
