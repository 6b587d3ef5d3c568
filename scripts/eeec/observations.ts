/**
 * Simulated observations for neural ratio estimation of m_t (seed 002, "Observable
 * optimization"; issue 19): an observation is `jets` top jets of one mass
 * (scripts/simulators/top-jet.ts), summarised per shape by its EEEC projected onto ζ1 (or
 * onto the mean side for the equilateral window) in the three-prong region, normalised to unit
 * sum, so that the summary carries the shape of the distribution and not the jets' count.
 */
import { eeecTriplets, shapeSummary, type EeecShape } from '../../models/observables/energy-correlators.js';
import { createRandom } from '../../models/random.js';
import { generateTopJet } from '../simulators/top-jet.js';
import { deriveSeed } from '../simulators/types.js';

export type { EeecShape } from '../../models/observables/energy-correlators.js';

/** The projections' bins: ζ from 0.010 to 0.040 (the three-prong peak at 3 m_t²/Q² ≈ 0.022-0.024 and its tails) in 20 bins. */
export const SUMMARY_EDGES = Array.from({ length: 21 }, (_, k) => 0.01 + 0.0015 * k);

export function shapeLabel(shape: EeecShape): string {
  return shape.kind === 'equilateral' ? `equilateral, δ = ${shape.delta}` : `(n1, n2) = (${shape.n1}, ${shape.n2}), δ = ${shape.delta}`;
}

export interface Observations {
  count: number;
  masses: Float64Array;
  /** per shape, count × bins summaries */
  summaries: Float64Array[];
  bins: number;
  /** per shape, the mean EEEC weight an observation puts in the window (how populated the shape is) */
  populated: number[];
}

/**
 * `masses.length` observations of `jets` jets each, summarised for every shape from the same
 * jets (normalised to unit sum, or with `normalise` false the EEEC weight itself). Each
 * observation draws from its own stream (seed, index), so any subset reproduces.
 */
export function simulateObservations(masses: Float64Array, jets: number, shapes: EeecShape[], seed: number, Q = 2000, normalise = true): Observations {
  const bins = SUMMARY_EDGES.length - 1;
  const count = masses.length;
  const summaries = shapes.map(() => new Float64Array(count * bins));
  const populated = shapes.map(() => 0);
  for (let o = 0; o < count; o++) {
    const random = createRandom(deriveSeed(seed, `observation-${o}`));
    const triplets = Array.from({ length: jets }, () => {
      const jet = generateTopJet(masses[o], random, { Q });
      return eeecTriplets(jet.constituents, jet.count, Q);
    });
    shapes.forEach((shape, s) => {
      const { summary, total } = shapeSummary(triplets, shape, SUMMARY_EDGES, normalise);
      summaries[s].set(summary, o * bins);
      populated[s] += total / count;
    });
  }
  return { count, masses, summaries, bins, populated };
}
