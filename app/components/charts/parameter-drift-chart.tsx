'use client';
/**
 * Parameter drift: each freed parameter over time with its 95 % band, on a log scale. Its value is
 * drawn only where a fit's data pinned it to ±10 %; elsewhere the stretch is shaded and only the band
 * is drawn, which is what the prior and the data allow together. Each title says how much the newest
 * fit's data say (determined, narrowed, undetermined); the combinations are in the chart below.
 */
import { useMemo } from 'react';
import { parameterInfo, parameterOrder } from '../../lib/model-info';
import { type Certainty, certaintyOf } from '../../lib/parameter-certainty';
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

/** The newest fit's certainty of each parameter it estimated. */
function newestCertainty(data: ReactorData): Map<string, Certainty> {
  const params = data.latestFit?.status === 'ok' ? data.latestFit.params : null;
  return new Map(Object.entries(params ?? {}).map(([name, p]) => [name, certaintyOf(p)]));
}

function parameterHeadings(names: readonly string[], certainty: Map<string, Certainty>): MultipleHeading[] {
  return names.map((name) => {
    const info = parameterInfo.get(name);
    return {
      key: name,
      title: name,
      unit: info?.unit ?? '',
      detail: info?.description,
      certainty: certainty.get(name),
    };
  });
}

function parameterMultiples(data: ReactorData, names: readonly string[]): Multiple[] {
  return parameterHeadings(names, newestCertainty(data)).map((heading) => ({
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
  // biome-ignore lint/correctness/useExhaustiveDependencies: version stands for data's contents.
  const certainty = useMemo(() => newestCertainty(data), [data, version]);
  const certaintyKey = names.map((n) => certainty.get(n) ?? '').join(',');
  // biome-ignore lint/correctness/useExhaustiveDependencies: namesKey and certaintyKey stand for them.
  const headings = useMemo(() => parameterHeadings(names, certainty), [namesKey, certaintyKey]);

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

  const inWords = (c: Certainty) => names.filter((n) => certainty.get(n) === c);
  const determined = inWords('determined');
  const narrowed = inWords('narrowed');
  const undetermined = inWords('undetermined');
  const newest = certainty.size > 0;
  const listed = (label: string, list: string[]) => (list.length ? [`${label}: ${list.join(', ')}`] : []);
  const newestInWords = [
    ...listed('determined', determined),
    ...listed('narrowed by the data', narrowed),
    ...listed('undetermined', undetermined),
  ].join('; ');
  return (
    <ChartFrame
      id="drift"
      title="Parameter drift (95 % bands, log scale)"
      description={`Each fitted parameter over time with its 95 % band; its value only where the data determine it. Newest fit: ${determined.length} of ${names.length} parameters determined${newestInWords ? ` (${newestInWords})` : ''}.`}
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
          <strong>Only the band is drawn where the data did not determine a parameter</strong> (shaded: the
          window’s readings did not pin it to ±10 %). There the band is what the model file’s prior and the
          data allow together; where it is as wide as the prior’s, the data have said nothing about the
          parameter, and its middle is not an estimate. <em>Undetermined</em> is not the same as unimportant:
          what od and substrate do determine are the combinations below.
          {newest ? <> Newest fit: {newestInWords}.</> : null}
        </p>
      </div>
    </ChartFrame>
  );
}
