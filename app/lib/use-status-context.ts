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

export function useStatusContext(): (reactorId: string) => StatusContext {
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
  return useCallback(
    (reactorId: string) => ({
      windowHours: settings?.windowHours ?? null,
      plantHoursPerSecond: demo?.reactors.includes(reactorId) ? demo.plantHoursPerSecond : null,
    }),
    [settings, demo],
  );
}
