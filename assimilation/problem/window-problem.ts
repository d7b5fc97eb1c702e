import type { CompiledModel } from '../model/compile';

/** A piecewise-linear input: linear between samples, constant before the first and after the last. */
export interface InputSeries {
  /** Sample times, hours, strictly increasing. */
  t: Float64Array;
  v: Float64Array;
}

/**
 * One fitting window, validated and laid out for the engine (spec §2). Observations are flattened and
 * sorted by time (stable), so the solver can walk them in one pass.
 */
export interface WindowProblem {
  modelName: string;
  /** All parameters in the model's order, natural units. */
  params: Float64Array;
  /** true where the window file lists the parameter under `params` (a fit may free it). */
  freeParams: boolean[];
  t0: number;
  x0: Float64Array;
  /** Indexed like model.measuredInputNames (the step driver supplies the time t itself). */
  inputs: InputSeries[];
  obsTime: Float64Array;
  /** Index into model.signalNames. */
  obsSignal: Int32Array;
  obsValue: Float64Array;
  obsSigma: Float64Array;
}

/** A malformed window file: the message names the field. */
export class WindowFormatError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'WindowFormatError';
  }
}

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function finiteNumber(v: Json, field: string): number {
  if (typeof v !== 'number') throw new WindowFormatError(field, `expected a number, got ${describe(v)}`);
  if (!Number.isFinite(v)) throw new WindowFormatError(field, `must be finite, got ${v}`);
  return v;
}

function numberArray(v: Json, field: string): Float64Array {
  if (!Array.isArray(v))
    throw new WindowFormatError(field, `expected an array of numbers, got ${describe(v)}`);
  const out = new Float64Array(v.length);
  v.forEach((e, i) => {
    out[i] = finiteNumber(e, `${field}[${i}]`);
  });
  return out;
}

function describe(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.slice(0, 20))}`;
  return typeof v;
}

/** Validates a parsed window file against a compiled model; throws WindowFormatError naming the field. */
export function parseWindowProblem(raw: Json, model: CompiledModel): WindowProblem {
  if (!isObject(raw)) throw new WindowFormatError('(file)', `expected a JSON object, got ${describe(raw)}`);
  if (typeof raw.model !== 'string')
    throw new WindowFormatError('model', `expected the model's name, got ${describe(raw.model)}`);
  if (raw.model !== model.definition.name) {
    throw new WindowFormatError(
      'model',
      `the window is for the model "${raw.model}", but the model in use is "${model.definition.name}"`,
    );
  }
  const names = model.parameterNames;
  const params = new Float64Array(names.length).fill(Number.NaN);
  const freeParams = names.map(() => false);
  for (const block of ['constants', 'params'] as const) {
    const values = raw[block];
    if (!isObject(values)) throw new WindowFormatError(block, `expected an object of parameter values`);
    for (const [name, value] of Object.entries(values)) {
      const i = names.indexOf(name);
      if (i < 0)
        throw new WindowFormatError(`${block}.${name}`, `unknown parameter (known: ${names.join(', ')})`);
      if (!Number.isNaN(params[i])) throw new WindowFormatError(`${block}.${name}`, 'given twice');
      params[i] = finiteNumber(value, `${block}.${name}`);
      if (params[i] <= 0)
        throw new WindowFormatError(`${block}.${name}`, `must be positive, got ${params[i]}`);
      freeParams[i] = block === 'params';
    }
  }
  const missing = names.filter((_, i) => Number.isNaN(params[i]));
  if (missing.length) throw new WindowFormatError('params', `missing ${missing.join(', ')}`);

  const t0 = finiteNumber(raw.t0, 't0');
  if (!isObject(raw.x0)) throw new WindowFormatError('x0', 'expected an object of initial states');
  const x0Raw = raw.x0;
  const x0 = new Float64Array(
    model.stateNames.map((s) => {
      const v = finiteNumber(x0Raw[s], `x0.${s}`);
      if (v < 0) throw new WindowFormatError(`x0.${s}`, `a concentration cannot be negative, got ${v}`);
      return v;
    }),
  );

  if (!isObject(raw.inputs)) throw new WindowFormatError('inputs', 'expected an object of input series');
  const inputsRaw = raw.inputs;
  const inputs = model.measuredInputNames.map((name) => parseInput(inputsRaw[name], `inputs.${name}`));

  if (!Array.isArray(raw.observations)) throw new WindowFormatError('observations', 'expected an array');
  const rows: { t: number; s: number; v: number; sigma: number }[] = [];
  raw.observations.forEach((o, k) => {
    const field = `observations[${k}]`;
    if (!isObject(o)) throw new WindowFormatError(field, 'expected an object');
    const s = typeof o.signal === 'string' ? model.signalNames.indexOf(o.signal) : -1;
    if (s < 0) {
      throw new WindowFormatError(
        `${field}.signal`,
        `unknown signal ${describe(o.signal)} (known: ${model.signalNames.join(', ')})`,
      );
    }
    const t = numberArray(o.t, `${field}.t`);
    const v = numberArray(o.v, `${field}.v`);
    if (v.length !== t.length)
      throw new WindowFormatError(`${field}.v`, `has ${v.length} values for ${t.length} times`);
    const sigma = Array.isArray(o.sigma) ? numberArray(o.sigma, `${field}.sigma`) : null;
    const sigmaScalar = sigma ? 0 : finiteNumber(o.sigma, `${field}.sigma`);
    if (sigma && sigma.length !== t.length)
      throw new WindowFormatError(`${field}.sigma`, `has ${sigma.length} values for ${t.length} times`);
    for (let i = 0; i < t.length; i++) {
      if (t[i] < t0) throw new WindowFormatError(`${field}.t[${i}]`, `${t[i]} is before t0 ${t0}`);
      const sd = sigma ? sigma[i] : sigmaScalar;
      if (!(sd > 0)) throw new WindowFormatError(`${field}.sigma`, `must be positive, got ${sd}`);
      rows.push({ t: t[i], s, v: v[i], sigma: sd });
    }
  });
  rows.sort((a, b) => a.t - b.t);
  return {
    modelName: model.definition.name,
    params,
    freeParams,
    t0,
    x0,
    inputs,
    obsTime: Float64Array.from(rows, (r) => r.t),
    obsSignal: Int32Array.from(rows, (r) => r.s),
    obsValue: Float64Array.from(rows, (r) => r.v),
    obsSigma: Float64Array.from(rows, (r) => r.sigma),
  };
}

function parseInput(raw: Json, field: string): InputSeries {
  if (!isObject(raw)) throw new WindowFormatError(field, 'missing; expected {"t": [...], "v": [...]}');
  const t = numberArray(raw.t, `${field}.t`);
  const v = numberArray(raw.v, `${field}.v`);
  if (t.length === 0) throw new WindowFormatError(`${field}.t`, 'needs at least one sample');
  if (v.length !== t.length)
    throw new WindowFormatError(`${field}.v`, `has ${v.length} values for ${t.length} times`);
  for (let i = 1; i < t.length; i++) {
    if (!(t[i] > t[i - 1]))
      throw new WindowFormatError(`${field}.t[${i}]`, 'times must be strictly increasing');
  }
  return { t, v };
}
