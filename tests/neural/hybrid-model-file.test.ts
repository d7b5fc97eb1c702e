/**
 * A model file with a neural term: it loads with its weights, refuses a bad network with the line,
 * trains deterministically for a seed, writes a weights file that reads back to the same bits, and
 * runs live in the estimator chain with the network fixed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  compileModel,
  defaultEstimatorSettings,
  defaultObservationNoise,
  defaultTrainingSettings,
  EstimatorChain,
  formatModelFile,
  formatWeightsFile,
  hybridPartsOf,
  layersOf,
  outputLabel,
  parseModelFile,
  plantDataFrom,
  priorMedians,
  refitParameterNames,
  trainHybrid,
  weightsFormat,
} from '../../assimilation';
import { readModelFile } from '../../simulator/model-files';
import { generatePlantHistory } from '../../simulator/plant-history';
import { hybridModelPath, inhibitedPlant } from './fixtures';

const dir = mkdtempSync(join(tmpdir(), 'cw-neural-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const text = readFileSync(hybridModelPath, 'utf8');

describe('the neural section of a model file', () => {
  it('reads the network as declared and writes it back', () => {
    const def = parseModelFile(text);
    expect(def.neural).toMatchObject({
      inputs: [
        { name: 'S', scale: 5 },
        { name: 'A', scale: 0.05 },
        { name: 'B', scale: 0.05 },
      ],
      hidden: [8, 8],
      activation: 'tanh',
      weightsFile: 'chemostat-satellite-hybrid.weights.json',
    });
    expect(def.neural!.outputs.map(outputLabel)).toEqual(['Y per Y', 'A per Y', 'B per Y']);
    expect(parseModelFile(formatModelFile(def))).toEqual(def);
  });

  const refusals: [string, string, string, RegExp][] = [
    [
      'an input that is a parameter',
      'inputs: { S: 5, A: 0.05, B: 0.05 }',
      'inputs: { S: 5, KA: 1, B: 0.05 }',
      /line \d+, column \d+: neural\.inputs\.KA: "KA" is a parameter/,
    ],
    [
      'the time as an input',
      'inputs: { S: 5, A: 0.05, B: 0.05 }',
      'inputs: { S: 5, t: 1 }',
      /neural\.inputs\.t: the time t is not a network input/,
    ],
    [
      'a bound in the wrong unit',
      '{ rate: A, per: Y, bound: 0.1, unit: 1/h',
      '{ rate: A, per: Y, bound: 0.1, unit: conc/h',
      /neural\.outputs\[1\]\.unit: the bound of a term added to dA\/dt per Y is in 1\/h, not conc\/h/,
    ],
    [
      'an output on something that is not a state',
      '{ rate: Y, per: Y,',
      '{ rate: muY, per: Y,',
      /neural\.outputs\[0\]\.rate: "muY" is not a state/,
    ],
    [
      'a layer of width 0',
      'hidden: [8, 8]',
      'hidden: [8, 0]',
      /neural\.hidden: a layer's width must be a whole number/,
    ],
    [
      'an unknown activation',
      'activation: tanh',
      'activation: relu',
      /neural\.activation: "relu" is not tanh or softplus/,
    ],
    [
      'an unknown key',
      'activation: tanh',
      'activation: tanh\n  dropout: 0.1',
      /neural: unknown key "dropout"/,
    ],
  ];
  for (const [what, from, to, message] of refusals) {
    it(`refuses ${what}, naming the line`, () => {
      const bad = text.replace(from, to);
      expect(bad).not.toBe(text);
      const line = bad.split('\n').findIndex((l) => l.includes(to.split('\n').at(-1)!.trim())) + 1;
      expect(() => parseModelFile(bad)).toThrow(message);
      expect(() => parseModelFile(bad)).toThrow(new RegExp(`^line ${line},`));
    });
  }
});

describe('training a hybrid and using it live', () => {
  const plant = inhibitedPlant();
  const history = generatePlantHistory({
    scenario: 'steady',
    days: 1.5,
    seed: 4,
    assays: true,
    model: plant,
  });
  const data = plantDataFrom(history.samples);
  const untrained = readModelFile(hybridModelPath, { untrained: true });
  const initial = Float64Array.from(untrained.parameters, (p) => p.plantValue);
  const settings = {
    ...defaultTrainingSettings,
    fromH: 0,
    toH: 24,
    segmentHours: 12,
    freeParams: refitParameterNames,
    noise: defaultObservationNoise,
    mechanisticIterations: 8,
    jointIterations: 8,
  };
  const bits = (v: Float64Array) => Buffer.from(v.buffer).toString('hex');
  const first = trainHybrid(untrained, data, initial, settings);

  it('is deterministic for a seed, and another seed starts elsewhere', () => {
    const again = trainHybrid(untrained, data, initial, settings);
    expect(bits(again.weights)).toBe(bits(first.weights));
    expect(bits(again.hybrid.params)).toBe(bits(first.hybrid.params));
    const other = trainHybrid(untrained, data, initial, { ...settings, seed: 2 });
    expect(bits(other.weights)).not.toBe(bits(first.weights));
  });

  it('improves on the mechanistic fit it starts from, and reports bands with the network free', () => {
    expect(first.hybrid.objective).toBeLessThan(first.mechanistic.objective);
    expect(first.hybrid.bands.map((b) => b.name)).toEqual([...refitParameterNames]);
    for (const band of [...first.hybrid.bands, ...first.mechanistic.bands])
      expect(band.sdLog).toBeGreaterThan(0);
    expect(first.contribution.some((c) => c > 0)).toBe(true);
  });

  it('writes a weights file that the model reads back to the same bits, and runs live with it', () => {
    const modelPath = join(dir, 'hybrid.yaml');
    writeFileSync(modelPath, text);
    writeFileSync(
      join(dir, untrained.neural!.weightsFile!),
      formatWeightsFile({
        format: weightsFormat,
        model: untrained.name,
        network: {
          inputs: untrained.neural!.inputs.map((i) => i.name),
          hidden: [...untrained.neural!.hidden],
          activation: untrained.neural!.activation,
          outputs: untrained.neural!.outputs.map(outputLabel),
        },
        layers: layersOf(untrained.neural!, first.weights),
        parameters: Object.fromEntries(untrained.parameters.map((p, i) => [p.name, first.hybrid.params[i]])),
        contribution: {},
        domain: first.domain,
        training: { seed: 1 },
      }),
    );
    const trained = readModelFile(modelPath);
    expect(bits(trained.neural!.weights!)).toBe(bits(first.weights));
    expect(trained.parameters.find((p) => p.name === 'gB')!.prior?.median).toBe(first.hybrid.params[1]);

    // Live: the weights are constants, the estimator sees the mechanistic parameters only.
    const model = compileModel(trained);
    expect(model.parameterNames).toEqual(untrained.parameters.map((p) => p.name));
    expect(Array.from(hybridPartsOf(model)!.weights)).toEqual(Array.from(first.weights));
    /** A live chain on the model, the prior centred on the trained parameters, readings to 15 h. */
    const liveChain = (on: typeof model) => {
      const c = new EstimatorChain(on, {
        settings: { ...defaultEstimatorSettings, longHorizon: null },
        initialParams: priorMedians(model),
        catchUpHours: Number.POSITIVE_INFINITY,
        trajectories: null,
        windowFiles: false,
      });
      c.noteReadings(0, true);
      c.noteClock(15);
      return c;
    };
    const chain = liveChain(model);
    const fitted = [];
    for (let w = chain.fitNext(() => data); w; w = chain.fitNext(() => data)) fitted.push(w);
    expect(fitted.length).toBeGreaterThan(1);
    for (const w of fitted) expect(w.outcome.status).toBe('ok');
    const terms = new Float64Array(3);
    const last = fitted.at(-1)!;
    if (last.outcome.status !== 'ok') throw new Error('unreachable');
    hybridPartsOf(model)!.terms(
      last.outcome.fit.finalState,
      last.outcome.fit.problem.params,
      Float64Array.of(0.25),
      terms,
    );
    expect(Array.from(terms).some((t) => t !== 0)).toBe(true);
    // Each fit reports what the network added to each rate along its window, against the mechanism.
    for (const w of fitted) {
      expect(Object.keys(w.networkTerms ?? {})).toEqual(['Y per Y', 'A per Y', 'B per Y']);
      for (const t of Object.values(w.networkTerms!)) {
        expect(t.network).toBeGreaterThan(0);
        expect(t.mechanistic).toBeGreaterThan(0);
      }
    }
    expect(last.networkTerms!['Y per Y'].rate).toBe('Y');
    // The untrained network adds nothing (its last layer is zero): its terms are 0, the rates all mechanism.
    const plain = liveChain(compileModel(untrained)).fitNext(() => data)!;
    for (const t of Object.values(plain.networkTerms!)) {
      expect(t.network).toBe(0);
      expect(t.mechanistic).toBeGreaterThan(0);
    }
  });
});
