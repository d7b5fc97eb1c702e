import type { Metadata } from 'next';
import { isReactorId } from '../../contract/api';
import { CompareView } from '../components/compare-view';
import { compareQuantities, defaultQuantity } from '../lib/compare-quantities';
import { parseView, searchOf } from '../lib/view-url';

export const metadata: Metadata = { title: 'Compare reactors' };

export default async function ComparePage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const search = searchOf(await props.searchParams);
  const { view, problems } = parseView(search);
  const reactorsText = search.get('reactors')?.trim() ?? '';
  const named = reactorsText ? reactorsText.split(',').map((r) => r.trim()) : [];
  const malformed = named.filter((r) => !isReactorId(r));
  if (malformed.length > 0)
    problems.push(
      `reactors=“${reactorsText}”: ${malformed.map((r) => `“${r}”`).join(', ')} is not a reactor id; left out.`,
    );
  const quantityText = search.get('quantity');
  const quantity = compareQuantities.find((q) => q.key === (quantityText ?? defaultQuantity));
  if (quantityText !== null && !quantity)
    problems.push(
      `quantity=“${quantityText}” is not a signal or estimate of this plant (for example od, substrate, satellite-fraction, param-gB): showing the satellite fraction.`,
    );
  return (
    <CompareView
      initialView={view}
      initialReactors={named.length > 0 ? named.filter(isReactorId) : null}
      initialQuantity={
        quantity ??
        (compareQuantities.find((q) => q.key === defaultQuantity) as (typeof compareQuantities)[number])
      }
      linkProblems={problems}
    />
  );
}
