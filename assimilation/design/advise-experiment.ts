/**
 * The experiment advisor: from a reactor's posterior, rank what the operator could do over the next
 * `horizonH` hours (hold the dilution, run a dilution program inside the limits, take an offline
 * assay) by how much each would shrink the uncertainty of the chosen targets.
 *
 * Criterion (A-optimal over the targets, each scaled by today's band): the mean over targets of the
 * predicted posterior variance after the horizon over today's variance; lower is better. Beside it,
 * D-optimality: log det of the targets' covariance after over today's.
 */
import { choleskyInPlace } from '../estimator/dense-matrix';
import type { EstimatorSettings } from '../estimator/types';
import type { CompiledModel } from '../model/compile';
import { createEngineWorkspace } from '../window-engine';
import { bandOf, type DesignTarget, defaultTargetNames, quadratic, resolveTargets } from './design-targets';
import type {
  Advice,
  AssayOption,
  DesignAction,
  DesignAgeing,
  DesignPosterior,
  DilutionLimits,
  DilutionProgram,
  RankedAction,
  TargetBand,
} from './design-types';
import {
  candidatePrograms,
  defaultPeriodsH,
  holdProgram,
  programSeries,
  programViolations,
} from './dilution-programs';
import { type InformationSettings, type PlannedAssay, predictCourse } from './expected-information';

export const designCriterion =
  'A-optimal over the targets: the mean, over targets, of the predicted posterior variance after the horizon (log, or logit for the fraction) divided by today’s; lower is better';

export interface AdviceRequest {
  horizonH: number;
  /** Default: the satellite fraction, gB/vB and the named combinations not yet determined. */
  targets?: readonly string[];
  limits: DilutionLimits;
  /** The lab's assays; each is tried at every `assaySpacingH` from now while its result is back in time. */
  assays: readonly AssayOption[];
  assaySpacingH?: number;
  periodsH?: readonly number[];
}

export interface AdvisorSettings extends InformationSettings {
  /** A combination with a band narrower than this (sd of log) today counts as determined. */
  determinedSdLog: number;
}

/** The advisor's settings for a chain with these estimator settings. */
export function advisorSettingsOf(settings: EstimatorSettings): AdvisorSettings {
  return {
    onlineNoise: { od: settings.noise.od, substrate: settings.noise.substrate },
    readingIntervalH: 0.25,
    segmentH: 1,
    windowHours: settings.windowHours,
    loss: settings.loss,
    solver: settings.solver,
    determinedSdLog: settings.determinedSdLog,
  };
}

/**
 * The lab's assays as the chain weighs them (its σ for Y, A and B), results back after `delayH`:
 * those the model measures.
 */
export function defaultAssayOptions(
  model: CompiledModel,
  settings: EstimatorSettings,
  delayH = 6,
): AssayOption[] {
  return ['Y', 'A', 'B']
    .filter((s) => settings.noise[s] > 0 && model.signalNames.includes(s))
    .map((signal) => ({ signal, sigma: settings.noise[signal], delayH }));
}

interface Candidate {
  action: DesignAction;
  program: DilutionProgram;
  assays: PlannedAssay[];
}

export function adviseExperiment(
  model: CompiledModel,
  posterior: DesignPosterior,
  ageing: DesignAgeing,
  request: AdviceRequest,
  settings: AdvisorSettings,
): Advice | { error: string } {
  const { horizonH, limits } = request;
  if (!(horizonH > 0) || !Number.isFinite(horizonH)) return { error: 'the horizon must be > 0 h' };
  if (posterior.model !== model.definition.name)
    return { error: `the posterior is of model ${posterior.model}, not ${model.definition.name}` };
  const q = posterior.mean.length;
  if (q !== posterior.freeParams.length + model.stateNames.length || posterior.covariance.length !== q * q)
    return { error: 'the posterior does not fit the model' };
  const names = request.targets?.length
    ? request.targets
    : defaultTargetNames(model, posterior, settings.determinedSdLog);
  const targets = resolveTargets(model, posterior, names);
  if ('error' in targets) return targets;

  const startH = posterior.atH;
  const hold = holdProgram(startH, posterior.dilutionPerHour);
  const candidates: Candidate[] = [{ action: { kind: 'hold', program: hold }, program: hold, assays: [] }];
  const programs = candidatePrograms(
    startH,
    posterior.dilutionPerHour,
    limits,
    horizonH,
    request.periodsH ?? defaultPeriodsH,
  );
  if (Array.isArray(programs))
    for (const program of programs)
      candidates.push({ action: { kind: 'dilution-program', program }, program, assays: [] });
  const spacing = request.assaySpacingH ?? 6;
  for (const assay of request.assays) {
    if (!model.signalNames.includes(assay.signal)) return { error: `the model measures no ${assay.signal}` };
    if (!(assay.sigma > 0) || !(assay.delayH >= 0))
      return { error: `assay ${assay.signal}: σ must be > 0, the delay ≥ 0` };
    for (let s = 0; s + assay.delayH <= horizonH + 1e-9; s += spacing) {
      const sampleAtH = startH + s;
      candidates.push({
        action: { kind: 'assay', assay, sampleAtH, resultAtH: sampleAtH + assay.delayH, program: hold },
        program: hold,
        assays: [{ signal: assay.signal, sampleAtH, sigma: assay.sigma }],
      });
    }
  }

  const ws = createEngineWorkspace(model);
  const today = targets.map((t) => todayOf(t, posterior, q));
  const ranked: Omit<RankedAction, 'rank'>[] = [];
  for (const c of candidates) {
    const course = predictCourse(
      model,
      posterior,
      ageing,
      programSeries(c.program, startH + horizonH),
      c.assays,
      horizonH,
      settings,
      ws,
    );
    if ('error' in course) return { error: course.error };
    const p = posterior.freeParams.length;
    const finalMean = Float64Array.from(posterior.mean);
    course.finalState.forEach((x, s) => {
      finalMean[p + s] = Math.log(x);
    });
    const bands: TargetBand[] = targets.map((t, k) => {
      const centre = dot(t.vector, finalMean);
      const sd = Math.sqrt(quadratic(t.vector, course.covariance, q));
      return {
        target: t.name,
        label: t.label,
        today: today[k].band,
        afterHorizon: bandOf(t.space, centre, sd),
        varianceRatio: (sd * sd) / today[k].variance,
      };
    });
    const score = bands.reduce((s, b) => s + b.varianceRatio, 0) / bands.length;
    const series = programSeries(c.program, startH + horizonH);
    const odNow = measured(model, 'od', posterior);
    const substrateNow = measured(model, 'substrate', posterior);
    let maxChange = 0;
    for (let k = 1; k < c.program.perHour.length; k++)
      maxChange = Math.max(
        maxChange,
        Math.abs(c.program.perHour[k] - c.program.perHour[k - 1]) / c.program.gridH,
      );
    ranked.push({
      summary: summaryOf(c.action, startH),
      action: c.action,
      score,
      logDetRatio: logDet(targets, course.covariance, q) - logDet(targets, posterior.covariance, q),
      bands,
      cost: {
        odMaxDeviation: maxDeviation(course.od, odNow),
        substrateMaxDeviation: maxDeviation(course.substrate, substrateNow),
        dilutionMinPerHour: Math.min(...series.v),
        dilutionMaxPerHour: Math.max(...series.v),
        dilutionMaxChangePerHour: maxChange,
        withinLimits: c.action.kind === 'hold' || programViolations(c.program, limits).length === 0,
      },
    });
  }
  ranked.sort((a, b) => a.score - b.score);
  // Each assay is listed once, at its best sampling time.
  const listed = new Set<AssayOption>();
  const best = ranked.filter((r) => {
    if (r.action.kind !== 'assay') return true;
    if (listed.has(r.action.assay)) return false;
    listed.add(r.action.assay);
    return true;
  });
  return {
    model: model.definition.name,
    atH: startH,
    horizonH,
    targets: targets.map((t) => t.name),
    criterion: designCriterion,
    limits: { ...limits },
    programsRefused: Array.isArray(programs) ? null : programs.refused,
    ranked: best.map((r, i) => ({ rank: i + 1, ...r })),
    notes: limitNotes(ageing, horizonH, settings.windowHours, best),
  };
}

/** A band this close to today's (sd within 5 %) counts as not narrowed. */
const narrowedSdRatio = 0.95;

function limitNotes(
  ageing: DesignAgeing,
  horizonH: number,
  windowHours: number,
  ranked: readonly Omit<RankedAction, 'rank'>[],
): string[] {
  const notes: string[] = [];
  const refit = ageing.refit;
  if (refit && horizonH - windowHours >= refit.spanH)
    notes.push(
      `The estimator remembers about ${refit.spanH} h of readings (its long-horizon refit; readings ${refit.ageH} h older count a third as much), so a band after ${horizonH} h holds only what the last ${refit.spanH + windowHours} h teach, whatever is known today.`,
    );
  const unnarrowed = (ranked[0]?.bands ?? []).flatMap((band, k) => {
    const best = Math.sqrt(Math.min(...ranked.map((r) => r.bands[k].varianceRatio)));
    return best < narrowedSdRatio ? [] : [`${band.label} (at best ${best.toFixed(2)}× today's width)`];
  });
  if (unnarrowed.length > 0)
    notes.push(
      `No action here narrows ${unnarrowed.join(', ')}. What the estimator forgets as it ages (its drift rates, set for a plant that may change within a day) outweighs what these readings teach; a narrower band needs a slower-changing plant assumed, or an assay.`,
    );
  return notes;
}

function todayOf(t: DesignTarget, posterior: DesignPosterior, q: number) {
  const variance = quadratic(t.vector, posterior.covariance, q);
  const centre = dot(t.vector, posterior.mean);
  return { variance: Math.max(variance, 1e-300), band: bandOf(t.space, centre, Math.sqrt(variance)) };
}

/** A signal's value at the posterior mean now (for od and substrate: where the plant is). */
function measured(model: CompiledModel, signal: string, posterior: DesignPosterior): number {
  const s = model.signalNames.indexOf(signal);
  if (s < 0) return Number.NaN;
  const p = posterior.freeParams.length;
  const x = Float64Array.from(posterior.mean.slice(p), Math.exp);
  return model.measure[s](x, Float64Array.from(posterior.params));
}

function maxDeviation(values: readonly number[], from: number): number {
  let m = 0;
  for (const v of values) m = Math.max(m, Math.abs(v - from));
  return m;
}

function dot(a: Float64Array, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** log det of the targets' covariance G C Gᵀ (ridge-regularized, so a degenerate set stays finite). */
function logDet(targets: readonly DesignTarget[], covariance: ArrayLike<number>, q: number): number {
  const m = targets.length;
  const g = new Float64Array(m * m);
  for (let a = 0; a < m; a++)
    for (let b = 0; b < m; b++) {
      let s = 0;
      for (let i = 0; i < q; i++) {
        if (targets[a].vector[i] === 0) continue;
        for (let j = 0; j < q; j++) s += targets[a].vector[i] * covariance[i * q + j] * targets[b].vector[j];
      }
      g[a * m + b] = s + (a === b ? 1e-12 : 0);
    }
  if (!choleskyInPlace(g, m)) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < m; i++) sum += 2 * Math.log(g[i * m + i]);
  return sum;
}

const fmt = (v: number) => v.toFixed(3);

function summaryOf(action: DesignAction, startH: number): string {
  if (action.kind === 'hold') return `hold the dilution at ${fmt(action.program.lowPerHour)} 1/h`;
  if (action.kind === 'assay') {
    const after = action.sampleAtH - startH;
    return `assay of ${action.assay.signal} (σ ${action.assay.sigma}) sampled ${after === 0 ? 'now' : `in ${after} h`}, result ${action.assay.delayH} h later; dilution held`;
  }
  const p = action.program;
  const shape = { steps: 'steps', ramps: 'ramps', pulses: 'pulses', hold: 'hold' }[p.shape];
  return `${shape} between ${fmt(p.lowPerHour)} and ${fmt(p.highPerHour)} 1/h, period ${p.periodH} h, for ${p.durationH} h`;
}
