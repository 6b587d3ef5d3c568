import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { fileStore } from '../../functions/node.js';
import { resolveDataset } from '../../models/likelihood/datasets.js';
import { writeCatalogueIndex } from '../../scripts/lib/catalogue-index.js';
import { coverageOfToyArtifact, runToyPipeline } from '../../scripts/pipeline/toy-pipeline.js';
import { readPublished } from '../../scripts/lib/artifact-writer.js';
import { twoGaussianToy } from '../../models/toys/two-gaussian.js';

let root = '';
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('the derivative-learning pipeline end to end', () => {
  it('simulates, trains, freezes, validates, publishes, and the service serves the NLL', async () => {
    root = await mkdtemp(join(tmpdir(), 'pipeline-'));
    const stages: string[] = [];
    const result = await runToyPipeline(
      {
        id: 'toy-e2e',
        version: '1.0.0',
        simulator: { alpha: 1.5 },
        training: { events: 4000, seed: 5, network: { members: 2, hidden: [16, 16], epochs: 2, batchSize: 1000 } },
        referenceEvents: 5000,
        validation: { testEvents: 1000, coverageToys: 10 },
      },
      root,
      { onStage: (stage) => stages.push(stage) },
    );
    expect(stages).toEqual(['simulate', 'train', 'freeze', 'reference', 'validate', 'coverage', 'publish']);
    expect(result.parity).toBeLessThan(1e-5);
    const { manifest } = result.artifact;
    expect(manifest.provenance.versions['tfjs-backend']).toBe(result.training.backend);
    expect(manifest.validation.closure?.['frozen runtime vs tfjs: max relative difference']).toBe(result.parity);
    expect(manifest.validation.coverage).toHaveLength(2);
    expect(manifest.validation.figures?.map((f) => f.component)).toEqual(['second-derivative', 'expected-log-ratio']);
    // σ by eq. 34 and ĉ_0 = 1: the ratio is 1 at θ0 for every event
    expect(manifest.terms[0].kind === 'unbinned-polynomial' && manifest.terms[0].crossSection.coefficients[0]).toBeCloseTo(1, 6);

    await writeCatalogueIndex(root);
    const app = createApp(fileStore(root));
    const res = await app.request('/v1/likelihoods/toy-e2e/nll', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ points: [{ theta: 0.5 }] }) });
    expect(res.status).toBe(200);
    const body = await res.json();
    const observed = resolveDataset(result.artifact.likelihood, { kind: 'observed' });
    expect(body.nll[0]).toBe(result.artifact.likelihood.nll(Float64Array.of(0.5), observed));
    // the ensemble's spread comes with every NLL
    expect(body.memberSpread[0]).toBeGreaterThan(0);
  }, 120_000);
});

describe('the morphing-aware pipeline end to end (issue 16)', () => {
  it('publishes benchmark classifiers frozen into the polynomial term, and every route serves them', async () => {
    const out = await mkdtemp(join(tmpdir(), 'pipeline-morphing-'));
    try {
      const stages: string[] = [];
      const result = await runToyPipeline(
        {
          id: 'toy-morphing-e2e',
          version: '1.0.0',
          simulator: { alpha: 3 },
          training: { events: 3000, seed: 6, estimator: 'morphing-aware', network: { members: 2, hidden: [16, 16], epochs: 2, batchSize: 1000 } },
          referenceEvents: 4000,
          validation: { testEvents: 1000, coverageToys: 10 },
        },
        out,
        { onStage: (stage) => stages.push(stage) },
      );
      expect(stages).toEqual(['train', 'freeze', 'reference', 'validate', 'coverage', 'publish']);
      expect(result.parity).toBeLessThan(1e-5);
      const { manifest } = result.artifact;
      expect(manifest.title).toMatch(/morphing-aware/);
      expect(manifest.provenance.configuration?.training).toMatchObject({ estimator: 'morphing-aware', benchmarks: [[0], [-1], [1]], eventsPerBenchmark: 3000 });
      // σ(θ) morphed from the benchmarks' own cross sections: exactly σ0 at θ0
      expect(manifest.terms[0].kind === 'unbinned-polynomial' && manifest.terms[0].crossSection).toMatchObject({ origin: 'morphing', coefficients: [1, expect.any(Number), expect.any(Number)] });

      await writeCatalogueIndex(out);
      const app = createApp(fileStore(out));
      const post = (route: string, body: unknown) => app.request(`/v1/likelihoods/toy-morphing-e2e/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const nll = await post('nll', { points: [{ theta: 0.5 }, { theta: -1.7 }] });
      expect(nll.status).toBe(200);
      const observed = resolveDataset(result.artifact.likelihood, { kind: 'observed' });
      expect((await nll.json()).nll).toEqual([0.5, -1.7].map((t) => result.artifact.likelihood.nll(Float64Array.of(t), observed)));
      const ratio = await post('ratio', { events: [[0.2], [3.1]], points: [{ theta: 0.6 }] });
      expect(ratio.status).toBe(200);
      expect((await post('fit', {})).status).toBe(200);
      const interval = await post('interval', { parameters: ['theta'] });
      expect(interval.status).toBe(200);
      expect((await interval.json()).converged).toBe(true);
      const wrong = await post('nll', { points: [{ theta: 0.5, extra: 1 }] });
      expect(wrong.status).toBe(422);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('the CARL and MadMiner morphing-aware pipelines end to end (issue 16)', () => {
  it('publishes a CARL classifier as a parametrised term (with its page analysis) and MadMiner’s variant as a polynomial term; the routes serve both', async () => {
    const out = await mkdtemp(join(tmpdir(), 'pipeline-parametrised-'));
    try {
      const network = { members: 2, hidden: [8, 8], epochs: 1, batchSize: 1000, thetaDraws: 20 };
      const carl = await runToyPipeline(
        { id: 'toy-carl-e2e', version: '1.0.0', simulator: { alpha: 1.5 }, training: { events: 2000, seed: 6, estimator: 'carl', network }, referenceEvents: 1000, normalisation: 'none', validation: { testEvents: 500, coverageToys: 5 } },
        out,
      );
      expect(carl.parity).toBeLessThan(1e-4);
      const term = carl.artifact.manifest.terms[0];
      expect(term.kind).toBe('unbinned-parametrised');
      expect(term.kind === 'unbinned-parametrised' && term).toMatchObject({ normalisation: 'none', crossSection: { origin: 'exact', coefficients: [1, 0, 1], degree: 2 } });
      expect(carl.artifact.manifest.pageAnalysis).toBeDefined();
      expect(carl.closure['max |ln Z(θ)| over θ (mean r̂ over the reference sample)']).toBeGreaterThan(0);
      const joint = await runToyPipeline(
        { id: 'toy-joint-e2e', version: '1.0.0', simulator: { alpha: 1.5 }, training: { events: 2000, seed: 6, estimator: 'morphing-aware-joint', network }, referenceEvents: 1000, validation: { testEvents: 500, coverageToys: 5 } },
        out,
      );
      expect(joint.artifact.manifest.title).toMatch(/MadMiner/);
      expect(joint.artifact.manifest.terms[0].kind).toBe('unbinned-polynomial');

      await writeCatalogueIndex(out);
      const app = createApp(fileStore(out));
      for (const id of ['toy-carl-e2e', 'toy-joint-e2e']) {
        const post = (route: string, body: unknown) => app.request(`/v1/likelihoods/${id}/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        expect((await post('nll', { points: [{ theta: 0.5 }], gradient: true })).status).toBe(200);
        expect((await post('fit', {})).status).toBe(200);
        expect((await app.request(`/likelihoods/${id}`)).status).toBe(200);
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('toy coverage away from θ0, with the exact likelihood on the same toys', () => {
  it('the published exact artifact and the closed form agree toy by toy: same coverage, same |θ̂|', async () => {
    const c = coverageOfToyArtifact(await readPublished('likelihoods', 'gaussian-toy-truth'), twoGaussianToy(1.5, 0.7), 1.0, 40, 11);
    expect(c.failed).toBe(0);
    c.estimates.forEach((e, k) => expect(e.coverage).toBe(c.truth[k].coverage));
    expect(Math.abs(c.bias.learned - c.bias.truth)).toBeLessThan(1e-6);
  });
});
