import type { Metadata } from 'next';
import { ModelView } from '../../../components/model-view';

interface ModelPageProps {
  params: Promise<{ id: string }>;
}

export async function generateMetadata({ params }: ModelPageProps): Promise<Metadata> {
  const { id } = await params;
  return { title: `Model of reactor ${decodeURIComponent(id)}` };
}

/** One reactor's model: its structure, refinements of it, and adopting a proposed one. */
export default async function ModelPage({ params }: ModelPageProps) {
  const { id } = await params;
  const reactorId = decodeURIComponent(id);
  return <ModelView key={reactorId} reactorId={reactorId} />;
}
