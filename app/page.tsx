import type { Metadata } from 'next';
import { PlantOverview } from './components/plant-overview';

export const metadata: Metadata = { title: 'Plant overview' };

export default function OverviewPage() {
  return <PlantOverview />;
}
