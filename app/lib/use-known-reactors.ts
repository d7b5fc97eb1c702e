'use client';
/** The plant's reactors (those that have sent readings), in natural order; null until known or when the service did not answer. */
import { useEffect, useState } from 'react';
import { fetchReactors } from './api-client';

export function useKnownReactors(): string[] | null {
  const [known, setKnown] = useState<string[] | null>(null);
  useEffect(() => {
    void fetchReactors()
      .then((list) =>
        setKnown(list.map((r) => r.id).sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))),
      )
      .catch(() => setKnown(null));
  }, []);
  return known;
}
