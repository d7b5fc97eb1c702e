import { type CompiledModel, compositionRoles, type InputSeries } from '../assimilation';
import {
  type DilutionComponent,
  type DilutionDriftSettings,
  defaultDilutionDrift,
  randomDilutionDrift,
  relativeDilution,
} from './dilution-profile';
import { type ParameterRamp, parameterValuesAt } from './parameter-schedule';
import {
  AssayLab,
  type AssaySettings,
  defaultAssaySettings,
  defaultSensorNoise,
  OnlineSensors,
  type SensorNoise,
  type TrueComposition,
} from './plant-readings';
import type { PlantSample } from './plant-sample';
import type { PlantEvent, PlantTruthRow } from './plant-truth';
import { createPurposeStream } from './seeded-random';
import type { SensorFault, SensorFaultKind } from './sensor-faults';
import { TruthIntegrator } from './truth-integrator';

/** Readings, D samples and truth rows every 15 minutes; the true parameters are held over each. */
export const readingIntervalH = 0.25;
/** The feed concentration S0 is published once an hour. */
const feedReportEveryH = 1;
const timeEpsilonH = 1e-9;

export interface PlantSimulationOptions {
  seed: number;
  nominalDilutionPerHour?: number;
  dilutionDrift?: Partial<DilutionDriftSettings>;
  noise?: Partial<SensorNoise>;
  /** Offline assays of Y, A and B; off unless given. */
  assays?: boolean | Partial<AssaySettings>;
  /** Days integrated before t = 0 so the history starts near equilibrium. */
  burnInDays?: number;
  /** Plant values to use instead of the model's, by parameter name. */
  plantValues?: Record<string, number>;
  /**
   * The plant's own model, when its truth is not the built-in model: a model with the built-in's
   * states (S, X, Y, A, B…) or a community model. od is the main organism and the satellites, the
   * assays of Y, A and B the satellites together and the metabolites named A and B.
   */
  model?: CompiledModel;
  /** Called with the truth at every reading time, in order. */
  onTruth?: (row: PlantTruthRow) => void;
}

/** The fixed inputs of one 15-minute chunk [startH, startH + interval). */
interface Chunk {
  startH: number;
  params: Float64Array;
  dilution: InputSeries;
}

/**
 * A live, unbounded chemostat: `advance(hours)` integrates the true culture with the assimilation
 * engine and returns the plant samples that arrived meanwhile, in arrival order (a late assay comes
 * out when it is due, carrying both its sampling time and `availableAtH`). It can be steered between
 * calls; a change takes effect from the next reading time, since each chunk's inputs are fixed when
 * it starts.
 */
export class PlantSimulation {
  readonly integrator: TruthIntegrator;
  readonly dilutionComponents: readonly DilutionComponent[];
  private readonly names: readonly string[];
  /** Indices of the substrate, the main organism, the satellites, and the metabolites A and B (-1: none). */
  private readonly at: {
    S: number;
    X: number;
    Y: readonly number[];
    A: number;
    B: number;
    metabolites: number[];
  };
  private readonly baseParams: Float64Array;
  private readonly ramps: ParameterRamp[] = [];
  private readonly faults: SensorFault[] = [];
  private readonly eventLog: PlantEvent[] = [];
  private readonly sensors: OnlineSensors;
  private readonly lab: AssayLab | undefined;
  private readonly onTruth: ((row: PlantTruthRow) => void) | undefined;
  private nominalDilutionPerHour: number;
  /** A dilution program being followed: set points every gridH from startH, in place of the drift. */
  private program: { startH: number; gridH: number; perHour: readonly number[] } | undefined;
  private nowH = 0;
  /** Index of the next reading time not yet emitted. */
  private nextReading = 0;
  private state: Float64Array;
  private chunk: Chunk | undefined;

  constructor(options: PlantSimulationOptions) {
    this.integrator = new TruthIntegrator(options.model);
    const model = this.integrator.model;
    const roles = compositionRoles(model.definition);
    if (!roles)
      throw new Error('plant simulation needs a substrate, a main organism and satellites (S, X, Y…)');
    const index = (state: string) => model.stateNames.indexOf(state);
    this.at = {
      S: index(roles.substrate),
      X: index(roles.main),
      Y: roles.satellites.map(index),
      A: index('A'),
      B: index('B'),
      metabolites: roles.metabolites.map(index),
    };
    this.names = model.parameterNames;
    this.baseParams = Float64Array.from(
      model.definition.parameters.map((p) => options.plantValues?.[p.name] ?? p.plantValue),
    );
    for (const name of Object.keys(options.plantValues ?? {})) this.parameterIndex(name);
    this.nominalDilutionPerHour = options.nominalDilutionPerHour ?? model.definition.inputs[0].nominal;
    const drift = { ...defaultDilutionDrift, ...options.dilutionDrift };
    this.dilutionComponents = randomDilutionDrift(createPurposeStream(options.seed, 'dilution'), drift);
    const noise = { ...defaultSensorNoise, ...options.noise };
    this.sensors = new OnlineSensors(
      noise,
      createPurposeStream(options.seed, 'sensor-noise'),
      createPurposeStream(options.seed, 'sensor-faults'),
    );
    if (options.assays) {
      const settings = { ...defaultAssaySettings, ...(options.assays === true ? {} : options.assays) };
      this.lab = new AssayLab(settings, createPurposeStream(options.seed, 'assays'), readingIntervalH);
    }
    this.onTruth = options.onTruth;
    this.state = this.burnIn((options.burnInDays ?? 5) * 24);
  }

  get timeH(): number {
    return this.nowH;
  }

  get events(): readonly PlantEvent[] {
    return this.eventLog;
  }

  /** Runs the plant forward; returns the samples that arrived in (previous time, new time]. */
  advance(hours: number): PlantSample[] {
    if (!Number.isFinite(hours) || hours < 0)
      throw new RangeError(`advance: hours must be ≥ 0, got ${hours}`);
    const endH = this.nowH + hours;
    const out: PlantSample[] = [];
    for (;;) {
      const readingH = this.nextReading * readingIntervalH;
      if (readingH <= this.nowH + timeEpsilonH) {
        this.nowH = readingH;
        this.emitReading(readingH, out);
        this.nextReading++;
        continue;
      }
      const targetH = Math.min(readingH, endH);
      if (targetH <= this.nowH + timeEpsilonH) break;
      const chunk = this.chunk!;
      this.state = this.integrator.integrate(chunk.params, this.nowH, this.state, chunk.dilution, targetH);
      this.nowH = targetH;
    }
    return out;
  }

  /** The truth now (between readings too). */
  truthNow(): PlantTruthRow {
    const chunk = this.chunk;
    const params = chunk ? chunk.params.slice() : this.paramsAt(this.nowH);
    const d = chunk ? linearAt(chunk.dilution, this.nowH) : this.dilutionAt(this.nowH);
    return this.truthRow(this.nowH, d, params);
  }

  /** The satellite strain shift: gB falls to `factor` of its value over `durationH` from the next reading. */
  startSatelliteShift(options: { factor?: number; durationH?: number; startH?: number } = {}): void {
    this.rampParameter('gB', options.factor ?? 0.5, options.durationH ?? 24, options.startH);
  }

  /**
   * The main organism's yield falls: substrate per unit X (gamma, which the models hold fixed) rises
   * to `factor` of its value over `durationH` from the next reading. A change no refit of the model's
   * free parameters can follow: the model-mismatch signal's planted change.
   */
  startYieldShift(options: { factor?: number; durationH?: number; startH?: number } = {}): void {
    this.rampParameter('gamma', options.factor ?? 1.1, options.durationH ?? 6, options.startH);
  }

  /** Moves one parameter by `factor` linearly over `durationH` hours, then holds it. */
  rampParameter(parameter: string, factor: number, durationH: number, startH?: number): void {
    this.parameterIndex(parameter);
    if (!(factor > 0) || !Number.isFinite(factor))
      throw new RangeError(`ramp factor must be > 0, got ${factor}`);
    if (!(durationH >= 0) || !Number.isFinite(durationH)) throw new RangeError(`ramp duration must be ≥ 0`);
    const ramp = { parameter, startH: Math.max(startH ?? 0, this.nextReadingH()), durationH, factor };
    this.ramps.push(ramp);
    this.eventLog.push({ kind: 'parameter-ramp', ...ramp });
  }

  /** Sets the level the dilution rate drifts around (1/h); reached at the reading after next. */
  setNominalDilution(perHour: number): void {
    if (!(perHour > 0) || !Number.isFinite(perHour))
      throw new RangeError(`dilution must be > 0 1/h, got ${perHour}`);
    this.nominalDilutionPerHour = perHour;
    this.eventLog.push({ kind: 'nominal-dilution', atH: this.nextReadingH(), perHour });
  }

  /**
   * Follows a dilution program (set points every `gridH` hours, linear between) from `startH`, or the
   * next reading, instead of the drift; the drift resumes where the program ends. A later program
   * replaces one still running.
   */
  followDilutionProgram(program: { gridH: number; perHour: readonly number[] }, startH?: number): void {
    if (!(program.gridH > 0) || !Number.isFinite(program.gridH))
      throw new RangeError(`program grid must be > 0 h, got ${program.gridH}`);
    if (program.perHour.length === 0 || !program.perHour.every((d) => d > 0 && Number.isFinite(d)))
      throw new RangeError('every program set point must be > 0 1/h');
    const start = Math.max(startH ?? 0, this.nextReadingH());
    this.program = { startH: start, gridH: program.gridH, perHour: [...program.perHour] };
    const endH = start + (program.perHour.length - 1) * program.gridH;
    this.eventLog.push({ kind: 'dilution-program', startH: start, endH });
  }

  /** A sensor fault from the next reading on, lasting at least one reading. */
  injectFault(kind: SensorFaultKind, durationHours: number): SensorFault {
    return this.scheduleFault(kind, this.nextReadingH(), durationHours);
  }

  /** A sensor fault at a later time (never in the past: readings already emitted stay as they were). */
  scheduleFault(kind: SensorFaultKind, startH: number, durationHours: number): SensorFault {
    if (!(durationHours >= 0) || !Number.isFinite(durationHours))
      throw new RangeError('fault duration must be ≥ 0');
    const start = Math.max(startH, this.nextReadingH());
    const fault = { kind, startH: start, endH: start + Math.max(durationHours, readingIntervalH) };
    this.faults.push(fault);
    this.eventLog.push({ kind: 'sensor-fault', fault: kind, startH: fault.startH, endH: fault.endH });
    return fault;
  }

  /** Plant hour of the next reading not yet simulated: the earliest anything new can take effect. */
  nextReadingH(): number {
    return this.nextReading * readingIntervalH;
  }

  private parameterIndex(name: string): number {
    const index = this.names.indexOf(name);
    if (index < 0) throw new RangeError(`unknown parameter "${name}" (known: ${this.names.join(', ')})`);
    return index;
  }

  private paramsAt(timeH: number): Float64Array {
    const out = new Float64Array(this.names.length);
    parameterValuesAt(this.names, this.baseParams, this.ramps, timeH, out);
    return out;
  }

  private dilutionAt(timeH: number): number {
    const program = this.program;
    if (program) {
      const k = (timeH - program.startH) / program.gridH;
      const last = program.perHour.length - 1;
      if (k >= -timeEpsilonH && k <= last + timeEpsilonH) {
        const i = Math.max(0, Math.min(last - 1, Math.floor(k)));
        if (last === 0) return program.perHour[0];
        const f = Math.max(0, Math.min(1, k - i));
        return program.perHour[i] + f * (program.perHour[i + 1] - program.perHour[i]);
      }
    }
    return this.nominalDilutionPerHour * relativeDilution(this.dilutionComponents, timeH);
  }

  /** Integrates `hours` up to t = 0 under the same drifting D, from a rough guess of the steady state. */
  private burnIn(hours: number): Float64Array {
    const p = this.paramsAt(0);
    const S0 = p[this.parameterIndex('S0')];
    const gamma = p[this.parameterIndex('gamma')];
    // Near the built-in model's steady state (the burn-in forgets it): S 5, X the rest of the feed,
    // each satellite 1, metabolites 0.03, 0.06, then 0.05.
    const guess = new Float64Array(this.integrator.model.stateNames.length).fill(0.1);
    guess[this.at.S] = 5;
    guess[this.at.X] = (S0 - 5) / gamma;
    for (const i of this.at.Y) guess[i] = 1;
    this.at.metabolites.forEach((i, k) => {
      guess[i] = [0.03, 0.06][k] ?? 0.05;
    });
    const count = Math.ceil(hours / readingIntervalH);
    if (count === 0) return guess;
    const t = Float64Array.from({ length: count + 1 }, (_, i) => (i - count) * readingIntervalH);
    const dilution = { t, v: t.map((ti) => this.dilutionAt(ti)) };
    return this.integrator.integrate(p, t[0], guess, dilution, 0);
  }

  /** Everything that happens at a reading time: truth, D, S0, sensors, assays; then the next chunk. */
  private emitReading(timeH: number, out: PlantSample[]): void {
    const startD = this.chunk ? this.chunk.dilution.v[1] : this.dilutionAt(timeH);
    const endH = timeH + readingIntervalH;
    // Parameters at the chunk's midpoint: the closest constant to a ramp over the chunk.
    const params = this.paramsAt(timeH + readingIntervalH / 2);
    this.chunk = {
      startH: timeH,
      params,
      dilution: { t: Float64Array.of(timeH, endH), v: Float64Array.of(startD, this.dilutionAt(endH)) },
    };
    const row = this.truthRow(timeH, startD, params);
    this.onTruth?.(row);
    const composition = this.composition();
    out.push({ timeH, signal: 'D', value: startD });
    if (isMultiple(timeH, feedReportEveryH)) {
      out.push({ timeH, signal: 'S0', value: params[this.parameterIndex('S0')] });
    }
    out.push(...this.sensors.read(timeH, composition, this.faults));
    if (this.lab) {
      this.lab.sample(timeH, composition);
      out.push(...this.lab.collectArrived(timeH));
    }
  }

  /** The satellites together as Y; a metabolite the model lacks reads 0. */
  private composition(): TrueComposition {
    const { state, at } = this;
    const Y = at.Y.slice(1).reduce((sum, i) => sum + state[i], state[at.Y[0]]);
    return {
      S: state[at.S],
      X: state[at.X],
      Y,
      A: at.A >= 0 ? state[at.A] : 0,
      B: at.B >= 0 ? state[at.B] : 0,
    };
  }

  private truthRow(timeH: number, dilutionPerHour: number, params: Float64Array): PlantTruthRow {
    const { X, Y } = this.composition();
    const total = X + Y;
    return {
      timeH,
      dilutionPerHour,
      states: this.state.slice(),
      params,
      satelliteFraction: total > 0 ? Y / total : 0,
    };
  }
}

function isMultiple(timeH: number, everyH: number): boolean {
  const k = timeH / everyH;
  return Math.abs(k - Math.round(k)) < 1e-9;
}

function linearAt(series: InputSeries, timeH: number): number {
  const [t0, t1] = series.t;
  const [v0, v1] = series.v;
  return v0 + ((v1 - v0) * (timeH - t0)) / (t1 - t0);
}
