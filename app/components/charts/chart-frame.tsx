'use client';
import type { KeyboardEvent, ReactNode, RefObject } from 'react';
import type { LegendState } from './use-legend';

/** How a series looks in the legend: a line, a dashed line with its band, or a marker. */
export type LegendKey = 'line' | 'dashed-band' | 'band' | 'dot' | 'diamond' | 'triangle' | 'square';

export interface LegendItem {
  /** The series name (ECharts toggles every series of that name). */
  name: string;
  color: string;
  key: LegendKey;
}

/**
 * The legend as HTML beside the canvas: it wraps on a narrow screen instead of paging, each entry
 * is a toggle button, and its text is in the page (find, print, screen readers).
 */
function ChartLegend(props: { title: string; items: readonly LegendItem[]; legend: LegendState }) {
  return (
    <ul className="chart-legend" aria-label={`Series shown in “${props.title}”`}>
      {props.items.map((item) => {
        const shown = !props.legend.hidden.has(item.name);
        return (
          <li key={item.name}>
            <button
              type="button"
              aria-pressed={shown}
              onClick={() => props.legend.toggle(item.name)}
              title={shown ? `Hide ${item.name}` : `Show ${item.name}`}
            >
              <span
                className={`legend-key legend-key-${item.key}`}
                style={{ color: item.color }}
                aria-hidden="true"
              />
              {item.name}
            </button>
          </li>
        );
      })}
    </ul>
  );
}

/**
 * A chart as a section of the page: its heading, legend, a description for screen readers, keyboard
 * zoom and, while there is nothing to draw, a sentence saying why.
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
  legend?: { items: readonly LegendItem[]; state: LegendState };
  /** HTML laid over the canvas (the small multiples' titles). */
  overlay?: ReactNode;
  children?: ReactNode;
}) {
  return (
    <section className="chart-frame" aria-labelledby={`${props.id}-title`} data-section={props.id}>
      <h2 id={`${props.id}-title`} className="chart-title">
        {props.title}
      </h2>
      {props.legend ? (
        <ChartLegend title={props.title} items={props.legend.items} legend={props.legend.state} />
      ) : null}
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
        {props.overlay}
        {props.empty ? (
          <p className="chart-empty" role="status">
            {props.empty}
          </p>
        ) : null}
      </div>
      {props.children}
    </section>
  );
}
