/**
 * Time in culturewatch. Readings carry epoch milliseconds (for a simulated plant, plant time on its
 * virtual calendar). The model's time is plant hours: epoch ms / 3.6e6, so a window file's t0 is in
 * hours since 1970 and a reading's hour is exact from its timestamp. A reactor's plant clock runs
 * on from its newest readings at the plant's rate (`plantNowMs`): the wall clock's for a real plant,
 * the demo's speed for a simulated one.
 */
export const msPerHour = 3_600_000;

export function plantHoursFromMs(ms: number): number {
  return ms / msPerHour;
}

export function msFromPlantHours(hours: number): number {
  return Math.round(hours * msPerHour);
}

/**
 * A reactor's plant hours: hours since its first reading (plant hour 0), the one time base the
 * charts, the CSV export and the logs count in.
 */
export function plantHoursSince(ms: number, originMs: number): number {
  return (ms - originMs) / msPerHour;
}

/** Plant ms per wall-clock ms of a real plant, whose readings are stamped as they happen. */
export const realPlantRate = 1;

/** Plant ms per wall-clock ms of a simulated plant running `plantHoursPerSecond` plant hours a second. */
export function simulatedPlantRate(plantHoursPerSecond: number): number {
  return plantHoursPerSecond * 3600;
}

/**
 * A reactor's plant clock now: each of its newest readings' plant time advanced at the plant's rate
 * (plant ms per wall ms) since it arrived, the most advanced of them. It keeps running when the
 * readings stop, and it is read off the readings' own stamps, so a device's clock offset does not
 * count. Null without readings.
 */
export function plantNowMs(
  arrivals: Iterable<{ tsMs: number; receivedAtMs: number }>,
  plantMsPerWallMs: number,
  wallNowMs: number,
): number | null {
  let now: number | null = null;
  for (const a of arrivals) {
    const t = a.tsMs + Math.max(0, wallNowMs - a.receivedAtMs) * plantMsPerWallMs;
    if (now === null || t > now) now = t;
  }
  return now;
}

/** An age in words: "40 s ago", "12 min ago", "5 h ago", "3 d ago". */
export function formatAge(ageMs: number): string {
  const s = Math.max(0, Math.round(ageMs / 1000));
  if (s < 90) return `${s} s ago`;
  const min = Math.round(s / 60);
  if (min < 90) return `${min} min ago`;
  const h = Math.round(min / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} d ago`;
}

/** A span in words: "45 min", "12 h", "3.5 d". */
export function formatSpan(ms: number): string {
  const h = ms / msPerHour;
  if (h < 1) return `${Math.round(h * 60)} min`;
  if (h < 48) return `${Number(h.toFixed(1))} h`;
  return `${Number((h / 24).toFixed(1))} d`;
}

const isoWithZone =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):?(\d{2}))$/;

/**
 * An ISO-8601 time with a zone (`2024-05-01T12:00:00Z`, `…+02:00`, `…+0200`, seconds and a
 * fraction optional) as epoch ms, or undefined when it is not one or names no such moment: a month
 * outside 1–12, a day past the month's end (`02-30`, `04-31`), an hour past 23 (`T24:00`), a
 * minute or second past 59, a zone past ±23:59. The fraction is cut to whole milliseconds.
 */
export function isoTimestampMs(text: string): number | undefined {
  const m = isoWithZone.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  if (day > daysInMonth(year, month)) return undefined;
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const offsetHours = Number(m[10]);
    const offsetMins = Number(m[11]);
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, ms);
  return utc.getTime() - offsetMinutes * 60_000;
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}
