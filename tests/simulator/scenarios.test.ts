import { describe, expect, it } from 'vitest';
import { generatePlantHistory } from '../../simulator/plant-history';
import { PlantSimulation } from '../../simulator/plant-simulation';
import type { PlantEvent } from '../../simulator/plant-truth';
import { meanOf, meanSatelliteFraction, signalSamples } from './history-helpers';

const day = 24;

describe('satellite-shift', () => {
  const steady = generatePlantHistory({ scenario: 'steady', days: 14, seed: 3 });
  const shifted = generatePlantHistory({ scenario: 'satellite-shift', days: 14, seed: 3 });

  it('halves gB over one day from day 7', () => {
    const { timeH, params } = shifted.truth;
    const gBAt = (h: number) => params.gB[timeH.indexOf(h)];
    expect(gBAt(7 * day - 0.25)).toBe(3);
    expect(gBAt(7 * day + 12)).toBeCloseTo(2.25, 1);
    expect(gBAt(8 * day)).toBe(1.5);
    expect(gBAt(14 * day)).toBe(1.5);
    expect(params.vB.every((v) => v === 0.009)).toBe(true);
  });

  it('roughly doubles the satellite fraction', () => {
    const before = meanSatelliteFraction(shifted, 5 * day, 7 * day);
    const after = meanSatelliteFraction(shifted, 10 * day, 14 * day);
    expect(after / before).toBeGreaterThan(1.6);
    expect(after / before).toBeLessThan(2.5);
    // Against the same plant without the shift (same D drift), the ratio is close to 2 once settled.
    const ratio =
      meanSatelliteFraction(shifted, 10 * day, 14 * day) / meanSatelliteFraction(steady, 10 * day, 14 * day);
    expect(ratio).toBeGreaterThan(1.85);
    expect(ratio).toBeLessThan(2.15);
    // Nothing changes before the onset.
    expect(meanSatelliteFraction(shifted, 0, 7 * day)).toBe(meanSatelliteFraction(steady, 0, 7 * day));
  });

  it('takes its onset from the settings', () => {
    const early = generatePlantHistory({
      scenario: 'satellite-shift',
      days: 4,
      seed: 3,
      scenarioSettings: { shiftOnsetH: day },
    });
    expect(early.truth.params.gB.at(-1)).toBe(1.5);
  });
});

describe('parameter-drift', () => {
  it('moves vB up by half over 7 days from day 2, and nothing else', () => {
    const drift = generatePlantHistory({ scenario: 'parameter-drift', days: 14, seed: 3 });
    const { timeH, params } = drift.truth;
    const vBAt = (h: number) => params.vB[timeH.indexOf(h)];
    expect(vBAt(2 * day - 0.25)).toBe(0.009);
    expect(vBAt(5.5 * day)).toBeCloseTo(0.009 * 1.25, 5);
    expect(vBAt(9 * day)).toBeCloseTo(0.0135, 12);
    expect(vBAt(14 * day)).toBeCloseTo(0.0135, 12);
    expect(params.gB.every((v) => v === 3)).toBe(true);
  });
});

describe('sensor-faults', () => {
  const clean = generatePlantHistory({ scenario: 'steady', days: 10, seed: 8 });
  const faulty = generatePlantHistory({ scenario: 'sensor-faults', days: 10, seed: 8 });
  const faults = faulty.truth.events.filter(
    (e): e is Extract<PlantEvent, { kind: 'sensor-fault' }> => e.kind === 'sensor-fault',
  );
  const inFault = (kind: string, t: number) =>
    faults.some((f) => f.fault === kind && f.startH <= t && t < f.endH);
  const byTime = (history: typeof clean, signal: string) =>
    new Map(signalSamples(history, signal).map((s) => [s.timeH, s.value]));
  const cleanOd = byTime(clean, 'od');
  const cleanSubstrate = byTime(clean, 'substrate');

  it('schedules spikes, a stuck substrate sensor and gaps', () => {
    expect(faults.filter((f) => f.fault === 'spike').length).toBe(20);
    expect(faults.filter((f) => f.fault === 'gap').length).toBe(2);
    expect(faults.filter((f) => f.fault === 'stuck-substrate').length).toBe(1);
  });

  it('has no od or substrate readings inside a gap, and all of them elsewhere', () => {
    for (const signal of ['od', 'substrate']) {
      const times = new Set(signalSamples(faulty, signal).map((s) => s.timeH));
      for (const t of clean.truth.timeH) expect(times.has(t)).toBe(!inFault('gap', t));
    }
    const gapHours = faults.filter((f) => f.fault === 'gap').reduce((a, f) => a + (f.endH - f.startH), 0);
    expect(gapHours).toBe(4.5);
    // D keeps coming through a gap.
    expect(signalSamples(faulty, 'D')).toHaveLength(clean.truth.timeH.length);
  });

  it('spikes od upward where injected, and leaves other readings exactly as in the clean plant', () => {
    let spiked = 0;
    for (const s of signalSamples(faulty, 'od')) {
      const jump = s.value - cleanOd.get(s.timeH)!;
      if (inFault('spike', s.timeH)) {
        expect(jump).toBeGreaterThanOrEqual(10);
        expect(jump).toBeLessThanOrEqual(30);
        spiked++;
      } else {
        expect(jump).toBe(0);
      }
    }
    expect(spiked).toBeGreaterThanOrEqual(15);
  });

  it('holds the substrate reading for the stuck hours', () => {
    const stuck = faults.find((f) => f.fault === 'stuck-substrate')!;
    expect(stuck.endH - stuck.startH).toBe(6);
    const readings = signalSamples(faulty, 'substrate');
    const held = readings.filter((s) => s.timeH >= stuck.startH && s.timeH < stuck.endH).map((s) => s.value);
    const lastGood = readings.filter((s) => s.timeH < stuck.startH).at(-1)!.value;
    expect(held.length).toBeGreaterThan(0);
    expect(held.every((v) => v === lastGood)).toBe(true);
    const after = readings.filter((s) => s.timeH >= stuck.endH);
    expect(after.every((s) => s.value === cleanSubstrate.get(s.timeH))).toBe(true);
  });
});

describe('steering a live simulation', () => {
  it('injects a fault from the next reading', () => {
    const sim = new PlantSimulation({ seed: 2 });
    sim.advance(10);
    const gap = sim.injectFault('gap', 2);
    expect(gap.startH).toBe(10.25);
    const next = sim.advance(3);
    const od = next.filter((s) => s.signal === 'od').map((s) => s.timeH);
    expect(od).toEqual([12.25, 12.5, 12.75, 13]);
    sim.injectFault('stuck-substrate', 1);
    const stuck = sim.advance(1).filter((s) => s.signal === 'substrate');
    expect(new Set(stuck.map((s) => s.value)).size).toBe(1);
    sim.injectFault('spike', 0);
    const spike = sim.advance(0.5).filter((s) => s.signal === 'od');
    expect(spike[0].value - spike[1].value).toBeGreaterThan(5);
  });

  it('moves D to a new nominal level', () => {
    const sim = new PlantSimulation({ seed: 2 });
    sim.advance(24);
    sim.setNominalDilution(0.15);
    const d = sim
      .advance(48)
      .filter((s) => s.signal === 'D' && s.timeH >= 24.5)
      .map((s) => s.value);
    expect(Math.min(...d)).toBeGreaterThanOrEqual(0.15 * 0.7);
    expect(Math.max(...d)).toBeLessThanOrEqual(0.15 * 1.3);
    expect(meanOf(d)).toBeLessThan(0.2);
    expect(() => sim.setNominalDilution(0)).toThrow(RangeError);
  });

  it('starts the satellite shift now, and refuses unknown parameters', () => {
    const sim = new PlantSimulation({ seed: 2 });
    sim.advance(24);
    const fractionBefore = sim.truthNow().satelliteFraction;
    sim.startSatelliteShift();
    sim.advance(24 * 5);
    const now = sim.truthNow();
    expect(now.params[1]).toBe(1.5);
    expect(now.satelliteFraction / fractionBefore).toBeGreaterThan(1.5);
    expect(() => sim.rampParameter('nope', 2, 1)).toThrow(/unknown parameter/);
  });
});
