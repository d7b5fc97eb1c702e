import type { RandomStream } from './seeded-random';

/** One slow sinusoid of the dilution drift, relative to the nominal rate. */
export interface DilutionComponent {
  relativeAmplitude: number;
  periodH: number;
  phaseRad: number;
}

export interface DilutionDriftSettings {
  components: number;
  /** Sum of the components' amplitudes: the drift never leaves nominal × (1 ± this). */
  totalRelativeAmplitude: number;
  minPeriodH: number;
  maxPeriodH: number;
}

export const defaultDilutionDrift: DilutionDriftSettings = {
  components: 3,
  totalRelativeAmplitude: 0.3,
  minPeriodH: 6,
  maxPeriodH: 72,
};

/** Random periods (log-uniform, so hours and days are equally likely), phases and amplitude shares. */
export function randomDilutionDrift(rng: RandomStream, settings: DilutionDriftSettings): DilutionComponent[] {
  const weights = Array.from({ length: settings.components }, () => rng.between(0.5, 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const logMin = Math.log(settings.minPeriodH);
  const logMax = Math.log(settings.maxPeriodH);
  return weights.map((w) => ({
    relativeAmplitude: (settings.totalRelativeAmplitude * w) / total,
    periodH: Math.exp(rng.between(logMin, logMax)),
    phaseRad: rng.between(0, 2 * Math.PI),
  }));
}

/** D(t) / nominal: 1 plus the sum of the sinusoids. */
export function relativeDilution(components: readonly DilutionComponent[], timeH: number): number {
  let r = 1;
  for (const c of components)
    r += c.relativeAmplitude * Math.sin((2 * Math.PI * timeH) / c.periodH + c.phaseRad);
  return r;
}
