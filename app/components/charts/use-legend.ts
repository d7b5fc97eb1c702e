'use client';
/**
 * Which series of a chart are hidden by its HTML legend. ECharts keeps the selection in its own
 * (invisible) legend, so a toggle is one action on the chart; `option` carries the selection into
 * a rebuilt option, which would otherwise show every series again.
 */
import { useCallback, useRef, useState } from 'react';
import type { ChartOption, EChartsInstance } from './echarts-setup';

export interface LegendState {
  hidden: ReadonlySet<string>;
  toggle(name: string): void;
  /** The (invisible) ECharts legend for a rebuilt option. */
  option(names: readonly string[]): ChartOption['legend'];
}

export function useLegend(chart: EChartsInstance | null): LegendState {
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const hiddenNow = useRef(hidden);
  hiddenNow.current = hidden;
  const toggle = useCallback(
    (name: string) => {
      if (chart && !chart.isDisposed()) chart.dispatchAction({ type: 'legendToggleSelect', name });
      setHidden((h) => {
        const next = new Set(h);
        if (next.has(name)) next.delete(name);
        else next.add(name);
        return next;
      });
    },
    [chart],
  );
  const option = useCallback(
    (names: readonly string[]): ChartOption['legend'] => ({
      show: false,
      data: [...names],
      selected: Object.fromEntries(names.map((n) => [n, !hiddenNow.current.has(n)])),
    }),
    [],
  );
  return { hidden, toggle, option };
}
