'use client';
import type { KeyboardEvent, ReactNode, RefObject } from 'react';

/**
 * A chart with its heading, a description for screen readers, keyboard zoom and, while there is
 * nothing to draw, a sentence saying why.
 */
export function ChartFrame(props: {
  id: string;
  title: string;
  description: string;
  height: number;
  containerRef: RefObject<HTMLDivElement | null>;
  onKeyDown: (event: KeyboardEvent<HTMLDivElement>) => void;
  empty: string | null;
  /** How many points the chart's main series holds (for tests and screen readers' curiosity). */
  points: number;
  extent: { minMs: number; maxMs: number } | null;
  children?: ReactNode;
}) {
  return (
    <figure className="chart-frame" aria-labelledby={`${props.id}-title`}>
      <figcaption id={`${props.id}-title`} className="chart-title">
        {props.title}
      </figcaption>
      <div className="chart-body">
        <div
          ref={props.containerRef}
          className="chart"
          data-chart={props.id}
          data-points={props.points}
          data-extent={props.extent ? `${props.extent.minMs},${props.extent.maxMs}` : ''}
          style={{ height: props.height }}
          role="img"
          aria-label={props.description}
          aria-describedby="chart-keys"
          // biome-ignore lint/a11y/noNoninteractiveTabindex: focusable so that keyboard users can zoom and pan.
          tabIndex={0}
          onKeyDown={props.onKeyDown}
        />
        {props.empty ? (
          <p className="chart-empty" role="status">
            {props.empty}
          </p>
        ) : null}
      </div>
      {props.children}
    </figure>
  );
}
