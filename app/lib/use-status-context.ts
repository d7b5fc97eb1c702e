'use client';
/**
 * What a reactor's status needs besides its summary, asked once per page: the estimator's window
 * (how many plant hours the first fit waits for) and, for a simulated reactor, the plant's speed.
 */
import { useCallback, useEffect, useState } from 'react';
import type { DemoStatus, EstimatorSettingsView } from '../../contract/api';
import { fetchEstimatorSettings } from './alerts-api';
import { fetchDemoStatus } from './api-client';
import type { StatusContext } from './reactor-status';

export function useStatusContext(): {
  statusOf: (reactorId: string) => StatusContext;
  /** The simulator's demo status; null without the simulator (or until known). */
  demo: DemoStatus | null;
} {
  const [settings, setSettings] = useState<EstimatorSettingsView | null>(null);
  const [demo, setDemo] = useState<DemoStatus | null>(null);
  useEffect(() => {
    void fetchEstimatorSettings()
      .then(setSettings)
      .catch(() => setSettings(null));
    void fetchDemoStatus()
      .then(setDemo)
      .catch(() => setDemo(null));
  }, []);
  const statusOf = useCallback(
    (reactorId: string) => ({
      windowHours: settings?.windowHours ?? null,
      plantHoursPerSecond: demo?.reactors.includes(reactorId) ? demo.plantHoursPerSecond : null,
    }),
    [settings, demo],
  );
  return { statusOf, demo };
}
