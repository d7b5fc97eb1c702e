import type { Metadata } from 'next';
import { Equations } from '../../components/equations';
import { ReactorView } from '../../components/reactor-view';
import { model } from '../../lib/model-info';
import { parseView, searchOf } from '../../lib/view-url';

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
  const { view, problems } = parseView(searchOf(await searchParams));
  const reactorId = decodeURIComponent(id);
  return (
    <ReactorView
      key={reactorId}
      reactorId={reactorId}
      initialView={view}
      linkProblems={problems}
      builtInEquations={<Equations model={model} />}
    />
  );
}
