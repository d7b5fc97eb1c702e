/**
 * A small seeded PRNG (mulberry32) with Gaussian draws by Box–Muller, so that the same seed gives the
 * same plant history on every machine. Not for cryptography.
 */
export interface RandomStream {
  /** Uniform on [0, 1). */
  uniform(): number;
  /** Uniform on [lo, hi). */
  between(lo: number, hi: number): number;
  /** Standard normal. */
  normal(): number;
}

export function createRandomStream(seed: number): RandomStream {
  let state = seed >>> 0;
  let spareNormal: number | undefined;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    uniform,
    between: (lo, hi) => lo + (hi - lo) * uniform(),
    normal: () => {
      if (spareNormal !== undefined) {
        const z = spareNormal;
        spareNormal = undefined;
        return z;
      }
      // 1 − u lies in (0, 1], so the logarithm stays finite.
      const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
      const angle = 2 * Math.PI * uniform();
      spareNormal = radius * Math.sin(angle);
      return radius * Math.cos(angle);
    },
  };
}

/**
 * A seed for one purpose (dilution drift, sensor noise, faults, assays). Separate streams mean that,
 * for example, injecting a fault or enabling assays does not shift the noise of every later reading.
 */
export function deriveSeed(seed: number, purpose: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0); // FNV-1a over the purpose, started from the seed
  for (let i = 0; i < purpose.length; i++) h = Math.imul(h ^ purpose.charCodeAt(i), 0x01000193);
  // Final avalanche (murmur3 fmix32) so that neighbouring seeds give unrelated streams.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function createPurposeStream(seed: number, purpose: string): RandomStream {
  return createRandomStream(deriveSeed(seed, purpose));
}
