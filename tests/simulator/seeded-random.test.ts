import { describe, expect, it } from 'vitest';
import { createPurposeStream, createRandomStream, deriveSeed } from '../../simulator/seeded-random';

describe('seeded random streams', () => {
  it('repeat exactly for the same seed and differ for another', () => {
    const draw = (seed: number) => {
      const rng = createRandomStream(seed);
      return Array.from({ length: 50 }, () => [rng.uniform(), rng.normal()]).flat();
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(43)).not.toEqual(draw(42));
  });

  it('give independent streams per purpose', () => {
    expect(deriveSeed(1, 'sensor-noise')).not.toBe(deriveSeed(1, 'assays'));
    expect(deriveSeed(1, 'assays')).not.toBe(deriveSeed(2, 'assays'));
    const a = createPurposeStream(1, 'dilution').uniform();
    expect(createPurposeStream(1, 'dilution').uniform()).toBe(a);
  });

  it('draw uniforms in [0, 1) and standard normals with mean 0 and σ 1', () => {
    const rng = createRandomStream(7);
    const count = 100_000;
    let sum = 0;
    let sumSq = 0;
    let outside = 0;
    for (let i = 0; i < count; i++) {
      const u = rng.uniform();
      const z = rng.normal();
      if (!(u >= 0 && u < 1) || !Number.isFinite(z)) outside++;
      sum += z;
      sumSq += z * z;
    }
    expect(outside).toBe(0);
    const mean = sum / count;
    const sd = Math.sqrt(sumSq / count - mean * mean);
    expect(Math.abs(mean)).toBeLessThan(4 / Math.sqrt(count));
    expect(Math.abs(sd - 1)).toBeLessThan(0.01);
  });
});
