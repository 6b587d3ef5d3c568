/**
 * Beyond seed 004 (issue 18 item 5): the same simulation-level top-mass data fitted with our
 * likelihood machinery, a binned template likelihood of m_b1μν. Templates are simulated at
 * M_t = 170, 172.5, 175, 177.5 and 180 GeV, and each bin's expected count is a quadratic in
 * M_t − 172.5 fitted to them by least squares (the binned engine's polynomial templates,
 * models/terms/binned); the expected counts are per generated t t̄ event times the data's
 * generated events, so the selection's dependence on M_t is included. The fit gives M̂_t with a
 * profile-likelihood interval, and Poisson toys drawn from the template at 175 GeV give its
 * coverage. The templates' own Monte Carlo error is neglected (they hold five times the data's
 * events at each mass).
 */
import { empiricalCoverage, type CoverageEstimate } from '../../models/inference/coverage.js';
import { profileInterval } from '../../models/inference/intervals/profile.js';
import { maximumLikelihood } from '../../models/inference/mle.js';
import { resolveDataset, toyDataset } from '../../models/likelihood/datasets.js';
import { createLikelihood } from '../../models/likelihood/likelihood.js';
import { interestParameter } from '../../models/likelihood/term.js';
import { invert } from '../../models/numeric/linear-algebra.js';
import { createRandom } from '../../models/random.js';
import { compileBinnedModel } from '../../models/terms/binned/term.js';
import { generateTopPairs } from '../simulators/top-pair.js';
import { deriveSeed } from '../simulators/types.js';

/** m_b1μν bins at simulation level: the events without a neutrino solution (mass 0), 12 bins of 10 GeV, and the tails. */
export const MB1MUNU_EDGES = [0, 1, 120, 130, 140, 150, 160, 170, 180, 190, 200, 210, 220, 230, 240, Infinity];
const MASSES = [170, 172.5, 175, 177.5, 180];

export interface TopTemplateFit {
  best: number;
  /** the 68.27% interval's ends */
  interval: [number, number];
  coverage: CoverageEstimate[];
  toys: number;
  failed: number;
}

function binOf(value: number): number {
  let b = 0;
  while (b < MB1MUNU_EDGES.length - 2 && value >= MB1MUNU_EDGES[b + 1]) b++;
  return b;
}

/** Counts of m_b1μν (column 0 of the simulation-level rows) per bin. */
export function mb1munuHistogram(simulation: Float64Array): number[] {
  const counts = new Array<number>(MB1MUNU_EDGES.length - 1).fill(0);
  for (let i = 0; i < simulation.length; i += 4) counts[binOf(simulation[i])]++;
  return counts;
}

/** The template likelihood's fit, interval and coverage on the simulation-level data (`data`, from `generated` t t̄ events). */
export function topTemplateFit(data: Float64Array, generated: number, options: { templateEvents: number; toys: number; seed: number }): TopTemplateFit {
  const random = createRandom(deriveSeed(options.seed, 'templates'));
  const perEvent = MASSES.map((m) => mb1munuHistogram(generateTopPairs(m, options.templateEvents, random).simulation).map((c) => (c * generated) / options.templateEvents));
  // per bin, c0 + c1 Δ + c2 Δ² through the five masses by least squares (Δ = M_t − 172.5)
  const coefficients = perEvent[0].map((_, b) => quadraticFit(MASSES.map((m) => m - 172.5), perEvent.map((h) => h[b])));
  const spec = { parameters: ['mt'], degree: 2, reference: [172.5], channels: [{ name: 'mb1munu', samples: [{ name: 'ttbar', coefficients, modifiers: [] }] }] };
  const term = compileBinnedModel('mb1munu', spec, { mb1munu: mb1munuHistogram(data) });
  const likelihood = createLikelihood([interestParameter('mt', 172.5, [170, 180])], [term], 1);
  const observed = resolveDataset(likelihood, { kind: 'observed' });
  const fit = maximumLikelihood(likelihood, observed);
  const interval = profileInterval(likelihood, observed, 'mt', [0.6827]).intervals[0].segments[0];
  const truth = Float64Array.of(175);
  const toyRandom = createRandom(deriveSeed(options.seed, 'toys'));
  const run = empiricalCoverage(likelihood, truth, [0.6827, 0.9545], options.toys, () => toyDataset(likelihood, truth, observed, toyRandom));
  return { best: fit.parameters[0], interval: [interval.lower, interval.upper], coverage: run.estimates, toys: options.toys, failed: run.failed };
}

/** [c0, c1, c2] of the least-squares quadratic through (x, y), from its normal equations. */
function quadraticFit(x: number[], y: number[]): number[] {
  const gram = new Float64Array(9);
  const moments = [0, 0, 0];
  x.forEach((v, i) => {
    for (let j = 0; j < 3; j++) {
      moments[j] += y[i] * v ** j;
      for (let k = 0; k < 3; k++) gram[j * 3 + k] += v ** (j + k);
    }
  });
  const inverse = invert(gram, 3)!;
  return [0, 1, 2].map((j) => inverse[j * 3] * moments[0] + inverse[j * 3 + 1] * moments[1] + inverse[j * 3 + 2] * moments[2]);
}
