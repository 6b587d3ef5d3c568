/**
 * Neural ratio estimation of m_t from an EEEC shape (issue 19): calibration on a small run. The
 * HPD regions of the learned posterior cover the true mass of observations drawn from the prior
 * at their nominal rate (within three binomial standard errors), the data narrow the posterior
 * well below the prior's, and a posterior made over-confident fails the same check.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../functions/app.js';
import { fileStore } from '../../functions/node.js';
import { ratioPosterior } from '../../models/inference/posterior.js';
import { parseFrozenNetwork } from '../../models/network/frozen-network.js';
import { parametrisedTerms } from '../../models/terms/unbinned-parametrised.js';
import { createRandom } from '../../models/random.js';
import { expectedCoverage, massGrid, summarisePosterior, trainRatioEstimator } from '../../scripts/eeec/nre.js';
import { simulateObservations, type EeecShape } from '../../scripts/eeec/observations.js';
import { publishEeecTopMass } from '../../scripts/eeec/publish.js';
import { QUICK_EEEC_STUDY } from '../../scripts/eeec/study.js';
import { QUICK_SURROGATE_STUDY } from '../../scripts/eeec/surrogate-study.js';
import { densityAt } from '../../models/service/density.js';
import { eeecTriplets, shapeSummary } from '../../models/observables/energy-correlators.js';
import { generateTopJet } from '../../scripts/simulators/top-jet.js';
import { SUMMARY_EDGES } from '../../scripts/eeec/observations.js';
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

describe('eeec-top-mass, published small (issue 19 item 5)', () => {
  it('its likelihood is the ratio estimator: POST …/posterior gives exactly ratioPosterior of the published network on the observed summary; the page shows the coverage table; POST …/density serves the surrogate', async () => {
    const root = await mkdtemp(join(tmpdir(), 'eeec-'));
    try {
      const config = { ...QUICK_EEEC_STUDY, observations: { train: 200, test: 50, workingPoint: 5 }, jets: 20 };
      const surrogate = { ...QUICK_SURROGATE_STUDY, masses: [170, 180], jetsPerMass: 10, epochs: 1 };
      await publishEeecTopMass({ out: root, version: '0.0.1', shape: { kind: 'triangle', n1: 1, n2: 1.5, delta: 0.01 }, config, surrogate });
      const app = createApp(fileStore(root));
      const res = await app.request('/v1/likelihoods/eeec-top-mass/posterior', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ points: 101 }) });
      expect(res.status).toBe(200);
      const body = await res.json();
      const manifest = await (await app.request('/v1/likelihoods/eeec-top-mass')).json();
      expect(manifest.observables).toHaveLength(20);
      // the network and the observed event as the service loaded them, evaluated directly: no likelihood, no term
      const { likelihood } = await fileStore(root).load('eeec-top-mass', '0.0.1');
      const [term] = parametrisedTerms(likelihood);
      const expected = ratioPosterior(term.events.network, Array.from(term.events.observed!.values).slice(0, 20), Float64Array.from(body.grid));
      body.density.forEach((p: number, k: number) => expect(p).toBeCloseTo(expected[k], 9));
      const page = await (await app.request('/likelihoods/eeec-top-mass@0.0.1')).text();
      expect(page).toContain('Expected coverage of the HPD regions');
      // the surrogate beside it: POST …/density is the network's e^f/(ζ1ζ2ζ3); outside its region, refused
      const densityOf = (points: unknown) => app.request('/v1/likelihoods/eeec-top-mass/density', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ points }) });
      const points = [{ zeta1: 0.01, zeta2: 0.02, zeta3: 0.03, mt: 172 }, { zeta1: 0.006, zeta2: 0.04, zeta3: 0.05, mt: 178 }];
      const served = await (await densityOf(points)).json();
      const loaded = await fileStore(root).load('eeec-top-mass', '0.0.1');
      const direct = densityAt(loaded.densities![0].network, 'log', 3, Float64Array.from(points.flatMap((p) => [p.zeta1, p.zeta2, p.zeta3, p.mt])), 2);
      expect(served.values).toEqual(Array.from(direct));
      expect((await (await densityOf([{ zeta1: 0.03, zeta2: 0.02, zeta3: 0.05, mt: 172 }])).json()).code).toBe('outside-selection');
      // an observation sent as its jets: the service makes the summary the term declares, and the posterior is the summary's
      const random = createRandom(9);
      const jets = Array.from({ length: 20 }, () => generateTopJet(172.5, random));
      const summary = shapeSummary(jets.map((j) => eeecTriplets(j.constituents, j.count, 2000)), { kind: 'triangle', n1: 1, n2: 1.5, delta: 0.01 }, SUMMARY_EDGES, true).summary;
      const postBody = (body: unknown) => app.request('/v1/likelihoods/eeec-top-mass/posterior', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const fromJets = await (await postBody({ jets: jets.map((j) => Array.from({ length: j.count }, (_, c) => Array.from(j.constituents.subarray(4 * c, 4 * c + 4)))) })).json();
      const fromSummary = await (await postBody({ data: { events: [Array.from(summary)] } })).json();
      expect(fromJets.density).toEqual(fromSummary.density);
      expect(fromJets.hpd).toEqual(fromSummary.hpd);
      const badJet = await postBody({ jets: [[[0, 0, 0, 0], [1, 1, 0, 0], [1, 0, 1, 0]]] });
      expect((await badJet.json()).code).toBe('invalid-dataset');
      const both = await postBody({ jets: [[[1, 1, 0, 0], [1, 0, 1, 0], [1, 0, 0, 1]]], data: 'observed' });
      expect(both.status).toBe(422);
      const none = await app.request('/v1/likelihoods/eeec-top-mass/density', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ density: 'nope', points }) });
      expect(none.status).toBe(422);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
