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
const maxShown = 4;
/** Two fits' combinations are "the same" when their exponent vectors are this close in direction. */
const sameDirection = 0.99;

function cosine(a: Record<string, number>, b: Record<string, number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[k] ?? 0;
    const y = b[k] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

function band(c: ParameterCombination) {
  return { lower: c.value * Math.exp(-z95 * c.sdLog), upper: c.value * Math.exp(z95 * c.sdLog) };
}

/** The newest fit's combinations, best determined first: each becomes one chart. */
function referenceCombinations(data: ReactorData): ParameterCombination[] {
  for (let i = data.fits.length - 1; i >= 0; i--) {
    const combinations = data.fits[i].combinations;
    if (data.fits[i].status === 'ok' && combinations && combinations.length > 0) {
      return [...combinations].sort((a, b) => a.sdLog - b.sdLog).slice(0, maxShown);
    }
  }
  return [];
}

/**
 * The estimator reports each window's best-determined directions in parameter space, and they turn
 * a little from window to window — and a little turn of an exponent moves the value a lot when the
 * parameters span orders of magnitude. So each chart holds one combination fixed (the newest fit's)
 * and evaluates it from every fit's parameters; its 95 % band is drawn where that fit itself reported
 * the same combination (exponent vectors within about 8°), with the band the fit gave it.
 */
function combinationHeadings(references: readonly ParameterCombination[]): MultipleHeading[] {
  return references.map((reference, k) => ({
    key: `c${k}`,
    title: `#${k + 1}: ${combinationText(reference.exponents, 0.1)}`,
    unit: '',
  }));
}

function combinationMultiples(data: ReactorData, references: readonly ParameterCombination[]): Multiple[] {
  const headings = combinationHeadings(references);
  return references.map((reference, k) => {
    const names = Object.keys(reference.exponents);
    const samples = data.fits.flatMap((fit) => {
      const params = fit.status === 'ok' ? fit.params : null;
      if (!params || names.some((n) => !(params[n]?.value > 0))) return [];
      const value = Math.exp(
        names.reduce((sum, n) => sum + reference.exponents[n] * Math.log(params[n].value), 0),
      );
      let match: ParameterCombination | null = null;
      for (const c of fit.combinations ?? []) {
        if (cosine(c.exponents, reference.exponents) >= sameDirection) match = c;
      }
      const sdLog = match?.sdLog ?? 0;
      return [
        {
          t: fit.windowEndMs,
          value,
          lower: value * Math.exp(-z95 * sdLog),
          upper: value * Math.exp(z95 * sdLog),
          determined: match !== null,
        },
      ];
    });
    return { ...headings[k], samples };
  });
}

/** "±4 %" for a well-determined band, words for one the window alone does not pin down. */
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
    // The newest fit's combinations turn a little with every fit: only their number changes the
    // layout (their titles are HTML and follow along).
    layoutKey: `${theme}|${ctx.timeMode}|${ctx.originMs}|${references.length}|${columns}`,
    structure: () => multiplesStructure(combinationMultiples(data, references), ctx, palette, columns),
    series: () => multiplesSeries(combinationMultiples(data, references), palette),
    sourcesOf: () => ['fits'],
  });

  const newest = data.latestFit?.combinations ?? [];
  return (
    <ChartFrame
      id="combinations"
      title="Well-determined combinations (95 % bands, log scale)"
      description={`Parameter combinations the data determine, over time. Newest: ${newest.map((c) => `${c.label} ${formatNumber(c.value, 3)}`).join(', ') || 'none'}.`}
      height={multiplesHeight(references.length || 2, columns)}
      overlay={<MultipleTitles multiples={headings} columns={columns} />}
      containerRef={containerRef}
      points={data.fits.filter((f) => f.combinations?.length).length}
      extent={ctx.extent}
      onKeyDown={onKeyDown}
      empty={references.length === 0 ? 'No well-determined combinations reported in this range yet.' : null}
    >
      <p className="chart-legend-note">
        Each chart holds one of the newest fit’s combinations fixed and evaluates it from every fit’s
        parameters. Its band shows where that fit itself determined the same combination; shaded stretches are
        where it did not (the well-determined directions turn slowly as the plant moves).
      </p>
      {newest.length > 0 ? (
        <div className="table-scroll">
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
                    <td>{windowAlone(c.sdLogData)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </ChartFrame>
  );
}
