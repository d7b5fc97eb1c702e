/**
 * What a candidate would teach, linearized at the posterior mean: the plant is run forward from the
 * belief's mean under the candidate's dilution, in segments; in each, the future readings' forward
 * sensitivities J (od and substrate every 15 minutes, and any assay whose result is back by the
 * horizon's end) add their information, precision ← precision + JᵀWJ, and the belief then moves to
 * the segment's end with the model.
 *
 * The belief is aged as the chain ages its own. The chain filters (each hour's readings added, the
 * belief aged by its drift rates and the reversion to the fixed prior), and every few hours a
 * long-horizon refit replaces that belief with one from the fixed prior and the span's readings
 * (older ones weighted down), aged by a fraction of the span's drift: it is the refit that sets how
 * long the chain remembers. So when the horizon holds a whole refit span, the prediction is that
 * refit's belief (from the span's readings only) carried through the last window; else the filter's.
 * The covariance at the horizon's end is the predicted posterior.
 */
import { congruence, inverseSpd, symmetrize } from '../estimator/dense-matrix';
import { ageBelief } from '../estimator/prior';
import { toLogSpaceColumns, unknownLayout } from '../estimator/unknowns';
import { type ResidualLoss, residualLossWeight } from '../gradient/residual-loss';
import type { CompiledModel } from '../model/compile';
import type { InputSeries, WindowProblem } from '../problem/window-problem';
import type { SolverOptions } from '../solvers/types';
import { type EngineWorkspace, residualSensitivities } from '../window-engine';
import { dilutionInput } from './design-posterior';
import type { DesignAgeing, DesignPosterior } from './design-types';

/** A future assay: its state, when sampled, its σ. Counted only when its result is back by the horizon's end. */
export interface PlannedAssay {
  signal: string;
  sampleAtH: number;
  sigma: number;
}

export interface InformationSettings {
  /** Online readings: signal → σ (the chain's observation noise). */
  onlineNoise: Readonly<Record<string, number>>;
  readingIntervalH: number;
  /** The belief is relinearized and aged every this many hours. */
  segmentH: number;
  /**
   * The chain's window: the band it reports is a window's fit, whose parameters are constant over the
   * window, so the last this many hours of the horizon add their readings without ageing.
   */
  windowHours: number;
  /** The chain's loss: each reading counts with its expected IRLS weight. */
  loss: ResidualLoss;
  solver: SolverOptions;
}

export interface PredictedCourse {
  /** Covariance of (log free parameters, log states) at the horizon's end. */
  covariance: Float64Array;
  /** Mean state at the horizon's end (parameters stay at the posterior mean). */
  finalState: Float64Array;
  /** The predicted course at every reading time: od and substrate as the model measures them. */
  timeH: number[];
  od: number[];
  substrate: number[];
}

/** The predicted course under `dilution` with `assays`, or a reason when the model cannot be solved. */
export function predictCourse(
  model: CompiledModel,
  posterior: DesignPosterior,
  ageing: DesignAgeing,
  dilution: InputSeries,
  assays: readonly PlannedAssay[],
  horizonH: number,
  settings: InformationSettings,
  ws: EngineWorkspace,
): PredictedCourse | { error: string } {
  const layout = unknownLayout(model, posterior.freeParams);
  const q = layout.size;
  const p = layout.freeParams.length;
  const n = layout.stateCount;
  const params = Float64Array.from(posterior.params);
  let state: Float64Array = Float64Array.from(posterior.mean.slice(p), Math.exp);
  let covariance: Float64Array = Float64Array.from(posterior.covariance);
  const endH = posterior.atH + horizonH;
  const weight = expectedLossWeight(settings.loss);
  const inputs = model.measuredInputNames.map((name) =>
    name === dilutionInput ? dilution : { t: Float64Array.of(posterior.atH, endH), v: Float64Array.of(1, 1) },
  );
  const online = Object.entries(settings.onlineNoise)
    .map(([signal, sigma]) => ({ s: model.signalNames.indexOf(signal), sigma }))
    .filter((o) => o.s >= 0 && o.sigma > 0);
  const od = model.signalNames.indexOf('od');
  const substrate = model.signalNames.indexOf('substrate');
  const course: PredictedCourse = { covariance, finalState: state, timeH: [], od: [], substrate: [] };
  const ageingSpec = {
    driftVariance: Float64Array.from(ageing.driftVariance),
    revertTo: ageing.revertTo
      ? {
          mean: Float64Array.from(ageing.revertTo.mean),
          variance: Float64Array.from(ageing.revertTo.variance),
        }
      : null,
  };
  const readingsPerSegment = Math.max(1, Math.round(settings.segmentH / settings.readingIntervalH));
  // The last refit the chain makes before the band at the horizon's end: at the start of that window,
  // over the span before it (when the horizon holds the whole span; a span reaching back before now
  // would need readings whose information only today's belief holds).
  const plan = ageing.refit;
  const refitToH = endH - settings.windowHours;
  const refitFromH = plan ? refitToH - plan.spanH : Number.NaN;
  const modelRefit = plan !== null && refitFromH >= posterior.atH - 1e-9 && plan.spanH >= plan.minimumH;
  let refit: Float64Array | null = null;
  let refitAged = false;
  for (let from = posterior.atH, k = 0; from < endH - 1e-9; k++) {
    const to = Math.min(endH, posterior.atH + (k + 1) * readingsPerSegment * settings.readingIntervalH);
    if (modelRefit && refit === null && from >= refitFromH - 1e-9)
      refit = refitPrior(plan, layout.freeParams.length, q);
    const rows: { t: number; s: number; sigma: number }[] = [];
    for (let t = from + settings.readingIntervalH; t <= to + 1e-9; t += settings.readingIntervalH) {
      for (const o of online) rows.push({ t, s: o.s, sigma: o.sigma });
    }
    for (const a of assays) {
      const s = model.signalNames.indexOf(a.signal);
      if (s < 0) return { error: `the model measures no ${a.signal}` };
      // An assay sampled now belongs to the first segment (a reading at a segment's start, to the one before).
      const inside = a.sampleAtH > from + 1e-9 || (k === 0 && a.sampleAtH >= from - 1e-9);
      if (inside && a.sampleAtH <= to + 1e-9)
        rows.push({ t: Math.max(a.sampleAtH, from), s, sigma: a.sigma });
    }
    rows.sort((a, b) => a.t - b.t || a.s - b.s);
    const problem: WindowProblem = {
      modelName: model.definition.name,
      params,
      freeParams: model.parameterNames.map((name) => posterior.freeParams.includes(name)),
      t0: from,
      x0: state,
      inputs,
      obsTime: Float64Array.from(rows, (r) => r.t),
      obsSignal: Int32Array.from(rows, (r) => r.s),
      // Residuals are then the predicted signals themselves; the Jacobian does not depend on the values.
      obsValue: new Float64Array(rows.length),
      obsSigma: Float64Array.from(rows, (r) => r.sigma),
    };
    const sens = residualSensitivities(problem, ws, settings.solver, to, layout.freeParams);
    if (!sens.ok) return { error: `the model could not be solved from ${from} h: ${sens.failure.kind}` };
    const jacobian = toLogSpaceColumns(layout, sens.jacobian, rows.length, problem);
    for (let r = 0; r < rows.length; r++) {
      if (rows[r].s !== od && rows[r].s !== substrate) continue;
      // A residual with value 0 and σ is the signal / σ.
      const value = sens.residuals[r] * rows[r].sigma;
      if (rows[r].s === od) {
        course.timeH.push(rows[r].t);
        course.od.push(value);
      } else course.substrate.push(value);
    }
    const updated = kalmanUpdate(
      covariance,
      jacobian,
      rows.length,
      q,
      rows.map(() => weight),
    );
    if (!updated) return { error: `the predicted information is singular at ${from} h` };
    // Move to the segment's end: parameters stay, states follow their sensitivities.
    const finalSensitivity = toLogSpaceColumns(layout, sens.finalSensitivity, n, problem);
    const transition = new Float64Array(q * q);
    for (let i = 0; i < p; i++) transition[i * q + i] = 1;
    for (let s = 0; s < n; s++) {
      const x = Math.max(sens.finalState[s], 1e-12);
      for (let j = 0; j < q; j++) transition[(p + s) * q + j] = finalSensitivity[s * q + j] / x;
    }
    const moved = congruence(transition, q, q, updated);
    // The chain reports a window's fit: inside its last window the parameters are held constant.
    const ageingHours = Math.max(0, Math.min(to, endH - settings.windowHours) - from);
    covariance =
      ageingHours > 0
        ? ageBelief({ mean: new Float64Array(q), covariance: moved }, ageingSpec, p, ageingHours).covariance
        : moved;
    if (refit && plan) {
      // The refit weighs a reading by its age at the refit; the last window's readings count whole.
      const weights = rows.map((r) =>
        r.t < refitToH ? weight * Math.exp(-(refitToH - r.t) / plan.ageH) : weight,
      );
      const informed = kalmanUpdate(refit, jacobian, rows.length, q, weights);
      if (!informed) return { error: `the predicted information is singular at ${from} h` };
      refit = congruence(transition, q, q, informed);
      if (!refitAged && to >= refitToH - 1e-9) {
        refit = ageBelief(
          { mean: new Float64Array(q), covariance: refit },
          ageingSpec,
          p,
          plan.spanH * plan.driftSpanFraction,
        ).covariance;
        refitAged = true;
      }
    }
    state = Float64Array.from(sens.finalState, (x) => Math.max(x, 1e-12));
    from = to;
  }
  if (refit) covariance = refit;
  course.covariance = covariance;
  course.finalState = state;
  if (![...covariance, ...state].every(Number.isFinite)) return { error: 'the prediction is not finite' };
  return course;
}

/**
 * The IRLS weight a reading gets on average when its standardized residual is N(0, 1): what the
 * chain's Gauss–Newton matrix gives one future reading (1 for the quadratic loss, 0.87 for Student-t, ν = 4).
 */
export function expectedLossWeight(loss: ResidualLoss): number {
  if (loss.kind === 'quadratic') return 1;
  let total = 0;
  let mass = 0;
  for (let r = -8; r <= 8; r += 0.01) {
    const density = Math.exp(-0.5 * r * r);
    total += density * residualLossWeight(loss, r);
    mass += density;
  }
  return total / mass;
}

/**
 * The covariance after readings with Jacobian H (rows × q, σ-scaled) and weights w, in the
 * Joseph form (I − KH) P (I − KH)ᵀ + K R Kᵀ with R = diag(1/w): the information form P⁻¹ + wHᵀH loses
 * positive definiteness when the belief is already sharp in some directions.
 */
/** The refit's prior: each free parameter's fixed prior, the state broad, nothing correlated. */
function refitPrior(plan: NonNullable<DesignAgeing['refit']>, p: number, q: number): Float64Array {
  const covariance = new Float64Array(q * q);
  for (let i = 0; i < q; i++)
    covariance[i * q + i] = i < p ? plan.parameterVariance[i] : plan.stateSdLog * plan.stateSdLog;
  return covariance;
}

function kalmanUpdate(
  covariance: Float64Array,
  h: Float64Array,
  rows: number,
  q: number,
  weights: readonly number[],
): Float64Array | null {
  if (rows === 0) return covariance.slice();
  // PHᵀ (q × rows), S = H P Hᵀ + R.
  const pht = new Float64Array(q * rows);
  for (let i = 0; i < q; i++)
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let j = 0; j < q; j++) s += covariance[i * q + j] * h[r * q + j];
      pht[i * rows + r] = s;
    }
  const innovation = new Float64Array(rows * rows);
  for (let a = 0; a < rows; a++)
    for (let b = 0; b < rows; b++) {
      let s = 0;
      for (let j = 0; j < q; j++) s += h[a * q + j] * pht[j * rows + b];
      innovation[a * rows + b] = s + (a === b ? 1 / weights[a] : 0);
    }
  const inverse = inverseSpd(innovation, rows);
  if (!inverse) return null;
  // K = PHᵀ S⁻¹ (q × rows)
  const gain = new Float64Array(q * rows);
  for (let i = 0; i < q; i++)
    for (let b = 0; b < rows; b++) {
      let s = 0;
      for (let a = 0; a < rows; a++) s += pht[i * rows + a] * inverse[a * rows + b];
      gain[i * rows + b] = s;
    }
  // A = I − KH
  const a = new Float64Array(q * q);
  for (let i = 0; i < q; i++)
    for (let j = 0; j < q; j++) {
      let s = i === j ? 1 : 0;
      for (let r = 0; r < rows; r++) s -= gain[i * rows + r] * h[r * q + j];
      a[i * q + j] = s;
    }
  const out = congruence(a, q, q, covariance);
  for (let i = 0; i < q; i++)
    for (let j = 0; j < q; j++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += (gain[i * rows + r] * gain[j * rows + r]) / weights[r];
      out[i * q + j] += s;
    }
  symmetrize(out, q);
  return out;
}
