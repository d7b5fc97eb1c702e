'use client';
/**
 * Plant hour 0 of a reactor: its earliest reading, on the plant's calendar. The summary carries it
 * when the service provides `firstReadingMs`; otherwise the readings API is asked once per reactor
 * (LTTB keeps a series' first point) and the answer kept for the tab's life.
 */
import { useEffect, useState } from 'react';
import type { ReactorSummary } from '../../contract/api';
import { fetchReadings } from './api-client';

const known = new Map<string, number>();
const asked = new Map<string, Promise<number | null>>();

function fromSummary(summary: ReactorSummary): number | null {
  return summary.firstReadingMs ?? known.get(summary.id) ?? null;
}

function ask(reactorId: string): Promise<number | null> {
  let pending = asked.get(reactorId);
  if (!pending) {
    pending = fetchReadings(reactorId, 'od', { maxPoints: 2 })
      .then((series) => {
        const first = series.tMs[0];
        if (first === undefined) {
          asked.delete(reactorId);
          return null;
        }
        known.set(reactorId, first);
        return first;
      })
      .catch(() => {
        asked.delete(reactorId);
        return null;
      });
    asked.set(reactorId, pending);
  }
  return pending;
}

/** Origins of the given reactors by id; missing until known. */
export function usePlantOrigins(summaries: readonly ReactorSummary[] | null): ReadonlyMap<string, number> {
  const [, setAnswers] = useState(0);
  const missing = (summaries ?? []).filter((s) => fromSummary(s) === null && s.latest.od !== undefined);
  const missingKey = missing.map((s) => s.id).join(',');
  // biome-ignore lint/correctness/useExhaustiveDependencies: missingKey stands for missing.
  useEffect(() => {
    let live = true;
    for (const s of missing) {
      void ask(s.id).then((origin) => {
        if (live && origin !== null) setAnswers((n) => n + 1);
      });
    }
    return () => {
      live = false;
    };
  }, [missingKey]);
  const origins = new Map<string, number>();
  for (const s of summaries ?? []) {
    const origin = fromSummary(s);
    if (origin !== null) origins.set(s.id, origin);
  }
  return origins;
}
