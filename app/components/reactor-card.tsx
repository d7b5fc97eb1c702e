'use client';
/**
 * One reactor at a glance: its latest readings, the estimated satellite fraction with its 95 % band
 * (on the scale every card shares, so cards compare at a glance), how old the last fit is, the alert
 * state, and every problem in words as well as colour.
 */
import Link from 'next/link';
import type { PlantSignal, ReactorSummary } from '../../contract/api';
import { satelliteFraction, shownValue, signalUnits } from '../../contract/display-units';
import { formatNumber, formatQuantity } from '../lib/number-format';
import { type Problem, reactorProblems, type Severity, stateWords, worst } from '../lib/reactor-status';
import { formatAge, formatSpan, formatTime, type TimeMode } from '../lib/time-format';

export const problemIcons: Record<Severity, string> = { ok: '✓', info: 'ℹ', warning: '⚠', alarm: '✕' };

/** A signal's freshness beside its value, said only when it is not fresh. */
export function FreshnessTag(props: { summary: ReactorSummary; signal: PlantSignal }) {
  const f = props.summary.freshness?.signals[props.signal];
  if (!f || f.level === 'fresh') return null;
  return (
    <span className={`freshness freshness-${f.level}`} title={f.words}>
      {f.level}
    </span>
  );
}

function Reading(props: { summary: ReactorSummary; signal: PlantSignal; label: string }) {
  const latest = props.summary.latest[props.signal];
  const unit = signalUnits[props.signal];
  return (
    <div>
      <dt>{props.label}</dt>
      <dd
        data-signal={props.signal}
        data-freshness={props.summary.freshness?.signals[props.signal]?.level ?? ''}
      >
        {latest ? formatNumber(shownValue(unit, latest.value), 3) : '—'}
        <span className="unit">{unit.symbol}</span>{' '}
        <FreshnessTag summary={props.summary} signal={props.signal} />
      </dd>
    </div>
  );
}

/** The satellite fraction's scale: 0 to a round bound above every band shown (one for all cards). */
export function fractionScaleMax(summaries: readonly ReactorSummary[]): number {
  const upper = Math.max(0, ...summaries.map((s) => s.latestEstimate?.satelliteFraction?.upper95 ?? 0));
  const steps = [0.02, 0.05, 0.1, 0.2, 0.5, 1];
  return steps.find((s) => s >= upper * 1.15) ?? 1;
}

export function SatelliteFraction(props: { summary: ReactorSummary; scaleMax: number }) {
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
  const max = props.scaleMax;
  const pos = (x: number) => `${Math.max(0, Math.min(100, (x / max) * 100))}%`;
  const pct = (x: number) => formatQuantity(x, satelliteFraction);
  const scaleText = formatQuantity(max, { ...satelliteFraction, decimals: 0 });
  return (
    <div className="fraction">
      <div className="fraction-head">
        <span>satellite fraction Y/(X+Y)</span>
        <span className="fraction-value" data-testid="satellite-fraction" data-value={f.value}>
          {pct(f.value)}
        </span>
      </div>
      <div
        className="fraction-scale"
        role="img"
        data-scale-max={max}
        aria-label={`Satellite fraction ${pct(f.value)}, 95 % band ${pct(f.lower95)} to ${pct(f.upper95)}, on a scale from 0 to ${scaleText}`}
      >
        <div
          className="fraction-band"
          style={{ left: pos(f.lower95), width: `calc(${pos(f.upper95)} - ${pos(f.lower95)})` }}
        />
        <div className="fraction-mark" style={{ left: pos(f.value) }} />
      </div>
      <div className="fraction-head muted">
        <span>
          95 %: {pct(f.lower95)} – {pct(f.upper95)}
        </span>
        <span>scale 0 – {scaleText} (all cards)</span>
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

export function StateLabel(props: { problems: readonly Problem[] }) {
  const severity = worst(props.problems);
  return (
    <span className={`state-label state-${severity}`} data-testid="state-label" data-severity={severity}>
      <span aria-hidden="true">{problemIcons[severity]} </span>
      {stateWords(props.problems)}
    </span>
  );
}

export function ReactorCard(props: {
  summary: ReactorSummary;
  nowMs: number;
  timeMode: TimeMode;
  /** Plant hour 0 (the first reading), once known. */
  originMs: number | undefined;
  /** The satellite fraction's scale, the same on every card. */
  scaleMax: number;
}) {
  const { summary, nowMs, timeMode, originMs } = props;
  const problems = reactorProblems(summary);
  const severity = worst(problems);
  const estimate = summary.latestEstimate;
  const progress = summary.fitProgress;
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
        <StateLabel problems={problems} />
      </div>
      <dl className="readings">
        <Reading summary={summary} signal="od" label="OD" />
        <Reading summary={summary} signal="substrate" label="substrate S" />
        <Reading summary={summary} signal="dilution" label="dilution D" />
      </dl>
      <SatelliteFraction summary={summary} scaleMax={props.scaleMax} />
      <div className="card-meta">
        <span>
          last fit:{' '}
          {estimate ? (
            <>
              {/* Two clocks: when it was computed (wall) and how far its window is behind the readings (plant). */}
              finished {formatAge(nowMs - estimate.fittedAtMs)}
              {estimate.status === 'failed' ? ' (failed)' : ''}
              {progress &&
              progress.lagMs !== null &&
              (progress.state === 'behind' || progress.state === 'catching-up')
                ? `, its window ${formatSpan(progress.lagMs)} of plant time behind the readings`
                : ''}
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
        {od && (timeMode !== 'plant' || originMs !== undefined) ? (
          <span>readings as of {formatTime(od.tsMs, timeMode, originMs ?? 0)}</span>
        ) : null}
      </div>
      <ProblemList problems={problems} />
    </article>
  );
}
