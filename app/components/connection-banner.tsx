'use client';
/**
 * Says so when the live connection is lost ("reconnecting"), and briefly when it is back and the
 * pages have filled in what they missed.
 */
import { useEffect, useRef, useState } from 'react';
import { useConnectionState } from '../lib/realtime-client';
import { useSignedIn } from '../lib/session';

export function ConnectionBanner() {
  const state = useConnectionState();
  const [backOnline, setBackOnline] = useState(false);
  const [slowStart, setSlowStart] = useState(false);
  const previous = useRef(state);
  // Before a usable session (the login page, a password to change) there is no live connection.
  const signedIn = useSignedIn() !== null;

  useEffect(() => {
    const was = previous.current;
    previous.current = state;
    if (was === 'reconnecting' && state === 'connected') {
      setBackOnline(true);
      const timer = setTimeout(() => setBackOnline(false), 5000);
      return () => clearTimeout(timer);
    }
    if (state === 'connecting') {
      const timer = setTimeout(() => setSlowStart(true), 3000);
      return () => clearTimeout(timer);
    }
    setSlowStart(false);
    return undefined;
  }, [state]);

  if (!signedIn) return null;
  if (state === 'reconnecting') {
    return (
      <div className="banner banner-warning" role="status" data-testid="reconnecting">
        <strong>Reconnecting to the plant service…</strong> Live updates are paused; what arrives meanwhile is
        filled in as soon as the connection is back.
      </div>
    );
  }
  if (state === 'connecting' && slowStart) {
    return (
      <div className="banner banner-warning" role="status">
        <strong>Connecting to the plant service…</strong> The page shows what it has; live updates start once
        connected.
      </div>
    );
  }
  if (backOnline) {
    return (
      <div className="banner banner-ok" role="status" data-testid="back-online">
        Connection restored: missed readings and fits have been filled in.
      </div>
    );
  }
  return null;
}
