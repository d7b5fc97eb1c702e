import type { Metadata } from 'next';
import { PlantOverview } from '../components/plant-overview';

export const metadata: Metadata = { title: 'Wall display' };

/** The control-room wall: every reactor's card, large, without the site's header. */
export default function KioskPage() {
  return <PlantOverview kiosk />;
}
