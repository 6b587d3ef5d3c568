/**
 * The EEEC surrogate's validation (issue 19 item 2): trained with the seed's energy-weighted
 * loss and, for comparison, with the plain unweighted maximum-likelihood loss, on jets at
 * masses that leave out 172 and 178 GeV, and checked there (interpolation) against weighted
 * histograms of held-out jets: the projection onto ζ1 over the three-prong region, the
 * equilateral window and the (1, √2) triangle with δ = 0.01, with χ²/ndf.
 */
import { deriveSeed } from '../simulators/types.js';
import { checkSurrogate, trainSurrogate, type Projection, type ProjectionCheck } from './surrogate.js';

export interface SurrogateStudyConfig {
  masses: number[];
  checkedAt: number[];
  jetsPerMass: number;
  heldOutJets: number;
  domain: [number, number];
  hidden: number[];
  epochs: number;
  /** Monte Carlo points per projection of the surrogate */
  points: number;
  seed: number;
}

export const FULL_SURROGATE_STUDY: SurrogateStudyConfig = { masses: [170, 171, 173, 174, 175, 176, 177, 179, 180], checkedAt: [172, 178], jetsPerMass: 300, heldOutJets: 2000, domain: [0.005, 0.06], hidden: [64, 64, 64], epochs: 10, points: 400_000, seed: 20261209 };
export const QUICK_SURROGATE_STUDY: SurrogateStudyConfig = { ...FULL_SURROGATE_STUDY, masses: [170, 175, 180], jetsPerMass: 40, heldOutJets: 200, hidden: [32, 32], epochs: 3, points: 50_000 };

export const SURROGATE_PROJECTIONS: { label: string; projection: Projection }[] = [
  { label: 'ζ1 over the three-prong region', projection: { kind: 'zeta1' } },
  { label: 'equilateral window, δζ = 0.003', projection: { kind: 'equilateral', delta: 0.003 } },
  { label: '(n1, n2) = (1, √2), δ = 0.01', projection: { kind: 'triangle', n1: 1, n2: Math.SQRT2, delta: 0.01 } },
];

/** ζ from a to b in 22 bins: the three-prong region */
export const surrogateEdges = ([a, b]: [number, number]) => Array.from({ length: 23 }, (_, k) => a + ((b - a) * k) / 22);

export interface SurrogateStudy {
  config: SurrogateStudyConfig;
  losses: { weighting: 'energy' | 'unweighted'; triplets: number; seconds: number; parity: number; checks: { mass: number; projections: ProjectionCheck[] }[] }[];
  seconds: number;
}

export function runSurrogateStudy(config: SurrogateStudyConfig, onProgress?: (done: number, total: number) => void): SurrogateStudy {
  const started = performance.now();
  const edges = surrogateEdges(config.domain);
  const losses = (['energy', 'unweighted'] as const).map((weighting, k) => {
    onProgress?.(k, 2);
    const surrogate = trainSurrogate({ masses: config.masses, jetsPerMass: config.jetsPerMass, domain: config.domain, weighting, hidden: config.hidden, epochs: config.epochs, seed: config.seed });
    const checks = config.checkedAt.map((mass) => ({
      mass,
      projections: checkSurrogate(surrogate, mass, config.heldOutJets, SURROGATE_PROJECTIONS.map((p) => p.projection), edges, config.points, deriveSeed(config.seed, `held-out-${mass}`)),
    }));
    return { weighting, triplets: surrogate.triplets, seconds: surrogate.seconds, parity: surrogate.parity?.maxRelativeDifference ?? NaN, checks };
  });
  onProgress?.(2, 2);
  return { config, losses, seconds: (performance.now() - started) / 1000 };
}
