/** Series colours, chosen per theme for contrast on the page background. */
import type { Theme } from '../../lib/preferences';

export interface ChartPalette {
  text: string;
  muted: string;
  grid: string;
  od: string;
  substrate: string;
  dilution: string;
  model: string;
  forecast: string;
  band: string;
  X: string;
  Y: string;
  A: string;
  B: string;
  fraction: string;
  outlier: string;
  rejected: string;
  failed: string;
  undetermined: string;
  determined: string;
  /** One colour per reactor where reactors are compared, in order. */
  reactors: readonly string[];
}

const light: ChartPalette = {
  text: '#1a1d23',
  muted: '#5b6270',
  grid: '#e3e6eb',
  od: '#1f5fbf',
  substrate: '#13795b',
  dilution: '#6b4fbb',
  model: '#c2410c',
  forecast: '#c2410c',
  band: 'rgba(194, 65, 12, 0.16)',
  X: '#1f5fbf',
  Y: '#b45309',
  A: '#0e7490',
  B: '#a21caf',
  fraction: '#b45309',
  outlier: '#c8102e',
  rejected: '#4b5563',
  failed: '#c8102e',
  undetermined: 'rgba(120, 120, 130, 0.16)',
  determined: '#1f5fbf',
  reactors: ['#1f5fbf', '#c2410c', '#13795b', '#a21caf', '#b45309', '#0e7490', '#4b5563', '#be123c'],
};

const dark: ChartPalette = {
  text: '#e8eaee',
  muted: '#a3abb8',
  grid: '#2c323c',
  od: '#6ea2ff',
  substrate: '#4fd1a1',
  dilution: '#b39dff',
  model: '#ff9a57',
  forecast: '#ff9a57',
  band: 'rgba(255, 154, 87, 0.2)',
  X: '#6ea2ff',
  Y: '#f5b942',
  A: '#48c6e0',
  B: '#e879f9',
  fraction: '#f5b942',
  outlier: '#ff5c6c',
  rejected: '#c0c6d0',
  failed: '#ff5c6c',
  undetermined: 'rgba(200, 200, 215, 0.13)',
  determined: '#6ea2ff',
  reactors: ['#6ea2ff', '#ff9a57', '#4fd1a1', '#e879f9', '#f5b942', '#48c6e0', '#c0c6d0', '#fb7185'],
};

export function chartPalette(theme: Theme): ChartPalette {
  return theme === 'dark' ? dark : light;
}

/** Translucent fill of a band drawn in `hex`. */
export function bandFill(hex: string, alpha = 0.18): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}
