import { describe, expect, it } from 'vitest';
import { defaultEstimatorSettings } from '../../assimilation/estimator/default-settings';
import { plantDataFrom } from '../../assimilation/estimator/plant-data';
import {
  createSlidingWindowEstimator,
  fitNextWindow,
  startCold,
} from '../../assimilation/estimator/sliding-window-estimator';
import type { EstimatorSettings, WindowFitOutcome } from '../../assimilation/estimator/types';
import { windowFitReport } from '../../assimilation/estimator/window-fit-report';
import { chemostat } from '../fixtures/engine';
import { farGuess, steadyPlant, truthAt } from '../fixtures/plant-windows';

function fitOne(
  data: ReturnType<typeof steadyPlant>['data'],
  start: number,
  settings: EstimatorSettings = defaultEstimatorSettings,
): WindowFitOutcome {
  const est = createSlidingWindowEstimator(chemostat, settings);
  startCold(est, data, start, farGuess);
  return fitNextWindow(est, data);
}

function ok(outcome: WindowFitOutcome) {
  if (outcome.status !== 'ok') throw new Error(`fit failed: ${outcome.reason} ${outcome.detail}`);
  return outcome;
}

describe('one window: MAP fit from the far guess', () => {
  it('recovers the composition and gB/vB from noise-free data', () => {
    const { history, data } = steadyPlant(2, 3, true);
    // A prior too broad to pull, and convergence to rounding: only the data speak.
    const settings = {
      ...defaultEstimatorSettings,
      loss: { kind: 'quadratic' as const },
      coldParameterSdLog: 30,
      coldStateSdLog: 30,
      decrementTolerance: 1e-8,
    };
    const fit = ok(fitOne(data, 12, settings));
    // Noise-free readings are matched to far below their nominal σ.
    expect(Math.max(...fit.fit.residuals.map(Math.abs))).toBeLessThan(0.05);
    const truth = truthAt(history, fit.windowEndH);
    const fraction = fit.estimate.composition!.satellite_fraction.value;
    expect(Math.abs(fraction / truth.fraction - 1)).toBeLessThan(0.03);
    const p = Object.fromEntries(fit.estimate.params.map((q) => [q.name, q.value]));
    expect(Math.abs(p.gB / p.vB / (truth.params.gB / truth.params.vB) - 1)).toBeLessThan(0.03);
  });

  it('flags single inhibition constants as not determined by od and substrate, and reports combinations', () => {
    const { data } = steadyPlant(2, 5);
    const fit = ok(fitOne(data, 12));
    const byName = Object.fromEntries(fit.estimate.params.map((q) => [q.name, q]));
    expect(byName.IA.determined).toBe(false);
    expect(byName.IB.determined).toBe(false);
    expect(byName.IA.sdLogData).toBeGreaterThan(0.5);
    expect(fit.estimate.combinations.length).toBeGreaterThan(0);
    // The model's named combinations are reported with their bands; one flagged determined is
    // pinned as tightly as that says, and gB/vB is far better determined than IA alone.
    for (const c of fit.estimate.combinations) {
      expect(c.lower95).toBeLessThan(c.value);
      expect(c.upper95).toBeGreaterThan(c.value);
      if (c.determined) expect(c.sdLog).toBeLessThanOrEqual(defaultEstimatorSettings.determinedSdLog);
    }
    const ratio = fit.estimate.combinations.find((c) => c.name === 'gB/vB');
    expect(ratio?.sdLogData).toBeLessThan(byName.IA.sdLogData / 5);
    // Every reported number is finite; a fit never returns a NaN.
    expect(JSON.stringify(windowFitReport(fit, false))).not.toMatch(/null|NaN/);
  });

  it('is not dragged by a spike with the robust loss, and is with the quadratic one', () => {
    const { readings } = steadyPlant(2, 7);
    const clean = plantDataFrom(readings);
    const spiked = plantDataFrom(
      readings.map((r) => (r.signal === 'od' && r.timeH === 30 ? { ...r, value: r.value + 10 } : r)),
    );
    const huber = { ...defaultEstimatorSettings, loss: { kind: 'huber' as const, delta: 3 } };
    const quadratic = { ...defaultEstimatorSettings, loss: { kind: 'quadratic' as const } };
    const fraction = (o: WindowFitOutcome) => ok(o).estimate.composition!.satellite_fraction;
    const reference = fraction(fitOne(clean, 24, huber));
    const robust = fraction(fitOne(spiked, 24, huber));
    const dragged = fraction(fitOne(spiked, 24, quadratic));
    const robustShift = Math.abs(robust.value - reference.value);
    const draggedShift = Math.abs(dragged.value - reference.value);
    expect(robustShift).toBeLessThan(reference.sd);
    expect(draggedShift).toBeGreaterThan(3 * robustShift);
  });

  it('returns a typed failure, not a NaN, when it cannot finish', () => {
    const { data } = steadyPlant(1, 9);
    const starved = fitOne(data, 6, { ...defaultEstimatorSettings, coldMaxIterations: 2 });
    expect(starved.status).toBe('failed');
    if (starved.status === 'failed') expect(starved.reason).toBe('iteration-limit');
    const empty = fitOne(
      plantDataFrom(data.signals.get('D') ? [{ timeH: 0, signal: 'D', value: 0.25 }] : []),
      0,
    );
    expect(empty.status).toBe('failed');
    if (empty.status === 'failed') expect(empty.reason).toBe('no-data');
    expect(JSON.stringify(windowFitReport(starved, false))).not.toMatch(/NaN/);
  });
});
