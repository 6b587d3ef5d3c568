/**
 * Seeded pseudo-random numbers for toys, simulators and reference samples: every
 * random stream in the project comes from here, so a seed reproduces it exactly.
 * The generator is xoshiro128** (Blackman & Vigna), seeded through splitmix32.
 */
import gammaln from '@stdlib/math-base-special-gammaln';

export interface Random {
  /** uniform on [0, 1) with 53 random bits */
  uniform(): number;
  /** standard normal */
  normal(): number;
  /** Poisson-distributed integer with the given mean ≥ 0 */
  poisson(mean: number): number;
  /** the seed this stream started from */
  readonly seed: number;
}

export function createRandom(seed: number): Random {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  // splitmix32 fills the 128-bit state; a zero state is impossible since splitmix never yields four zeros.
  let sm = (seed ^ Math.floor(seed / 2 ** 32)) >>> 0;
  const splitmix = () => {
    sm = (sm + 0x9e3779b9) >>> 0;
    let z = sm;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let s0 = splitmix(), s1 = splitmix(), s2 = splitmix(), s3 = splitmix();
  const next = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };
  const uniform = () => ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992;

  let spare = NaN;
  const normal = () => {
    if (!Number.isNaN(spare)) {
      const v = spare;
      spare = NaN;
      return v;
    }
    // Marsaglia's polar method
    let u: number, v: number, s: number;
    do {
      u = 2 * uniform() - 1;
      v = 2 * uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    spare = v * f;
    return u * f;
  };

  const poisson = (mean: number): number => {
    if (!(mean >= 0) || !Number.isFinite(mean)) throw new RangeError(`Poisson mean must be finite and ≥ 0, got ${mean}`);
    if (mean === 0) return 0;
    if (mean < 10) {
      // inversion by sequential search
      let k = 0;
      let p = Math.exp(-mean);
      let cdf = p;
      const u = uniform();
      while (u > cdf && k < 1000) {
        k++;
        p *= mean / k;
        cdf += p;
      }
      return k;
    }
    return poissonPtrs(mean, uniform);
  };

  return { uniform, normal, poisson, seed };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Hörmann's transformed rejection with squeeze (PTRS, 1993), exact for mean ≥ 10. */
function poissonPtrs(mean: number, uniform: () => number): number {
  const slam = Math.sqrt(mean);
  const loglam = Math.log(mean);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const U = uniform() - 0.5;
    const V = uniform();
    const us = 0.5 - Math.abs(U);
    const k = Math.floor(((2 * a) / us + b) * U + mean + 0.43);
    if (us >= 0.07 && V <= vr) return k;
    if (k < 0 || (us < 0.013 && V > us)) continue;
    if (Math.log(V) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -mean + k * loglam - gammaln(k + 1)) return k;
  }
}
