/**
 * One simulated plant reading, in plant hours. The simulator's histories are sequences of these;
 * the CSV writer and the live MQTT publisher both consume them.
 * Signals: `od`, `substrate`, the input `D` (dilution rate, 1/h), `S0` (feed), and offline assays `X`, `Y`, `A`, `B`.
 */
export interface PlantSample {
  /** Plant time in hours. */
  timeH: number;
  signal: string;
  value: number;
  /** For offline assays: plant hour at which the result becomes available (it arrives late). */
  availableAtH?: number;
}
