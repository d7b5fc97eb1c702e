'use client';
/** Whether the window is a phone's width: charts lay out one column instead of two. */
import { useEffect, useState } from 'react';

export const narrowQuery = '(max-width: 700px)';

export function useNarrow(): boolean {
  const [narrow, setNarrow] = useState(false);
  useEffect(() => {
    const query = window.matchMedia(narrowQuery);
    setNarrow(query.matches);
    const onChange = () => setNarrow(query.matches);
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);
  return narrow;
}
