'use client';
/**
 * The state of a settings list whose new items carry a secret shown once (API tokens, accounts):
 * the list, its loading error, the item just made, and make/remove actions that reload the list.
 */
import { useCallback, useEffect, useState } from 'react';
import { describeError } from './api-client';

export function useShownOnceList<Item, Created>(fetchAll: () => Promise<Item[]>) {
  const [items, setItems] = useState<Item[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<Created | null>(null);
  const [nowMs, setNowMs] = useState(() => Date.now());

  const load = useCallback(async () => {
    try {
      setItems(await fetchAll());
      setError(null);
    } catch (e) {
      setError(describeError(e));
    }
    setNowMs(Date.now());
  }, [fetchAll]);

  useEffect(() => {
    void load();
  }, [load]);

  /** Makes an item; true when it was made (and is now `created`). */
  async function make(request: () => Promise<Created>): Promise<boolean> {
    setBusy(true);
    setError(null);
    try {
      setCreated(await request());
      await load();
      return true;
    } catch (e) {
      setError(`Not made: ${describeError(e)}`);
      return false;
    } finally {
      setBusy(false);
    }
  }

  /** Removes an item; forgets the one just made if it is that one. */
  async function remove(request: () => Promise<void>, wasCreated: (c: Created) => boolean, verb: string) {
    try {
      await request();
      setCreated((c) => (c !== null && wasCreated(c) ? null : c));
      await load();
    } catch (e) {
      setError(`Not ${verb}: ${describeError(e)}`);
    }
  }

  return { items, error, busy, created, setCreated, nowMs, make, remove };
}
