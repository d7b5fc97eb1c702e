import type { Metadata } from 'next';
import { ShiftReport } from '../../../components/shift-report';
import { parseView, searchOf } from '../../../lib/view-url';

interface ReportPageProps {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export async function generateMetadata({ params }: ReportPageProps): Promise<Metadata> {
  const { id } = await params;
  return { title: `Shift report, reactor ${decodeURIComponent(id)}` };
}

/** A printable shift report of one reactor over the range in the address (default: the last 12 h). */
export default async function ReportPage({ params, searchParams }: ReportPageProps) {
  const { id } = await params;
  const search = searchOf(await searchParams);
  if (!search.has('from') && !search.has('range')) search.set('range', '12h');
  const { view, problems } = parseView(search);
  const reactorId = decodeURIComponent(id);
  return <ShiftReport key={reactorId} reactorId={reactorId} initialView={view} linkProblems={problems} />;
}
