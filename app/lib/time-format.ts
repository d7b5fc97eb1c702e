/**
 * How times are shown. Readings carry epoch ms; a simulated plant lays plant time on a virtual
 * calendar, so operators read either plant hours counted from the reactor's first reading (plant
 * hour 0 of the simulator) or the calendar, in local time or UTC. Wall-clock times (alarms, fits,
 * settings) are shown on the calendar in the same zone: local, or UTC when that is chosen.
 */
import { plantHoursSince } from '../../contract/time';

export type TimeMode = 'plant' | 'local' | 'utc';

export const timeModes: readonly TimeMode[] = ['plant', 'local', 'utc'];

export const timeModeWords: Record<TimeMode, string> = {
  plant: 'plant h',
  local: 'local time',
  utc: 'UTC',
};

export type ClockZone = 'local' | 'utc';

/** The calendar zone of a time mode (plant hours show wall-clock times in local time). */
export function zoneOf(mode: TimeMode): ClockZone {
  return mode === 'utc' ? 'utc' : 'local';
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** The calendar parts of `ms` in a zone. */
export function clockParts(ms: number, zone: ClockZone) {
  const d = new Date(ms);
  return zone === 'utc'
    ? {
        year: d.getUTCFullYear(),
        month: d.getUTCMonth() + 1,
        day: d.getUTCDate(),
        hour: d.getUTCHours(),
        minute: d.getUTCMinutes(),
        second: d.getUTCSeconds(),
      }
    : {
        year: d.getFullYear(),
        month: d.getMonth() + 1,
        day: d.getDate(),
        hour: d.getHours(),
        minute: d.getMinutes(),
        second: d.getSeconds(),
      };
}

/** `2016-05-03` in the zone. */
export function formatDate(ms: number, zone: ClockZone): string {
  const p = clockParts(ms, zone);
  return `${p.year}-${pad2(p.month)}-${pad2(p.day)}`;
}

/** `14:15` (or `14:15:07`) in the zone. */
export function formatClockTime(ms: number, zone: ClockZone, withSeconds = false): string {
  const p = clockParts(ms, zone);
  return `${pad2(p.hour)}:${pad2(p.minute)}${withSeconds ? `:${pad2(p.second)}` : ''}`;
}

/** Calendar time, `2016-05-03 14:15` (seconds when asked), `… UTC` in UTC. */
export function formatClock(ms: number, withSeconds = false, zone: ClockZone = 'local'): string {
  return `${formatDate(ms, zone)} ${formatClockTime(ms, zone, withSeconds)}${zone === 'utc' ? ' UTC' : ''}`;
}

/** A calendar date and clock time typed in a zone (`2016-05-03`, `14:15`), as epoch ms; NaN if not one. */
export function parseClock(date: string, time: string, zone: ClockZone): number {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim());
  const t = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(time.trim() || '00:00');
  if (!d || !t) return Number.NaN;
  const [year, month, day] = [Number(d[1]), Number(d[2]) - 1, Number(d[3])];
  const [hour, minute, second] = [Number(t[1]), Number(t[2]), Number(t[3] ?? 0)];
  if (month > 11 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return Number.NaN;
  const ms =
    zone === 'utc'
      ? Date.UTC(year, month, day, hour, minute, second)
      : new Date(year, month, day, hour, minute, second).getTime();
  // 2016-02-31 rolls over to March: not a date.
  return clockParts(ms, zone).day === day ? ms : Number.NaN;
}

export function formatPlantHours(ms: number, originMs: number): string {
  const h = plantHoursSince(ms, originMs);
  const digits = Math.abs(h - Math.round(h)) < 1e-9 ? 0 : 2;
  return `${h.toFixed(digits)} h`;
}

export function formatTime(ms: number, mode: TimeMode, originMs: number): string {
  return mode === 'plant' ? formatPlantHours(ms, originMs) : formatClock(ms, false, zoneOf(mode));
}

/** Short axis label: plant hours, or the clock time (with the date at midnight). */
export function formatAxisTime(ms: number, mode: TimeMode, originMs: number): string {
  if (mode === 'plant') return formatPlantHours(ms, originMs);
  const zone = zoneOf(mode);
  const p = clockParts(ms, zone);
  if (p.hour === 0 && p.minute === 0) return `${pad2(p.month)}-${pad2(p.day)}`;
  return formatClockTime(ms, zone);
}

/** Plant hours, ages and spans in words are the plant clock's own (contract/time.ts). */
export { formatAge, formatSpan } from '../../contract/time';
export { plantHoursSince };

export function timeAxisName(mode: TimeMode): string {
  if (mode === 'plant') return 'plant time (h since the first reading)';
  return mode === 'utc' ? 'plant clock (UTC)' : 'plant clock (local time)';
}
