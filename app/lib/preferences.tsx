'use client';
/**
 * The operator's display preferences: light or dark theme, and times in plant hours, local time or UTC. Kept
 * in localStorage; the theme is put on <html data-theme> before first paint by the script in the
 * root layout, so a dark control room never flashes white.
 */
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { themeStorageKey } from './theme-boot';
import { type ClockZone, type TimeMode, timeModes, zoneOf } from './time-format';

export type Theme = 'light' | 'dark';

interface Preferences {
  theme: Theme;
  timeMode: TimeMode;
  setTheme: (theme: Theme) => void;
  setTimeMode: (mode: TimeMode) => void;
}

const PreferencesContext = createContext<Preferences | null>(null);

const timeModeStorageKey = 'culturewatch.timeMode';

function initialTheme(): Theme {
  if (typeof document === 'undefined') return 'light';
  return document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light';
}

export function PreferencesProvider({ children }: { children: ReactNode }) {
  const [theme, setThemeState] = useState<Theme>('light');
  const [timeMode, setTimeModeState] = useState<TimeMode>('plant');
  /** Set once a page chose the time display (a link's `time=`): the stored one does not override it. */
  const chosen = useRef(false);

  // Read the stored choices once mounted (the server renders the defaults). A page's own effects
  // run before this one, so a link's choice is already in.
  useEffect(() => {
    setThemeState(initialTheme());
    if (chosen.current) return;
    const stored = window.localStorage.getItem(timeModeStorageKey);
    // `clock` is how local time was stored before UTC was offered.
    if (stored === 'clock') setTimeModeState('local');
    else if (timeModes.includes(stored as TimeMode)) setTimeModeState(stored as TimeMode);
  }, []);

  const setTheme = useCallback((next: Theme) => {
    setThemeState(next);
    document.documentElement.dataset.theme = next;
    window.localStorage.setItem(themeStorageKey, next);
  }, []);

  const setTimeMode = useCallback((next: TimeMode) => {
    chosen.current = true;
    setTimeModeState(next);
    window.localStorage.setItem(timeModeStorageKey, next);
  }, []);

  const value = useMemo(
    () => ({ theme, timeMode, setTheme, setTimeMode }),
    [theme, timeMode, setTheme, setTimeMode],
  );
  return <PreferencesContext.Provider value={value}>{children}</PreferencesContext.Provider>;
}

export function usePreferences(): Preferences {
  const value = useContext(PreferencesContext);
  if (!value) throw new Error('usePreferences outside <PreferencesProvider>');
  return value;
}

/** The calendar zone wall-clock times are shown in: UTC when chosen, else local time. */
export function useClockZone(): ClockZone {
  return zoneOf(usePreferences().timeMode);
}
