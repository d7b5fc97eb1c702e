import type { PlantSample } from './plant-sample';
import type { RandomStream } from './seeded-random';
import { faultActive, type SensorFault } from './sensor-faults';

/** Gaussian measurement noise of the online sensors, in concentration units. */
export interface SensorNoise {
  odSigma: number;
  substrateSigma: number;
}

export const defaultSensorNoise: SensorNoise = { odSigma: 0.5, substrateSigma: 0.2 };

/** Spike heights on `od`, in concentration units (20 to 60 σ at the default noise). */
const spikeHeight = { min: 10, max: 30 };

/** True states the sensors look at. */
export interface TrueComposition {
  S: number;
  X: number;
  Y: number;
  A: number;
  B: number;
}

/**
 * The online sensors: `od` = X + Y and `substrate` = S with noise, and the faults laid over them.
 * Noise is drawn for every reading, faulty or not, so the clean readings after a fault are the same
 * numbers they would have been without it.
 */
export class OnlineSensors {
  private lastGoodSubstrate: number | undefined;

  constructor(
    private readonly noise: SensorNoise,
    private readonly noiseRng: RandomStream,
    private readonly faultRng: RandomStream,
  ) {}

  read(timeH: number, truth: TrueComposition, faults: readonly SensorFault[]): PlantSample[] {
    let od = truth.X + truth.Y + this.noise.odSigma * this.noiseRng.normal();
    let substrate = truth.S + this.noise.substrateSigma * this.noiseRng.normal();
    if (faultActive(faults, 'spike', timeH)) od += this.faultRng.between(spikeHeight.min, spikeHeight.max);
    if (faultActive(faults, 'stuck-substrate', timeH) && this.lastGoodSubstrate !== undefined) {
      substrate = this.lastGoodSubstrate;
    } else {
      this.lastGoodSubstrate = substrate;
    }
    if (faultActive(faults, 'gap', timeH)) return [];
    return [
      { timeH, signal: 'od', value: od },
      { timeH, signal: 'substrate', value: substrate },
    ];
  }
}

/** Sparse offline assays of Y, A and B: sampled every `everyH`, results arriving hours later. */
export interface AssaySettings {
  everyH: number;
  sigma: { Y: number; A: number; B: number };
  /** Delay between sampling and the result, uniform in [min, max], on the reading grid. */
  delayH: { min: number; max: number };
}

export const defaultAssaySettings: AssaySettings = {
  everyH: 12,
  sigma: { Y: 0.05, A: 0.005, B: 0.005 },
  delayH: { min: 4, max: 8 },
};

export class AssayLab {
  private pending: PlantSample[] = [];

  constructor(
    private readonly settings: AssaySettings,
    private readonly rng: RandomStream,
    private readonly gridH: number,
  ) {}

  /** Takes a sample when timeH is an assay time; its results wait in the lab until they are due. */
  sample(timeH: number, truth: TrueComposition): void {
    const index = timeH / this.settings.everyH;
    if (Math.abs(index - Math.round(index)) > 1e-9) return;
    const { min, max } = this.settings.delayH;
    const delay = Math.round(this.rng.between(min, max) / this.gridH) * this.gridH;
    const availableAtH = timeH + delay;
    for (const name of ['Y', 'A', 'B'] as const) {
      const value = truth[name] + this.settings.sigma[name] * this.rng.normal();
      this.pending.push({ timeH, signal: name, value, availableAtH });
    }
  }

  /** Results that have arrived by timeH, oldest first; they leave the lab. */
  collectArrived(timeH: number): PlantSample[] {
    const due = this.pending.filter((s) => (s.availableAtH ?? s.timeH) <= timeH + 1e-9);
    if (due.length) this.pending = this.pending.filter((s) => !due.includes(s));
    return due;
  }
}
