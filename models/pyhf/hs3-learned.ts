/**
 * Learned (unbinned) likelihoods as HS3, with one documented extension (issue 25 item 4): HS3
 * v0.2 has no neural node, so each unbinned term becomes a distribution of type
 * `onnx_ratio_dist`, which points at the ONNX model of its network (GET …/onnx/{component})
 * and carries what the network does not: the parameters and θ0, the cross section σ(θ) on the
 * monomial basis, the luminosity, and the form of −ln L. Observed events are HS3 `unbinned`
 * data. Everything else (domains, parameter points, analyses, metadata) is standard HS3, so
 * that a reader that does not know the extension still finds the parameters, their ranges and
 * the data, and refuses the distribution by its type, as HS3 readers do with unknown types.
 *
 * The extension (also documented at /docs#hs3-onnx and in docs/onnx.md):
 *
 * ```
 * { type: 'onnx_ratio_dist', name,
 *   term: 'unbinned-polynomial' | 'unbinned-parametrised',
 *   observables: [...],            // x, in the order the model's input x takes them
 *   parameters: [...], reference: [...],   // θ and θ0
 *   onnx: { href, component, sha256, inputs: { x: [...], theta?: [...] }, output },
 *   //   polynomial: output log_ratio = ln R̂(x|θ) = ln dσ(x|θ)/dσ(x|θ0) (inputs x and theta)
 *   //   parametrised: output mean = ln r̂(x|θ) = ln p(x|θ)/p(x|θ0) (input x = observables then θ)
 *   cross_section: { value: σ0, unit, degree, monomials: ['1', 'C_lq1', …], coefficients: s },
 *   //   σ(θ) = σ0 s·m(θ − θ0)
 *   luminosity: { value, unit },
 *   normalisation?: 'none' | 'reference-sample',   // parametrised only (see the term's manifest)
 *   nll: the formula, in words }
 * ```
 */
import type { Manifest } from '../artifact/manifest-schema.js';
import { monomialBasis, monomialLabel } from '../basis/monomial-basis.js';
import { HS3_VERSION, type Hs3Document } from './hs3.js';

export const ONNX_RATIO_DIST = 'onnx_ratio_dist';

type UnbinnedTerm = Extract<Manifest['terms'][number], { kind: 'unbinned-polynomial' | 'unbinned-parametrised' }>;

/** Observed events of a term (count × observables, row-major), as the artifact publishes them. */
export interface ObservedEvents {
  values: ArrayLike<number>;
  weights?: ArrayLike<number>;
}

/**
 * The HS3 document of a learned likelihood `spec` (id@version) whose terms are all unbinned;
 * `observed` maps a term's name to its published events. Links are absolute paths on this service.
 */
export function learnedLikelihoodToHs3(manifest: Manifest, spec: string, producer: { name: string; version: string }, observed: Map<string, ObservedEvents>): Hs3Document {
  const terms = manifest.terms.filter((t): t is UnbinnedTerm => t.kind === 'unbinned-polynomial' || t.kind === 'unbinned-parametrised');
  if (terms.length !== manifest.terms.length) throw new RangeError('learnedLikelihoodToHs3 takes likelihoods of unbinned terms only');
  const byName = new Map(manifest.parameters.map((p) => [p.name, p]));
  const selection = new Map(manifest.observables.map((o) => [o.name, o.selection ?? {}]));
  const distributions = terms.map((term) => {
    const polynomial = term.kind === 'unbinned-polynomial';
    const degree = polynomial ? term.degree : term.crossSection.degree;
    const basis = monomialBasis(term.parameters.length, degree);
    const ref = manifest.components[term.ratio];
    return {
      type: ONNX_RATIO_DIST,
      name: `${term.name}_model`,
      term: term.kind,
      observables: term.observables,
      parameters: term.parameters,
      reference: term.parameters.map((p) => byName.get(p)!.reference),
      onnx: {
        href: `/v1/likelihoods/${spec}/onnx/${term.ratio}${polynomial ? '?output=log-ratio' : ''}`,
        component: term.ratio,
        sha256: ref.sha256,
        inputs: polynomial ? { x: term.observables, theta: term.parameters } : { x: [...term.observables, ...term.parameters] },
        output: polynomial ? 'log_ratio' : 'mean',
      },
      cross_section: { value: term.crossSection.value, unit: term.crossSection.unit, degree, monomials: Array.from({ length: basis.size }, (_, k) => monomialLabel(basis, k, term.parameters)), coefficients: term.crossSection.coefficients },
      luminosity: manifest.luminosity,
      ...(polynomial ? {} : { normalisation: term.normalisation }),
      nll: polynomial
        ? '−ln L(θ) = L σ(θ) − Σ_i w_i ln R̂(x_i|θ), up to a θ-independent constant; R̂ from the ONNX output log_ratio, σ(θ) = σ0 s·m(θ − θ0)'
        : `−ln L(θ) = L σ(θ) − W ln(σ(θ)/σ0) − Σ_i w_i ln r̂(x_i|θ)${term.normalisation === 'reference-sample' ? ' + W ln Z(θ), Z(θ) the weighted mean of r̂ over the reference sample (component ' + term.reference + ')' : ''}, up to a θ-independent constant; W = Σ_i w_i`,
    };
  });
  const data = terms.flatMap((term) => {
    const events = observed.get(term.name);
    if (!events) return [];
    const D = term.observables.length;
    const entries = Array.from({ length: events.values.length / D }, (_, e) => Array.from(events.values).slice(e * D, (e + 1) * D));
    const axes = term.observables.map((name) => ({ name, ...selection.get(name) }));
    return [{ type: 'unbinned' as const, name: `${term.name}_observed`, axes, entries, ...(events.weights ? { weights: Array.from(events.weights) } : {}) }];
  });
  const pois = manifest.parameters.map((p) => p.name);
  return {
    distributions,
    data,
    likelihoods: [{ name: spec, distributions: distributions.map((d) => d.name), data: data.map((d) => d.name) }],
    domains: [{ name: 'default_domain', type: 'product_domain', axes: manifest.parameters.map((p) => ({ name: p.name, min: p.range[0], max: p.range[1] })) }],
    parameter_points: [{ name: 'default_values', parameters: manifest.parameters.map((p) => ({ name: p.name, value: p.reference })) }],
    analyses: [{ name: spec, likelihood: spec, parameters_of_interest: pois, domains: ['default_domain'], init: 'default_values' }],
    metadata: {
      hs3_version: HS3_VERSION,
      packages: [producer],
      extensions: { [ONNX_RATIO_DIST]: 'a learned unbinned term: an ONNX model of its per-event log ratio plus σ(θ); see /docs#hs3-onnx' },
      ...(data.length === distributions.length ? {} : { observations: 'no observed events are published for some terms: their data are missing here; the service fits Asimov data at θ0 by default' }),
    },
  };
}
