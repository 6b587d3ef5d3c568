/**
 * Fit diagnostics (issue 21 item 3) against a cabinetry-style computation done here: pre-fit
 * widths from the workspace's own numbers (pyhf's definitions), pulls from the fit, impacts
 * from refits made in the test, correlations from the covariance, and the yields' bands: exactly
 * √(J C Jᵀ) where the yields are linear, cabinetry's symmetrised-variation formula elsewhere.
 */
import { describe, expect, it } from 'vitest';
import { createApp } from '../../../functions/app.js';
import { fileStore } from '../../../functions/node.js';
import { fitDiagnostics } from '../../../models/inference/diagnostics.js';
import { maximumLikelihood, profileFit } from '../../../models/inference/mle.js';
import { resolveDataset } from '../../../models/likelihood/datasets.js';
import { binnedTerms } from '../../../models/terms/binned/term.js';

const store = fileStore('likelihoods');

describe('fit diagnostics', () => {
  it('pyhf-2bin-shapesys: pre-fit widths are pyhf’s (shapesys σ/b), pulls and constraints follow the fit, the bands the covariance', async () => {
    const { likelihood } = await store.load('pyhf-2bin-shapesys', '1.0.1');
    const data = resolveDataset(likelihood, { kind: 'observed' });
    const d = fitDiagnostics(likelihood, data, 'mu');
    expect(d.converged).toBe(true);
    const fit = maximumLikelihood(likelihood, data);
    // the workspace: background [50, 60] with shapesys uncertainties [5, 12]
    expect(d.pulls.map((p) => p.prefitSigma)).toEqual([expect.closeTo(0.1, 12), expect.closeTo(0.2, 12)]);
    for (const p of d.pulls) {
      const i = likelihood.indexOf(p.name);
      expect(p.value).toBeCloseTo(fit.parameters[i], 10);
      expect(p.pull!).toBeCloseTo((fit.parameters[i] - 1) / p.prefitSigma!, 8);
      expect(p.constraintRatio!).toBeCloseTo(fit.uncertainties[i] / p.prefitSigma!, 8);
    }
    // pre-fit band: each bin's background times its shapesys width, 5 and 12 events
    expect(d.yields[0].prefitError[0]).toBeCloseTo(5, 6);
    expect(d.yields[0].prefitError[1]).toBeCloseTo(12, 6);
    // post-fit: yields linear in μ and γ, so the band is exactly √(J C Jᵀ), J = (s, b) per bin
    const C = fit.covariance!;
    const n = likelihood.parameters.length;
    [[5, 50], [10, 60]].forEach(([signal, background], bin) => {
      const mu = likelihood.indexOf('mu');
      const gamma = likelihood.indexOf(`uncorr_bkguncrt[${bin}]`);
      const variance = signal ** 2 * C[mu * n + mu] + background ** 2 * C[gamma * n + gamma] + 2 * signal * background * C[mu * n + gamma];
      expect(d.yields[0].postfitError![bin]).toBeCloseTo(Math.sqrt(variance), 8);
    });
    expect(d.yields[0].observed).toEqual([50, 60]);
  });

  it('atlas-sbottom-regiona: impacts equal refits made here, the ranking is by post-fit size, the post-fit band cabinetry’s formula', async () => {
    const { likelihood } = await store.load('atlas-sbottom-regiona', '1.0.1');
    // μ̂ sits at its lower bound on the observed data: test at Asimov data with signal, where it is free
    const asimov = resolveDataset(likelihood, { kind: 'asimov', at: { mu_SIG: 1 } });
    const d = fitDiagnostics(likelihood, asimov, 'mu_SIG');
    expect(d.converged).toBe(true);
    expect(d.poiValue).toBeCloseTo(1, 4);
    const fit = maximumLikelihood(likelihood, asimov);
    const poi = likelihood.indexOf('mu_SIG');
    for (const impact of d.impacts.slice(0, 3)) {
      const i = likelihood.indexOf(impact.name);
      const refit = (value: number) => profileFit(likelihood, asimov, new Map([[i, value]]), { start: fit.parameters, multiStart: false }).parameters[poi] - fit.parameters[poi];
      expect(impact.postfit[1]!, impact.name).toBeCloseTo(refit(fit.parameters[i] + fit.uncertainties[i]), 5);
      expect(impact.postfit[0]!, impact.name).toBeCloseTo(refit(fit.parameters[i] - fit.uncertainties[i]), 5);
      const width = d.pulls.find((p) => p.name === impact.name)!.prefitSigma;
      if (width !== null) expect(impact.prefit![1]!, impact.name).toBeCloseTo(refit(fit.parameters[i] + width), 5);
    }
    const size = (m: (typeof d.impacts)[number]) => Math.max(...m.postfit.map((v) => Math.abs(v ?? 0)));
    for (let k = 1; k < d.impacts.length; k++) expect(size(d.impacts[k])).toBeLessThanOrEqual(size(d.impacts[k - 1]));
    expect(size(d.impacts[0])).toBeGreaterThan(0.01);

    const { names, matrix } = d.correlation!;
    names.forEach((_, a) => {
      expect(matrix[a][a]).toBeCloseTo(1, 10);
      names.forEach((__, b) => {
        expect(matrix[a][b]).toBeCloseTo(matrix[b][a], 10);
        expect(Math.abs(matrix[a][b])).toBeLessThanOrEqual(1 + 1e-9);
      });
    });

    // the band as cabinetry's yield_stdev computes it, written out here: symmetrised ±σ̂ effects with the correlations
    const n = likelihood.parameters.length;
    const [term] = binnedTerms(likelihood);
    const index = likelihood.termIndex(term);
    const free = [...Array(n).keys()].filter((i) => !likelihood.parameters[i].fixed && index.includes(i));
    const C = fit.covariance!;
    const effect = free.map((i) => {
      const s = Math.sqrt(C[i * n + i]);
      const up = Float64Array.from(fit.parameters);
      const down = Float64Array.from(fit.parameters);
      up[i] += s;
      down[i] -= s;
      const a = term.expected(up, index);
      const b = term.expected(down, index);
      return Array.from(a, (v, k) => (v - b[k]) / 2);
    });
    const band = d.yields.flatMap((y) => y.postfitError!);
    band.forEach((sigma, bin) => {
      let variance = 0;
      free.forEach((i, a) => free.forEach((j, b) => (variance += (effect[a][bin] * C[i * n + j] * effect[b][bin]) / Math.sqrt(C[i * n + i] * C[j * n + j]))));
      expect(sigma, `bin ${bin}`).toBeCloseTo(Math.sqrt(variance), 8);
    });
  });
});

describe('POST /v1/likelihoods/{id}/diagnostics', () => {
  const app = createApp(store);
  const post = async (path: string, body: unknown) => {
    const res = await app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('serves the diagnostics, impacts of the named parameters only, and refuses what does not apply', async () => {
    const ok = await post('/v1/likelihoods/atlas-sbottom-regiona/diagnostics', { impacts: ['lumi', 'mu_ttbar'] });
    expect(ok.status).toBe(200);
    expect((ok.body.impacts as { name: string }[]).map((i) => i.name).sort()).toEqual(['lumi', 'mu_ttbar']);
    expect((ok.body.pulls as unknown[]).length).toBe(63);
    const unknown = await post('/v1/likelihoods/atlas-sbottom-regiona/diagnostics', { impacts: ['nope'] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe('unknown-parameter');
    const learned = await post('/v1/likelihoods/gaussian-toy-truth/diagnostics', {});
    expect(learned.status).toBe(422);
    expect(learned.body.detail).toMatch(/no nuisance parameters/);
  });
});
