import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  arrivalsFromOrder,
  type CompiledModel,
  compileModel,
  createEngineWorkspace,
  defaultEstimatorSettings,
  defaultSolverOptions,
  lossAndGradient,
  parseModelFile,
  parseWindowProblem,
  replayChain,
  replayHistory,
  windowFitReport,
} from '../../assimilation';
import { builtInModelPath } from '../../simulator/model-files';
import { generatePlantHistory } from '../../simulator/plant-history';
import { exampleNames, readExample } from '../fixtures/spec-examples';
import { chemostatSatelliteAsTypeScript } from './fixtures/chemostat-satellite-as-typescript';

/** Every generated function's source, in the compiled model's order. */
function generatedSources(model: CompiledModel): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(model)) {
    if (typeof value === 'function') out.push(`${name}:${value.toString()}`);
    else if (Array.isArray(value) && typeof value[0] === 'function')
      value.forEach((f: () => void, i) => {
        out.push(`${name}[${i}]:${f.toString()}`);
      });
  }
  return out;
}

/** Bits of each float, so that a difference in the last bit (or of a zero's sign) shows. */
const bits = (values: ArrayLike<number>): string[] =>
  Array.from(values, (v) => Buffer.from(new Float64Array([v]).buffer).toString('hex'));

describe('the built-in model from models/chemostat-satellite.yaml', () => {
  const fromFile = parseModelFile(readFileSync(builtInModelPath, 'utf8'));
  const compiledFromFile = compileModel(fromFile);
  const compiledFromTypeScript = compileModel(chemostatSatelliteAsTypeScript);

  it('is the definition that was written in TypeScript, field for field', () => {
    const { stateInfo, ...rest } = fromFile;
    expect(rest).toEqual(chemostatSatelliteAsTypeScript);
    expect(Object.keys(stateInfo ?? {})).toEqual(fromFile.states);
  });

  it('compiles to the same code, character for character, as before models were files', () => {
    const sources = generatedSources(compiledFromFile);
    expect(sources).toEqual(generatedSources(compiledFromTypeScript));
    expect(sources).toHaveLength(25);
    // SHA-256 of the same sources from the compiler on main at 6232986, before the formula language
    // grew (variable exponents, functions, conditionals, time): the new constructs leave the code
    // of a model that does not use them untouched. A deliberate change of the generated code for
    // this model updates this hash.
    expect(createHash('sha256').update(sources.join('\n')).digest('hex')).toBe(
      '38a0d058c4c484c6d2b63c3b3ee90f0294ec5c7bd82e8af9dd20061d94bbb2e8',
    );
  });

  it('gives the spec examples the same loss and gradient, to the bit, with each method', () => {
    for (const name of exampleNames) {
      const { window } = readExample(name);
      for (const method of ['auto', 'dopri5', 'rodas4'] as const) {
        const options = { ...defaultSolverOptions, method };
        const results = [compiledFromFile, compiledFromTypeScript].map((model) => {
          const r = lossAndGradient(parseWindowProblem(window, model), createEngineWorkspace(model), options);
          if (!r.ok) throw new Error(`${name} ${method}: ${r.failure.kind}`);
          return bits([r.loss, ...r.gradParams, ...r.gradX0]);
        });
        expect(results[0], `${name} ${method}`).toEqual(results[1]);
      }
    }
  });

  it('gives a sliding-window replay the same fits, to the bit', () => {
    const history = generatePlantHistory({ scenario: 'steady', days: 1, seed: 5, assays: true });
    const readings = arrivalsFromOrder(history.samples);
    const settings = { ...defaultEstimatorSettings, windowHours: 12, stepHours: 4 };
    const reports = [compiledFromFile, compiledFromTypeScript].map((model) => {
      const start = Float64Array.from(model.definition.parameters, (q) => q.farGuess ?? q.plantValue);
      const out: string[] = [];
      for (const { outcome, refit } of replayHistory(replayChain(model, settings, start), readings))
        out.push(
          JSON.stringify(windowFitReport(outcome, refit), (_, v) =>
            typeof v === 'number' ? bits([v])[0] : v,
          ),
        );
      return out;
    });
    expect(reports[0].length).toBeGreaterThan(3);
    expect(reports[0]).toEqual(reports[1]);
  }, 120_000);
});
