/** How the plant's MQTT signals (contract/api.ts) name the estimator's signals, inputs and constants. */
import type { PlantSignal } from '../../contract/api';

/** MQTT signal → the estimator's name: an observation (`od`, `X`…), the input `D`, or the constant `S0`. */
export const estimatorNameOf: Readonly<Record<PlantSignal, string>> = {
  od: 'od',
  substrate: 'substrate',
  dilution: 'D',
  feed: 'S0',
  'assay/X': 'X',
  'assay/Y': 'Y',
  'assay/A': 'A',
  'assay/B': 'B',
};

export const plantSignals = Object.keys(estimatorNameOf) as PlantSignal[];

/** Signals a window needs one sample beyond on each side: inputs, interpolated between samples. */
export const inputSignals: readonly PlantSignal[] = ['dilution'];
/** Signals whose latest value before the window end counts (a constant the plant measures). */
export const constantSignals: readonly PlantSignal[] = ['feed'];
/** Signals that tell how far the plant's clock has come (the online sensors, not the late assays). */
export const clockSignals: readonly PlantSignal[] = ['od', 'substrate', 'dilution'];
