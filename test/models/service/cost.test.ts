/**
 * The cost model and the work meter (issue 24): requests over the budget are refused before
 * any work with what they would cost and what to change; estimates grow with what a request
 * asks for; an accepted computation that runs past its allowance is stopped, as a `deadline`
 * failure, instead of holding the isolate. (Whether estimates match measured times is the
 * calibration bench's business, `npm run bench:cost`, not a timed test's.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { charge, metered, WorkLimitError } from '../../../models/likelihood/work-meter.js';
import { budgeted, Cost, DEFAULT_BUDGET, eventCounts, likelihoodSizes, setBudget } from '../../../models/service/cost.js';
import type { EvaluationOrder } from '../../../models/likelihood/term.js';
import { monomialBasis } from '../../../models/basis/monomial-basis.js';
import { createRandom } from '../../../models/random.js';
import { networkUnits } from '../../../models/ratio/ratio-model.js';
import { createUnbinnedParametrisedTerm } from '../../../models/terms/unbinned-parametrised.js';
import { interest } from '../../helpers/toy-likelihood.js';
import { randomNetwork } from '../../helpers/random-network.js';
import { ServiceError } from '../../../models/service/errors.js';
import { nll } from '../../../models/service/evaluate.js';
import { fit, interval } from '../../../models/service/fit.js';
import { IntervalRequestSchema, NllRequestSchema, FitRequestSchema } from '../../../models/service/schemas.js';
import { readPublished } from '../../../scripts/lib/artifact-writer.js';

const lbb = await readPublished('likelihoods', 'atlas-1lbb');
const dy = await readPublished('likelihoods', 'dy-smeft-run3');
const toy = await readPublished('likelihoods', 'gaussian-toy-truth');

afterEach(() => setBudget(DEFAULT_BUDGET));

function failure(f: () => unknown): ServiceError['failure'] {
  try {
    f();
  } catch (error) {
    if (error instanceof ServiceError) return error.failure;
    throw error;
  }
  throw new Error('expected a ServiceError');
}

describe('the cost model', () => {
  it('refuses the costly requests of the attack report before any work, saying what they would cost and what to change', () => {
    const points = Array.from({ length: 10_000 }, (_, k) => ({ mu_SIG: (k % 100) / 20 }));
    // refused from sizes alone: not one −ln L evaluation is counted
    const { result: profiled, spent } = metered(Infinity, 60_000, () => failure(() => nll(lbb, NllRequestSchema.parse({ points, profile: true }))));
    expect(spent).toBe(0);
    expect(profiled).toMatchObject({ kind: 'too-costly', code: 'too-costly' });
    expect(profiled.message).toMatch(/would take about [0-9.]+ s of CPU; one request may take 15\.0 s: ask for fewer points per request: about [0-9]+ of the 10000 would fit/);
    const contour = failure(() => interval(dy, IntervalRequestSchema.parse({ parameters: ['C_lq1', 'C_lq3'], points: 81, method: 'scan' })));
    expect(contour.message).toMatch(/ask for fewer grid points per axis: about [0-9]+ of the 81 would fit/);
    // by root finding, points is the check grid's: 81² profile fits are refused as well
    const rays = failure(() => interval(dy, IntervalRequestSchema.parse({ parameters: ['C_lq1', 'C_lq3'], points: 81 })));
    expect(rays.message).toMatch(/ask for fewer check-grid points per axis: about [0-9]+ of the 81 would fit/);
  });

  it('accepts the defaults on every published likelihood shape, and grows with the points, the grid and the ensemble', () => {
    const sizes = likelihoodSizes(dy.likelihood, () => 1000);
    const scan = (points: number) => new Cost(sizes).coldFit().warmFits(points).estimate().cpuMs;
    expect(scan(401)).toBeGreaterThan(scan(61));
    const members = likelihoodSizes(dy.likelihood, () => 1000).variants;
    expect(members).toBe(4);
    expect(new Cost(sizes).coldFit(members).estimate().units).toBeCloseTo(members * new Cost(sizes).coldFit(1).estimate().units, 6);
    // what clients send today keeps working: a fit and a default interval on the truth toy
    expect(fit(toy, FitRequestSchema.parse({})).converged).toBe(true);
    expect(interval(toy, IntervalRequestSchema.parse({ parameters: ['theta'] })).converged).toBe(true);
  });

  it('a default grid shrinks to fit the budget, an explicit one is refused', async () => {
    const mll = await readPublished('likelihoods', 'dy-smeft-run3-mll');
    setBudget({ cpuMs: 120 });
    // The grid shrinks by the estimate, before any work. The run then shares an outer meter with a
    // generous clock: the inner one's wall-clock deadline (twice 120 ms) would fail on a loaded machine.
    const { result: contour } = metered(Infinity, 600_000, () => interval(mll, IntervalRequestSchema.parse({ parameters: ['C_lq1', 'C_eu'], data: 'asimov', method: 'scan' })));
    expect('grid' in contour && contour.grid.x.length).toBeLessThan(41);
    expect('grid' in contour && contour.grid.x.length).toBeGreaterThanOrEqual(11);
    expect(contour.converged).toBe(true);
    expect(failure(() => interval(mll, IntervalRequestSchema.parse({ parameters: ['C_lq1', 'C_eu'], points: 41, method: 'scan' }))).kind).toBe('too-costly');
  });

  it('a lower budget refuses what the default accepts', () => {
    setBudget({ cpuMs: 1 });
    expect(failure(() => fit(toy, FitRequestSchema.parse({}))).kind).toBe('too-costly');
  });
});

describe('the work meter', () => {
  it('counts every −ln L evaluation and stops a computation at its allowance', () => {
    const { spent } = metered(Infinity, 60_000, () => fit(toy, FitRequestSchema.parse({})));
    expect(spent).toBeGreaterThan(0);
    // inside a use case the stop is the service's deadline failure
    expect(failure(() => metered(spent / 2, 60_000, () => fit(toy, FitRequestSchema.parse({})))).kind).toBe('deadline');
    expect(() => metered(1, 60_000, () => charge(2))).toThrow(WorkLimitError);
  });

  it('a computation that runs past twice the budget is a deadline failure, and the next one runs', () => {
    const cost = new Cost(likelihoodSizes(toy.likelihood, () => 1)).evaluations(1, 0);
    const stopped = failure(() =>
      budgeted(cost, 'ask for less', () => {
        for (;;) charge(1e9);
      }),
    );
    expect(stopped.kind).toBe('deadline');
    expect(stopped.message).toMatch(/stopped: the computation reached its allowance/);
    expect(fit(toy, FitRequestSchema.parse({})).converged).toBe(true);
  });
});

describe('the price of a θ-parametrised term (a network of (x, θ))', () => {
  const random = createRandom(31);
  const P = 1;
  const termWith = (members: number) =>
    createUnbinnedParametrisedTerm({
      name: 'param',
      parameters: [interest('theta', [-2, 2], 0)],
      basis: monomialBasis(P, 2),
      sigma0: 1,
      crossSection: Float64Array.of(1, 0.1, 0.2),
      normalisation: 'none',
      events: { network: randomNetwork(random, { inputs: 2 + P, hidden: [64, 64], raw: 1, head: { kind: 'identity' }, activations: ['swish', 'tanh', 'linear'], members }), observables: ['x1', 'x2'], reference: { count: 10, values: new Float64Array(20), weights: null }, observed: null },
    });
  const one = termWith(1);
  const four = termWith(4);
  const macs = networkUnits(one.events.network);
  const fixed = (term: typeof one, order: EvaluationOrder) => term.evaluationUnits(order, 0);

  it('grows in proportion to the events and to the ensemble members, at every order', () => {
    for (const order of [0, 1, 2] as EvaluationOrder[]) {
      const perEvent = (term: typeof one, events: number) => term.evaluationUnits(order, events) - fixed(term, order);
      expect(perEvent(one, 1000)).toBeGreaterThan(0);
      expect(perEvent(one, 2000)).toBeCloseTo(2 * perEvent(one, 1000), 6);
      expect(perEvent(four, 1000) / perEvent(one, 1000)).toBeCloseTo(4, 1);
    }
  });

  it('prices a pass per multiply-add near what it takes: below the former 0.8 (value) and 2 a channel (derivatives), above half of it', () => {
    const perMac = (order: EvaluationOrder) => (one.evaluationUnits(order, 1000) - fixed(one, order)) / (1000 * macs);
    // measured, in units: 0.26-0.38 for the value, 1.6-2.0 with the gradient (2 channels), 2.0-2.4 with the Hessian (3)
    expect(perMac(0)).toBeGreaterThan(0.3);
    expect(perMac(0)).toBeLessThan(0.8);
    expect(perMac(1)).toBeGreaterThan(1.6);
    expect(perMac(1)).toBeLessThan(2 * 2);
    expect(perMac(2)).toBeGreaterThan(2.2);
    expect(perMac(2)).toBeLessThan(2 * 3);
  });

  it('accepts a default fit and interval on srgn-gaussian-2d, refused as too costly before', async () => {
    const gaussian = await readPublished('likelihoods', 'srgn-gaussian-2d');
    // an outer meter of one unit stops an accepted request at its first evaluation (a deadline); a refused one never starts
    const stopped = (f: () => unknown) => failure(() => metered(1, 60_000, f)).kind;
    expect(stopped(() => fit(gaussian, FitRequestSchema.parse({})))).toBe('deadline');
    expect(stopped(() => interval(gaussian, IntervalRequestSchema.parse({ parameters: ['mu'] })))).toBe('deadline');
  });

  it('prices a default fit on a published one within the budget, with non-zero work that grows with its events', async () => {
    const top = await readPublished('likelihoods', 'srgn-top-mass');
    const fitCost = (events: number) => new Cost(likelihoodSizes(top.likelihood, () => events)).coldFit().memberFits(top.likelihood.variants - 1).spreadStarts(top.likelihood.variants - 1, 0, true).estimate();
    const observed = new Cost(likelihoodSizes(top.likelihood, eventCounts(top.likelihood, 'observed'))).coldFit().memberFits(top.likelihood.variants - 1).spreadStarts(top.likelihood.variants - 1, 0, true).estimate();
    expect(observed.units).toBeGreaterThan(0);
    expect(observed.cpuMs).toBeLessThan(DEFAULT_BUDGET.cpuMs);
    // the reference sample (1000 events) normalises r̂ at every evaluation: the work is affine in the events
    expect(fitCost(3000).units - fitCost(2000).units).toBeCloseTo(fitCost(2000).units - fitCost(1000).units, 0);
    expect(fitCost(2000).units).toBeGreaterThan(fitCost(1000).units);
  });
});
