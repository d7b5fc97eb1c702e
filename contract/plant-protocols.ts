/**
 * The vocabulary of the plant protocols beyond culturewatch's own JSON topics (issue 19): the units
 * each signal is stored in, the Sparkplug B names the service reads and writes, and the OPC UA
 * namespace it serves. Readings are stored in these units whatever protocol brought them.
 */
import type { PlantSignal } from './api';

/**
 * The unit each signal is stored in. `conc` is the plant's own concentration unit (the model is
 * written in it and the spec calibrates OD to it); a Sparkplug mapping may name it (e.g. g/L) so
 * that metrics in other concentration units are converted.
 */
export const storedSignalUnits: Readonly<Record<PlantSignal, 'conc' | '1/h'>> = {
  od: 'conc',
  substrate: 'conc',
  dilution: '1/h',
  feed: 'conc',
  'assay/X': 'conc',
  'assay/Y': 'conc',
  'assay/A': 'conc',
  'assay/B': 'conc',
};

/** Rates the plant may publish, as factors to 1/h. */
export const rateUnitsPerHour: Readonly<Record<string, number>> = {
  '1/h': 1,
  'h-1': 1,
  '1/min': 60,
  'min-1': 60,
  '1/s': 3600,
  's-1': 3600,
  '1/d': 1 / 24,
  'd-1': 1 / 24,
};

/** Mass concentrations, as factors to g/L (molar units need a molar mass, which we do not know). */
export const concentrationUnitsGramsPerLitre: Readonly<Record<string, number>> = {
  'g/L': 1,
  'kg/m3': 1,
  'mg/mL': 1,
  'mg/L': 1e-3,
  'ug/L': 1e-6,
  'µg/L': 1e-6,
  'g/mL': 1e3,
};

/** Sparkplug B 3.0 message types: the edge node's own, and its devices' (topics with a device level). */
export const sparkplugNodeMessageTypes = ['NBIRTH', 'NDEATH', 'NDATA', 'NCMD'] as const;
export const sparkplugDeviceMessageTypes = ['DBIRTH', 'DDEATH', 'DDATA', 'DCMD'] as const;
export type SparkplugMessageType =
  | (typeof sparkplugNodeMessageTypes)[number]
  | (typeof sparkplugDeviceMessageTypes)[number];

/** Sparkplug B 3.0: the topic namespace, the host's STATE topic and the metrics every node has. */
export const sparkplug = {
  namespace: 'spBv1.0',
  /** `spBv1.0/<group>/<type>/<edge node>[/<device>]` */
  topic: (group: string, type: SparkplugMessageType, edgeNode: string, device?: string) =>
    device === undefined
      ? `spBv1.0/${group}/${type}/${edgeNode}`
      : `spBv1.0/${group}/${type}/${edgeNode}/${device}`,
  /** `spBv1.0/STATE/<host id>`: the host application's retained `{"online", "timestamp"}`. */
  stateTopic: (hostId: string) => `spBv1.0/STATE/${hostId}`,
  rebirthMetric: 'Node Control/Rebirth',
  bdSeqMetric: 'bdSeq',
  /** The Sparkplug property (Ignition's convention) naming a metric's engineering unit. */
  engineeringUnitProperty: 'engUnit',
} as const;

/**
 * The metrics culturewatch publishes as a Sparkplug edge node, one device per reactor: the
 * composition (`Composition/X`, with `Composition/X/Lower95` and `…/Upper95`), each determined
 * parameter (`Parameters/muBmax` with its band), the model state, and the alarm states.
 */
export const estimateMetricFolders = {
  composition: 'Composition',
  parameters: 'Parameters',
  combinations: 'Combinations',
  model: 'Model',
  alarms: 'Alarms',
} as const;

/**
 * The model's state as the protocols report it: `none` before a first fit, `ok`, `stale` (the last
 * fit failed, or an online sensor is silent), `mismatch` (a residuals alarm is active).
 */
export const modelStates = ['none', 'ok', 'stale', 'mismatch'] as const;
export type ModelState = (typeof modelStates)[number];

/** The OPC UA namespace of culturewatch's address space. */
export const opcuaNamespaceUri = 'urn:culturewatch';
