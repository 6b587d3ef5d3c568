/**
 * The agreement of an imported workspace's artifact with pyhf, as its manifest records it
 * (validation `closure` and `notes`, shown on its result page): −ln L at pyhf's points, the
 * minimum against pyhf's polished fit, asymptotic CLs (q̃_μ) and the 95% CLs upper limits, each
 * the largest difference over what pyhf computed for the case (scripts/reference/pyhf_reference.py).
 * The same comparisons, with their tolerances, are the tests of test/models/pyhf/pyhf-agreement.test.ts.
 */
import type { LoadedArtifact } from '../../models/artifact/load.js';
import type { Manifest } from '../../models/artifact/manifest-schema.js';
import { AsymptoticCalculator } from '../../models/inference/calculators/asymptotic.js';
import { upperLimit } from '../../models/inference/intervals/upper-limit.js';
import { maximumLikelihood } from '../../models/inference/mle.js';
import { resolveDataset } from '../../models/likelihood/datasets.js';
import type { Reference } from '../reference/pyhf-reference.js';

const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

/** pyhf's version as the reference README records it. */
export const PYHF_REFERENCE_VERSION = 'pyhf 0.7.6+b3dc4bb (numpy backend, scipy 1.10.1 SLSQP)';

export function pyhfAgreementValidation(artifact: LoadedArtifact, reference: Reference, file: string): Required<Pick<Manifest['validation'], 'closure' | 'notes'>> {
  const { likelihood } = artifact;
  const names = [...likelihood.names].sort();
  const theirs = [...reference.par_names].sort();
  if (names.length !== theirs.length || names.some((n, k) => n !== theirs[k])) throw new Error(`${file} is for another model: its parameters are not this artifact's`);
  const vector = (pars: Record<string, number>) => Float64Array.from(likelihood.names, (n) => pars[n]);
  const data = resolveDataset(likelihood, { kind: 'observed' });

  const closure: Record<string, number> = {};
  closure['−ln L against pyhf at its points: largest relative difference'] = Math.max(...reference.nll_points.map((p) => relative(likelihood.nll(vector(p.pars), data), p.nll)));
  const fit = maximumLikelihood(likelihood, data);
  if (!fit.converged) throw new Error(`the fit to the observed data did not converge: ${fit.message}`);
  closure['minimum of −ln L: ours − pyhf polished fit'] = fit.nll - reference.mle.tight.nll;
  const notes = [
    `Agreement with ${PYHF_REFERENCE_VERSION} on the same workspace (${reference.case}; its numbers: test/fixtures/pyhf/reference/${file.split('/').pop()}, made by scripts/reference/pyhf_reference.py). −ln L at ${reference.nll_points.length} points (pyhf's initial point, points at 0.3 to 2.5 constraint widths, its MLE); the minimum of our fit (${fit.iterations} iterations) against pyhf's with tolerance 1e-12.`,
  ];
  const poi = reference.poi;
  const hypotests = (reference.hypotests ?? []).filter((h) => h.test_stat === 'qtilde');
  if (poi && hypotests.length) {
    const calculator = new AsymptoticCalculator(likelihood, data, poi);
    let worst = 0;
    for (const h of hypotests) {
      const ours = calculator.hypotest(h.mu);
      if (!ours.converged || ours.cls === null) throw new Error(`CLs at ${poi} = ${h.mu}: ${ours.message}`);
      worst = Math.max(worst, Math.abs(ours.cls - h.cls), ...ours.expected!.map((e, k) => Math.abs(e - h.expected[k])));
    }
    closure[`asymptotic CLs (q̃) at ${hypotests.length} values of ${poi}, observed and expected ±2σ: largest absolute difference`] = worst;
  }
  if (poi && reference.upper_limit) {
    const limit = upperLimit(likelihood, data, poi, { level: reference.upper_limit.level });
    if (!limit.converged || limit.observed === null) throw new Error(`upper limit: ${limit.messages.join('; ')}`);
    const ref = reference.upper_limit;
    closure[`${formatCl(1 - ref.level)} CLs upper limit on ${poi}, observed and expected ±2σ: largest relative difference`] = Math.max(relative(limit.observed, ref.observed), ...limit.expected.map((e, k) => relative(e!, ref.expected[k])));
    notes.push(`pyhf's ${formatCl(1 - ref.level)} CLs upper limit on ${poi}: ${ref.observed.toPrecision(5)} observed, ${ref.expected.map((e) => e.toPrecision(4)).join(', ')} expected (−2σ … +2σ); ours: ${limit.observed.toPrecision(5)}, ${limit.expected.map((e) => e!.toPrecision(4)).join(', ')}.`);
  }
  return { closure, notes };
}

const formatCl = (cl: number) => `${Number((100 * cl).toFixed(2))}%`;
