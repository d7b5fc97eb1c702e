/**
 * Time in culturewatch. Readings carry epoch milliseconds (for a simulated plant, plant time on its
 * virtual calendar). The model's time is plant hours: epoch ms / 3.6e6, so a window file's t0 is in
 * hours since 1970 and a reading's hour is exact from its timestamp.
 */
export const msPerHour = 3_600_000;

export function plantHoursFromMs(ms: number): number {
  return ms / msPerHour;
}

export function msFromPlantHours(hours: number): number {
  return Math.round(hours * msPerHour);
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
