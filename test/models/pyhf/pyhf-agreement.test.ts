/**
 * Agreement with pyhf itself (issue #5) on published workspaces: the reference numbers in
 * test/fixtures/pyhf/reference/ were computed by pyhf (numpy backend, default scipy
 * optimizer; how: test/fixtures/pyhf/README.md). Tolerances are the issue's: −logpdf to 1e-6
 * relative (differences too), MLE parameters to 1e-4, CLs to 1e-4 absolute, upper limits to
 * 1e-3 relative. Parameters are matched by name (pyhf's `par_names`, per-bin `name[b]`).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { AsymptoticCalculator } from '../../../models/inference/calculators/asymptotic.js';
import { upperLimit } from '../../../models/inference/intervals/upper-limit.js';
import { profileInterval } from '../../../models/inference/intervals/profile.js';
import { maximumLikelihood, type FitResult } from '../../../models/inference/mle.js';
import { CASES, caseLikelihood, reference, vectorOf, type Reference } from './fixtures.js';

type Loaded = Awaited<ReturnType<typeof caseLikelihood>>;

const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

for (const name of CASES) {
  const ref = reference(name);
  describe(`pyhf agreement: ${name}`, () => {
    let m: Loaded;
    let fit: FitResult;
    beforeAll(async () => {
      expect(ref, `reference numbers for ${name} (run scripts/reference/pyhf_reference.py)`).not.toBeNull();
      m = await caseLikelihood(ref!);
      fit = maximumLikelihood(m.likelihood, m.data);
    });

    it("builds pyhf's model: parameters, their configuration, data order and expected counts", () => {
      const r = ref as Reference;
      const { likelihood, term, data } = m;
      expect([...likelihood.names].sort()).toEqual([...r.par_names].sort());
      for (const n of r.par_names) {
        const p = likelihood.parameters[likelihood.indexOf(n)];
        expect({ n, init: p.init, bounds: [...p.bounds], fixed: p.fixed }).toEqual({ n, init: r.init[n], bounds: r.bounds[n], fixed: r.fixed[n] });
      }
      expect(term.channels.map((c) => c.name)).toEqual(r.channels);
      const counts = (data.terms.pyhf as { counts: Float64Array; aux: Float64Array }).counts;
      expect([...counts]).toEqual(r.data);
      const aux = [...(data.terms.pyhf as { aux: Float64Array }).aux].sort((a, b) => a - b);
      expect(aux.length).toBe(r.auxdata.length);
      [...r.auxdata].sort((a, b) => a - b).forEach((a, k) => expect(relative(aux[k], a)).toBeLessThan(1e-12));
      const expected = term.expected(vectorOf(likelihood.names, r.init), likelihood.terms[0].index);
      r.expected_at_init.forEach((v, b) => expect(relative(expected[b], v)).toBeLessThan(1e-12));
    });

    it('−logpdf at pyhf points, and its differences, to 1e-6 relative', () => {
      const r = ref as Reference;
      const ours = r.nll_points.map((p) => m.likelihood.nll(vectorOf(m.likelihood.names, p.pars), m.data));
      r.nll_points.forEach((p, k) => expect(relative(ours[k], p.nll), p.label).toBeLessThan(1e-9));
      for (let k = 1; k < ours.length; k++) {
        const theirs = r.nll_points[k].nll - r.nll_points[0].nll;
        expect(Math.abs(ours[k] - ours[0] - theirs), r.nll_points[k].label).toBeLessThanOrEqual(1e-6 * Math.abs(theirs) + 1e-11);
      }
    });

    it('MLE: converged, parameters to 1e-4 of pyhf, or within what pyhf’s higher minimum allows', () => {
      const r = ref as Reference;
      const names = m.likelihood.names;
      expect(fit.converged, fit.message).toBe(true);
      for (const which of ['default', 'tight'] as const) {
        const theirs = r.mle[which].pars;
        // our minimum is at least as low as pyhf's (within rounding)
        const excess = m.likelihood.nll(vectorOf(names, theirs), m.data) - fit.nll;
        expect(excess, which).toBeGreaterThan(-1e-10);
        // pyhf's SLSQP stops when 2·NLL changes by less than its tolerance, with finite-difference
        // gradients, so where the likelihood is flat its parameters can sit off the minimum by
        // more than 1e-4. Near a minimum NLL − NLL_min = ½ δᵀHδ ≥ ½ (δ_i/σ_i)² for every i
        // (σ_i² = (H⁻¹)_ii), so such a δ_i is bounded by √(2·excess)·σ_i: a parameter may differ
        // by more than 1e-4 only within that bound, i.e. only because pyhf's point is higher.
        names.forEach((n, i) => {
          const delta = Math.abs(fit.parameters[i] - theirs[n]);
          if (delta <= 1e-4) return;
          const sigma = fit.uncertainties[i];
          expect(Number.isFinite(sigma), `${which}: ${n} differs by ${delta} and has no uncertainty`).toBe(true);
          expect(delta, `${which}: ${n} (σ = ${sigma}, pyhf's NLL excess ${excess})`).toBeLessThanOrEqual(1.05 * Math.sqrt(2 * Math.max(excess, 0)) * sigma);
        });
      }
    });

    if (ref?.hypotests) {
      it('asymptotic CLs (observed and the ±1σ/±2σ band) to 1e-4 absolute', () => {
        const r = ref as Reference;
        expect(fit.converged, `the MLE did not converge: ${fit.message}`).toBe(true);
        // one calculator per test statistic: its μ-independent fits are shared, as in a scan
        const calculators = { qtilde: new AsymptoticCalculator(m.likelihood, m.data, r.poi!), q: new AsymptoticCalculator(m.likelihood, m.data, r.poi!, { testStatistic: 'q' }) };
        for (const h of r.hypotests!) {
          const ours = calculators[h.test_stat].hypotest(h.mu);
          const label = `${h.test_stat} at ${r.poi} = ${h.mu}`;
          expect(ours.converged, `${label}: ${ours.message}`).toBe(true);
          expect(Math.abs(ours.cls! - h.cls), label).toBeLessThan(1e-4);
          expect(Math.abs(ours.clsb! - h.clsb), label).toBeLessThan(1e-4);
          expect(Math.abs(ours.clb! - h.clb), label).toBeLessThan(1e-4);
          ours.expected!.forEach((e, k) => expect(Math.abs(e - h.expected[k]), `${label}, band ${k}`).toBeLessThan(1e-4));
        }
      });

      it('95% CLs upper limits (observed and expected band) to 1e-3 relative', () => {
        const r = ref as Reference;
        expect(fit.converged, `the MLE did not converge: ${fit.message}`).toBe(true);
        const ul = upperLimit(m.likelihood, m.data, r.poi!, { level: 0.05 });
        expect(ul.converged, ul.messages.join('; ')).toBe(true);
        expect(relative(ul.observed!, r.upper_limit!.observed)).toBeLessThan(1e-3);
        ul.expected.forEach((e, k) => expect(relative(e!, r.upper_limit!.expected[k]), `expected ${k}`).toBeLessThan(1e-3));
      });
    }

    for (const interval of ref?.intervals ?? []) {
      it(`two-sided profile-likelihood interval of ${interval.parameter} (68.27%, 95%)`, () => {
        expect(fit.converged, `the MLE did not converge: ${fit.message}`).toBe(true);
        // scan the parameter's bounds, or a window three times the 95% interval's width where
        // the bounds include points at which the likelihood is undefined (a shapefactor at 0
        // makes a yield 0 against a positive count)
        const [lo, hi] = (ref as Reference).bounds[interval.parameter];
        const wide = interval.intervals[interval.intervals.length - 1];
        const width = wide.lower !== null && wide.upper !== null ? wide.upper - wide.lower : Infinity;
        const range: [number, number] = [wide.lower === null ? lo : Math.max(lo, wide.lower - width), wide.upper === null ? hi : Math.min(hi, wide.upper + width)];
        const result = profileInterval(
          m.likelihood,
          m.data,
          interval.parameter,
          interval.intervals.map((i) => i.cl),
          { points: 21, range },
        );
        expect(result.converged).toBe(true);
        interval.intervals.forEach((theirs, k) => {
          const ours = result.intervals[k];
          expect(ours.segments).toHaveLength(1);
          const [s] = ours.segments;
          // pyhf's side: null where the interval reaches the parameter's bound
          if (theirs.lower === null) expect(s.lowerOpen).toBe(true);
          else expect(Math.abs(s.lower - theirs.lower), `lower at ${theirs.cl}`).toBeLessThan(1e-4 * Math.max(1, Math.abs(theirs.lower)));
          if (theirs.upper === null) expect(s.upperOpen).toBe(true);
          else expect(Math.abs(s.upper - theirs.upper), `upper at ${theirs.cl}`).toBeLessThan(1e-4 * Math.max(1, Math.abs(theirs.upper)));
        });
      });
    }
  });
}
