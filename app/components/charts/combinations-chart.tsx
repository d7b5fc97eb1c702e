'use client';
/**
 * The parameter combinations each fit's data determine well (for example gB/vB), over time with
 * their 95 % bands, and the newest fit's values as a table.
 */
import { useMemo } from 'react';
import type { ParameterCombination } from '../../../contract/api';
import { combinationText } from '../../lib/model-info';
import { formatNumber } from '../../lib/number-format';
import { usePreferences } from '../../lib/preferences';
import type { ReactorData } from '../../lib/reactor-data';
import { ChartFrame } from './chart-frame';
import { chartPalette } from './chart-palette';
import type { TimeContext } from './chart-parts';
import { type Multiple, multiplesHeight, multiplesSeries, multiplesStructure } from './small-multiples';
import { useEChart } from './use-echart';
import { useLiveChart } from './use-live-chart';
import type { ZoomLink } from './zoom-link';

const z95 = 1.959964;
const maxShown = 6;

/** Labels by how many fits determined them, most first. */
function combinationLabels(data: ReactorData): string[] {
  const counts = new Map<string, number>();
  for (const fit of data.fits)
    for (const c of fit.combinations ?? []) counts.set(c.label, (counts.get(c.label) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, maxShown)
    .map(([label]) => label);
}

function band(c: ParameterCombination) {
  return { lower: c.value * Math.exp(-z95 * c.sdLog), upper: c.value * Math.exp(z95 * c.sdLog) };
}

function combinationMultiples(data: ReactorData, labels: readonly string[]): Multiple[] {
  return labels.map((label) => {
    let exponents: Record<string, number> = {};
    const samples = data.fits.flatMap((fit) => {
      const c = fit.status === 'ok' ? fit.combinations?.find((x) => x.label === label) : undefined;
      if (!c) return [];
      exponents = c.exponents;
      return [{ t: fit.windowEndMs, value: c.value, ...band(c), determined: true }];
    });
    const text = combinationText(exponents);
    return { key: label, title: text === label ? label : `${label} = ${text}`, unit: '', samples };
  });
}

export function CombinationsChart(props: {
  data: ReactorData;
  version: number;
  ctx: TimeContext;
  zoom: ZoomLink;
}) {
  const { data, version, ctx, zoom } = props;
  const { theme } = usePreferences();
  const { containerRef, chart, onKeyDown } = useEChart(zoom);
  const palette = chartPalette(theme);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version stands for data's contents.
  const labels = useMemo(() => combinationLabels(data), [data, version]);
  const labelsKey = labels.join('|');

  useLiveChart({
    chart,
    zoom,
    data,
    version,
    ctx,
    xAxes: labels.length,
    layoutKey: `${theme}|${ctx.timeMode}|${ctx.originMs}|${labelsKey}`,
    structure: () => multiplesStructure(combinationMultiples(data, labels), ctx, palette),
    series: () => multiplesSeries(combinationMultiples(data, labels), palette),
    sourcesOf: () => ['fits'],
  });

  const newest = data.latestFit?.combinations ?? [];
  return (
    <ChartFrame
      id="combinations"
      title="Well-determined combinations (95 % bands, log scale)"
      description={`Parameter combinations the data determine, over time. Newest: ${newest.map((c) => `${c.label} ${formatNumber(c.value, 3)}`).join(', ') || 'none'}.`}
      height={multiplesHeight(labels.length || 2)}
      containerRef={containerRef}
      points={data.fits.filter((f) => f.combinations?.length).length}
      extent={ctx.extent}
      onKeyDown={onKeyDown}
      empty={labels.length === 0 ? 'No well-determined combinations reported in this range yet.' : null}
    >
      {newest.length > 0 ? (
        <table className="compact-table">
          <caption>Newest fit’s combinations</caption>
          <thead>
            <tr>
              <th scope="col">combination</th>
              <th scope="col">value</th>
              <th scope="col">95 % range</th>
              <th scope="col">from this window alone</th>
            </tr>
          </thead>
          <tbody>
            {newest.map((c) => {
              const b = band(c);
              return (
                <tr key={c.label}>
                  <th scope="row">{combinationText(c.exponents)}</th>
                  <td>{formatNumber(c.value, 4)}</td>
                  <td>
                    {formatNumber(b.lower, 3)} – {formatNumber(b.upper, 3)}
                  </td>
                  <td>±{formatNumber((Math.exp(z95 * c.sdLogData) - 1) * 100, 2)} %</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </ChartFrame>
  );
}
