/**
 * "The model no longer explains the plant" for each reactor, as the API and the alert rules see it:
 * the residuals of its stored fits over the last few days of plant time, read from the database and
 * handed to the engine's pure test (assimilation/mismatch/model-mismatch.ts). Each fit's residuals
 * are read and parsed once: asked again, only the fits stored since are read.
 */
import { defaultMismatchSettings, modelMismatch, type WindowResiduals } from '../../assimilation';
import type { ModelMismatchView } from '../../contract/api';
import type { FitRow, ServiceReadStatements, ServiceReads } from '../../db/service-read-statements';

const msPerHour = 3_600_000;

/**
 * Plant hours of fits looked at before the newest: a span to fire in, one to clear in, and one more
 * to date a mismatch's start; one that has lasted longer shows as starting no earlier than this.
 */
export const mismatchLookbackHours = 3 * defaultMismatchSettings.spanHours;

interface StoredWindow extends WindowResiduals {
  windowEndMs: number;
}

type ResidualsRow = { fitId: number; windowEndMs: number; windowEndH: number; residualsJson: string | null };

/** Where the fits' residuals are read from: SQLite's statements (`ReactorMismatches`) or either engine's async reads. */
abstract class MismatchTracker {
  /** By reactor: the fits read so far (within the lookback), and the newest fit id read. */
  private readonly held = new Map<string, { lastFitId: number; windows: StoredWindow[] }>();

  protected lastFitIdOf(reactorId: string): number {
    return this.held.get(reactorId)?.lastFitId ?? 0;
  }

  /** The state from the reactor's newest good fit and the residuals of the fits stored since those read. */
  protected judge(reactorId: string, newest: FitRow | undefined, since: ResidualsRow[]): ModelMismatchView {
    const settings = defaultMismatchSettings;
    const test = {
      spanHours: settings.spanHours,
      lags: settings.lags,
      fireP: settings.fireP,
      onsetP: settings.onsetP,
    };
    if (!newest) {
      this.held.delete(reactorId);
      return {
        reactorId,
        explained: true,
        sinceMs: null,
        firedAtMs: null,
        signals: [],
        rates: [],
        points: [],
        test,
        fromMs: null,
        toMs: null,
      };
    }
    const fromMs = lookbackFromMs(newest);
    const held = this.held.get(reactorId) ?? { lastFitId: 0, windows: [] };
    for (const row of since) {
      // Two asks at once (async reads) may both bring the same fits: each is held once.
      if (row.fitId <= held.lastFitId) continue;
      held.lastFitId = row.fitId;
      const residuals = parseResiduals(row.residualsJson);
      if (!residuals) continue;
      // Plant hours and epoch ms differ by the reactor's origin; every fit carries both.
      const originMs = row.windowEndMs - row.windowEndH * msPerHour;
      held.windows.push({
        windowEndMs: row.windowEndMs,
        windowEndH: row.windowEndH,
        residuals: {
          timeH: residuals.tMs.map((t) => (t - originMs) / msPerHour),
          signal: residuals.signal,
          value: residuals.value,
        },
      });
    }
    held.windows = held.windows.filter((w) => w.windowEndMs >= fromMs);
    this.held.set(reactorId, held);

    const report = modelMismatch(held.windows, settings);
    const originMs = newest.windowEndMs - newest.windowEndH * msPerHour;
    const toMs = (h: number) => Math.round(originMs + h * msPerHour);
    return {
      reactorId,
      explained: report.explained,
      sinceMs: report.sinceH === null ? null : toMs(report.sinceH),
      firedAtMs: report.firedAtH === null ? null : toMs(report.firedAtH),
      signals: report.signals,
      rates: report.rates,
      points: report.points.map((p) => ({ tMs: toMs(p.windowEndH), pValue: p.pValue })),
      test,
      fromMs,
      toMs: newest.windowEndMs,
    };
  }
}

/** The first window end the lookback of the newest fit holds. */
function lookbackFromMs(newest: FitRow): number {
  return newest.windowEndMs - mismatchLookbackHours * msPerHour;
}

export class ReactorMismatches extends MismatchTracker {
  constructor(private readonly reads: ServiceReadStatements) {
    super();
  }

  /** The mismatch state from the reactor's fits whose window ends within the lookback of its newest. */
  of(reactorId: string): ModelMismatchView {
    const newest = this.reads.latestGoodFit.get(reactorId);
    const since = newest
      ? this.reads.residualsSince.all(reactorId, lookbackFromMs(newest), this.lastFitIdOf(reactorId))
      : [];
    return this.judge(reactorId, newest, since);
  }
}

/** The same over reads answered asynchronously (the scaled deployment's web process, on PostgreSQL). */
export class AsyncReactorMismatches extends MismatchTracker {
  constructor(private readonly reads: ServiceReads) {
    super();
  }

  async of(reactorId: string): Promise<ModelMismatchView> {
    const newest = await this.reads.latestGoodFit.get(reactorId);
    const since = newest
      ? await this.reads.residualsSince.all(reactorId, lookbackFromMs(newest), this.lastFitIdOf(reactorId))
      : [];
    return this.judge(reactorId, newest, since);
  }
}

/** A stored residuals document; null when absent or not of its shape (nothing non-finite gets through). */
function parseResiduals(json: string | null): { tMs: number[]; signal: string[]; value: number[] } | null {
  if (!json) return null;
  try {
    const parsed = JSON.parse(json) as { tMs?: unknown; signal?: unknown; value?: unknown };
    const { tMs, signal, value } = parsed;
    if (!Array.isArray(tMs) || !Array.isArray(signal) || !Array.isArray(value)) return null;
    if (tMs.length !== signal.length || tMs.length !== value.length) return null;
    const out = { tMs: [] as number[], signal: [] as string[], value: [] as number[] };
    for (let i = 0; i < tMs.length; i++) {
      const t = tMs[i];
      const v = value[i];
      const s = signal[i];
      if (typeof t !== 'number' || typeof v !== 'number' || typeof s !== 'string') continue;
      if (!Number.isFinite(t) || !Number.isFinite(v)) continue;
      out.tMs.push(t);
      out.signal.push(s);
      out.value.push(v);
    }
    return out;
  } catch {
    return null;
  }
}
