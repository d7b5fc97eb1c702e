import { describe, expect, it } from 'vitest';
import { arrivalsFromOrder, defaultEstimatorSettings, replayChain, replayHistory } from '../../assimilation';
import { generatePlantHistory } from '../../simulator/plant-history';
import { chemostat } from '../fixtures/engine';
import { farGuess } from '../fixtures/plant-windows';

describe('replayHistory', () => {
  it('refits a window rewound for a late assay on all of its readings, not only the recent ones', () => {
    const history = generatePlantHistory({ scenario: 'steady', days: 1.5, seed: 4, assays: true });
    const readings = arrivalsFromOrder(history.samples);
    // Assays carry their arrival hour; the rest arrive when sampled.
    const arrived = history.samples.map((s, i) => ({ ...readings[i], arrivedH: s.availableAtH ?? s.timeH }));
    arrived.sort((a, b) => a.arrivedH - b.arrivedH);
    const chain = replayChain(chemostat, defaultEstimatorSettings, farGuess);
    const fitted = new Set(['od', 'substrate', 'Y', 'A', 'B']);
    let refits = 0;
    for (const { outcome: fit, refit, atH } of replayHistory(chain, arrived)) {
      if (fit.status !== 'ok') continue;
      // Every reading of the window's span that had arrived by the time of the fit is in its problem.
      const expected = arrived.filter(
        (r) =>
          fitted.has(r.signal) &&
          r.arrivedH <= atH + 1e-9 &&
          r.timeH >= fit.windowStartH &&
          r.timeH <= fit.windowEndH,
      ).length;
      expect(fit.fit.problem.obsTime.length, `window ${fit.windowStartH}–${fit.windowEndH} h`).toBe(expected);
      if (refit) refits++;
    }
    expect(refits).toBeGreaterThan(0);
  }, 60_000);
});
