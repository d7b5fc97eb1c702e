/**
 * `SPARKPLUG_MAPPING`: which Sparkplug metrics are which reactor's signals, and in what unit.
 *
 * ```json
 * {"concentrationUnit": "g/L",
 *  "sources": [{"group": "plant1", "edgeNode": "gw1", "device": "R1", "reactor": "r1",
 *               "metrics": {"OD600": "od", "Glucose": {"signal": "substrate", "unit": "mg/L"}}}]}
 * ```
 *
 * A source is an edge node's own metrics (no `device`) or one of its devices'; each names one
 * reactor. A metric's unit is the mapping's, else the `engUnit` property of its birth, else the
 * signal's own (contract/plant-protocols.ts `storedSignalUnits`); values are converted to the signal's unit.
 */
import { z } from 'zod';
import { isReactorId, type PlantSignal, plantSignals, reactorIdRule } from '../../contract/api';
import {
  concentrationUnitsGramsPerLitre,
  rateUnitsPerHour,
  storedSignalUnits,
} from '../../contract/plant-protocols';

export interface MappedMetric {
  signal: PlantSignal;
  /** The unit the mapping declares, if any. */
  unit: string | undefined;
}

export interface SparkplugSource {
  group: string;
  edgeNode: string;
  device: string | undefined;
  reactorId: string;
  metrics: ReadonlyMap<string, MappedMetric>;
}

/** Sparkplug ids may hold any UTF-8 but `+`, `/` and `#`. */
const sparkplugId = z.string().regex(/^[^+/#]{1,128}$/, 'a Sparkplug id (no +, / or #)');
const metricTarget = z.union([
  z.enum(plantSignals),
  z.object({ signal: z.enum(plantSignals), unit: z.string().min(1).optional() }).strict(),
]);
const mappingSchema = z
  .object({
    concentrationUnit: z.string().min(1).optional(),
    sources: z
      .array(
        z
          .object({
            group: sparkplugId,
            edgeNode: sparkplugId,
            device: sparkplugId.optional(),
            reactor: z.string().refine(isReactorId, `a reactor id (${reactorIdRule})`),
            metrics: z.record(z.string().min(1), metricTarget),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

export type UnitFactor = { ok: true; factor: number } | { ok: false; problem: string };

/** The factor that turns a value in `unit` into the signal's stored unit. */
export function unitFactor(
  signal: PlantSignal,
  unit: string | undefined,
  concentrationUnit: string | undefined,
): UnitFactor {
  const target = storedSignalUnits[signal];
  if (unit === undefined || unit === target) return { ok: true, factor: 1 };
  if (target === '1/h') {
    const perHour = rateUnitsPerHour[unit];
    return perHour === undefined
      ? { ok: false, problem: `${unit} is not a rate (${Object.keys(rateUnitsPerHour).join(', ')})` }
      : { ok: true, factor: perHour };
  }
  if (unit === concentrationUnit) return { ok: true, factor: 1 };
  const from = concentrationUnitsGramsPerLitre[unit];
  if (from === undefined)
    return {
      ok: false,
      problem: `${unit} is not a mass concentration (${Object.keys(concentrationUnitsGramsPerLitre).join(', ')})`,
    };
  const to = concentrationUnit === undefined ? undefined : concentrationUnitsGramsPerLitre[concentrationUnit];
  if (to === undefined)
    return { ok: false, problem: `${unit} needs the mapping's concentrationUnit to convert to` };
  return { ok: true, factor: from / to };
}

export class SparkplugMapping {
  readonly concentrationUnit: string | undefined;
  readonly sources: readonly SparkplugSource[];
  private readonly byKey = new Map<string, SparkplugSource>();
  private readonly reactorsByNode = new Map<string, Set<string>>();

  constructor(concentrationUnit: string | undefined, sources: readonly SparkplugSource[]) {
    this.concentrationUnit = concentrationUnit;
    this.sources = sources;
    for (const source of sources) {
      const key = sourceKey(source.group, source.edgeNode, source.device);
      if (this.byKey.has(key)) throw new Error(`${describeSource(source)} is mapped twice`);
      this.byKey.set(key, source);
      const nodeKey = sourceKey(source.group, source.edgeNode, undefined);
      const reactors = this.reactorsByNode.get(nodeKey) ?? new Set<string>();
      reactors.add(source.reactorId);
      this.reactorsByNode.set(nodeKey, reactors);
    }
  }

  /** The groups to subscribe to. */
  get groups(): string[] {
    return [...new Set(this.sources.map((s) => s.group))];
  }

  source(group: string, edgeNode: string, device: string | undefined): SparkplugSource | undefined {
    return this.byKey.get(sourceKey(group, edgeNode, device));
  }

  /** Every reactor an edge node speaks for (its own metrics' and its devices'); undefined when unmapped. */
  reactorsOfEdgeNode(group: string, edgeNode: string): ReadonlySet<string> | undefined {
    return this.reactorsByNode.get(sourceKey(group, edgeNode, undefined));
  }
}

function sourceKey(group: string, edgeNode: string, device: string | undefined): string {
  return device === undefined ? `${group}\u0000${edgeNode}` : `${group}\u0000${edgeNode}\u0000${device}`;
}

export function describeSource(s: { group: string; edgeNode: string; device?: string | undefined }): string {
  return s.device === undefined ? `${s.group}/${s.edgeNode}` : `${s.group}/${s.edgeNode}/${s.device}`;
}

/** Parses `SPARKPLUG_MAPPING`; throws an Error naming the source and field that is wrong. */
export function parseSparkplugMapping(json: string): SparkplugMapping {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error('SPARKPLUG_MAPPING: not JSON (expected {"sources": [{"group", "edgeNode", …}]})');
  }
  const parsed = mappingSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'mapping'}: ${i.message}`);
    throw new Error(`SPARKPLUG_MAPPING: ${problems.join('; ')}`);
  }
  const { concentrationUnit, sources } = parsed.data;
  if (concentrationUnit !== undefined && concentrationUnitsGramsPerLitre[concentrationUnit] === undefined)
    throw new Error(
      `SPARKPLUG_MAPPING: concentrationUnit: one of ${Object.keys(concentrationUnitsGramsPerLitre).join(', ')}`,
    );
  const resolved = sources.map((s, index): SparkplugSource => {
    const metrics = new Map<string, MappedMetric>();
    const signals = new Set<PlantSignal>();
    for (const [name, target] of Object.entries(s.metrics)) {
      const { signal, unit } = typeof target === 'string' ? { signal: target, unit: undefined } : target;
      if (signals.has(signal))
        throw new Error(`SPARKPLUG_MAPPING: sources.${index}: two metrics are mapped to ${signal}`);
      signals.add(signal);
      const factor = unitFactor(signal, unit, concentrationUnit);
      if (!factor.ok)
        throw new Error(`SPARKPLUG_MAPPING: sources.${index}.metrics.${name}: ${factor.problem}`);
      metrics.set(name, { signal, unit });
    }
    return { group: s.group, edgeNode: s.edgeNode, device: s.device, reactorId: s.reactor, metrics };
  });
  try {
    return new SparkplugMapping(concentrationUnit, resolved);
  } catch (error) {
    throw new Error(`SPARKPLUG_MAPPING: ${(error as Error).message}`);
  }
}

/**
 * The mapping with the demo simulator's edge node added (SIMULATOR_PROTOCOL=sparkplug): one device
 * per simulated reactor, named as it, with one metric per signal, named as the signal.
 */
export function withSimulatedPlant(
  mapping: SparkplugMapping | undefined,
  node: { group: string; edgeNode: string },
  reactorIds: readonly string[],
): SparkplugMapping {
  const simulated = reactorIds.map(
    (reactorId): SparkplugSource => ({
      ...node,
      device: reactorId,
      reactorId,
      metrics: new Map(plantSignals.map((signal) => [signal, { signal, unit: undefined }])),
    }),
  );
  return new SparkplugMapping(mapping?.concentrationUnit, [...(mapping?.sources ?? []), ...simulated]);
}
