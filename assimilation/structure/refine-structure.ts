import { firstTime, lastTime, type PlantData } from '../estimator/plant-data';
import { defaultObservationNoise } from '../estimator/window-problem-builder';
import { chiSquareSurvival } from '../mismatch/model-mismatch';
import {
  type CommunityLink,
  type CommunitySpec,
  communityModel,
  type LinkKind,
  linkLabel,
  linkRoles,
  withLinkOff,
} from '../model/community';
import { type CompiledModel, compileModel } from '../model/compile';
import type { ModelDefinition } from '../model/definition';
import { defaultSolverOptions } from '../solvers/types';
import { type ParameterPrior, type SpanFit, type SpanFitSettings, SpanProblem } from './span-fit';

/**
 * Structure refinement: a generalized community model (every uptake, production and inhibition link
 * between organisms and metabolites, model/community.ts) fitted over a long span of readings, and
 * simplified by backward elimination with likelihood-ratio tests.
 *
 * 1. *Is it needed?* The link is removed and everything else fitted again; 2Δ (twice the loss it
 *    costs) against χ² with as many degrees of freedom as the link has parameters. Needed when
 *    p < α: it stays. Otherwise it is insignificant and removed.
 * 2. *Needed, but pinned down?* A kept link whose rate's posterior sd (of log) is above
 *    `determinedSdLog` matters but is not pinned down by the data: undetermined, kept and flagged.
 *    Undetermined is not insignificant.
 * 3. *Removed: excluded or unseen?* For the log, a removed link is put back at the weakest strength
 *    its prior calls plausible (the prior's 5 % point of its rate, or 95 % point of an inhibition
 *    constant) into the fit without it. If that fits worse (p < α, χ² with 1) the data exclude it;
 *    otherwise they could not have seen it at that strength (unseen is not absent: a plant with more
 *    assays may need it back). Either way the data do not support it, and it goes.
 *
 * Candidates are tried in the order of what removing them costs before any refit (cheapest first),
 * and one link is removed at a time; after each removal the search goes on from the simpler model's
 * fit. At the end every link still in is tested again against the final model, so the evidence
 * reported for it is the final model's.
 *
 * Why tests and not an information criterion or sparse regression: each step has a stated risk (α)
 * and a log a reviewer can read ("removing it costs 2Δ = 0.3, p = 0.6"); BIC is the same rule with α
 * tied to the number of readings (it is reported for both models); a sparsity penalty shrinks what
 * is weakly determined towards zero, which is exactly the needed-but-undetermined link kept here. A
 * removed link is neutralized in place during the search (a rate set to 0, an affinity or
 * inhibition constant to 1e100, so its terms are 0 or 1 to rounding), which is the model with the
 * link off without compiling it again; the proposed model file has those links `off`.
 */
export interface RefinementSettings {
  span: SpanFitSettings;
  /** Significance level of both tests. */
  alpha: number;
  /** Where a link is weakest but still plausible: this many prior sds below its rate's median. */
  weakestPlausibleSd: number;
  /** A parameter's prior width (sd of log) where the model file gives none. */
  fallbackPriorSdLog: number;
  /** A kept link counts as determined when its rate's posterior sd of log is at most this. */
  determinedSdLog: number;
  /** Hours of the last readings to fit (the whole history when longer). */
  horizonHours: number;
  /** A fit this much lower in loss than the current one counts as a better optimum. */
  improvementTolerance: number;
}

export const defaultRefinementSettings: RefinementSettings = {
  span: {
    segmentHours: 24,
    noise: defaultObservationNoise,
    // As the live estimator: a spike gets no pull.
    loss: { kind: 'student-t', nu: 4 },
    solver: { ...defaultSolverOptions, rtol: 1e-6, atol: 1e-8 },
    maxIterations: 200,
    decrementTolerance: 1e-2,
    stateSdLog: 1,
    continuitySdLog: 0.05,
    continuityFloor: 1e-3,
  },
  alpha: 0.01,
  weakestPlausibleSd: 1.645,
  fallbackPriorSdLog: 1,
  determinedSdLog: 0.3,
  horizonHours: 96,
  improvementTolerance: 0.5,
};

/** One test of the log. */
export interface LikelihoodRatioTest {
  /** How much worse the fit got (data and continuity loss). */
  deltaLoss: number;
  /** 2Δ. */
  statistic: number;
  degreesOfFreedom: number;
  p: number;
}

export interface ExclusionTest extends LikelihoodRatioTest {
  /** The link's rate (or inhibition constant) and the value it was put back at. */
  parameter: string;
  weakValue: number;
  /** Decided without a refit: put back at its weak strength, the fit was no worse even before refitting. */
  withoutRefit: boolean;
}

/** Kept (needed), removed (insignificant), or off in the model file to begin with. */
export type LinkVerdict = 'kept' | 'removed' | 'off';

export interface RefinementStep {
  /** Removals so far, when the step was taken. */
  round: number;
  link: string;
  action: 'removed' | 'kept';
  removal: LikelihoodRatioTest;
  /** For a removal: the link at its weakest plausible strength (null when that fit failed). */
  exclusion: ExclusionTest | null;
  reason: string;
}

export interface ParameterBand {
  name: string;
  value: number;
  sdLog: number;
  sdLogData: number;
  priorSdLog: number;
}

export interface LinkEvidence {
  link: string;
  kind: LinkKind;
  organism: string;
  metabolite: string;
  verdict: LinkVerdict;
  /** Kept, and its rate pinned by the data (posterior sd of log ≤ determinedSdLog). */
  determined: boolean;
  /** Kept but not determined: it matters, but the data do not pin it down (flagged). */
  undetermined: boolean;
  /** Removed, and the data exclude it even at its weakest plausible strength (false: unseen). */
  excluded: boolean;
  /** The last tests, against the final model for every link still in. */
  removal: LikelihoodRatioTest | null;
  exclusion: ExclusionTest | null;
  /** Its parameters at the final fit (empty for a removed link). */
  parameters: ParameterBand[];
  reason: string;
}

export interface FitSummary {
  /** The fit's objective (readings, continuity and priors): what the tests compare. */
  loss: number;
  dataLoss: number;
  readings: number;
  freeParameters: number;
  /** 2k + 2·dataLoss and k·ln(n) + 2·dataLoss, the data loss read as a negative log-likelihood. */
  aic: number;
  bic: number;
  linksOn: number;
  /** od, substrate… along the fit (plant hours), for comparing it with the readings. */
  signals: { timeH: number[]; series: Record<string, number[]> };
}

export interface RefinementResult {
  span: { fromH: number; toH: number; segments: number };
  current: FitSummary;
  proposed: FitSummary;
  /** The proposed community: the removed links off. */
  spec: CommunitySpec;
  definition: ModelDefinition;
  steps: RefinementStep[];
  links: LinkEvidence[];
  fits: number;
}

/** A progress note, for a long run (the command line prints it). */
export type RefinementProgress = (note: string) => void;

interface LastTests {
  action: RefinementStep['action'];
  /** The fit it was tested against (State.key): a test against the same fit need not be repeated. */
  stateKey: number;
  removal: LikelihoodRatioTest;
  exclusion: ExclusionTest | null;
}

interface State {
  /** Which fit this is (a counter). */
  key: number;
  off: Set<string>;
  params: Float64Array;
  fit: SpanFit;
  loss: number;
}

/** The rate that says how strong a link is, and which way it weakens. */
const strengthOf: Record<LinkKind, { role: string; weakerUp: boolean }> = {
  uptake: { role: 'mu_max', weakerUp: false },
  production: { role: 'v', weakerUp: false },
  inhibition: { role: 'I', weakerUp: true },
};

/** Values that make a link's terms vanish (0 or 1 to rounding) without compiling the model again. */
const neutralValues: Record<LinkKind, Record<string, number>> = {
  uptake: { K: 1e100 },
  production: { v: 0 },
  inhibition: { I: 1e100 },
};

/**
 * Refines the structure of `definition` (a community model) over the last `horizonHours` of the
 * readings in `data` (or the span given).
 */
export function refineStructure(
  definition: ModelDefinition,
  data: PlantData,
  settings: RefinementSettings = defaultRefinementSettings,
  progress: RefinementProgress = () => {},
  span: { fromH: number; toH: number } = horizonOf(data, settings.horizonHours),
): RefinementResult {
  const spec = definition.community;
  if (!spec) throw new Error(`model ${definition.name} has no community section: nothing to refine`);
  if (definition.neural)
    throw new Error(
      `model ${definition.name} has a neural term: refine its structure without it, then train it`,
    );
  const model = compileModel(definition);
  const problem = new SpanProblem(model, data, settings.span, span);
  const refiner = new Refiner(model, problem, spec, settings, progress);
  return refiner.run(definition);
}

class Refiner {
  private readonly links: CommunityLink[];
  private readonly steps: RefinementStep[] = [];
  private fits = 0;
  private readonly index = new Map<string, number>();

  constructor(
    private readonly model: CompiledModel,
    private readonly problem: SpanProblem,
    private readonly spec: CommunitySpec,
    private readonly settings: RefinementSettings,
    private readonly progress: RefinementProgress,
  ) {
    this.links = spec.links.filter((l) => !l.off);
    model.parameterNames.forEach((name, i) => {
      this.index.set(name, i);
    });
  }

  run(definition: ModelDefinition): RefinementResult {
    const params = Float64Array.from(definition.parameters, (p) => p.plantValue);
    const initial = this.fitFrom(new Set(), params);
    if ('error' in initial) throw new Error(`the generalized model cannot be fitted: ${initial.error}`);
    this.progress(
      `fitted the generalized model: loss ${initial.loss.toFixed(1)} over ${initial.fit.readings} readings, ${this.links.length} links`,
    );
    let state = initial;
    const lastTests = new Map<string, LastTests>();
    const parked = new Set<string>();
    for (;;) {
      const next = this.removeOne(state, parked, lastTests);
      if (next) {
        if (next.improved) parked.clear();
        state = next.state;
        continue;
      }
      // Confirm every link still in against the final model; one that is no longer needed goes back in the search.
      const kept = this.links.map(linkLabel).filter((label) => !state.off.has(label));
      parked.clear();
      const confirmed = this.removeOne(state, parked, lastTests, kept);
      if (!confirmed) break;
      if (confirmed.improved) parked.clear();
      state = confirmed.state;
    }
    const proposedSpec = this.withFittedValues([...state.off].reduce(withLinkOff, this.spec), state.params);
    const proposed = communityModel(definition.name, definition.description, proposedSpec);
    return {
      span: {
        fromH: this.problem.segments[0].startH,
        toH: this.problem.segments[this.problem.segments.length - 1].endH,
        segments: this.problem.segments.length,
      },
      current: this.summary(initial),
      proposed: this.summary(state),
      spec: proposedSpec,
      definition: withCombinationsOf(definition, proposed),
      steps: this.steps,
      links: this.evidence(state, lastTests),
      fits: this.fits,
    };
  }

  /** The links' values replaced by the fit's: the proposed model starts (and centres its priors) there. */
  private withFittedValues(spec: CommunitySpec, params: Float64Array): CommunitySpec {
    return {
      ...spec,
      links: spec.links.map((link) =>
        link.off
          ? link
          : {
              ...link,
              values: Object.fromEntries(
                Object.entries(this.roleParameters(link)).map(([role, name]) => [
                  role,
                  params[this.index.get(name)!],
                ]),
              ),
            },
      ),
    };
  }

  /**
   * One pass over the candidates (links in and not parked, or `only` these), cheapest removal first:
   * the first that is not needed is removed and the simpler model's state returned. Needed links
   * are parked for the rest of the search. Null when nothing was removed.
   *
   * When the fit without a link is better than the fit with it (by more than `improvementTolerance`),
   * the fit with it sat in a poorer optimum: the model with the link is fitted again from there (the
   * link at its prior's median), and when that is better it becomes the current fit (`improved`) and
   * the search starts over from it. Every test is then against the better optimum.
   */
  private removeOne(
    state: State,
    parked: Set<string>,
    lastTests: Map<string, LastTests>,
    only?: readonly string[],
  ): { state: State; improved: boolean } | null {
    const { alpha, improvementTolerance } = this.settings;
    const stateKey = state.key;
    const candidates = (only ?? this.links.map(linkLabel)).filter(
      (label) => !state.off.has(label) && !parked.has(label) && lastTests.get(label)?.stateKey !== stateKey,
    );
    const cost = new Map<string, number>();
    for (const label of candidates) {
      const params = this.neutralized(state.params, label);
      const value = this.problem.evaluate(
        params,
        state.fit.segments.map((s) => s.x0),
      );
      const prior = state.fit.priorLoss - this.priorTermsOf(this.link(label), state.params);
      cost.set(
        label,
        value ? value.dataLoss + value.continuityLoss + prior - state.loss : Number.POSITIVE_INFINITY,
      );
    }
    candidates.sort((a, b) => cost.get(a)! - cost.get(b)!);
    const round = state.off.size;
    for (const label of candidates) {
      const link = this.link(label);
      const off = new Set([...state.off, label]);
      const without = this.fitFrom(off, this.neutralized(state.params, label), state.fit);
      if ('error' in without) {
        parked.add(label);
        this.progress(`${label}: cannot fit without it (${without.error}); kept`);
        continue;
      }
      // The link's own prior terms are not part of the comparison: the model without it has none.
      const withLink = state.loss - this.priorTermsOf(link, state.params);
      if (without.loss < withLink - improvementTolerance) {
        const again = this.fitFrom(state.off, this.atMedians(link, without.params), without.fit);
        if (!('error' in again) && again.loss < state.loss - improvementTolerance) {
          this.progress(
            `${label}: the fit without it (loss ${without.loss.toFixed(1)}) beat the fit with it; refitted with it from there: loss ${state.loss.toFixed(1)} → ${again.loss.toFixed(1)}`,
          );
          return { state: again, improved: true };
        }
      }
      const removal = this.test(without.loss - withLink, this.parametersOf(link).length);
      if (removal.p < alpha) {
        parked.add(label);
        lastTests.set(label, { action: 'kept', stateKey, removal, exclusion: null });
        this.log(round, label, 'kept', removal, null);
        continue;
      }
      const exclusion = this.exclusionTest(link, without);
      lastTests.set(label, { action: 'removed', stateKey, removal, exclusion });
      this.log(round, label, 'removed', removal, exclusion);
      return { state: without, improved: false };
    }
    return null;
  }

  /**
   * The link put back, at its weakest plausible strength, into the fit without it: how much worse
   * that fits. Without a refit first; only when that is already worse is the rest fitted again
   * (it may make up for the link). Null when the fit fails (the link then stays).
   */
  /** `params` with the link's parameters at their prior's medians. */
  private atMedians(link: CommunityLink, params: Float64Array): Float64Array {
    const out = params.slice();
    for (const name of this.parametersOf(link))
      out[this.index.get(name)!] = Math.exp(this.priorOf(name).logMedian);
    return out;
  }

  private exclusionTest(link: CommunityLink, without: State): ExclusionTest | null {
    const { role, weakerUp } = strengthOf[link.kind];
    const params = without.params.slice();
    let parameter = '';
    let weakValue = 0;
    for (const [r, name] of Object.entries(this.roleParameters(link))) {
      const i = this.index.get(name)!;
      const prior = this.priorOf(name);
      const shift = r === role ? (weakerUp ? 1 : -1) * this.settings.weakestPlausibleSd * prior.sdLog : 0;
      params[i] = Math.exp(prior.logMedian + shift);
      if (r === role) {
        parameter = name;
        weakValue = params[i];
      }
    }
    const starts = without.fit.segments.map((s) => s.x0);
    const before = this.problem.evaluate(params, starts);
    if (!before) return null;
    // The same free parameters as the fit without it, at the same values: their prior terms are the same.
    const sharedPrior = without.fit.priorLoss;
    const unrefitted = this.test(before.dataLoss + before.continuityLoss + sharedPrior - without.loss, 1);
    if (unrefitted.p >= this.settings.alpha)
      return { ...unrefitted, parameter, weakValue, withoutRefit: true };
    const refitted = this.fitFrom(without.off, params, without.fit, new Set([linkLabel(link)]));
    if ('error' in refitted) return null;
    return { ...this.test(refitted.loss - without.loss, 1), parameter, weakValue, withoutRefit: false };
  }

  /**
   * The fit with the links in `off` neutralized, from `params` (and `from`'s starts); the links in
   * `pinned` are in but held at their values.
   */
  private fitFrom(
    off: Set<string>,
    params: Float64Array,
    from?: SpanFit,
    pinned: Set<string> = new Set(),
  ): State | { error: string } {
    const free = this.links
      .filter((l) => !off.has(linkLabel(l)) && !pinned.has(linkLabel(l)))
      .flatMap((l) => this.parametersOf(l));
    const prior: ParameterPrior = {
      logMedian: Float64Array.from(free, (name) => this.priorOf(name).logMedian),
      sdLog: Float64Array.from(free, (name) => this.priorOf(name).sdLog),
    };
    this.fits++;
    const fit = this.problem.fit(
      free,
      params,
      prior,
      from?.segments.map((s) => s.x0),
    );
    if ('error' in fit) return fit;
    return { key: this.fits, off, params: fit.params, fit, loss: fit.objective };
  }

  /** ½ Σ ((log p − log median)/sd)² over the link's parameters. */
  private priorTermsOf(link: CommunityLink, params: Float64Array): number {
    let total = 0;
    for (const name of this.parametersOf(link)) {
      const prior = this.priorOf(name);
      const d = (Math.log(params[this.index.get(name)!]) - prior.logMedian) / prior.sdLog;
      total += 0.5 * d * d;
    }
    return total;
  }

  private priorOf(name: string): { logMedian: number; sdLog: number } {
    const p = this.model.definition.parameters[this.index.get(name)!];
    return {
      logMedian: Math.log(p.prior?.median ?? p.plantValue),
      sdLog: p.prior?.sdLog ?? this.settings.fallbackPriorSdLog,
    };
  }

  private neutralized(params: Float64Array, label: string): Float64Array {
    const link = this.link(label);
    const out = params.slice();
    const roles = this.roleParameters(link);
    for (const [role, value] of Object.entries(neutralValues[link.kind]))
      out[this.index.get(roles[role])!] = value;
    return out;
  }

  private roleParameters(link: CommunityLink): Record<string, string> {
    return Object.fromEntries(
      Object.entries(linkRoles[link.kind]).map(([role, r]) => [
        role,
        r.parameter(link.organism, link.metabolite),
      ]),
    );
  }

  private parametersOf(link: CommunityLink): string[] {
    return Object.values(this.roleParameters(link));
  }

  private link(label: string): CommunityLink {
    const link = this.links.find((l) => linkLabel(l) === label);
    if (!link) throw new Error(`no link "${label}"`);
    return link;
  }

  private test(deltaLoss: number, degreesOfFreedom: number): LikelihoodRatioTest {
    const statistic = Math.max(0, 2 * deltaLoss);
    return { deltaLoss, statistic, degreesOfFreedom, p: chiSquareSurvival(statistic, degreesOfFreedom) };
  }

  private log(
    round: number,
    link: string,
    action: RefinementStep['action'],
    removal: LikelihoodRatioTest,
    exclusion: ExclusionTest | null,
  ): void {
    const reason = reasonOf(action, removal, exclusion, this.settings.alpha);
    this.steps.push({ round, link, action, removal, exclusion, reason });
    this.progress(`${link}: ${action} — ${reason}`);
  }

  private summary(state: State): FitSummary {
    const k = state.fit.freeNames.length;
    const n = state.fit.readings;
    return {
      loss: state.loss,
      dataLoss: state.fit.dataLoss,
      readings: n,
      freeParameters: k,
      aic: 2 * k + 2 * state.fit.dataLoss,
      bic: k * Math.log(n) + 2 * state.fit.dataLoss,
      linksOn: this.links.length - state.off.size,
      signals: this.problem.signalsAlong(state.fit, ['od', 'substrate'], 0.5),
    };
  }

  private evidence(state: State, lastTests: Map<string, LastTests>): LinkEvidence[] {
    const { fit } = state;
    const P = fit.freeNames.length;
    return this.spec.links.map((link) => {
      const label = linkLabel(link);
      const tests = lastTests.get(label) ?? null;
      const base = { link: label, kind: link.kind, organism: link.organism, metabolite: link.metabolite };
      const flags = { determined: false, undetermined: false, excluded: false };
      if (link.off)
        return {
          ...base,
          ...flags,
          verdict: 'off',
          removal: null,
          exclusion: null,
          parameters: [],
          reason: 'off in the model file',
        };
      if (state.off.has(label))
        return {
          ...base,
          ...flags,
          verdict: 'removed',
          excluded: tests?.exclusion ? tests.exclusion.p < this.settings.alpha : false,
          removal: tests?.removal ?? null,
          exclusion: tests?.exclusion ?? null,
          parameters: [],
          reason: this.steps.find((s) => s.link === label && s.action === 'removed')?.reason ?? '',
        };
      const parameters = this.parametersOf(link).map((name) => {
        const j = fit.freeNames.indexOf(name);
        return {
          name,
          value: fit.params[this.index.get(name)!],
          sdLog: Math.sqrt(fit.covariance[j * P + j]),
          sdLogData: Math.sqrt(Math.max(fit.dataCovariance[j * P + j], 0)),
          priorSdLog: this.priorOf(name).sdLog,
        };
      });
      const strength = parameters.find(
        (p) => p.name === this.roleParameters(link)[strengthOf[link.kind].role],
      )!;
      const determined = strength.sdLog <= this.settings.determinedSdLog;
      const last = [...this.steps].reverse().find((s) => s.link === label);
      const reason =
        (last?.reason ?? '') +
        (determined
          ? ''
          : `; its rate is not pinned down (${strength.name}: sd of log ${strength.sdLog.toFixed(2)}, prior ${strength.priorSdLog.toFixed(2)}): kept, flagged undetermined`);
      return {
        ...base,
        verdict: 'kept',
        determined,
        undetermined: !determined,
        excluded: false,
        removal: tests?.removal ?? null,
        exclusion: null,
        parameters,
        reason,
      };
    });
  }
}

function reasonOf(
  action: RefinementStep['action'],
  removal: LikelihoodRatioTest,
  exclusion: ExclusionTest | null,
  alpha: number,
): string {
  const lr = (t: LikelihoodRatioTest) =>
    `Δloss ${t.deltaLoss.toFixed(2)}, 2Δ = ${t.statistic.toFixed(2)}, p = ${formatP(t.p)} (χ² with ${t.degreesOfFreedom})`;
  const needed = `removing it makes the fit worse by ${lr(removal)}`;
  if (action === 'kept') return `${needed} < ${alpha}: the data need it`;
  const removed = `not needed (${lr(removal)} ≥ ${alpha}): removed`;
  if (!exclusion) return `${removed}; the fit with it at its weakest plausible strength failed`;
  const at = `at its weakest plausible strength (${exclusion.parameter} = ${exclusion.weakValue.toPrecision(3)}) the fit is worse than without it by ${lr(exclusion)}`;
  if (exclusion.p < alpha) return `${removed}, and the data exclude it: ${at} < ${alpha}`;
  const why = exclusion.withoutRefit
    ? 'before any refit: at that strength it changes nothing the readings show'
    : 'the other links make up for it';
  return `${removed}; the data could not have seen it either (${at}; ${why})`;
}

function formatP(p: number): string {
  return p < 1e-4 ? p.toExponential(1) : p.toPrecision(2);
}

/** The model's named combinations whose parameters are all still in the proposed model. */
function withCombinationsOf(current: ModelDefinition, proposed: ModelDefinition): ModelDefinition {
  const names = new Set(proposed.parameters.map((p) => p.name));
  const combinations = current.combinations?.filter((c) =>
    Object.keys(c.exponents).every((n) => names.has(n)),
  );
  return combinations?.length ? { ...proposed, combinations } : proposed;
}

/** The last `hours` of the readings. */
export function horizonOf(data: PlantData, hours: number): { fromH: number; toH: number } {
  const toH = lastTime(data);
  return { fromH: Math.max(firstTime(data), toH - hours), toH };
}
