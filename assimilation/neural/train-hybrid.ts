import { inverseSpd } from '../estimator/dense-matrix';
import type { PlantData } from '../estimator/plant-data';
import type { ObservationNoise } from '../estimator/types';
import { buildWindowProblem, coldStartState } from '../estimator/window-problem-builder';
import { type ResidualLoss, residualLossWeight } from '../gradient/residual-loss';
import { type CompiledModel, compileModel } from '../model/compile';
import type { ModelDefinition } from '../model/definition';
import type { WindowProblem } from '../problem/window-problem';
import type { SolverOptions } from '../solvers/types';
import { createEngineWorkspace, lossAndGradient, residualSensitivities } from '../window-engine';
import { hybridPartsOf } from './hybrid-model';
import { minimizeLbfgs } from './lbfgs';
import { Mlp } from './mlp';
import { initialNetworkWeights, networkShape } from './network-shape';
import { forEachObservedNode } from './network-terms';

/**
 * Training a hybrid model: the network's weights and the mechanistic parameters fitted together
 * over a long span of readings, through the same discrete adjoint as every window fit.
 *
 * The span is cut into segments, each with its own starting state (multiple shooting: a segment's
 * start is fitted, so an error early on does not have to be carried for days). The objective is
 *
 *   Σ ρ(r)                                   the readings (the estimator's robust loss)
 *   + ½ Σ ((log p − log p₀)/sd)²              the mechanistic parameters' prior (as the estimator's cold start)
 *   + ½ Σ ((log x₀ − log guess)/sd)²          each segment's start, weakly
 *   + ½ λ_w |θ|²                             weight decay: no weight grows where the data do not need it
 *   + ½ λ_o · readings · mean_k Σ_j (o_j(z_k)/bound_j)²
 *                                            the network's output at the states the plant visited: the
 *                                            correction stays near zero wherever the mechanism already
 *                                            explains the data, so the network does not take over what
 *                                            an identifiable parameter explains.
 *
 * The output penalty is evaluated at fixed points (the network inputs along the mechanistic fit), so
 * it is a smooth function of θ alone. The mechanism is fitted first with the network at zero (its
 * untrained last layer), then everything together, by L-BFGS over the adjoint gradient. Deterministic
 * for a seed (the seed draws the hidden layers' starting weights).
 */
export interface HybridTrainingSettings {
  seed: number;
  fromH: number;
  toH: number;
  segmentHours: number;
  freeParams: readonly string[];
  noise: ObservationNoise;
  loss: ResidualLoss;
  solver: SolverOptions;
  parameterSdLog: number;
  stateSdLog: number;
  weightDecay: number;
  outputPenalty: number;
  /** L-BFGS iterations for the mechanistic fit, then for the joint one. */
  mechanisticIterations: number;
  jointIterations: number;
  /** At most this many points for the output penalty and the stored domain. */
  domainPoints: number;
}

export const defaultTrainingSettings: Omit<HybridTrainingSettings, 'fromH' | 'toH' | 'freeParams' | 'noise'> =
  {
    seed: 1,
    segmentHours: 24,
    loss: { kind: 'huber', delta: 3 },
    solver: { method: 'auto', rtol: 1e-6, atol: 1e-8, maxSteps: 200_000, minStepRelative: 1e-12 },
    parameterSdLog: Math.log(10),
    stateSdLog: 1,
    weightDecay: 1e-2,
    // Measured in bench:neural (4 days of a plant with a mechanism the model lacks): at 1 the network
    // trades with the satellite's parameters (muBmax's band 0.037 → 0.26, KB's 0.14 → 0.71); at 100 it
    // fits as well (loss per reading 0.4603 against 0.4606) and the determined ones stay determined
    // (muBmax 0.073, gB/vB 0.031); at 10⁴ the bands hardly move but a fifth of the gain in fit is lost.
    outputPenalty: 100,
    mechanisticIterations: 150,
    jointIterations: 200,
    domainPoints: 200,
  };

export interface ParameterBand {
  name: string;
  value: number;
  /** sd of log(value) from the Gauss–Newton curvature at the optimum, everything else free. */
  sdLog: number;
}

export interface FitOverSpan {
  params: Float64Array;
  /** Each segment's start and its fitted state. */
  segments: { startH: number; endH: number; x0: Float64Array }[];
  /** Σρ(r) over the readings, and how many there are. */
  dataLoss: number;
  readings: number;
  objective: number;
  iterations: number;
  evaluations: number;
  bands: ParameterBand[];
  combinationBands: ParameterBand[];
}

export interface HybridTrainingResult {
  mechanistic: FitOverSpan;
  hybrid: FitOverSpan;
  weights: Float64Array;
  /** Network inputs (natural units) where it was trained. */
  domain: number[][];
  /** Root mean square of what each output added to its rate along the hybrid's fit, rate units. */
  contribution: number[];
  history: number[];
}

/** Trains the network of `def` (a model with a neural term) on the readings in [fromH, toH). */
export function trainHybrid(
  def: ModelDefinition,
  data: PlantData,
  initialParams: Float64Array,
  settings: HybridTrainingSettings,
): HybridTrainingResult {
  const neural = def.neural;
  if (!neural) throw new Error(`model ${def.name} has no neural term to train`);
  const model = compileModel(def, { networkWeights: 'parameters' });
  const theta0 = initialNetworkWeights(neural, settings.seed);
  const span = new SpanObjective(model, data, initialParams, theta0, settings);

  // 1. The mechanism alone (the untrained network adds nothing, or σ(−6) of a bound).
  const mechanisticFit = span.fit(false, settings.mechanisticIterations);
  const mechanistic = { ...mechanisticFit, ...span.bands(mechanisticFit, false) };
  // 2. The network's domain: its inputs along the mechanistic fit.
  const domain = span.domainAlong(mechanistic.params, mechanistic.segments, settings.domainPoints);
  span.setDomain(
    domain,
    neural.outputs.map((o) => o.bound),
  );
  // 3. Everything together, from the mechanistic optimum.
  const joint = span.fit(true, settings.jointIterations, mechanisticFit);
  return {
    mechanistic,
    hybrid: { ...joint, ...span.bands(joint, true) },
    weights: span.theta.slice(),
    domain: domain.map((z) => Array.from(z, (v, i) => v * neural.inputs[i].scale)),
    contribution: span.contributionAlong(joint),
    history: span.history,
  };
}

type Fit = Omit<FitOverSpan, 'bands' | 'combinationBands'>;

/** The objective over a span, its unknowns and its curvature. */
class SpanObjective {
  readonly theta: Float64Array;
  readonly history: number[] = [];
  private readonly ws;
  private readonly problems: WindowProblem[];
  private readonly guesses: Float64Array[];
  private readonly free: Int32Array;
  private readonly n: number;
  private readonly m: number;
  private readonly nTheta: number;
  private readonly mlp: Mlp | null;
  private readonly p0: Float64Array;
  private domain: Float64Array[] = [];
  private bounds: number[] = [];
  private readonly readings: number;

  constructor(
    private readonly model: CompiledModel,
    data: PlantData,
    initialParams: Float64Array,
    theta0: Float64Array,
    private readonly settings: HybridTrainingSettings,
  ) {
    const hybrid = hybridPartsOf(model)!;
    this.m = hybrid.mechanisticCount;
    this.nTheta = hybrid.weightCount;
    this.n = model.stateNames.length;
    this.theta = theta0.slice();
    this.ws = createEngineWorkspace(model);
    this.mlp = model.definition.neural ? new Mlp(networkShape(model.definition.neural)) : null;
    this.p0 = initialParams.slice();
    this.free = Int32Array.from(settings.freeParams, (name) => {
      const i = model.parameterNames.indexOf(name);
      if (i < 0 || i >= this.m) throw new Error(`unknown parameter "${name}"`);
      return i;
    });
    this.problems = [];
    this.guesses = [];
    const params = Float64Array.from([...initialParams, ...theta0]);
    for (let start = settings.fromH; start < settings.toH - 1e-9; start += settings.segmentHours) {
      const end = Math.min(settings.toH, start + settings.segmentHours);
      const guess = coldStartState(model, data, start);
      const built = buildWindowProblem(
        model,
        data,
        start,
        end,
        settings.noise,
        params,
        guess,
        settings.freeParams,
      );
      if ('error' in built) throw new Error(`cannot train on ${start}–${end} h: ${built.error}`);
      // A reading at a segment's end belongs to the next segment.
      const keep = end < settings.toH ? built.obsTime.findIndex((t) => t >= end) : -1;
      const count = keep < 0 ? built.obsTime.length : keep;
      this.problems.push({
        ...built,
        obsTime: built.obsTime.slice(0, count),
        obsSignal: built.obsSignal.slice(0, count),
        obsValue: built.obsValue.slice(0, count),
        obsSigma: built.obsSigma.slice(0, count),
      });
      this.guesses.push(guess);
    }
    this.readings = this.problems.reduce((sum, p) => sum + p.obsTime.length, 0);
  }

  setDomain(domain: Float64Array[], bounds: number[]): void {
    this.domain = domain;
    this.bounds = bounds;
  }

  /** Unknowns: log free parameters, log x0 per segment, then (joint) θ. */
  private size(joint: boolean): number {
    return this.free.length + this.problems.length * this.n + (joint ? this.nTheta : 0);
  }

  private apply(u: Float64Array, joint: boolean): void {
    const P = this.free.length;
    const n = this.n;
    if (joint) for (let i = 0; i < this.nTheta; i++) this.theta[i] = u[P + this.problems.length * n + i];
    this.problems.forEach((problem, s) => {
      for (let j = 0; j < P; j++) problem.params[this.free[j]] = Math.exp(u[j]);
      for (let i = 0; i < this.nTheta; i++) problem.params[this.m + i] = this.theta[i];
      for (let q = 0; q < n; q++) problem.x0[q] = Math.exp(u[P + s * n + q]);
    });
  }

  private objective(u: Float64Array, grad: Float64Array, joint: boolean): number | null {
    this.apply(u, joint);
    const P = this.free.length;
    const n = this.n;
    grad.fill(0);
    let total = 0;
    for (let s = 0; s < this.problems.length; s++) {
      const problem = this.problems[s];
      const result = lossAndGradient(problem, this.ws, this.settings.solver, this.settings.loss);
      if (!result.ok) return null;
      total += result.loss;
      for (let j = 0; j < P; j++) grad[j] += result.gradParams[this.free[j]] * problem.params[this.free[j]];
      for (let q = 0; q < n; q++) grad[P + s * n + q] += result.gradX0[q] * problem.x0[q];
      if (joint) {
        const at = P + this.problems.length * n;
        for (let i = 0; i < this.nTheta; i++) grad[at + i] += result.gradParams[this.m + i];
      }
    }
    total += this.priorTerms(u, grad, joint);
    return Number.isFinite(total) ? total : null;
  }

  /** The parameters' and starts' priors, weight decay and the output penalty, with their gradients. */
  private priorTerms(u: Float64Array, grad: Float64Array, joint: boolean): number {
    const { parameterSdLog, stateSdLog, weightDecay, outputPenalty } = this.settings;
    const P = this.free.length;
    const n = this.n;
    let total = 0;
    for (let j = 0; j < P; j++) {
      const d = (u[j] - Math.log(this.p0[this.free[j]])) / parameterSdLog;
      total += 0.5 * d * d;
      grad[j] += d / parameterSdLog;
    }
    for (let s = 0; s < this.problems.length; s++) {
      for (let q = 0; q < n; q++) {
        const d = (u[P + s * n + q] - Math.log(Math.max(this.guesses[s][q], 1e-9))) / stateSdLog;
        total += 0.5 * d * d;
        grad[P + s * n + q] += d / stateSdLog;
      }
    }
    if (!joint || !this.mlp) return total;
    const at = P + this.problems.length * n;
    for (let i = 0; i < this.nTheta; i++) {
      total += 0.5 * weightDecay * this.theta[i] ** 2;
      grad[at + i] += weightDecay * this.theta[i];
    }
    if (this.domain.length === 0) return total;
    const mlp = this.mlp;
    const r = mlp.outputCount;
    const weight = (outputPenalty * this.readings) / this.domain.length;
    const omega = new Float64Array(r);
    const zBar = new Float64Array(mlp.inputCount);
    const thetaGrad = new Float64Array(this.nTheta);
    for (const z of this.domain) {
      mlp.forward(this.theta, 0, z);
      for (let j = 0; j < r; j++) {
        const scaled = mlp.output[j] / this.bounds[j];
        total += 0.5 * weight * scaled * scaled;
        omega[j] = (weight * scaled) / this.bounds[j];
      }
      mlp.reverse(this.theta, 0, omega, zBar, thetaGrad, 0);
    }
    for (let i = 0; i < this.nTheta; i++) grad[at + i] += thetaGrad[i];
    return total;
  }

  private unknownsOf(params: Float64Array, starts: Float64Array[], joint: boolean): Float64Array {
    const P = this.free.length;
    const n = this.n;
    const u = new Float64Array(this.size(joint));
    for (let j = 0; j < P; j++) u[j] = Math.log(params[this.free[j]]);
    starts.forEach((x0, s) => {
      for (let q = 0; q < n; q++) u[P + s * n + q] = Math.log(Math.max(x0[q], 1e-9));
    });
    if (joint) u.set(this.theta, P + starts.length * n);
    return u;
  }

  fit(joint: boolean, iterations: number, from?: Fit): Fit {
    const start = from
      ? this.unknownsOf(
          from.params,
          from.segments.map((s) => s.x0),
          joint,
        )
      : this.unknownsOf(this.p0, this.guesses, joint);
    const outcome = minimizeLbfgs((u, g) => this.objective(u, g, joint), start, {
      maxIterations: iterations,
      memory: 10,
      relativeTolerance: 1e-7,
      firstStep: 0.1,
    });
    this.history.push(...outcome.history);
    this.apply(outcome.u, joint);
    let dataLoss = 0;
    for (const problem of this.problems) {
      const result = lossAndGradient(problem, this.ws, this.settings.solver, this.settings.loss);
      if (!result.ok) throw new Error('the solve failed at the optimum');
      dataLoss += result.loss;
    }
    return {
      params: this.problems[0].params.slice(0, this.m),
      segments: this.problems.map((p, s) => ({
        startH: p.t0,
        endH: s + 1 < this.problems.length ? this.problems[s + 1].t0 : this.settings.toH,
        x0: p.x0.slice(),
      })),
      dataLoss,
      readings: this.readings,
      objective: outcome.value,
      iterations: outcome.iterations,
      evaluations: outcome.evaluations,
    };
  }

  /** The network's inputs (scaled) at the observation times along a fit, evenly thinned. */
  domainAlong(params: Float64Array, segments: Fit['segments'], count: number): Float64Array[] {
    const points: Float64Array[] = [];
    const hybrid = hybridPartsOf(this.model)!;
    this.forEachObservedState(params, segments, (x, u) => {
      const z = new Float64Array(this.mlp?.inputCount ?? 0);
      hybrid.inputs(x, this.problems[0].params, u, z);
      points.push(z);
    });
    const step = Math.max(1, points.length / count);
    const thinned: Float64Array[] = [];
    for (let i = 0; i < points.length && thinned.length < count; i += step)
      thinned.push(points[Math.floor(i)]);
    return thinned;
  }

  /** RMS of each network term along a fit, at the observation times. */
  contributionAlong(fit: Fit): number[] {
    const hybrid = hybridPartsOf(this.model)!;
    const r = hybrid.outputRate.length;
    const sums = new Float64Array(r);
    const terms = new Float64Array(r);
    let count = 0;
    this.forEachObservedState(fit.params, fit.segments, (x, u, p) => {
      hybrid.terms(x, p, u, terms);
      for (let j = 0; j < r; j++) sums[j] += terms[j] ** 2;
      count++;
    });
    return Array.from(sums, (s) => Math.sqrt(s / Math.max(1, count)));
  }

  private forEachObservedState(
    params: Float64Array,
    segments: Fit['segments'],
    visit: (x: Float64Array, u: Float64Array, p: Float64Array) => void,
  ): void {
    const n = this.n;
    const x = new Float64Array(n);
    const u = new Float64Array(this.model.inputNames.length);
    this.problems.forEach((problem, s) => {
      problem.params.set(params.subarray(0, this.m));
      problem.params.set(this.theta, this.m);
      problem.x0.set(segments[s].x0);
      const result = lossAndGradient(problem, this.ws, this.settings.solver, this.settings.loss);
      if (!result.ok) return;
      forEachObservedNode(this.model, problem, this.ws.record, x, u, () => visit(x, u, problem.params));
    });
  }

  /**
   * Bands of the free mechanistic parameters (and the model's combinations) from the Gauss–Newton
   * curvature at a fit: the readings' JᵀWJ plus every prior term's, with the network's weights free
   * (joint) or absent. With the network free, a parameter the network could stand in for widens.
   */
  bands(fit: Fit, joint: boolean): { bands: ParameterBand[]; combinationBands: ParameterBand[] } {
    const { parameterSdLog, stateSdLog, weightDecay, outputPenalty, solver, loss } = this.settings;
    const P = this.free.length;
    const n = this.n;
    const S = this.problems.length;
    const thetaAt = P + S * n;
    const size = this.size(joint);
    const H = new Float64Array(size * size);
    const columns = Int32Array.from([
      ...this.free,
      ...(joint ? Array.from({ length: this.nTheta }, (_, i) => this.m + i) : []),
    ]);
    const Pc = columns.length;
    const global = new Int32Array(Pc + n);
    const scale = new Float64Array(Pc + n);
    this.problems.forEach((problem, s) => {
      problem.params.set(fit.params.subarray(0, this.m));
      problem.params.set(this.theta, this.m);
      problem.x0.set(fit.segments[s].x0);
      const sens = residualSensitivities(problem, this.ws, solver, undefined, columns);
      if (!sens.ok) throw new Error('sensitivities failed at the optimum');
      for (let c = 0; c < Pc + n; c++) {
        if (c < P) {
          global[c] = c;
          scale[c] = problem.params[this.free[c]];
        } else if (c < Pc) {
          global[c] = thetaAt + c - P;
          scale[c] = 1;
        } else {
          global[c] = P + s * n + (c - Pc);
          scale[c] = problem.x0[c - Pc];
        }
      }
      const cols = Pc + n;
      for (let row = 0; row < sens.residuals.length; row++) {
        const w = residualLossWeight(loss, sens.residuals[row]);
        for (let a = 0; a < cols; a++) {
          const ja = sens.jacobian[row * cols + a] * scale[a] * w;
          if (ja === 0) continue;
          const ga = global[a] * size;
          for (let b = 0; b < cols; b++) H[ga + global[b]] += ja * sens.jacobian[row * cols + b] * scale[b];
        }
      }
    });
    for (let j = 0; j < P; j++) H[j * size + j] += 1 / parameterSdLog ** 2;
    for (let i = P; i < thetaAt; i++) H[i * size + i] += 1 / stateSdLog ** 2;
    if (joint && this.mlp) {
      const mlp = this.mlp;
      const weight = (outputPenalty * this.readings) / Math.max(1, this.domain.length);
      const omega = new Float64Array(mlp.outputCount);
      const zBar = new Float64Array(mlp.inputCount);
      const row = new Float64Array(this.nTheta);
      for (let i = 0; i < this.nTheta; i++) H[(thetaAt + i) * size + thetaAt + i] += weightDecay;
      for (const z of this.domain) {
        mlp.forward(this.theta, 0, z);
        for (let j = 0; j < mlp.outputCount; j++) {
          omega.fill(0);
          omega[j] = 1 / this.bounds[j];
          row.fill(0);
          mlp.reverse(this.theta, 0, omega, zBar, row, 0);
          for (let a = 0; a < this.nTheta; a++) {
            if (row[a] === 0) continue;
            const ga = (thetaAt + a) * size + thetaAt;
            for (let b = 0; b < this.nTheta; b++) H[ga + b] += weight * row[a] * row[b];
          }
        }
      }
    }
    const covariance = inverseSpd(H, size);
    if (!covariance) throw new Error('the curvature at the optimum is singular');
    const names = this.model.parameterNames;
    const bands = Array.from(this.free, (pi, j) => ({
      name: names[pi],
      value: fit.params[pi],
      sdLog: Math.sqrt(covariance[j * size + j]),
    }));
    const combinationBands: ParameterBand[] = [];
    for (const c of this.model.definition.combinations ?? []) {
      const terms = Object.entries(c.exponents).map(([name, power]) => ({
        j: bands.findIndex((b) => b.name === name),
        power,
        name,
      }));
      let variance = 0;
      let logValue = 0;
      for (const a of terms) {
        logValue += a.power * Math.log(fit.params[names.indexOf(a.name)]);
        if (a.j < 0) continue;
        for (const b of terms) if (b.j >= 0) variance += a.power * b.power * covariance[a.j * size + b.j];
      }
      combinationBands.push({ name: c.name, value: Math.exp(logValue), sdLog: Math.sqrt(variance) });
    }
    return { bands, combinationBands };
  }
}
