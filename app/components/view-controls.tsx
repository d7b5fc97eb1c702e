'use client';
/**
 * Beside the time range: how often the charts take new data (or paused), a button that copies the
 * link to this exact view, and what the link could not be read for.
 */
import { useState } from 'react';
import { type RefreshChoice, refreshChoices } from '../lib/view-url';

export function RefreshPicker(props: { value: RefreshChoice; onChange: (value: RefreshChoice) => void }) {
  return (
    <label className="refresh-picker">
      refresh
      <select
        name="refresh"
        value={props.value}
        onChange={(e) => props.onChange(e.target.value as RefreshChoice)}
        data-testid="refresh"
      >
        {refreshChoices.map((r) => (
          <option key={r.value} value={r.value}>
            {r.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Copies the page's address, which always holds the whole view. */
export function CopyLinkButton() {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  async function copy() {
    try {
      await navigator.clipboard.writeText(window.location.href);
      setState('copied');
    } catch {
      setState('failed');
    }
    setTimeout(() => setState('idle'), 4000);
  }
  return (
    <span className="copy-link">
      <button type="button" className="button" onClick={() => void copy()} data-testid="copy-link">
        Copy link to this view
      </button>
      <span role="status" className={state === 'failed' ? 'form-error' : 'form-ok'}>
        {state === 'copied'
          ? 'Link copied.'
          : state === 'failed'
            ? 'Could not copy: the address bar holds the same link.'
            : ''}
      </span>
    </span>
  );
}

export function LinkProblems(props: { problems: readonly string[] }) {
  if (props.problems.length === 0) return null;
  return (
    <div className="banner banner-warning panel" role="alert" data-testid="link-problems">
      <strong>Parts of this link could not be read:</strong>
      <ul>
        {props.problems.map((p) => (
          <li key={p}>{p}</li>
        ))}
      </ul>
    </div>
  );
}
