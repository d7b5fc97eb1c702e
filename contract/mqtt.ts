import type { BandedValue, Composition, ParameterEstimate } from './api';

/** Published retained at `<prefix>/<reactor>/$estimate` after every successful fit. */
export interface EstimateMessage {
  reactorId: string;
  fitId: number;
  windowStartMs: number;
  windowEndMs: number;
  fittedAtMs: number;
  satelliteFraction: BandedValue;
  composition: Composition;
  params: Record<string, ParameterEstimate>;
}
