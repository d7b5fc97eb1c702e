'use client';
/**
 * A secret the service shows only once (a new API token, a one-time password, a device's password):
 * shown with a copy button until dismissed; it is kept nowhere else in the page.
 */
import { type ReactNode, useState } from 'react';
import { CopyableCode, type CopyState } from '../copyable-code';

export function ShownOnce(props: {
  title: string;
  value: string;
  note: string;
  onDismiss: () => void;
  /** Shown below the note (how to use it). */
  children?: ReactNode;
}) {
  const [copied, setCopied] = useState<CopyState>('no');
  return (
    <div className="shown-once" role="status" data-testid="shown-once">
      <strong>{props.title}</strong>
      <CopyableCode value={props.value} what={props.title} testId="shown-once-value" onCopied={setCopied} />
      <p className="muted">
        {props.note}
        {copied === 'selected' ? ' The browser did not allow copying: it is selected, press Ctrl+C.' : ''}
      </p>
      {props.children}
      <button type="button" className="button button-small" onClick={props.onDismiss} data-testid="dismiss">
        I have kept it — hide it
      </button>
    </div>
  );
}
