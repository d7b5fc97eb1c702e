/**
 * The model-mismatch signal over window fits: quiet on white residuals of any size, firing on
 * structure planted mid-run (and dating it near the plant), naming the signals; and firing when a
 * hybrid's network term grows beyond what it added in training, naming the rate.
 */
import { describe, expect, it } from 'vitest';
import { chiSquareSurvival, ljungBox, modelMismatch, type WindowResiduals } from '../../assimilation';
import { createRandomStream } from '../../simulator/seeded-random';

/** Deterministic standard normals (the simulator's seeded stream). */
function normals(seed: number): () => number {
  const stream = createRandomStream(seed);
  return () => stream.normal();
}

/** Hourly windows of 15-minute od and substrate residuals; `misfit(t)` is added after `fromH`. */
function windows(
  hours: number,
  seed: number,
  scale: number,
  misfit: (t: number) => number,
): WindowResiduals[] {
  const noise = normals(seed);
  const out: WindowResiduals[] = [];
  for (let end = 1; end <= hours; end++) {
    const timeH: number[] = [];
    const signal: string[] = [];
    const value: number[] = [];
    for (let t = end - 0.75; t <= end + 1e-9; t += 0.25) {
      for (const s of ['od', 'substrate']) {
        timeH.push(t);
        signal.push(s);
        value.push(scale * noise() + misfit(t));
      }
    }
    out.push({ windowEndH: end, residuals: { timeH, signal, value } });
  }
  return out;
}

describe('the model-mismatch signal', () => {
  it('has a Ljung–Box statistic and χ² tail as tabulated', () => {
    expect(chiSquareSurvival(18.307, 10)).toBeCloseTo(0.05, 4);
    expect(chiSquareSurvival(3.841, 1)).toBeCloseTo(0.05, 4);
    expect(ljungBox([1, 1, 1, 1], 1)).toBeCloseTo(4 * 6 * (0.75 ** 2 / 3));
  });

  it('stays quiet on white residuals over 30 days, whether σ is right, too large or too small', () => {
    for (const [seed, scale] of [
      [1, 1],
      [2, 0.5],
      [3, 2],
    ]) {
      const report = modelMismatch(windows(30 * 24, seed, scale, () => 0));
      expect(report.explained, `seed ${seed}`).toBe(true);
      expect(report.firedAtH).toBeNull();
    }
  });

  it('fires on a smooth misfit planted at day 3, dated near it, naming the signal', () => {
    const onset = 72;
    const report = modelMismatch(
      windows(6 * 24, 4, 1, (t) => (t > onset ? 1.2 * Math.sin((2 * Math.PI * t) / 9) : 0)),
    );
    expect(report.explained).toBe(false);
    expect(report.firedAtH!).toBeGreaterThan(onset);
    expect(report.firedAtH!).toBeLessThan(onset + 24);
    expect(report.sinceH!).toBeGreaterThanOrEqual(onset);
    expect(report.sinceH!).toBeLessThanOrEqual(report.firedAtH!);
    expect(report.signals.length).toBeGreaterThan(0);
    const before = report.points.filter((p) => p.windowEndH <= onset && p.pValue !== null);
    expect(before.every((p) => p.pValue! > 1e-4)).toBe(true);
  });

  it('fires when a hybrid network term grows beyond its training contribution', () => {
    const w = windows(48, 5, 1, () => 0).map((window) => ({
      ...window,
      networkTerms: { 'Y per Y': window.windowEndH > 30 ? 0.05 : 0.005, 'A per Y': 0.001 },
    }));
    const report = modelMismatch(w, undefined, { 'Y per Y': 0.01, 'A per Y': 0.001 });
    expect(report.explained).toBe(false);
    // The median over the last 24 windows passes 3× once more than half of them are beyond: 43 h.
    expect(report.sinceH).toBe(43);
    expect(report.rates).toEqual(['Y per Y']);
  });

  it("does not take a hybrid chain's cold start, or one odd window, for growth", () => {
    const w = windows(48, 6, 1, () => 0).map((window) => ({
      ...window,
      // The first windows fitted from a poor guess lean on the network; one window later spikes.
      networkTerms: { 'Y per Y': window.windowEndH <= 4 || window.windowEndH === 40 ? 0.2 : 0.01 },
    }));
    const report = modelMismatch(w, undefined, { 'Y per Y': 0.01 });
    expect(report.alarmsAtH).toEqual([]);
    expect(report.points.every((p) => p.grownRates.length === 0)).toBe(true);
  });
});
