/**
 * Stores a fitted window — the fit, its parameters, combinations, composition and documents — with
 * the reactor's chain state, in one transaction: after a crash either both are there or neither, so a
 * restarted chain neither repeats nor skips a window. Numbers that are not finite are stored as NULL
 * (or, for an sd of "no information", capped), never as NaN.
 */
import type Database from 'better-sqlite3';
import type { ChainSnapshot, TrajectoryBands } from '../../assimilation';
import type { Trajectory } from '../../contract/api';
import { msFromPlantHours } from '../../contract/time';
import type { AssimilationStatements } from '../../db/assimilation-statements';
import type { StoredWindow } from './reactor-chain';

/** The data-only sd of log cannot exceed the regularization's (1000); an infinite one means "none". */
const noInformationSdLog = 1000;

export type StoreFit = (fitted: StoredWindow, chain: ChainSnapshot) => number;

type WriteStatement<S> =
  S extends Database.Statement<infer P extends unknown[]>
    ? { run(...params: P): { lastInsertRowid: number | bigint } }
    : never;
type FitStatement =
  | 'insertFit'
  | 'insertParameter'
  | 'insertCombination'
  | 'insertComposition'
  | 'insertDocuments'
  | 'upsertChain';
/**
 * The writes of one fit, as SQLite's prepared statements take them; PostgreSQL's store
 * (db/pg/assimilation-store.ts) takes the same rows, so both engines store the same fit.
 */
export type FitWrites = { [K in FitStatement]: WriteStatement<AssimilationStatements[K]> };

const finiteOrNull = (v: number | null | undefined): number | null =>
  v !== null && v !== undefined && Number.isFinite(v) ? v : null;
const cappedSd = (v: number): number =>
  Number.isFinite(v) ? Math.min(v, noInformationSdLog) : noInformationSdLog;

export function createFitStore(sqlite: Database.Database, s: AssimilationStatements): StoreFit {
  return sqlite.transaction(fitWriter(s));
}

/** Writes one fit with its chain state, inside the caller's transaction; returns the fit id. */
export function fitWriter(s: FitWrites): StoreFit {
  return (fitted: StoredWindow, chain: ChainSnapshot): number => {
    const { outcome, estimate } = fitted;
    const ok = outcome.status === 'ok' && estimate !== null;
    const loss = outcome.status === 'ok' ? finiteOrNull(outcome.fit.loss) : null;
    // A fit whose numbers are not all finite is a failed fit.
    const status = ok && loss !== null ? 'ok' : 'failed';
    const reason = outcome.status === 'failed' ? outcome.reason : status === 'failed' ? 'non-finite' : null;
    const detail =
      outcome.status === 'failed' ? outcome.detail : status === 'failed' ? 'a non-finite loss' : null;
    const residuals = fitted.residuals && {
      tMs: fitted.residuals.timeH.map(msFromPlantHours),
      signal: fitted.residuals.signal,
      value: fitted.residuals.value.map((v) => (Number.isFinite(v) ? v : null)),
    };
    const info = s.insertFit.run(
      fitted.reactorId,
      msFromPlantHours(fitted.windowStartH),
      msFromPlantHours(fitted.windowEndH),
      fitted.windowStartH,
      fitted.windowEndH,
      fitted.fittedAtMs,
      status,
      reason,
      detail,
      fitted.refit ? 1 : 0,
      fitted.coldStart ? 1 : 0,
      status === 'ok' ? loss : null,
      outcome.iterations,
      fitted.fitMs,
      fitted.residuals ? JSON.stringify(residualSummary(fitted.residuals)) : null,
      fitted.modelVersion,
      status === 'ok' && fitted.networkTerms ? JSON.stringify(fitted.networkTerms) : null,
    );
    const fitId = Number(info.lastInsertRowid);
    if (status === 'ok' && estimate) {
      for (const p of estimate.params) {
        s.insertParameter.run(
          fitId,
          p.name,
          p.value,
          1,
          finiteOrNull(p.sdLog),
          cappedSd(p.sdLogData),
          finiteOrNull(p.lower95),
          finiteOrNull(p.upper95),
          p.determined ? 1 : 0,
          finiteOrNull(p.priorSdLog),
        );
      }
      for (const f of estimate.fixed)
        s.insertParameter.run(fitId, f.name, f.value, 0, null, null, null, null, null, null);
      estimate.combinations.forEach((c, rank) => {
        if (![c.value, c.sdLog, c.lower95, c.upper95].every(Number.isFinite)) return;
        s.insertCombination.run(
          fitId,
          rank,
          c.label,
          JSON.stringify(c.exponents),
          c.value,
          c.sdLog,
          cappedSd(c.sdLogData),
          c.name,
          c.meaning,
          c.lower95,
          c.upper95,
          c.determined ? 1 : 0,
        );
      });
      for (const [quantity, v] of Object.entries(estimate.composition ?? {})) {
        if ([v.value, v.sd, v.lower95, v.upper95].every(Number.isFinite))
          s.insertComposition.run(fitId, quantity, v.value, v.sd, v.lower95, v.upper95);
      }
    }
    s.insertDocuments.run(
      fitId,
      fitted.trajectories ? JSON.stringify(trajectoryDocument(fitted.trajectories.trajectory)) : null,
      fitted.trajectories ? JSON.stringify(trajectoryDocument(fitted.trajectories.forecast)) : null,
      residuals ? JSON.stringify(residuals) : null,
      fitted.windowFile ? JSON.stringify(fitted.windowFile) : null,
      fitted.posterior?.covariance.every(Number.isFinite) ? JSON.stringify(fitted.posterior) : null,
    );
    s.upsertChain.run(
      fitted.reactorId,
      chain.settingsKey,
      chain.stateJson,
      chain.fittedUpToH,
      fitted.readingsSeenRowid,
      fitId,
      fitted.fittedAtMs,
      fitted.modelVersion,
    );
    return fitId;
  };
}

/** Residuals beyond this many σ are listed in the digest. */
const largeResidual = 3;

/** RMS, largest magnitude, count, and the residuals beyond 3 σ (contract/api.ts `residualSummary`). */
export function residualSummary(residuals: NonNullable<StoredWindow['residuals']>) {
  let sum = 0;
  let maxAbs = 0;
  let count = 0;
  const large = { tMs: [] as number[], signal: [] as string[], value: [] as number[] };
  residuals.value.forEach((v, i) => {
    if (!Number.isFinite(v)) return;
    count++;
    sum += v * v;
    maxAbs = Math.max(maxAbs, Math.abs(v));
    if (Math.abs(v) > largeResidual) {
      large.tMs.push(msFromPlantHours(residuals.timeH[i]));
      large.signal.push(residuals.signal[i]);
      large.value.push(v);
    }
  });
  return { rms: count ? Math.sqrt(sum / count) : 0, maxAbs, count, large };
}

/** A trajectory as the API carries it: epoch ms instead of plant hours. */
function trajectoryDocument(bands: TrajectoryBands): Trajectory {
  return {
    tMs: bands.timeH.map(msFromPlantHours),
    series: bands.series,
    sd: bands.sd,
    lower: bands.lower,
    upper: bands.upper,
  };
}
