/**
 * Stored fits as the API and socket.io deliver them (contract/api.ts `FitRecord`): one reader, so a
 * fit pushed live and the same fit fetched later are the same JSON.
 */
import type {
  BandedEstimate,
  BandedValue,
  Composition,
  EstimateSummary,
  FitRecord,
  ParameterCombination,
  ParameterEstimate,
  Trajectory,
} from '../../contract/api';
import type {
  FitCombinationRow,
  FitCompositionRow,
  FitDocumentRow,
  FitParameterRow,
  FitRow,
  ServiceReadStatements,
  ServiceReads,
} from '../../db/service-read-statements';

const z95 = 1.959963984540054;

export type TrajectoryDetail = 'all' | 'latest' | 'none';

export interface FitParts {
  parameters: FitParameterRow[];
  combinations: FitCombinationRow[];
  composition: FitCompositionRow[];
  documents: FitDocumentRow | undefined;
}

export function fitRecord(row: FitRow, parts: FitParts, withDocuments: boolean): FitRecord {
  const ok = row.status === 'ok';
  let params: Record<string, ParameterEstimate> | null = null;
  let fixed: Record<string, number> | null = null;
  if (ok) {
    params = {};
    fixed = {};
    for (const p of parts.parameters) {
      if (!p.free) {
        fixed[p.name] = p.value;
        continue;
      }
      params[p.name] = {
        value: p.value,
        sdLog: p.sdLog ?? 0,
        sdLogData: p.sdLogData ?? 1000,
        lower95: p.lower95 ?? p.value,
        upper95: p.upper95 ?? p.value,
        determined: p.determined === 1,
        ...(p.priorSdLog !== null && { priorSdLog: p.priorSdLog }),
      };
    }
  }
  const combinations: ParameterCombination[] | null = ok
    ? parts.combinations.map((c) => ({
        ...(c.name !== null && { name: c.name }),
        ...(c.meaning !== null && { meaning: c.meaning }),
        label: c.label,
        exponents: JSON.parse(c.exponentsJson) as Record<string, number>,
        value: c.value,
        sdLog: c.sdLog,
        sdLogData: c.sdLogData,
        // Fits stored before bands: the log-normal band their sd stands for.
        lower95: c.lower95 ?? c.value * Math.exp(-z95 * c.sdLog),
        upper95: c.upper95 ?? c.value * Math.exp(z95 * c.sdLog),
        determined: c.determined === null ? c.sdLogData <= 0.1 : c.determined === 1,
      }))
    : null;
  let composition: Composition | null = null;
  const by = Object.fromEntries(parts.composition.map((c) => [c.quantity, bandedOf(c)]));
  if (ok && by.X && by.Y && by.satellite_fraction) composition = by as Composition;
  const docs = withDocuments ? parts.documents : undefined;
  const parse = <T>(json: string | null | undefined): T | null => (json ? (JSON.parse(json) as T) : null);
  return {
    id: row.id,
    reactorId: row.reactorId,
    windowStartMs: row.windowStartMs,
    windowEndMs: row.windowEndMs,
    windowStartH: row.windowStartH,
    windowEndH: row.windowEndH,
    fittedAtMs: row.fittedAtMs,
    status: row.status,
    reason: row.reason,
    detail: row.detail,
    refit: row.refit === 1,
    coldStart: row.coldStart === 1,
    loss: row.loss,
    iterations: row.iterations,
    durationMs: row.durationMs,
    model: row.modelVersion ? { version: row.modelVersion, name: row.modelName ?? row.modelVersion } : null,
    params,
    fixed,
    combinations,
    composition,
    residuals: parse(docs?.residualsJson),
    residualSummary: parse<NonNullable<FitRecord['residualSummary']>>(row.residualSummaryJson),
    trajectory: parse<Trajectory>(docs?.trajectoryJson),
    forecast: parse<Trajectory>(docs?.forecastJson),
  };
}

function groupByFit<T extends { fitId: number }>(rows: T[]): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const row of rows) {
    const list = out.get(row.fitId);
    if (list) list.push(row);
    else out.set(row.fitId, [row]);
  }
  return out;
}

/** The fits of a reactor whose window ends in [fromMs, toMs], oldest first. */
export async function fitRecordsInRange(
  s: ServiceReads,
  reactorId: string,
  fromMs: number,
  toMs: number,
  trajectories: TrajectoryDetail,
): Promise<FitRecord[]> {
  const rows = await s.fitsInRange.all(reactorId, fromMs, toMs);
  if (rows.length === 0) return [];
  const parameters = groupByFit(await s.parametersInRange.all(reactorId, fromMs, toMs));
  const combinations = groupByFit(await s.combinationsInRange.all(reactorId, fromMs, toMs));
  const composition = groupByFit(await s.compositionInRange.all(reactorId, fromMs, toMs));
  const newestId = rows.reduce((m, r) => Math.max(m, r.id), 0);
  let documents = new Map<number, FitDocumentRow>();
  if (trajectories === 'all') {
    documents = new Map((await s.documentsInRange.all(reactorId, fromMs, toMs)).map((d) => [d.fitId, d]));
  } else if (trajectories === 'latest') {
    const d = await s.documentsOfFit.get(newestId);
    if (d) documents.set(newestId, d);
  }
  return rows.map((row) =>
    fitRecord(
      row,
      {
        parameters: parameters.get(row.id) ?? [],
        combinations: combinations.get(row.id) ?? [],
        composition: composition.get(row.id) ?? [],
        documents: documents.get(row.id),
      },
      trajectories !== 'none',
    ),
  );
}

/**
 * Stored fits never change, so the JSON of each (without its documents) is kept once made, up to a
 * memory budget, least recently used out first: a long range of fits then costs a join of strings.
 */
export class FitJsonCache {
  private readonly entries = new Map<number, string>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(fitId: number): string | undefined {
    const json = this.entries.get(fitId);
    if (json !== undefined) {
      this.entries.delete(fitId);
      this.entries.set(fitId, json);
    }
    return json;
  }

  set(fitId: number, json: string): void {
    if (json.length * 2 > this.maxBytes || this.entries.has(fitId)) return;
    this.entries.set(fitId, json);
    this.bytes += json.length * 2;
    for (const [id, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(id);
      this.bytes -= old.length * 2;
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Below this many fits to build, each one's parts are read by its key rather than by range. */
const perFitReadsUpTo = 32;

/** `fitRecordsInRange` as JSON text, from the cache where it can. */
export async function fitRecordsJson(
  s: ServiceReads,
  cache: FitJsonCache,
  reactorId: string,
  fromMs: number,
  toMs: number,
  trajectories: TrajectoryDetail,
): Promise<string> {
  const rows = await s.fitsInRange.all(reactorId, fromMs, toMs);
  if (rows.length === 0) return '[]';
  const newestId = rows.reduce((m, r) => Math.max(m, r.id), 0);
  const withDocuments = (id: number) =>
    trajectories === 'all' || (trajectories === 'latest' && id === newestId);
  const cached = new Map<number, string>();
  const build: FitRow[] = [];
  for (const row of rows) {
    const json = withDocuments(row.id) ? undefined : cache.get(row.id);
    if (json === undefined) build.push(row);
    else cached.set(row.id, json);
  }
  let partsOf: (id: number) => Promise<FitParts>;
  if (build.length > perFitReadsUpTo) {
    const parameters = groupByFit(await s.parametersInRange.all(reactorId, fromMs, toMs));
    const combinations = groupByFit(await s.combinationsInRange.all(reactorId, fromMs, toMs));
    const composition = groupByFit(await s.compositionInRange.all(reactorId, fromMs, toMs));
    const documents =
      trajectories === 'all'
        ? new Map((await s.documentsInRange.all(reactorId, fromMs, toMs)).map((d) => [d.fitId, d]))
        : new Map<number, FitDocumentRow>();
    partsOf = async (id) => ({
      parameters: parameters.get(id) ?? [],
      combinations: combinations.get(id) ?? [],
      composition: composition.get(id) ?? [],
      documents: withDocuments(id) ? (documents.get(id) ?? (await s.documentsOfFit.get(id))) : undefined,
    });
  } else {
    partsOf = async (id) => ({
      parameters: await s.parametersOfFit.all(id),
      combinations: await s.combinationsOfFit.all(id),
      composition: await s.compositionOfFit.all(id),
      documents: withDocuments(id) ? await s.documentsOfFit.get(id) : undefined,
    });
  }
  for (const row of build) {
    const documents = withDocuments(row.id);
    const json = JSON.stringify(fitRecord(row, await partsOf(row.id), documents));
    if (!documents) cache.set(row.id, json);
    cached.set(row.id, json);
  }
  return `[${rows.map((row) => cached.get(row.id)).join(',')}]`;
}

/** One fit with everything, or undefined. */
export function fitRecordById(s: ServiceReadStatements, fitId: number): FitRecord | undefined {
  const row = s.fit.get(fitId);
  if (!row) return undefined;
  return fitRecord(
    row,
    {
      parameters: s.parametersOfFit.all(fitId),
      combinations: s.combinationsOfFit.all(fitId),
      composition: s.compositionOfFit.all(fitId),
      documents: s.documentsOfFit.get(fitId),
    },
    true,
  );
}

/** The satellite fraction with its 95 % band, kept inside [0, 1]. */
export function satelliteFractionBand(composition: Composition | null): BandedValue | null {
  if (!composition) return null;
  const { value, lower95, upper95 } = composition.satellite_fraction;
  return { value, lower95, upper95 };
}

/** A stored composition row with its band; a fit stored before bands reads as value ± 1.96 sd, at least 0. */
function bandedOf(c: FitCompositionRow): BandedEstimate {
  const upperLimit = c.quantity === 'satellite_fraction' ? 1 : Number.POSITIVE_INFINITY;
  return {
    value: c.value,
    sd: c.sd,
    lower95: c.lower95 ?? Math.max(0, c.value - z95 * c.sd),
    upper95: c.upper95 ?? Math.min(upperLimit, c.value + z95 * c.sd),
  };
}

/** A reactor's estimate for the overview: the newest successful fit, else the newest fit at all. */
export async function latestEstimateSummary(
  s: ServiceReads,
  reactorId: string,
): Promise<EstimateSummary | null> {
  const row = (await s.latestGoodFit.get(reactorId)) ?? (await s.latestFits.get(reactorId, 1));
  if (!row) return null;
  const composition =
    row.status === 'ok'
      ? fitRecord(
          row,
          {
            parameters: [],
            combinations: [],
            composition: await s.compositionOfFit.all(row.id),
            documents: undefined,
          },
          false,
        ).composition
      : null;
  return {
    fitId: row.id,
    windowEndMs: row.windowEndMs,
    fittedAtMs: row.fittedAtMs,
    status: row.status,
    satelliteFraction: satelliteFractionBand(composition),
  };
}
