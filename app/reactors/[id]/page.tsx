import type { Metadata } from 'next';
import { Equations } from '../../components/equations';
import { ReactorView } from '../../components/reactor-view';
import { rangeFromSearch } from '../../lib/time-range';
import 'katex/dist/katex.min.css';

interface ReactorPageProps {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export async function generateMetadata({ params }: ReactorPageProps): Promise<Metadata> {
  const { id } = await params;
  return { title: `Reactor ${decodeURIComponent(id)}` };
}

export default async function ReactorPage({ params, searchParams }: ReactorPageProps) {
  const { id } = await params;
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(await searchParams))
    if (typeof value === 'string') search.set(key, value);
  const reactorId = decodeURIComponent(id);
  return (
    <ReactorView
      key={reactorId}
      reactorId={reactorId}
      initialRange={rangeFromSearch(search)}
      equations={<Equations />}
    />
  );
}
