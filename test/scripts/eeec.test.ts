/**
 * Neural ratio estimation of m_t from an EEEC shape (issue 19): calibration on a small run. The
 * HPD regions of the learned posterior cover the true mass of observations drawn from the prior
 * at their nominal rate (within three binomial standard errors), the data narrow the posterior
 * well below the prior's, and a posterior made over-confident fails the same check.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseFrozenNetwork } from '../../models/network/frozen-network.js';
import { createRandom } from '../../models/random.js';
import { expectedCoverage, massGrid, summarisePosterior, trainRatioEstimator } from '../../scripts/eeec/nre.js';
import { simulateObservations, type EeecShape } from '../../scripts/eeec/observations.js';
import { selectBackend } from '../../scripts/training/backend.js';

beforeAll(async () => {
  await selectBackend({ log: null });
});

describe('neural ratio estimation of m_t from the (1, √2) triangle shape', () => {
  it('is calibrated: HPD regions at 50, 68 and 95% cover the truth of 300 observations at their level; an over-confident copy does not', () => {
    const random = createRandom(1);
    const masses = Float64Array.from({ length: 800 }, () => 170 + 10 * random.uniform());
    const truths = Float64Array.from({ length: 300 }, () => 170 + 10 * random.uniform());
    const shapes: EeecShape[] = [{ kind: 'triangle', n1: 1, n2: Math.SQRT2, delta: 0.01 }];
    const train = simulateObservations(masses, 100, shapes, 1);
    const test = simulateObservations(truths, 100, shapes, 101);
    const grid = massGrid([170, 180], 0.05);
    const estimator = trainRatioEstimator(train.summaries[0], masses, train.bins, { seed: 1, epochs: 30 });
    const levels = [0.5, 0.68, 0.95];
    const { coverage } = expectedCoverage(estimator, test.summaries[0], truths, test.bins, grid, levels);
    for (const c of coverage) expect(Math.abs(c.coverage - c.level), `at ${c.level}: ${c.coverage} ± ${c.error}`).toBeLessThan(3 * Math.sqrt((c.level * (1 - c.level)) / c.observations));
    // informative: the 68% regions are narrower than the prior's 68% (half-width 3.4 GeV)
    const halfWidths = Array.from(truths, (_, i) => summarisePosterior(estimator, test.summaries[0].subarray(i * test.bins, (i + 1) * test.bins), grid).halfWidth68);
    expect(halfWidths.reduce((a, b) => a + b, 0) / halfWidths.length).toBeLessThan(2.8);
    // the same network with its logit doubled: p² normalised, a posterior about √2 too narrow
    const sharp = parseFrozenNetwork({
      ...estimator.network,
      members: estimator.network.members.map((m) => ({ layers: m.layers.map((layer, l) => (l === m.layers.length - 1 ? { ...layer, kernel: layer.kernel.map((w) => 2 * w), bias: layer.bias.map((b) => 2 * b) } : layer)) })),
    });
    const over = expectedCoverage({ ...estimator, network: sharp }, test.summaries[0], truths, test.bins, grid, [0.68]).coverage[0];
    expect(0.68 - over.coverage).toBeGreaterThan(3 * Math.sqrt((0.68 * 0.32) / 300));
  });
});
