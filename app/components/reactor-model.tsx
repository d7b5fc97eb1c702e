'use client';
/**
 * The model a reactor runs, from the API: its name and version, who chose it and when, and its
 * equations (the built-in's as typeset on the server; another model's typeset here).
 */
import Link from 'next/link';
import { type ReactNode, useEffect, useState } from 'react';
import type { ReactorModelView } from '../../contract/api';
import { describeError, fetchReactorModel } from '../lib/api-client';
import { formatClock } from '../lib/time-format';
import { Equations } from './equations';

export function ReactorModel(props: { reactorId: string; builtInEquations: ReactNode }) {
  const { reactorId } = props;
  const [view, setView] = useState<ReactorModelView | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    fetchReactorModel(reactorId, abort.signal).then(
      (v) => {
        setView(v);
        setProblem(null);
      },
      (e: unknown) => {
        if (!abort.signal.aborted) setProblem(describeError(e));
      },
    );
    return () => abort.abort();
  }, [reactorId]);
  return (
    <div data-testid="reactor-model">
      <p className="model-identity">
        {view ? (
          <>
            Model <strong data-testid="model-name">{view.name}</strong>, version{' '}
            <code data-testid="model-version">{view.version}</code>
            {view.builtIn
              ? ' (the built-in model)'
              : ` (chosen by ${view.setBy ?? 'an operator'}${
                  view.setAtMs === null ? '' : ` on ${formatClock(view.setAtMs)}`
                })`}
            .
          </>
        ) : problem ? (
          `The reactor's model could not be read: ${problem}. The built-in model is shown.`
        ) : (
          'Reading which model the reactor runs…'
        )}
      </p>
      <p>
        <Link href={`/reactors/${encodeURIComponent(reactorId)}/model`} data-testid="model-view-link">
          The model view
        </Link>
        : its structure, refining it against the readings, and adopting a simpler model.
      </p>
      {view && !view.builtIn ? <Equations model={view} /> : props.builtInEquations}
    </div>
  );
}
