'use client';
/**
 * The model file's named parameter combinations (gB/vB, …), which od and substrate determine far
 * better than any one parameter: each over time with its 95 % band (value drawn only where determined),
 * and the newest fit's values, meanings and certainty as a table.
 */
import { useMemo } from 'react';
import type { ParameterCombination } from '../../../contract/api';
import { combinationText, combinationUnit } from '../../lib/model-info';
import { formatNumber } from '../../lib/number-format';
import { certaintyWords, combinationCertainty } from '../../lib/parameter-certainty';
import { usePreferences } from '../../lib/preferences';
import type { FitPoint, ReactorData } from '../../lib/reactor-data';
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

const z95 = 1.959964;
const maxShown = 6;

/** A combination is the same across fits by its name (fits before names: by its written form). */
function keyOf(c: ParameterCombination): string {
  return c.name ?? c.label;
}

function combinationsOf(fit: Pick<FitPoint, 'status' | 'combinations'>): ParameterCombination[] {
  return fit.status === 'ok' ? (fit.combinations ?? []) : [];
}

/** The newest fit's combinations, best determined first: each becomes one chart. */
function referenceCombinations(data: ReactorData): ParameterCombination[] {
  for (let i = data.fits.length - 1; i >= 0; i--) {
    const combinations = combinationsOf(data.fits[i]);
    if (combinations.length > 0)
      return [...combinations].sort((a, b) => a.sdLog - b.sdLog).slice(0, maxShown);
  }
  return [];
}

function combinationHeadings(references: readonly ParameterCombination[]): MultipleHeading[] {
  return references.map((c) => ({
    key: keyOf(c),
    title: c.name ?? combinationText(c.exponents, 0.1),
    unit: combinationUnit(c.exponents),
    detail: c.meaning,
    certainty: combinationCertainty(c),
  }));
}

function combinationMultiples(data: ReactorData, references: readonly ParameterCombination[]): Multiple[] {
  return combinationHeadings(references).map((heading) => ({
    ...heading,
    samples: data.fits.flatMap((fit) => {
      const c = combinationsOf(fit).find((x) => keyOf(x) === heading.key);
      return c
        ? [
            {
              t: fit.windowEndMs,
              value: c.value,
              lower: c.lower95,
              upper: c.upper95,
              determined: c.determined,
            },
          ]
        : [];
    }),
  }));
}

/** "±4 %" for a band this window's data alone would give, words where they alone do not pin it. */
function windowAlone(sdLogData: number): string {
  if (!Number.isFinite(sdLogData) || sdLogData > 1) return 'not determined by this window alone';
  return `±${formatNumber((Math.exp(z95 * sdLogData) - 1) * 100, 2)} %`;
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
  const references = useMemo(() => referenceCombinations(data), [data, version]);
  const columns = useNarrow() ? 1 : 2;
  const headings = useMemo(() => combinationHeadings(references), [references]);

  useLiveChart({
    chart,
    container: containerRef,
    zoom,
    data,
    version,
    ctx,
    xAxes: references.length,
    // Only their number changes the layout (their titles are HTML and follow along).
    layoutKey: `${theme}|${ctx.timeMode}|${ctx.originMs}|${references.length}|${columns}`,
    structure: () => multiplesStructure(combinationMultiples(data, references), ctx, palette, columns),
    series: () => multiplesSeries(combinationMultiples(data, references), palette),
    sourcesOf: () => ['fits'],
  });

  const newest = data.latestFit ? combinationsOf(data.latestFit) : [];
  const determinedNow = newest.filter((c) => c.determined).map(keyOf);
  return (
    <ChartFrame
      id="combinations"
      title="Parameter combinations (95 % bands, log scale)"
      description={`The model’s named parameter combinations over time. Newest fit: ${determinedNow.length ? `${determinedNow.join(', ')} determined` : 'none determined'}; ${newest.map((c) => `${keyOf(c)} ${formatNumber(c.value, 3)} ${combinationUnit(c.exponents)} (95 % ${formatNumber(c.lower95, 3)}–${formatNumber(c.upper95, 3)})`).join(', ') || 'no combinations yet'}.`}
      height={multiplesHeight(references.length || 2, columns)}
      overlay={<MultipleTitles multiples={headings} columns={columns} />}
      containerRef={containerRef}
      points={data.fits.filter((f) => f.combinations?.length).length}
      extent={ctx.extent}
      onKeyDown={onKeyDown}
      empty={references.length === 0 ? 'No parameter combinations reported in this range yet.' : null}
    >
      <p className="chart-legend-note">
        Single parameters are mostly not determined by od and substrate; these products of them often are.
        Each is named in the model file with what it means for the process. Its value is drawn where a fit
        determined it to ±10 %; elsewhere only its band.
      </p>
      {newest.length > 0 ? (
        <div className="table-scroll">
          <table className="compact-table" data-testid="combinations-table">
            <caption>Newest fit’s combinations</caption>
            <thead>
              <tr>
                <th scope="col">combination</th>
                <th scope="col">what it means</th>
                <th scope="col">value</th>
                <th scope="col">95 % range</th>
                <th scope="col">how sure</th>
                <th scope="col">from this window alone</th>
              </tr>
            </thead>
            <tbody>
              {newest.map((c) => (
                <tr key={keyOf(c)} data-certainty={combinationCertainty(c)}>
                  <th scope="row" title={c.label}>
                    {c.name ?? combinationText(c.exponents)}
                  </th>
                  <td>{c.meaning ?? ''}</td>
                  <td>
                    {c.determined ? `${formatNumber(c.value, 4)} ${combinationUnit(c.exponents)}` : '—'}
                  </td>
                  <td>
                    {formatNumber(c.lower95, 3)} – {formatNumber(c.upper95, 3)} {combinationUnit(c.exponents)}
                  </td>
                  <td>{certaintyWords[combinationCertainty(c)]}</td>
                  <td>{windowAlone(c.sdLogData)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </ChartFrame>
  );
}
