import { describe, expect, it } from 'vitest';
import { generatePlantHistory } from '../../simulator/plant-history';
import { PlantSimulation } from '../../simulator/plant-simulation';
import { meanOf, sdOf, signalSamples, truthIndex } from './history-helpers';

describe('generatePlantHistory', () => {
  const steady = generatePlantHistory({ scenario: 'steady', days: 14, seed: 11, assays: true });

  it('gives the same history for the same seed, and another for another seed', () => {
    const again = generatePlantHistory({ scenario: 'steady', days: 14, seed: 11, assays: true });
    expect(again.samples).toEqual(steady.samples);
    expect(again.truth).toEqual(steady.truth);
    const other = generatePlantHistory({ scenario: 'steady', days: 14, seed: 12, assays: true });
    expect(other.samples.find((s) => s.signal === 'od')!.value).not.toBe(
      signalSamples(steady, 'od')[0].value,
    );
  });

  it('reads od, substrate and D every 15 minutes from 0 to the end, and S0 every hour', () => {
    const expected = 14 * 96 + 1;
    expect(steady.truth.timeH).toHaveLength(expected);
    for (const signal of ['od', 'substrate', 'D']) {
      const times = signalSamples(steady, signal).map((s) => s.timeH);
      expect(times).toHaveLength(expected);
      expect(times.every((t, i) => t === i * 0.25)).toBe(true);
    }
    const feed = signalSamples(steady, 'S0');
    expect(feed).toHaveLength(14 * 24 + 1);
    expect(feed.every((s) => s.value === 100 && Number.isInteger(s.timeH))).toBe(true);
    expect(steady.samples.every((s) => Number.isFinite(s.value) && Number.isFinite(s.timeH))).toBe(true);
  });

  it('adds noise with the stated mean and σ to od and substrate', () => {
    const { states } = steady.truth;
    const odErrors = signalSamples(steady, 'od').map((s) => {
      const i = truthIndex(steady, s.timeH);
      return s.value - (states.X[i] + states.Y[i]);
    });
    const substrateErrors = signalSamples(steady, 'substrate').map(
      (s) => s.value - states.S[truthIndex(steady, s.timeH)],
    );
    const n = odErrors.length;
    expect(Math.abs(meanOf(odErrors))).toBeLessThan((4 * 0.5) / Math.sqrt(n));
    expect(Math.abs(sdOf(odErrors) / 0.5 - 1)).toBeLessThan(0.1);
    expect(Math.abs(meanOf(substrateErrors))).toBeLessThan((4 * 0.2) / Math.sqrt(n));
    expect(Math.abs(sdOf(substrateErrors) / 0.2 - 1)).toBeLessThan(0.1);
  });

  it('takes σ from the options', () => {
    const quiet = generatePlantHistory({
      scenario: 'steady',
      days: 2,
      seed: 11,
      noise: { odSigma: 0, substrateSigma: 0 },
    });
    const od = signalSamples(quiet, 'od');
    for (const s of od) {
      const i = truthIndex(quiet, s.timeH);
      expect(s.value).toBe(quiet.truth.states.X[i] + quiet.truth.states.Y[i]);
    }
  });

  it('drifts D within ±30 % of 0.25 1/h, slowly, on periods of 6 h to 3 days', () => {
    const sim = new PlantSimulation({ seed: 11 });
    const periods = sim.dilutionComponents.map((c) => c.periodH);
    expect(periods.every((p) => p >= 6 && p <= 72)).toBe(true);
    expect(meanOf(sim.dilutionComponents.map((c) => c.relativeAmplitude)) * 3).toBeCloseTo(0.3, 12);
    const d = signalSamples(steady, 'D').map((s) => s.value);
    expect(Math.min(...d)).toBeGreaterThanOrEqual(0.25 * 0.7);
    expect(Math.max(...d)).toBeLessThanOrEqual(0.25 * 1.3);
    // It does move: over 14 days the drift covers a good part of the band.
    expect(Math.max(...d) - Math.min(...d)).toBeGreaterThan(0.25 * 0.25);
    // No faster than the fastest allowed sinusoid at full amplitude: |dD/dt| ≤ 0.25·0.3·2π/6 h.
    const fastest = (0.25 * 0.3 * 2 * Math.PI) / 6;
    for (let i = 1; i < d.length; i++) expect(Math.abs(d[i] - d[i - 1]) / 0.25).toBeLessThanOrEqual(fastest);
  });

  it('records D as the input the truth used', () => {
    expect(signalSamples(steady, 'D').map((s) => s.value)).toEqual(steady.truth.dilutionPerHour);
  });

  it('starts near equilibrium after the burn-in', () => {
    const longer = new PlantSimulation({ seed: 11, burnInDays: 20 }).truthNow().states;
    const start = steady.truth.stateNames.map((name) => steady.truth.states[name][0]);
    for (const [i, v] of start.entries()) expect(Math.abs(v - longer[i])).toBeLessThan(1e-4 * Math.max(1, v));
  });

  it('samples assays of Y, A and B every 12 h, arriving 4 to 8 h late, in arrival order', () => {
    const assays = steady.samples.filter((s) => ['Y', 'A', 'B'].includes(s.signal));
    expect(assays.length).toBeGreaterThanOrEqual(3 * 27);
    const sigma: Record<string, number> = { Y: 0.05, A: 0.005, B: 0.005 };
    for (const a of assays) {
      expect(a.timeH % 12).toBe(0);
      const delay = a.availableAtH! - a.timeH;
      expect(delay).toBeGreaterThanOrEqual(4);
      expect(delay).toBeLessThanOrEqual(8);
      const truth = steady.truth.states[a.signal][truthIndex(steady, a.timeH)];
      expect(Math.abs(a.value - truth)).toBeLessThan(5 * sigma[a.signal]);
      // It appears after the readings of its arrival time, not of its sampling time.
      const position = steady.samples.indexOf(a);
      const arrivalReading = steady.samples.findIndex((s) => s.signal === 'od' && s.timeH === a.availableAtH);
      expect(position).toBeGreaterThan(arrivalReading);
    }
    expect(steady.truth.assayArrivals).toHaveLength(assays.length);
  });

  it('leaves the other signals unchanged whether assays are on or off', () => {
    const without = generatePlantHistory({ scenario: 'steady', days: 14, seed: 11 });
    const online = steady.samples.filter((s) => s.availableAtH === undefined);
    expect(without.samples).toEqual(online);
  });
});

describe('PlantSimulation.advance', () => {
  it('gives the same samples however the time is cut into calls', () => {
    const whole = new PlantSimulation({ seed: 5, assays: true }).advance(48);
    const live = new PlantSimulation({ seed: 5, assays: true });
    const pieces = [];
    for (let i = 0; i < 48 * 7; i++) pieces.push(...live.advance(1 / 7));
    expect(live.timeH).toBeCloseTo(48, 9);
    expect(pieces.map((s) => [s.timeH, s.signal, s.availableAtH])).toEqual(
      whole.map((s) => [s.timeH, s.signal, s.availableAtH]),
    );
    for (const [i, s] of pieces.entries()) expect(s.value).toBeCloseTo(whole[i].value, 7);
  });

  it('returns nothing new for zero hours and refuses negative ones', () => {
    const sim = new PlantSimulation({ seed: 5 });
    expect(sim.advance(0).map((s) => s.signal)).toEqual(['D', 'S0', 'od', 'substrate']);
    expect(sim.advance(0)).toEqual([]);
    expect(() => sim.advance(-1)).toThrow(RangeError);
    expect(() => sim.advance(Number.NaN)).toThrow(RangeError);
  });
});
