'use client';
/**
 * Parameter drift: each freed parameter over time with its 95 % band, on a log scale. Where a fit's
 * own data did not pin a parameter to ±10 %, that stretch is shaded and a sentence says what it means;
 * the combinations the data do determine are drawn in the chart below.
 */
import { useMemo } from 'react';
import { parameterInfo, parameterOrder } from '../../lib/model-info';
import { usePreferences } from '../../lib/preferences';
import type { ReactorData } from '../../lib/reactor-data';
import { useNarrow } from '../../lib/use-narrow';
import { ChartFrame } from './chart-frame';
import { chartPalette } from './chart-palette';
import type { TimeContext } from './chart-parts';
import { MultipleTitles } from './multiple-titles';
import {
  type Multiple,
  type MultipleHeading,
  multiplesHeight,
  multiplesSeries,
  multiplesStructure,
} from './small-multiples';
import { useEChart } from './use-echart';
import { useLiveChart } from './use-live-chart';
import type { ZoomLink } from './zoom-link';

/** The freed parameters seen in the fits, in the model's order. */
export function fittedParameterNames(data: ReactorData): string[] {
  const seen = new Set<string>();
  for (const fit of data.fits) for (const name of Object.keys(fit.params ?? {})) seen.add(name);
  return parameterOrder
    .filter((n) => seen.has(n))
    .concat([...seen].filter((n) => !parameterOrder.includes(n)));
}

function parameterHeadings(names: readonly string[]): MultipleHeading[] {
  return names.map((name) => {
    const info = parameterInfo.get(name);
    return { key: name, title: name, unit: info?.unit ?? '', detail: info?.description };
  });
}

function parameterMultiples(data: ReactorData, names: readonly string[]): Multiple[] {
  return parameterHeadings(names).map((heading) => ({
    ...heading,
    samples: data.fits.flatMap((fit) => {
      const p = fit.status === 'ok' ? fit.params?.[heading.key] : undefined;
      return p
        ? [
            {
              t: fit.windowEndMs,
              value: p.value,
              lower: p.lower95,
              upper: p.upper95,
              determined: p.determined,
            },
          ]
        : [];
    }),
  }));
}

export function ParameterDriftChart(props: {
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
  const names = useMemo(() => fittedParameterNames(data), [data, version]);
  const namesKey = names.join(',');
  const columns = useNarrow() ? 1 : 2;
  // biome-ignore lint/correctness/useExhaustiveDependencies: namesKey stands for names.
  const headings = useMemo(() => parameterHeadings(names), [namesKey]);

  useLiveChart({
    chart,
    container: containerRef,
    zoom,
    data,
    version,
    ctx,
    xAxes: names.length,
    layoutKey: `${theme}|${ctx.timeMode}|${ctx.originMs}|${namesKey}|${columns}`,
    structure: () => multiplesStructure(parameterMultiples(data, names), ctx, palette, columns),
    series: () => multiplesSeries(parameterMultiples(data, names), palette),
    sourcesOf: () => ['fits'],
  });

  const latest = data.latestFit?.params ?? null;
  const undetermined = latest ? names.filter((n) => latest[n] && !latest[n].determined) : [];
  const determined = latest ? names.filter((n) => latest[n]?.determined) : [];
  return (
    <ChartFrame
      id="drift"
      title="Parameter drift (95 % bands, log scale)"
      description={`Each fitted parameter over time with its 95 % band. Newest fit: ${determined.length} of ${names.length} parameters determined by the data${undetermined.length ? `; not determined: ${undetermined.join(', ')}` : ''}.`}
      height={multiplesHeight(names.length || 10, columns)}
      overlay={<MultipleTitles multiples={headings} columns={columns} />}
      containerRef={containerRef}
      points={data.fits.filter((f) => f.params).length}
      extent={ctx.extent}
      onKeyDown={onKeyDown}
      empty={names.length === 0 ? 'No parameter estimates in this range yet.' : null}
    >
      <div className="note" data-testid="identifiability-note">
        <span className="swatch swatch-undetermined" aria-hidden="true" />
        <p>
          <strong>Shaded stretches: the readings in that window did not determine the parameter</strong> (not
          pinned to within ±10 %). Its value there comes mostly from earlier windows, and its band is wide; do
          not act on it alone. What the data do determine are the combinations below.
          {latest ? (
            <>
              {' '}
              Newest fit:{' '}
              {undetermined.length === 0
                ? 'every parameter determined.'
                : `${undetermined.join(', ')} not determined${determined.length ? `; ${determined.join(', ')} determined.` : '.'}`}
            </>
          ) : null}
        </p>
      </div>
    </ChartFrame>
  );
}
