'use client';
/**
 * A secret the service shows only once (a new API token, a one-time password): shown with a copy
 * button until dismissed; it is kept nowhere else in the page.
 */
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

export function ShownOnce(props: { title: string; value: string; note: string; onDismiss: () => void }) {
  const valueRef = useRef<HTMLElement>(null);
  const [copied, setCopied] = useState<'no' | 'yes' | 'selected'>('no');
  return (
    <div className="shown-once" role="status" data-testid="shown-once">
      <strong>{props.title}</strong>
      <div className="shown-once-value">
        <code ref={valueRef} data-testid="shown-once-value">
          {props.value}
        </code>
        <button
          type="button"
          className="button button-small"
          onClick={() =>
            void copyText(props.value, valueRef.current).then((ok) => setCopied(ok ? 'yes' : 'selected'))
          }
          data-testid="copy"
        >
          {copied === 'yes' ? 'Copied' : 'Copy'}
        </button>
      </div>
      <p className="muted">
        {props.note}
        {copied === 'selected' ? ' The browser did not allow copying: it is selected, press Ctrl+C.' : ''}
      </p>
      <button type="button" className="button button-small" onClick={props.onDismiss} data-testid="dismiss">
        I have kept it — hide it
      </button>
    </div>
  );
}
