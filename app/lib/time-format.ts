/**
 * How times are shown. Readings carry epoch ms; a simulated plant lays plant time on a virtual
 * calendar, so operators can read either the local clock or plant hours counted from the reactor's
 * first reading (plant hour 0 of the simulator).
 */
import { msPerHour } from '../../contract/time';

export type TimeMode = 'plant' | 'clock';

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Local clock time, `2016-05-03 14:15` (seconds when asked). */
export function formatClock(ms: number, withSeconds = false): string {
  const d = new Date(ms);
  const date = `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
  const time = `${pad2(d.getHours())}:${pad2(d.getMinutes())}${withSeconds ? `:${pad2(d.getSeconds())}` : ''}`;
  return `${date} ${time}`;
}

/** Plant hours since `originMs`, to the quarter hour the plant samples on. */
export function plantHoursSince(ms: number, originMs: number): number {
  return (ms - originMs) / msPerHour;
}

export function formatPlantHours(ms: number, originMs: number): string {
  const h = plantHoursSince(ms, originMs);
  const digits = Math.abs(h - Math.round(h)) < 1e-9 ? 0 : 2;
  return `${h.toFixed(digits)} h`;
}

export function formatTime(ms: number, mode: TimeMode, originMs: number): string {
  return mode === 'plant' ? formatPlantHours(ms, originMs) : formatClock(ms);
}

/** Short axis label: plant hours, or the clock time (with the date at midnight). */
export function formatAxisTime(ms: number, mode: TimeMode, originMs: number): string {
  if (mode === 'plant') return formatPlantHours(ms, originMs);
  const d = new Date(ms);
  if (d.getHours() === 0 && d.getMinutes() === 0) return `${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** "12 s ago", "4 min ago", "3 h ago", "2 d ago" (wall clock). */
export function formatAge(ageMs: number): string {
  const s = Math.max(0, Math.round(ageMs / 1000));
  if (s < 90) return `${s} s ago`;
  const min = Math.round(s / 60);
  if (min < 90) return `${min} min ago`;
  const h = Math.round(min / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} d ago`;
}

/** A plant-time span in words: "45 min", "12 h", "3.5 d". */
export function formatSpan(ms: number): string {
  const h = ms / msPerHour;
  if (h < 1) return `${Math.round(h * 60)} min`;
  if (h < 48) return `${Number(h.toFixed(1))} h`;
  return `${Number((h / 24).toFixed(1))} d`;
}

export function timeAxisName(mode: TimeMode): string {
  return mode === 'plant' ? 'plant time (h)' : 'local time';
}
