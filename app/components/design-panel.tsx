'use client';
/**
 * "To learn more": what the operator could do to learn what the data cannot yet tell (issue 16).
 * The service's advisor ranks a held dilution, dilution programs inside the limits typed here and
 * offline assays by the predicted posterior variance of the targets after the horizon; each action
 * shows today's band and the one predicted after the horizon, a program its plot. Accepting a
 * program records it under the operator's name; the simulated plant then runs it, a real plant's
 * control system receives it over MQTT. Nothing is applied without that click.
 */
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import type {
  AcceptedProgramView,
  DesignActionView,
  DesignAdviceView,
  DesignBandValue,
  DesignTargetBand,
} from '../../contract/api';
import {
  concentration,
  type DisplayUnit,
  dimensionless,
  modelUnit,
  opticalDensity,
  perHour,
  satelliteFraction,
  storedValue,
} from '../../contract/display-units';
import { describeError } from '../lib/api-client';
import { type AdviceAsk, acceptProgram, fetchAcceptedPrograms, fetchDesignAdvice } from '../lib/design-api';
import { combinationModelUnit, model } from '../lib/model-info';
import { formatNumber, formatQuantity } from '../lib/number-format';
import { formatClock, formatTime, type TimeMode, zoneOf } from '../lib/time-format';
import { AssayEntryForm } from './assay-entry-form';
import { ProgramChart } from './charts/program-chart';

/** How many of the ranked actions are shown (and the best dilution program, if it is not among them). */
const shownActions = 3;

/** The unit a design target is shown in. */
export function targetUnit(target: string): DisplayUnit {
  if (target === 'satellite_fraction') return satelliteFraction;
  if (model.states.includes(target)) return concentration;
  const parameter = model.parameters.find((p) => p.name === target);
  if (parameter) return modelUnit(parameter.unit);
  const combination = model.combinations?.find((c) => c.name === target);
  return combination ? modelUnit(combinationModelUnit(combination.exponents)) : dimensionless;
}

function bandText(band: DesignBandValue, unit: DisplayUnit): string {
  return `${formatQuantity(band.lower95, unit)} – ${formatQuantity(band.upper95, unit)}`;
}

/** "2.1× narrower", "no change", "1.3× wider": the band's width after the horizon against today's. */
function widthChange(b: DesignTargetBand): string {
  const ratio = Math.sqrt(b.varianceRatio);
  if (!Number.isFinite(ratio)) return '—';
  if (Math.abs(ratio - 1) < 0.02) return 'about the same';
  return ratio < 1 ? `${formatNumber(1 / ratio, 2)}× narrower` : `${formatNumber(ratio, 2)}× wider`;
}

/** The top actions, and the best dilution program below them when none of them is one. */
function actionsToShow(advice: DesignAdviceView): DesignActionView[] {
  const top = advice.actions.slice(0, shownActions);
  const bestProgram = advice.actions.find((a) => a.kind === 'dilution-program');
  return bestProgram && !top.includes(bestProgram) ? [...top, bestProgram] : top;
}

type AdviceState =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'ready'; advice: DesignAdviceView }
  | { kind: 'error'; message: string };

interface AskFields {
  horizonH: string;
  minPerHour: string;
  maxPerHour: string;
  maxChangePerHour: string;
}

const defaultAsk: AskFields = {
  horizonH: '72',
  minPerHour: '0.18',
  maxPerHour: '0.32',
  maxChangePerHour: '0.05',
};

/** The typed limits in the API's units, or what is wrong with them. */
function readAsk(fields: AskFields): AdviceAsk | string {
  const horizonH = Number(fields.horizonH);
  const [minPerHour, maxPerHour, maxChangePerHour] = [
    fields.minPerHour,
    fields.maxPerHour,
    fields.maxChangePerHour,
  ].map((text) => storedValue(perHour, Number(text)));
  if (!(horizonH > 0 && horizonH <= 24 * 14)) return 'The horizon must be more than 0 and at most 336 h.';
  if (!(minPerHour > 0)) return 'The lowest dilution must be above 0.';
  if (!(maxPerHour > minPerHour)) return 'The highest dilution must be above the lowest.';
  if (!(maxChangePerHour > 0)) return 'The rate of change must be above 0.';
  return { horizonH, limits: { minPerHour, maxPerHour, maxChangePerHour } };
}

function ActionCard(props: {
  action: DesignActionView;
  advice: DesignAdviceView;
  timeMode: TimeMode;
  originMs: number;
  canOperate: boolean;
  busy: boolean;
  onAccept: (action: DesignActionView) => void;
}) {
  const { action, advice, timeMode, originMs } = props;
  const when = (ms: number) => formatTime(ms, timeMode, originMs);
  const label = `${action.kind === 'dilution-program' ? 'dilution program' : action.kind} ranked ${action.rank}: ${action.summary}`;
  return (
    <article
      className="design-action"
      data-testid="design-action"
      data-rank={action.rank}
      data-kind={action.kind}
      aria-labelledby={`design-action-${action.rank}`}
    >
      <h3 id={`design-action-${action.rank}`}>
        #{action.rank} {action.summary}
      </h3>
      <p className="muted">
        Criterion {formatNumber(action.score, 3)} (lower is better). Predicted cost: OD moves up to{' '}
        {formatQuantity(action.cost.odMaxDeviation, opticalDensity)}, S up to{' '}
        {formatQuantity(action.cost.substrateMaxDeviation, concentration)} from where they are now; D between{' '}
        {formatQuantity(action.cost.dilutionMinPerHour, perHour)} and{' '}
        {formatQuantity(action.cost.dilutionMaxPerHour, perHour)}.
      </p>
      {action.assay ? (
        <p data-testid="assay-advice">
          Take a sample for an assay of <strong>{action.assay.signal}</strong> (σ{' '}
          {formatQuantity(action.assay.sigma, concentration)}) at plant time {when(action.assay.sampleAtMs)}.
          Its result, expected by {when(action.assay.resultAtMs)}, goes in with “Enter an assay result” below.
        </p>
      ) : null}
      <div className="table-scroll">
        <table className="compact-table" data-testid="design-bands">
          <caption>95 % bands today and after {advice.horizonH} h</caption>
          <thead>
            <tr>
              <th scope="col">target</th>
              <th scope="col">today</th>
              <th scope="col">after the horizon (predicted)</th>
              <th scope="col">width</th>
            </tr>
          </thead>
          <tbody>
            {action.bands.map((b) => {
              const unit = targetUnit(b.target);
              return (
                <tr key={b.target} data-target={b.target}>
                  <th scope="row" title={b.label}>
                    {b.target === 'satellite_fraction' ? 'satellite fraction' : b.target}
                  </th>
                  <td data-band="today">{bandText(b.today, unit)}</td>
                  <td data-band="after-horizon">{bandText(b.afterHorizon, unit)}</td>
                  <td>{widthChange(b)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {action.kind === 'dilution-program' ? (
        <>
          <ProgramChart
            program={action.program}
            limits={advice.limits}
            timeMode={timeMode}
            originMs={originMs}
            label={`Proposed dilution program ${action.rank}: ${action.summary}, from ${when(action.program.startMs)}, between ${formatQuantity(action.program.lowPerHour, perHour)} and ${formatQuantity(action.program.highPerHour, perHour)}.`}
          />
          {props.canOperate ? (
            <button
              type="button"
              className="button button-primary"
              disabled={props.busy}
              aria-label={`Accept ${label}`}
              onClick={() => props.onAccept(action)}
            >
              Accept this program
            </button>
          ) : null}
        </>
      ) : null}
    </article>
  );
}

function AcceptedPrograms(props: { programs: AcceptedProgramView[]; timeMode: TimeMode; originMs: number }) {
  if (props.programs.length === 0) return null;
  const when = (ms: number) => formatTime(ms, props.timeMode, props.originMs);
  return (
    <div className="table-scroll">
      <table className="compact-table" data-testid="accepted-programs">
        <caption>Accepted dilution programs</caption>
        <thead>
          <tr>
            <th scope="col">accepted (wall clock)</th>
            <th scope="col">by</th>
            <th scope="col">program</th>
            <th scope="col">runs (plant time)</th>
            <th scope="col">applied by</th>
          </tr>
        </thead>
        <tbody>
          {props.programs.map((p) => (
            <tr key={p.id} data-program-id={p.id}>
              <td>{formatClock(p.acceptedAtMs, false, zoneOf(props.timeMode))}</td>
              <td>{p.acceptedBy}</td>
              <td>{p.summary}</td>
              <td>
                {when(p.startMs)} – {when(p.endMs)}
              </td>
              <td>
                {p.appliedBy === 'simulator'
                  ? 'the simulated plant'
                  : 'the plant’s control system (published on MQTT)'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function DesignPanel(props: {
  reactorId: string;
  /** The newest fit's id: advice is worked out once there is one. */
  newestFitId: number | null;
  newestReadingMs: number | null;
  timeMode: TimeMode;
  originMs: number;
  canOperate: boolean;
}) {
  const { reactorId, newestFitId, timeMode, originMs, canOperate } = props;
  const section = useRef<HTMLElement>(null);
  const [near, setNear] = useState(false);
  const [fields, setFields] = useState<AskFields>(defaultAsk);
  const [state, setState] = useState<AdviceState>({ kind: 'idle' });
  const [accepted, setAccepted] = useState<AcceptedProgramView[]>([]);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const abort = useRef<AbortController | null>(null);

  // The advice costs the service a few seconds: worked out once the section comes near the screen.
  useEffect(() => {
    const element = section.current;
    if (!element || typeof IntersectionObserver === 'undefined') {
      setNear(true);
      return;
    }
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        observer.disconnect();
        setNear(true);
      }
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const ask = useCallback(
    (typed: AskFields) => {
      const request = readAsk(typed);
      if (typeof request === 'string') {
        setState({ kind: 'error', message: request });
        return;
      }
      abort.current?.abort();
      const controller = new AbortController();
      abort.current = controller;
      setState({ kind: 'loading' });
      fetchDesignAdvice(reactorId, request, controller.signal)
        .then((advice) => setState({ kind: 'ready', advice }))
        .catch((error: unknown) => {
          if (!controller.signal.aborted) setState({ kind: 'error', message: describeError(error) });
        });
    },
    [reactorId],
  );

  const hasFit = newestFitId !== null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: asked once, with the fields as they are then.
  useEffect(() => {
    if (near && hasFit && state.kind === 'idle') ask(fields);
  }, [near, hasFit, state.kind, ask]);

  useEffect(() => () => abort.current?.abort(), []);

  useEffect(() => {
    if (!near) return;
    const controller = new AbortController();
    fetchAcceptedPrograms(reactorId, controller.signal)
      .then(setAccepted)
      .catch(() => undefined);
    return () => controller.abort();
  }, [near, reactorId]);

  function onAsk(event: FormEvent) {
    event.preventDefault();
    ask(fields);
  }

  async function onAccept(action: DesignActionView) {
    if (state.kind !== 'ready') return;
    setBusy(true);
    setMessage(null);
    try {
      const program = await acceptProgram(reactorId, {
        program: action.program,
        limits: state.advice.limits,
        summary: action.summary,
      });
      setAccepted((list) => [program, ...list]);
      const where =
        program.appliedBy === 'simulator'
          ? 'the simulated plant runs it'
          : 'it is published on MQTT for the plant’s control system';
      setMessage({
        kind: 'ok',
        text: `Program #${program.id} accepted by ${program.acceptedBy}: ${where}, from plant time ${formatTime(program.startMs, timeMode, originMs)} to ${formatTime(program.endMs, timeMode, originMs)}.`,
      });
    } catch (error) {
      setMessage({ kind: 'error', text: `Not accepted: ${describeError(error)}` });
    } finally {
      setBusy(false);
    }
  }

  const field = (name: keyof AskFields, label: string, step: string) => (
    <label>
      {label}
      <input
        type="number"
        name={name}
        step={step}
        min="0"
        value={fields[name]}
        onChange={(e) => setFields({ ...fields, [name]: e.target.value })}
      />
    </label>
  );

  return (
    <section
      ref={section}
      className="panel design-panel"
      aria-labelledby="learn-title"
      data-testid="design-panel"
      data-state={state.kind}
    >
      <h2 id="learn-title">To learn more</h2>
      <p className="muted">
        What would narrow the bands the data leave wide: a deliberate dilution program inside the limits
        below, or an offline assay, ranked by the band predicted after the horizon. Accepting a program
        records it under your name; nothing is applied otherwise.
      </p>
      <form className="inline-form" onSubmit={onAsk} data-testid="design-ask">
        {field('horizonH', `horizon (${'h'})`, '1')}
        {field('minPerHour', `lowest D (${perHour.symbol})`, '0.01')}
        {field('maxPerHour', `highest D (${perHour.symbol})`, '0.01')}
        {field('maxChangePerHour', `fastest change (${perHour.symbol} per h)`, '0.01')}
        <button type="submit" className="button" disabled={state.kind === 'loading' || !hasFit}>
          Work out what to do
        </button>
      </form>
      {!hasFit ? <p role="status">Advice needs a fit of this reactor first.</p> : null}
      {state.kind === 'loading' ? <p role="status">Working out the candidates’ predicted bands…</p> : null}
      {state.kind === 'error' ? (
        <p className="form-error" role="alert">
          No advice: {state.message}
        </p>
      ) : null}
      {state.kind === 'ready' ? (
        <>
          <p className="muted" data-testid="design-criterion">
            From the fit whose window ends at plant time {formatTime(state.advice.atMs, timeMode, originMs)},
            over {state.advice.horizonH} h; targets {state.advice.targets.join(', ')}. Ranked by{' '}
            {state.advice.criterion}.
          </p>
          {state.advice.programsRefused ? (
            <p className="banner banner-warning" role="status">
              No dilution program proposed: {state.advice.programsRefused}.
            </p>
          ) : null}
          {state.advice.notes.length > 0 ? (
            <ul className="design-notes" data-testid="design-notes">
              {state.advice.notes.map((note) => (
                <li key={note}>{note}</li>
              ))}
            </ul>
          ) : null}
          <div className="design-actions">
            {actionsToShow(state.advice).map((action) => (
              <ActionCard
                key={action.rank}
                action={action}
                advice={state.advice}
                timeMode={timeMode}
                originMs={originMs}
                canOperate={canOperate}
                busy={busy}
                onAccept={(a) => void onAccept(a)}
              />
            ))}
          </div>
        </>
      ) : null}
      <p
        className={message?.kind === 'error' ? 'form-error' : 'form-ok'}
        role="status"
        aria-live="polite"
        data-testid="design-message"
      >
        {message?.text ?? ''}
      </p>
      <AcceptedPrograms programs={accepted} timeMode={timeMode} originMs={originMs} />
      {canOperate ? (
        <AssayEntryForm
          reactorId={reactorId}
          timeMode={timeMode}
          originMs={originMs}
          newestReadingMs={props.newestReadingMs}
        />
      ) : null}
    </section>
  );
}
