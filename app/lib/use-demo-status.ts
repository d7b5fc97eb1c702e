'use client';
/** The simulator's demo status, asked once per page; null without the simulator (or until known). */
import { useEffect, useState } from 'react';
import type { DemoStatus } from '../../contract/api';
import { fetchDemoStatus } from './api-client';

export function useDemoStatus(): DemoStatus | null {
  const [demo, setDemo] = useState<DemoStatus | null>(null);
  useEffect(() => {
    void fetchDemoStatus()
      .then(setDemo)
      .catch(() => setDemo(null));
  }, []);
  return demo;
}
