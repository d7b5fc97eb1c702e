'use client';
/**
 * A reactor's model view: the structure of the model it runs (organisms, metabolites and the links
 * between them, marked kept / removed / undetermined by the newest refinement), starting a
 * refinement (operators), the refinement's log, the fit with the current and the proposed model
 * side by side, and adopting the proposed model (operators; it goes through the model's PUT: a new
 * estimator chain, the earlier fits keep their model's label).
 */
import Link from 'next/link';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import type { ReactorModelView, RefinementResultView, RefinementView } from '../../contract/api';
import { describeError, fetchReactorModel } from '../lib/api-client';
import { formatNumber } from '../lib/number-format';
import { adoptModel, fetchRefinements, startRefinement } from '../lib/refinement-api';
import { useCanOperate, useSignedIn } from '../lib/session';
import {
  type LinkState,
  linkStateShort,
  linkStateWords,
  linkWords,
  type StructureLink,
} from '../lib/structure-words';
import { formatClock } from '../lib/time-format';
import { RefinementFitChart } from './charts/refinement-fit-chart';
import { StructureDiagram } from './structure-diagram';

/** How often a running refinement is asked for its progress. */
const pollMs = 2000;

export function ModelView({ reactorId }: { reactorId: string }) {
  const [model, setModel] = useState<ReactorModelView | null>(null);
  const [refinements, setRefinements] = useState<RefinementView[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [shownId, setShownId] = useState<number | null>(null);
  const load = useCallback(
    async (signal?: AbortSignal) => {
      try {
        const [m, r] = await Promise.all([
          fetchReactorModel(reactorId, signal),
          fetchRefinements(reactorId, signal),
        ]);
        setModel(m);
        setRefinements(r);
        setProblem(null);
      } catch (e) {
        if (!signal?.aborted) setProblem(describeError(e));
      }
    },
    [reactorId],
  );
  useEffect(() => {
    const abort = new AbortController();
    void load(abort.signal);
    return () => abort.abort();
  }, [load]);
  const running = refinements?.some((r) => r.status === 'running') ?? false;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => void load(), pollMs);
    return () => clearInterval(timer);
  }, [running, load]);

  const shown = refinements?.find((r) => r.id === shownId) ?? refinements?.[0] ?? null;
  return (
    <div className="model-page" data-testid="model-view">
      <div className="page-head">
        <h1>Model of reactor {reactorId}</h1>
        <Link href={`/reactors/${encodeURIComponent(reactorId)}`}>Back to reactor {reactorId}</Link>
      </div>
      {problem ? (
        <p className="form-error" role="alert">
          The model view could not be read: {problem}
        </p>
      ) : null}
      {model ? (
        <p className="model-identity">
          It runs <strong data-testid="model-name">{model.name}</strong>, version{' '}
          <code data-testid="model-version">{model.version}</code>
          {model.builtIn
            ? ' (the built-in model)'
            : ` (chosen by ${model.setBy ?? 'an operator'}${model.setAtMs === null ? '' : ` on ${formatClock(model.setAtMs)}`})`}
          .
        </p>
      ) : (
        !problem && <p>Reading the reactor's model…</p>
      )}
      {model && refinements ? (
        <>
          <Structure model={model} refinement={shown?.status === 'done' ? shown : null} />
          <StartRefinement
            reactorId={reactorId}
            model={model}
            running={refinements.find((r) => r.status === 'running') ?? null}
            onStarted={(r) => {
              setShownId(r.id);
              void load();
            }}
          />
          <RefinementList refinements={refinements} shown={shown} onShow={setShownId} />
          {shown ? <RefinementDetail refinement={shown} model={model} onAdopted={() => void load()} /> : null}
        </>
      ) : null}
    </div>
  );
}

/** The links to draw: the refinement's verdicts, else the model's own links. */
function structureOf(
  model: ReactorModelView,
  refinement: RefinementView | null,
): { links: StructureLink[]; from: string } | null {
  const result = refinement?.result;
  if (result)
    return {
      from: `refinement ${refinement.id} of ${refinement.model.name}`,
      links: result.links.map((l) => ({
        kind: l.kind,
        organism: l.organism,
        metabolite: l.metabolite,
        state: (l.verdict === 'kept' ? (l.undetermined ? 'undetermined' : 'kept') : l.verdict) as LinkState,
      })),
    };
  if (!model.links) return null;
  return {
    from: `the model ${model.name}`,
    links: model.links.map((l) => ({
      kind: l.kind as StructureLink['kind'],
      organism: l.organism,
      metabolite: l.metabolite,
      state: l.off ? 'off' : 'in the model',
    })),
  };
}

function Structure({ model, refinement }: { model: ReactorModelView; refinement: RefinementView | null }) {
  const structure = structureOf(model, refinement);
  return (
    <section className="panel" aria-labelledby="structure-title" data-testid="structure">
      <h2 id="structure-title">Structure</h2>
      {structure ? (
        <StructureBody structure={structure} />
      ) : (
        <p>
          The model {model.name} is not written as a community of links, so it has no links to mark. Start a
          refinement of a generated community model (below) to see which links the readings support.
        </p>
      )}
    </section>
  );
}

function StructureBody({ structure }: { structure: { links: StructureLink[]; from: string } }) {
  const { links } = structure;
  const organisms = unique(links.map((l) => l.organism));
  const metabolites = unique(links.map((l) => l.metabolite));
  const count = (state: LinkState) => links.filter((l) => l.state === state).length;
  const summary = (['kept', 'undetermined', 'removed', 'in the model'] as const)
    .filter((s) => count(s) > 0)
    .map((s) => `${count(s)} ${linkStateShort[s]}`)
    .join(', ');
  return (
    <div className="structure">
      <p className="muted">
        From {structure.from}: {summary}. Solid lines are kept, dashed lines with ? undetermined, dotted lines
        with ✕ removed; arrows point from what is made or eaten to where it goes, a bar marks an inhibition.
      </p>
      <div className="structure-layout">
        <StructureDiagram
          organisms={organisms}
          metabolites={metabolites}
          links={links}
          label={`Structure from ${structure.from}: ${summary}`}
        />
        <ul className="structure-links" data-testid="structure-links">
          {links
            .filter((l) => l.state !== 'off')
            .map((l) => (
              <li key={`${l.kind} ${l.organism} ${l.metabolite}`} data-state={l.state}>
                <span className={`link-tag link-${l.state.replace(/ /g, '-')}`}>
                  {linkStateShort[l.state]}
                </span>{' '}
                {linkWords(l)} <span className="muted">({l.kind})</span>
              </li>
            ))}
        </ul>
      </div>
    </div>
  );
}

function StartRefinement(props: {
  reactorId: string;
  model: ReactorModelView;
  running: RefinementView | null;
  onStarted: (r: RefinementView) => void;
}) {
  const { model, running } = props;
  const canOperate = useCanOperate();
  const signedIn = useSignedIn();
  const isCommunity = model.links !== null;
  const [source, setSource] = useState<'current' | 'community'>(isCommunity ? 'current' : 'community');
  const [satellites, setSatellites] = useState(1);
  const [metabolites, setMetabolites] = useState(2);
  const [hours, setHours] = useState(96);
  const [state, setState] = useState<{ kind: 'idle' | 'sending' } | { kind: 'refused'; reason: string }>({
    kind: 'idle',
  });
  const why = !canOperate
    ? `Only an operator may start a refinement${signedIn ? `; you are signed in as a ${signedIn.role}` : ''}.`
    : running
      ? `Refinement ${running.id} is running; one runs at a time per reactor.`
      : null;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setState({ kind: 'sending' });
    try {
      const started = await startRefinement(
        props.reactorId,
        source === 'community'
          ? { model: 'community', satellites, metabolites, hours }
          : { model: 'current', hours },
      );
      setState({ kind: 'idle' });
      props.onStarted(started);
    } catch (e) {
      setState({ kind: 'refused', reason: describeError(e) });
    }
  };
  return (
    <section className="panel" aria-labelledby="refine-title">
      <h2 id="refine-title">Refine the structure</h2>
      <p className="muted">
        Fits the model over the reactor's newest readings and removes, one at a time, each link whose removal
        does not make the fit significantly worse (a likelihood-ratio test at α = 0.01). It runs in the
        background and takes minutes.
      </p>
      <form className="refine-form" onSubmit={submit}>
        <fieldset>
          <legend>Model to refine</legend>
          <label className="checkbox-label refine-choice">
            <input
              type="radio"
              name="source"
              checked={source === 'current'}
              disabled={!isCommunity}
              onChange={() => setSource('current')}
            />{' '}
            the reactor's model ({model.name})
            {isCommunity ? '' : ' — not a community model, so it has no links to test'}
          </label>
          <label className="checkbox-label refine-choice">
            <input
              type="radio"
              name="source"
              checked={source === 'community'}
              onChange={() => setSource('community')}
            />{' '}
            a generated community with every link:{' '}
            <input
              type="number"
              aria-label="satellites"
              min={1}
              max={4}
              value={satellites}
              onChange={(e) => setSatellites(Number(e.target.value))}
            />{' '}
            satellites,{' '}
            <input
              type="number"
              aria-label="metabolites"
              min={1}
              max={4}
              value={metabolites}
              onChange={(e) => setMetabolites(Number(e.target.value))}
            />{' '}
            metabolites
          </label>
        </fieldset>
        <label>
          Hours of readings{' '}
          <input
            type="number"
            aria-label="hours of readings"
            min={6}
            max={720}
            value={hours}
            onChange={(e) => setHours(Number(e.target.value))}
          />
        </label>
        <button type="submit" className="button" disabled={why !== null || state.kind === 'sending'}>
          Start refinement
        </button>
        {why ? (
          <p className="muted" data-testid="start-disabled-reason">
            {why}
          </p>
        ) : null}
        {state.kind === 'refused' ? (
          <p className="form-error" role="alert">
            Refused: {state.reason}
          </p>
        ) : null}
      </form>
    </section>
  );
}

function RefinementList(props: {
  refinements: RefinementView[];
  shown: RefinementView | null;
  onShow: (id: number) => void;
}) {
  if (props.refinements.length === 0)
    return (
      <section className="panel">
        <h2>Refinements</h2>
        <p>No refinement of this reactor yet.</p>
      </section>
    );
  return (
    <section className="panel" aria-labelledby="refinements-title">
      <h2 id="refinements-title">Refinements</h2>
      <div className="table-scroll">
        <table className="compact-table" data-testid="refinements">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Status</th>
              <th scope="col">Model</th>
              <th scope="col">Started</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {props.refinements.map((r) => (
              <tr key={r.id} data-status={r.status}>
                <td>{r.id}</td>
                <td>{statusWords(r)}</td>
                <td>{r.model.name}</td>
                <td>
                  {formatClock(r.requestedAtMs)} by {r.requestedBy}
                </td>
                <td>
                  {props.shown?.id === r.id ? (
                    'shown below'
                  ) : (
                    <button type="button" className="button button-small" onClick={() => props.onShow(r.id)}>
                      Show refinement {r.id}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function statusWords(r: RefinementView): string {
  if (r.status === 'running')
    return `running: ${r.progress.linksTested} of ${r.progress.linksTotal} links tested`;
  if (r.status === 'done') return 'done';
  return `${r.status}: ${r.error ?? ''}`;
}

function RefinementDetail(props: {
  refinement: RefinementView;
  model: ReactorModelView;
  onAdopted: () => void;
}) {
  const { refinement: r } = props;
  return (
    <section className="panel" aria-labelledby="refinement-title" data-testid="refinement">
      <h2 id="refinement-title">
        Refinement {r.id} of {r.model.name}
      </h2>
      <p data-testid="refinement-status">
        {statusWords(r)}. Over the newest {r.settings.hours} h of readings, α = {r.settings.alpha}.
      </p>
      {r.status === 'running' && r.progress.notes.length > 0 ? (
        <ol className="refinement-notes" aria-label="the newest log lines">
          {r.progress.notes.slice(-8).map((n, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the notes only grow at their end
            <li key={i}>{n}</li>
          ))}
        </ol>
      ) : null}
      {r.result ? (
        <>
          <Comparison result={r.result} />
          <Adopt reactorId={r.reactorId} result={r.result} model={props.model} onAdopted={props.onAdopted} />
          <RefinementLog result={r.result} />
        </>
      ) : null}
    </section>
  );
}

function Comparison({ result }: { result: RefinementResultView }) {
  const { current: c, proposed: p } = result;
  const rows: [string, number, number, number][] = [
    ['Links', c.linksOn, p.linksOn, 0],
    ['Free parameters', c.freeParameters, p.freeParameters, 0],
    ['Readings fitted', c.readings, p.readings, 0],
    ['Loss (what the tests compare)', c.loss, p.loss, 1],
    ['−log-likelihood of the readings', c.dataLoss, p.dataLoss, 1],
    ['AIC (lower is better)', c.aic, p.aic, 1],
    ['BIC (lower is better)', c.bic, p.bic, 1],
  ];
  const better = p.aic < c.aic ? 'lower' : 'higher';
  return (
    <div className="refinement-comparison">
      <h3>Current and proposed model</h3>
      <p>
        The proposed model has {c.linksOn - p.linksOn} link{c.linksOn - p.linksOn === 1 ? '' : 's'} fewer; its
        AIC is {better} by {formatNumber(Math.abs(c.aic - p.aic), 3)} and its BIC by{' '}
        {formatNumber(Math.abs(c.bic - p.bic), 3)} ({result.fits} fits over plant hours{' '}
        {formatNumber(result.span.fromH - result.span.originH, 3)}–
        {formatNumber(result.span.toH - result.span.originH, 3)}, {formatNumber(result.seconds, 2)} s).
      </p>
      <div className="table-scroll">
        <table className="compact-table" data-testid="fit-comparison">
          <thead>
            <tr>
              <th scope="col" />
              <th scope="col">Current</th>
              <th scope="col">Proposed</th>
              <th scope="col">Change</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([name, a, b, decimals]) => (
              <tr key={name}>
                <th scope="row">{name}</th>
                <td>{a.toFixed(decimals)}</td>
                <td>{b.toFixed(decimals)}</td>
                <td>{(b - a >= 0 ? '+' : '') + (b - a).toFixed(decimals)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="refinement-charts">
        <RefinementFitChart result={result} signal="od" />
        <RefinementFitChart result={result} signal="substrate" />
      </div>
    </div>
  );
}

function Adopt(props: {
  reactorId: string;
  result: RefinementResultView;
  model: ReactorModelView;
  onAdopted: () => void;
}) {
  const canOperate = useCanOperate();
  const signedIn = useSignedIn();
  const [state, setState] = useState<
    | { kind: 'idle' | 'sending' }
    | { kind: 'refused'; reason: string }
    | { kind: 'adopted'; view: ReactorModelView }
  >({ kind: 'idle' });
  const proposed = props.result.proposedModel;
  const adopted = props.model.version === proposed.version;
  const why = adopted
    ? `The reactor runs this model (version ${proposed.version}).`
    : !canOperate
      ? `Only an operator may adopt a model${signedIn ? `; you are signed in as a ${signedIn.role}` : ''}.`
      : null;
  const adopt = async () => {
    setState({ kind: 'sending' });
    try {
      const view = await adoptModel(props.reactorId, proposed.fileText);
      setState({ kind: 'adopted', view });
      props.onAdopted();
    } catch (e) {
      setState({ kind: 'refused', reason: describeError(e) });
    }
  };
  return (
    <div className="adopt" data-testid="adopt">
      <h3>Adopt the proposed model</h3>
      <p className="muted">
        The reactor then runs {proposed.name} (version <code>{proposed.version}</code>): its estimator starts
        a new chain, and the fits so far keep the model they came from.
      </p>
      <button
        type="button"
        className="button button-primary"
        disabled={why !== null || state.kind === 'sending'}
        onClick={adopt}
      >
        Adopt the proposed model
      </button>
      {why ? (
        <p className="muted" data-testid="adopt-disabled-reason">
          {why}
        </p>
      ) : null}
      {state.kind === 'adopted' ? (
        <p role="status">
          Adopted: the reactor runs {state.view.name}, version {state.view.version}, from now on.
        </p>
      ) : null}
      {state.kind === 'refused' ? (
        <p className="form-error" role="alert">
          Not adopted: {state.reason}
        </p>
      ) : null}
      <details>
        <summary>The proposed model file</summary>
        <pre className="model-file">{proposed.fileText}</pre>
      </details>
    </div>
  );
}

function RefinementLog({ result }: { result: RefinementResultView }) {
  const p = (v: number) => (v === 0 ? '0' : v < 1e-4 ? v.toExponential(1) : v.toPrecision(2));
  return (
    <div className="refinement-log">
      <h3>Log</h3>
      <p className="muted">
        Each test in order: the link, what removing it costs the fit (Δloss, and 2Δ against χ²), and why it
        was kept or allowed to go.
      </p>
      <table className="compact-table stacked-table" data-testid="refinement-log">
        <thead>
          <tr>
            <th scope="col">Link</th>
            <th scope="col">Decision</th>
            <th scope="col">Δloss</th>
            <th scope="col">p</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {result.steps.map((s, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a link may be tested more than once; the log is fixed
            <tr key={i} data-action={s.action}>
              <td data-label="Link">{s.link}</td>
              <td data-label="Decision">{s.action}</td>
              <td data-label="Δloss">{s.removal.deltaLoss.toFixed(2)}</td>
              <td data-label="p">{p(s.removal.p)}</td>
              <td data-label="Why" className="reason">
                {s.reason}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Evidence for each link</h3>
      <table className="compact-table stacked-table" data-testid="link-evidence">
        <thead>
          <tr>
            <th scope="col">Link</th>
            <th scope="col">Verdict</th>
            <th scope="col">Removal p</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {result.links
            .filter((l) => l.verdict !== 'off')
            .map((l) => {
              const state: LinkState = l.verdict === 'kept' && l.undetermined ? 'undetermined' : l.verdict;
              return (
                <tr key={l.link} data-verdict={state}>
                  <td data-label="Link">{l.link}</td>
                  <td data-label="Verdict" title={linkStateWords[state]}>
                    {linkStateShort[state]}
                    {l.verdict === 'removed'
                      ? l.excluded
                        ? ' (excluded by the readings)'
                        : ' (unseen)'
                      : ''}
                  </td>
                  <td data-label="Removal p">{l.removal ? p(l.removal.p) : '—'}</td>
                  <td data-label="Why" className="reason">
                    {l.reason}
                  </td>
                </tr>
              );
            })}
        </tbody>
      </table>
    </div>
  );
}

function unique(names: string[]): string[] {
  return [...new Set(names)];
}
