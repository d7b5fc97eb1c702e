'use client';
/** Text to copy (a secret shown once, a command to run): a copy button, or the text selected where the browser refuses. */
import { useRef, useState } from 'react';

async function copyText(text: string, fallbackFrom: HTMLElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard permission (or not a secure context): select the text for Ctrl+C.
    if (!fallbackFrom) return false;
    const range = document.createRange();
    range.selectNodeContents(fallbackFrom);
    const selection = window.getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
    return false;
  }
}

export type CopyState = 'no' | 'yes' | 'selected';

/** The text in `<code>` and its copy button; `onCopied` tells the caller whether it was copied or selected. */
export function CopyableCode(props: {
  value: string;
  /** What is copied, for the button's accessible name. */
  what: string;
  testId?: string;
  /** The copy button's test id (default `copy`). */
  copyTestId?: string;
  onCopied?: (state: CopyState) => void;
}) {
  const valueRef = useRef<HTMLElement>(null);
  const [copied, setCopied] = useState<CopyState>('no');
  return (
    <div className="shown-once-value">
      <code ref={valueRef} data-testid={props.testId}>
        {props.value}
      </code>
      <button
        type="button"
        className="button button-small"
        aria-label={`${copied === 'yes' ? 'Copied' : 'Copy'} ${props.what}`}
        onClick={() =>
          void copyText(props.value, valueRef.current).then((ok) => {
            const state = ok ? 'yes' : 'selected';
            setCopied(state);
            props.onCopied?.(state);
          })
        }
        data-testid={props.copyTestId ?? 'copy'}
      >
        {copied === 'yes' ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}
