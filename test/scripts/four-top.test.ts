/**
 * The four-top pipeline (issue 7): the simulator's exact polynomial weights and its σ(Y_t)
 * against the design, the 55 categories, the optimal binning against brute force, templates
 * against direct sums over events, the weighted networks against known answers, the pyhf
 * export against the original templates, and a tiny end-to-end run.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateMonomials } from '../../models/basis/monomial-basis.js';
import { findPatch, importWorkspace, pyhfLikelihood } from '../../models/pyhf/import.js';
import { applyJsonPatch } from '../../models/pyhf/json-patch.js';
import { pyhfDigest } from '../../models/pyhf/python-json.js';
import { createRandom } from '../../models/random.js';
import { categoryCell, categoryOf, CATEGORY_COUNT, optimalMerge } from '../../scripts/four-top/binning.js';
import { exportPatchSet, exportSmEquivalence } from '../../scripts/four-top/export.js';
import { trainMlp } from '../../scripts/training/weighted-mlp.js';
import { templateLikelihood } from '../../scripts/four-top/pipeline.js';
import { generatorCoefficients, runFourTop } from '../../scripts/four-top/run.js';
import { buildTemplates } from '../../scripts/four-top/templates.js';
import { eventRatio, polynomialProduct, PROCESSES, simulateFourTop, studyBasis, TTTT_YT_COEFFICIENTS } from '../../scripts/simulators/four-top.js';

describe('the four-top simulator', () => {
  it('multiplies polynomials on the basis exactly', () => {
    const basis = studyBasis('cp');
    const rng = createRandom(3);
    const a = Float64Array.from({ length: basis.size }, (_, k) => (basis.degrees[k] <= 2 ? rng.normal() : 0));
    const b = Float64Array.from({ length: basis.size }, (_, k) => (basis.degrees[k] <= 2 ? rng.normal() : 0));
    const product = polynomialProduct(basis, a, b);
    for (let t = 0; t < 5; t++) {
      const m = evaluateMonomials(basis, [rng.normal(), rng.normal()]);
      const value = (c: ArrayLike<number>) => Array.from(c).reduce((s, ck, k) => s + ck * m[k], 0);
      expect(value(product)).toBeCloseTo(value(a) * value(b), 10);
    }
  });

  it('gives weights that are 1 at the SM, never negative, and the same events in both studies', () => {
    for (const p of PROCESSES) {
      const y = simulateFourTop(p, 500, 5, 'yukawa');
      const cp = simulateFourTop(p, 500, 5, 'cp');
      expect(Array.from(cp.features)).toEqual(Array.from(y.features));
      for (let i = 0; i < 500; i++) {
        expect(eventRatio(y, i, [1])).toBeCloseTo(1, 12);
        for (const Y of [0, 0.4, 2.2]) {
          expect(eventRatio(y, i, [Y])).toBeGreaterThanOrEqual(-1e-12);
          expect(eventRatio(cp, i, [Y, 0])).toBeCloseTo(eventRatio(y, i, [Y]), 10);
        }
        expect(eventRatio(cp, i, [0.3, -1.1])).toBeGreaterThanOrEqual(-1e-12);
      }
    }
  });

  it('reproduces the designed σ_tttt(Y_t) coefficients within the Monte Carlo error', () => {
    const g = generatorCoefficients(simulateFourTop('tttt', 100_000, 17, 'yukawa'));
    expect(Math.abs(g.c0 - TTTT_YT_COEFFICIENTS.c0)).toBeLessThan(4 * g.errors[0]);
    expect(Math.abs(g.c2 - TTTT_YT_COEFFICIENTS.c2)).toBeLessThan(4 * g.errors[1]);
    expect(Math.abs(g.c4 - TTTT_YT_COEFFICIENTS.c4)).toBeLessThan(4 * g.errors[2]);
    expect(g.c2).toBeLessThan(0); // destructive interference overall
    expect(g.destructive).toBeGreaterThan(0.2);
  });
});

describe('categories and optimal binning', () => {
  it('cuts the (p_tttt, p_ttH) triangle into 55 distinct 0.1 cells', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 10; i++) {
      for (let j = 0; i + j < 10; j++) {
        const c = categoryOf(i / 10 + 0.05, j / 10 + 0.03);
        expect(categoryCell(c)).toEqual({ i, j });
        seen.add(c);
      }
    }
    expect(seen.size).toBe(CATEGORY_COUNT);
    expect(categoryOf(1, 0)).toBe(categoryOf(0.95, 0));
    expect(categoryCell(categoryOf(0.55, 0.45 + 1e-12))).toEqual({ i: 5, j: 4 });
  });

  it('merges fine bins as well as the best of every partition (brute force), respecting the minimum background', () => {
    const rng = createRandom(9);
    for (let trial = 0; trial < 30; trial++) {
      const F = 7;
      const s = Array.from({ length: F }, () => rng.uniform());
      const bkg = Array.from({ length: F }, () => 2 * rng.uniform());
      const sum = (a: number[], lo: number, hi: number) => a.slice(lo, hi).reduce((x, y) => x + y, 0);
      const gain = (lo: number, hi: number) => sum(s, lo, hi) ** 2 / sum(bkg, lo, hi);
      const background = (lo: number, hi: number) => sum(bkg, lo, hi);
      const minimum = 1.2;
      const maxGroups = 3;
      const bounds = optimalMerge(F, gain, background, minimum, maxGroups);
      const value = (b: number[]) => b.slice(1).reduce((t, hi, k) => t + gain(b[k], hi), 0);
      let best = -Infinity;
      for (let mask = 0; mask < 1 << (F - 1); mask++) {
        const b = [0, ...Array.from({ length: F - 1 }, (_, k) => k + 1).filter((k) => mask & (1 << (k - 1))), F];
        if (b.length - 1 > maxGroups || b.slice(1).some((hi, k) => background(b[k], hi) < minimum)) continue;
        best = Math.max(best, value(b));
      }
      if (best === -Infinity) expect(bounds).toEqual([0, F]);
      else {
        expect(value(bounds)).toBeCloseTo(best, 12);
        bounds.slice(1).forEach((hi, k) => expect(background(bounds[k], hi)).toBeGreaterThanOrEqual(minimum));
      }
    }
  });
});

describe('templates', () => {
  const samples = PROCESSES.map((p) => simulateFourTop(p, 3000, 21, 'cp'));
  const assignments = samples.map((s) => ({ category: Int32Array.from({ length: s.count }, (_, i) => (i % 3 === 0 ? 0 : i % 3 === 1 ? 12 : -1)), bin: Int32Array.from({ length: s.count }, (_, i) => i % 2) }));
  const spec = buildTemplates(samples, assignments, {
    parameters: ['at', 'bt'],
    reference: [1, 0],
    luminosity: 138,
    binsPerCategory: Array.from({ length: CATEGORY_COUNT }, (_, c) => (c === 0 || c === 12 ? 2 : 0)),
    normalisation: { ttH: 0.1, tt: 0.15 },
    luminosityUncertainty: 0.016,
    mcStatThreshold: 0.05,
    parametriseBackgrounds: true,
  });

  it('hold, at any θ, the sum over their events of weight × luminosity × w(θ)/w(θ0)', () => {
    const { term, likelihood } = templateLikelihood('t', spec, 138);
    for (const theta of [[1, 0], [0.4, 0.9], [1.7, -1.2]]) {
      const params = likelihood.initial();
      params[0] = theta[0];
      params[1] = theta[1];
      const expected = term.expected(params, likelihood.terms[0].index);
      term.channels.forEach((channel, k) => {
        const category = k === 0 ? 0 : 12;
        for (let b = 0; b < channel.bins; b++) {
          let direct = 0;
          samples.forEach((s, p) => {
            for (let i = 0; i < s.count; i++) if (assignments[p].category[i] === category && assignments[p].bin[i] === b) direct += s.weights[i] * 138 * eventRatio(s, i, theta);
          });
          expect(expected[channel.offset + b]).toBeCloseTo(direct, 8);
        }
      });
    }
  });

  it('export to pyhf: the digest is pyhf’s, and every patched workspace is the templates at its grid point', async () => {
    const { background, backgroundText, patchset, digest } = await exportPatchSet(spec, ['at', 'bt'], [[1, 0], [0.5, 1]]);
    expect(digest).toBe(await pyhfDigest(backgroundText));
    expect(patchset.metadata.digests.sha256).toBe(digest);
    const sm = exportSmEquivalence(spec, background, patchset, [1, 0], 138);
    expect(sm.converged).toBe(true);
    expect(sm.maxDifference).toBeLessThan(1e-9);
    expect(sm.maxParameterDifference).toBeLessThan(1e-6);
    // at (0.5, 1): the exported yields equal the templates' there, bin by bin
    const other = pyhfLikelihood(importWorkspace(applyJsonPatch(background, findPatch(patchset, [0.5, 1]).patch)));
    const { term, likelihood } = templateLikelihood('t', spec, 138);
    const params = likelihood.initial();
    params[0] = 0.5;
    params[1] = 1;
    const ours = term.expected(params, likelihood.terms[0].index);
    const theirs = other.term.expected(other.likelihood.initial(), other.likelihood.terms[0].index);
    expect(Array.from(theirs).map((v) => Number(v.toPrecision(10)))).toEqual(Array.from(ours).map((v) => Number(v.toPrecision(10))));
  });
});

describe('weighted networks', () => {
  it('the sigmoid classifier on reweighted copies of the same events learns p(x|alt)/(p(x|alt) + p(x|ref)) (weak supervision)', async () => {
    // x ~ N(0, 1); the copies with label 1 carry r(x) = exp(μx − μ²/2), the ratio of N(μ, 1) to N(0, 1)
    const n = 6000;
    const mu = 0.8;
    const rng = createRandom(4);
    const x = new Float64Array(2 * n);
    const y = new Float32Array(2 * n);
    const w = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      const v = rng.normal();
      x[i] = v;
      x[n + i] = v;
      y[n + i] = 1;
      w[i] = 1;
      w[n + i] = Math.exp(mu * v - (mu * mu) / 2);
    }
    const net = await trainMlp(x, 2 * n, 1, y, w, 'sigmoid', 1, { hidden: [16], epochs: 6, batchSize: 256, learningRate: 0.01, seed: 1 });
    const probe = Float64Array.of(-1, 0, 1);
    const s = net.predict(probe, 3);
    probe.forEach((v, k) => {
      const r = Math.exp(mu * v - (mu * mu) / 2);
      expect(Math.abs(s[k] - r / (1 + r))).toBeLessThan(0.04);
    });
    net.dispose();
  }, 60_000);
});

describe('the whole pipeline, tiny', () => {
  it('publishes four artifacts the service loads, with expected intervals that shrink with luminosity', async () => {
    const root = await mkdtemp(join(tmpdir(), 'four-top-'));
    try {
      const result = await runFourTop({
        out: join(root, 'likelihoods'),
        docs: null,
        exports: join(root, 'exports'),
        version: '1.0.0',
        config: {
          trainingEvents: { tttt: 3000, ttH: 2000, tt: 3000 },
          templateEvents: { tttt: 6000, ttH: 4000, tt: 8000 },
          classifier: { hidden: [16], epochs: 1, batchSize: 512, learningRate: 3e-3, seed: 1 },
          parameterNetwork: { hidden: [16], epochs: 1, batchSize: 512, learningRate: 3e-3, seed: 2, alternative: 2 },
          maxBinsPerCategory: 2,
          scanPoints: 15,
          contourPoints: 9,
          luminosities: [138, 3000],
        },
      });
      expect(result.published.map((p) => p.artifact.manifest.id)).toEqual(['tttt-yukawa', 'tttt-yukawa-np', 'tttt-cp', 'tttt-cp-np']);
      const width = (label: string, L: number) => {
        const r = result.scans.find((s) => s.label === label && s.luminosity === L)!.result;
        const i = r.intervals.find((x) => x.cl === 0.68)!;
        return i.segments.reduce((t, s) => t + (s.upper - s.lower), 0);
      };
      expect(width('parametrised', 3000)).toBeLessThan(width('parametrised', 138));
      expect(result.equivalence.maxDifference).toBeLessThan(1e-9);
      const patchset = JSON.parse(await readFile(join(root, 'exports', 'tttt-yukawa', 'patchset.json'), 'utf8'));
      expect(patchset.metadata.digests.sha256).toBe(await pyhfDigest(await readFile(join(root, 'exports', 'tttt-yukawa', 'BkgOnly.json'), 'utf8')));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }, 240_000);
});
