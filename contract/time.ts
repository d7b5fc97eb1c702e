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
