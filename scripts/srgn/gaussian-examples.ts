/**
 * The Gaussian examples of seed 004 sec. III A, each a generator (x_G at θ) and a detector
 * (x_S given x_G), with the exact reweighting function where it is known:
 *
 * - `gaussian-1d`: x_G ~ N(μ, 1), x_S = x_G + N(0, ε²), ε = 0.5; μ0 = 0, μ ∈ [−2, 2]; exact
 *   w(x_G, μ) = exp{[(x_G − μ0)² − (x_G − μ)²]/2} (eq. 10). Target μ = 1 (table I).
 * - `gaussian-2d`: x_G ~ N(μ, σ²), the same detector; (μ0, σ0) = (0, 1), μ ∈ [−2, 2],
 *   σ ∈ [0.25, 4]; w = (σ0/σ) exp{½[((x_G − μ0)/σ0)² − ((x_G − μ)/σ)²]} (eq. 11). Target
 *   (−1, 0.75) (table II).
 * - `generator-dependent-detector` (fig. 4): x_G,0 ~ N(μ, 1), x_G,1 ~ N(0, ν²) with
 *   ν = (ω0 + ω1 μ)², ω0 = 0.7, ω1 = 0.2, and x_S = x_G,0 + N(4|x_G,1|, x_G,1⁴): the detector's
 *   shift and smearing depend on the secondary feature, so reweighting x_G,0 alone cannot
 *   reproduce x_S, while the full phase space (x_G,0, x_G,1) can (eq. 7-9).
 */
import type { Random } from '../../models/random.js';

export interface SrgnParameter {
  name: string;
  /** θ0: the nominal sample's value */
  nominal: number;
  /** the range the reweighting is trained on (and the fit's bounds) */
  range: [number, number];
  /** the value the fitted data are drawn at */
  target: number;
}

export interface SrgnExample {
  id: string;
  title: string;
  parameters: SrgnParameter[];
  generatorFeatures: string[];
  simulationFeatures: string[];
  /**
   * n events at θ: generator-level rows (n × G) and, from the same events, simulation-level rows
   * (S per row) of the events the detector accepts: those listed in `accepted`, or all of them
   */
  generate(theta: ArrayLike<number>, n: number, random: Random): { generator: Float64Array; simulation: Float64Array; accepted?: Int32Array };
}

/** An example whose reweighting is known in closed form. */
export interface GaussianExample extends SrgnExample {
  /** p(x_G|θ)/p(x_G|θ0) of one generator-level row (eq. 10, 11; the product of the two features' ratios for fig. 4) */
  exactWeight(generatorRow: ArrayLike<number>, theta: ArrayLike<number>): number;
}

const SMEARING = 0.5;

/** n events x_G ~ N(μ, σ²) and x_S = x_G + N(0, ε²) (the detector of tables I and II). */
function smearedGaussian(mu: number, sigma: number, n: number, random: Random): { generator: Float64Array; simulation: Float64Array } {
  const generator = new Float64Array(n);
  const simulation = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    generator[i] = mu + sigma * random.normal();
    simulation[i] = generator[i] + SMEARING * random.normal();
  }
  return { generator, simulation };
}

export const gaussian1d: GaussianExample = {
  id: 'gaussian-1d',
  title: 'one-dimensional Gaussian, μ (eq. 10, table I)',
  parameters: [{ name: 'mu', nominal: 0, range: [-2, 2], target: 1 }],
  generatorFeatures: ['x_G'],
  simulationFeatures: ['x_S'],
  generate: (theta, n, random) => smearedGaussian(theta[0], 1, n, random),
  exactWeight: (x, theta) => Math.exp((x[0] ** 2 - (x[0] - theta[0]) ** 2) / 2),
};

export const gaussian2d: GaussianExample = {
  id: 'gaussian-2d',
  title: 'one-dimensional Gaussian, μ and σ (eq. 11, table II)',
  parameters: [
    { name: 'mu', nominal: 0, range: [-2, 2], target: -1 },
    { name: 'sigma', nominal: 1, range: [0.25, 4], target: 0.75 },
  ],
  generatorFeatures: ['x_G'],
  simulationFeatures: ['x_S'],
  generate: (theta, n, random) => smearedGaussian(theta[0], theta[1], n, random),
  exactWeight: (x, theta) => (1 / theta[1]) * Math.exp(0.5 * (x[0] ** 2 - ((x[0] - theta[0]) / theta[1]) ** 2)),
};

const OMEGA = [0.7, 0.2];
/** ν(μ) = (ω0 + ω1 μ)², the secondary feature's width */
const secondaryWidth = (mu: number) => (OMEGA[0] + OMEGA[1] * mu) ** 2;

export const generatorDependentDetector: GaussianExample = {
  id: 'generator-dependent-detector',
  title: 'a detector whose response depends on a secondary generator-level feature (fig. 4)',
  parameters: [{ name: 'mu', nominal: 0, range: [-2, 2], target: 1.5 }],
  generatorFeatures: ['x_G0', 'x_G1'],
  simulationFeatures: ['x_S'],
  generate(theta, n, random) {
    const generator = new Float64Array(2 * n);
    const simulation = new Float64Array(n);
    const nu = secondaryWidth(theta[0]);
    for (let i = 0; i < n; i++) {
      const primary = theta[0] + random.normal();
      const secondary = nu * random.normal();
      generator[2 * i] = primary;
      generator[2 * i + 1] = secondary;
      simulation[i] = primary + 4 * Math.abs(secondary) + secondary * secondary * random.normal();
    }
    return { generator, simulation };
  },
  exactWeight(x, theta) {
    const nu = secondaryWidth(theta[0]);
    const nu0 = secondaryWidth(0);
    return Math.exp((x[0] ** 2 - (x[0] - theta[0]) ** 2) / 2) * (nu0 / nu) * Math.exp(0.5 * x[1] ** 2 * (1 / nu0 ** 2 - 1 / nu ** 2));
  },
};

export const SRGN_EXAMPLES = [gaussian1d, gaussian2d, generatorDependentDetector];
