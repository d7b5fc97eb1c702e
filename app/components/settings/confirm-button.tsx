'use client';
/** A button for what cannot be undone: the first press asks, the second does it (no browser dialog). */
import { useState } from 'react';

export function ConfirmButton(props: {
  label: string;
  confirmLabel: string;
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
      <button type="button" className="button button-small button-quiet" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}
