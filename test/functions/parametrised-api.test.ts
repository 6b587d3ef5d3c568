/**
 * A likelihood whose unbinned term is θ-parametrised (a network of (x, θ), as CARL and ALICE
 * learn it) through every route: nll, ratio, fit, interval, contours, Asimov data, the result
 * page, and bad input. The fixture is a two-parameter artifact with a random network, written
 * and read back through the publishing code; every answer is compared with models/ directly.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { fileStore } from '../../functions/node.js';
import type { EventSample } from '../../models/artifact/components.js';
import { profileInterval } from '../../models/inference/intervals/profile.js';
import { maximumLikelihood } from '../../models/inference/mle.js';
import { eventsDataset, resolveDataset } from '../../models/likelihood/datasets.js';
import { createRandom } from '../../models/random.js';
import { parametrisedTerms } from '../../models/terms/unbinned-parametrised.js';
import { writeArtifact, type ManifestDraft } from '../../scripts/lib/artifact-writer.js';
import { writeCatalogueIndex } from '../../scripts/lib/catalogue-index.js';
import { provenance } from '../../scripts/lib/provenance.js';
import { randomNetwork } from '../helpers/random-network.js';

const ID = 'parametrised-fixture';
const random = createRandom(77);
const D = 2;
const network = randomNetwork(random, { inputs: D + 2, hidden: [6, 6], raw: 1, head: { kind: 'identity' }, activations: ['swish', 'tanh', 'linear'], members: 2 });
const sample = (count: number, description: string): EventSample => ({ kind: 'event-sample', count, observables: D, values: Float64Array.from({ length: count * D }, () => random.normal()), description });
const draft: ManifestDraft = {
  schemaVersion: '1',
  id: ID,
  version: '1.0.0',
  title: 'A parametrised-ratio fixture',
  description: 'a random network of (x, θ) with a positive-definite σ(θ): a test fixture',
  citation: [],
  parameters: [
    { name: 'a', reference: 0, range: [-2, 2] },
    { name: 'b', reference: 0, range: [-2, 2] },
  ],
  // a selection no normal draw here reaches (|x2| ≤ 6): events outside are refused
  observables: [{ name: 'x1' }, { name: 'x2', selection: { min: -6, max: 6 } }],
  luminosity: { value: 12, unit: 'fb^-1' },
  terms: [
    {
      kind: 'unbinned-parametrised',
      name: 'signal',
      parameters: ['a', 'b'],
      observables: ['x1', 'x2'],
      crossSection: { value: 5, unit: 'fb', degree: 2, coefficients: [1, 0.2, -0.1, 0.8, 0.2, 0.6], origin: 'exact' },
      ratio: 'network',
      normalisation: 'reference-sample',
      reference: 'reference-sample',
      observed: 'observed-events',
    },
  ],
  provenance: provenance('test', { fixture: 77 }, {}),
  validation: {},
};
const reference = sample(300, '300 events at θ0');
const root = await mkdtemp(join(tmpdir(), 'parametrised-'));
const { artifact } = await writeArtifact(root, draft, [
  { name: 'network', kind: 'network', file: 'network.msgpack', payload: { kind: 'network', network } },
  { name: 'reference-sample', kind: 'event-sample', file: 'reference-sample.msgpack', payload: reference },
  { name: 'observed-events', kind: 'event-sample', file: 'observed-events.msgpack', payload: sample(60, '60 pseudo-events') },
], { pageAnalysis: true });
await writeCatalogueIndex(root);
const app = createApp(fileStore(root));
const { likelihood } = artifact;
const observed = resolveDataset(likelihood, { kind: 'observed' });

afterAll(() => rm(root, { recursive: true, force: true }));

const post = (route: string, body: unknown) => app.request(`/v1/likelihoods/${ID}/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('a parametrised likelihood through every route', () => {
  it('nll with gradient and the members’ spread, equal to models/', async () => {
    const points = [
      { a: 0.3, b: -0.4 },
      { a: -1.2, b: 0.9 },
    ];
    const body = await (await post('nll', { points, gradient: true })).json();
    points.forEach((p, k) => {
      const g = new Float64Array(2);
      expect(body.nll[k]).toBe(likelihood.nll(Float64Array.of(p.a, p.b), observed, 0, { gradient: g }));
      expect(body.gradient[k]).toEqual(Array.from(g));
      expect(body.memberSpread[k]).toBeDefined();
    });
  });

  it('ratio: ln r̂(x|θ, θ0) per event and point with the spread', async () => {
    const events = [
      [0.1, -0.3],
      [1.4, 2.2],
    ];
    const res = await post('ratio', { events, points: [{ a: 0.5, b: 0.5 }] });
    expect(res.status).toBe(200);
    const body = await res.json();
    const [term] = parametrisedTerms(likelihood);
    const expected = term.eventLogRatios(term.eventData(events.flat(), 2), Float64Array.of(0.5, 0.5), Int32Array.of(0, 1), 0);
    expect(body.logRatio[0]).toEqual(Array.from(expected));
    expect(body.spread[0]).toHaveLength(2);
  });

  it('reweight: w = e^{ln r̂} per event, the reference sample at θ0 of mean weight 1 at every θ, the members’ spread of w', async () => {
    const events = Array.from({ length: reference.count }, (_, i) => Array.from(reference.values.subarray(i * D, (i + 1) * D)));
    const points = [{ a: 0.5, b: 0.5 }, { a: -1.5, b: 1.8 }];
    const body = await (await post('reweight', { events, points })).json();
    const ratios = await (await post('ratio', { events, points })).json();
    points.forEach((_, k) => {
      expect(body.weights[k]).toEqual(ratios.logRatio[k].map(Math.exp));
      // Z(θ) is the mean of r̂ over this very sample: the normalisation is exact
      expect(body.weights[k].reduce((a: number, b: number) => a + b, 0) / reference.count).toBeCloseTo(1, 12);
      expect(body.spread[k]).toHaveLength(reference.count);
      expect(body.spread[k].some((s: number) => s > 0)).toBe(true);
    });
    // a weight far from 1 somewhere: the check above is not met by weights of 1
    expect(Math.max(...body.weights[1].map((w: number) => Math.abs(Math.log(w))))).toBeGreaterThan(0.1);
  });

  it('reweight refuses θ outside the range it was learned on, unknown parameters and events of the wrong width', async () => {
    const cases: [unknown, number, string][] = [
      [{ events: [[0.1, 0.2]], points: [{ a: 2.5 }] }, 422, 'parameter-out-of-range'],
      [{ events: [[0.1, 0.2]], points: [{ c: 1 }] }, 422, 'unknown-parameter'],
      [{ events: [[0.1, 0.2, 0.3]], points: [{ a: 1 }] }, 422, 'invalid-dataset'],
    ];
    for (const [body, status, code] of cases) {
      const res = await post('reweight', body);
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect((await res.json()).code).toBe(code);
    }
  });

  it('fit, interval and contours equal what models/ computes', async () => {
    const fit = await (await post('fit', {})).json();
    const direct = maximumLikelihood(likelihood, observed);
    expect(fit.converged).toBe(true);
    expect([fit.parameters.a, fit.parameters.b]).toEqual(Array.from(direct.parameters));
    const interval = await (await post('interval', { parameters: ['a'], cl: [0.68], points: 21 })).json();
    expect(interval.intervals).toEqual(JSON.parse(JSON.stringify(profileInterval(likelihood, observed, 'a', [0.68], { method: 'roots', points: 21 }).intervals)));
    const contour = await post('interval', { parameters: ['a', 'b'], cl: [0.68], points: 15 });
    expect(contour.status).toBe(200);
    const contourBody = await contour.json();
    expect(contourBody.converged).toBe(true);
    const [level] = contourBody.contours;
    expect(level.polygons.length).toBeGreaterThan(0);
    // every vertex lies where q = 2 ΔNLL (b and a both free: nothing to profile) crosses the threshold
    for (const [a, b] of level.polygons[0][0]) expect(2 * (likelihood.nll(Float64Array.of(a, b), observed) - contourBody.nllMin)).toBeCloseTo(level.threshold, 3);
  });

  it('Asimov data at any point: the fit returns to θ_A', async () => {
    const at = { a: 0.4, b: -0.3 };
    const body = await (await post('nll', { points: [at], data: 'asimov', at })).json();
    const asimov = resolveDataset(likelihood, { kind: 'asimov', at });
    expect(body.nll[0]).toBe(likelihood.nll(Float64Array.of(0.4, -0.3), asimov));
    const fit = await (await post('fit', { data: 'asimov', at })).json();
    expect(fit.converged).toBe(true);
    // exactly, up to the fit's tolerance: the reference sample normalises r̂ (the eq. 34 analogue)
    expect(fit.parameters.a).toBeCloseTo(0.4, 4);
    expect(fit.parameters.b).toBeCloseTo(-0.3, 4);
  });

  it('submitted events, shape only', async () => {
    const events = [
      [0.2, 0.1],
      [-0.5, 1],
      [2, -1],
    ];
    const body = await (await post('nll', { points: [{ a: 0.1, b: 0.2 }], data: { events }, rate: false })).json();
    const data = resolveDataset(likelihood, eventsDataset(likelihood, events.flat(), 3), { rate: false });
    expect(body.nll[0]).toBe(likelihood.nll(Float64Array.of(0.1, 0.2), data));
  });

  it('the result page describes the term and shows the scans', async () => {
    const res = await app.request(`/likelihoods/${ID}`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('parametrised ratio r̂(x|');
    expect(page).toContain('σ(θ0) = 5');
  });

  it('answers bad input with 4xx problems: a point in the wrong dimension, non-finite values, events of the wrong width', async () => {
    const cases: [string, unknown, number, RegExp][] = [
      ['nll', { points: [{ a: 0.1, b: 0.2, c: 1 }] }, 422, /unknown-parameter/],
      ['nll', { points: [{ a: 'NaN' }] }, 422, /invalid-request/],
      ['nll', { points: [{ a: 0.1 }], data: { events: [[0.1, 0.2, 0.3]] } }, 422, /invalid-dataset/],
      ['ratio', { events: [[0.1]], points: [{ a: 0.1 }] }, 422, /invalid-dataset/],
      ['nll', { points: [{ a: 9 }] }, 422, /parameter-out-of-range/],
      ['ratio', { events: [[0.1, 6.5]], points: [{ a: 0.1 }] }, 422, /outside-selection/],
    ];
    for (const [route, body, status, type] of cases) {
      const res = await post(route, body);
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect((await res.json()).type).toMatch(type);
    }
  });

  it('refuses events outside the published selection, saying how many and which, on every route that takes events', async () => {
    const events = [
      [0.1, 0.2],
      [0.3, 7],
      [0.2, -6.5],
      [0.1, 6], // on the boundary: inside
    ];
    const nll = await post('nll', { points: [{ a: 0.1, b: 0 }], data: { events } });
    expect(nll.status).toBe(422);
    const problem = await nll.json();
    expect(problem.code).toBe('outside-selection');
    expect(problem.detail).toContain('2 of 4 events lie outside');
    expect(problem.detail).toContain('event 1, with x2 = 7 where -6 ≤ x2 ≤ 6');
    expect(problem.errors[0].path).toEqual(['data', 'events', 1, 1]);
    const ratio = await (await post('ratio', { events, points: [{ a: 0.1 }] })).json();
    expect(ratio.code).toBe('outside-selection');
    expect(ratio.errors[0].path).toEqual(['events', 1, 1]);
    // inside, the same events answer
    const inside = await post('nll', { points: [{ a: 0.1, b: 0 }], data: { events: [events[0], events[3]] } });
    expect(inside.status).toBe(200);
    // the manifest states it, and the result page shows it
    const manifest = await (await app.request(`/v1/likelihoods/${ID}`)).json();
    expect(manifest.observables[1].selection).toEqual({ min: -6, max: 6 });
    expect(await (await app.request(`/likelihoods/${ID}`)).text()).toContain('−6 ≤ <code>x2</code> ≤ 6');
  });
});
