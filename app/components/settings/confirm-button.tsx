'use client';
/** A button for what cannot be undone: the first press asks, the second does it (no browser dialog). */
import { useState } from 'react';

export function ConfirmButton(props: {
  label: string;
  confirmLabel: string;
  /** What it acts on, for its accessible name: `Delete rule “x”` where many Delete buttons stand. */
  subject: string;
  onConfirm: () => void;
  disabled?: boolean;
  testId?: string;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button
        type="button"
        className="button button-small"
        disabled={props.disabled}
        onClick={() => setAsking(true)}
        aria-label={`${props.label} ${props.subject}`}
        data-testid={props.testId}
      >
        {props.label}
      </button>
    );
  }
  return (
    <span className="confirm">
      <button
        type="button"
        className="button button-small button-danger"
        onClick={() => {
          setAsking(false);
          props.onConfirm();
        }}
        data-testid={props.testId ? `${props.testId}-confirm` : undefined}
      >
        {props.confirmLabel}
      </button>
      <button
        type="button"
        className="button button-small button-quiet"
        onClick={() => setAsking(false)}
        aria-label={`Cancel: keep ${props.subject}`}
      >
        Cancel
      </button>
    </span>
  );
}
