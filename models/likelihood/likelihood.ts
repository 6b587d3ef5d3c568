/**
 * The total likelihood: the sum of its terms' −ln L (seed 003 app. A eq. 49; DESIGN.md
 * "The likelihood") over one global parameter vector,
 *
 *     −ln L(θ, ν) = Σ_unbinned [L σ(θ) − Σ_i w_i ln R̂(x_i|θ)] + Σ_binned [Poisson + constraints].
 *
 * Parameters of interest come first, in the manifest's order, then each term's nuisances
 * in order of first appearance; terms that name the same nuisance share it. A term's
 * unconstrained nuisance (a normfactor: pyhf's POI) may be declared a parameter of interest.
 */
import type { Derivatives, EvaluationContext, ParameterSpec, Term } from './term.js';
import { charge } from './work-meter.js';

import type { Selection } from './selection.js';
export type { Term } from './term.js';
/** One term's data: what that term's `nll` reads (the likelihood never looks inside). */
export type TermData = unknown;

/** A dataset resolved for every term of a likelihood. */
export interface LikelihoodData {
  /** integrated luminosity the data correspond to, in the manifest's unit */
  readonly luminosity: number;
  /** include the unbinned terms' Poisson rate term */
  readonly rate: boolean;
  /** per term name */
  readonly terms: Readonly<Record<string, TermData>>;
}

export interface BoundTerm {
  readonly term: Term;
  /** term-local parameter j → global index */
  readonly index: Int32Array;
}

export interface Likelihood {
  readonly parameters: readonly ParameterSpec[];
  readonly names: readonly string[];
  /** the first `interest` parameters are the parameters of interest */
  readonly interest: number;
  /** 1 + number of ensemble members (variant 0 is the estimate) */
  readonly variants: number;
  /** the luminosity the published templates and data correspond to */
  readonly publishedLuminosity: number;
  /** the observables of submitted events, in their column order (the manifest's) */
  readonly observables: readonly string[];
  /** the region of those observables the likelihood describes; submitted events outside are refused */
  readonly selection: Selection;
  readonly terms: readonly BoundTerm[];
  indexOf(name: string): number;
  /** a term's term-local → global parameter index */
  termIndex(term: Term): Int32Array;
  /** −ln L at global parameters; adds the analytic gradient (n) and Hessian (n × n) when asked */
  nll(params: Float64Array, data: LikelihoodData, variant?: number, derivatives?: Derivatives): number;
  /** the reference point: parameters of interest at θ0, nuisances at their initial values */
  initial(): Float64Array;
  /** what a term is evaluated with, for data at `luminosity` */
  context(term: Term, luminosity: number, rate: boolean, variant?: number): EvaluationContext;
}

export function createLikelihood(interest: readonly ParameterSpec[], terms: readonly Term[], publishedLuminosity: number, observables: readonly string[] = [], selection: Selection = {}): Likelihood {
  const parameters: ParameterSpec[] = [...interest];
  const position = new Map<string, number>(interest.map((p, i) => [p.name, i]));
  if (position.size !== interest.length) throw new Error('duplicate parameter of interest');

  const bound: BoundTerm[] = terms.map((term) => {
    const index = new Int32Array(term.parameters.length);
    term.parameters.forEach((p, j) => {
      let at = position.get(p.name);
      if (p.kind === 'interest') {
        if (at === undefined || at >= interest.length) {
          throw new Error(`term '${term.name}' depends on '${p.name}', which is not a parameter of interest of this likelihood`);
        }
      } else if (at === undefined) {
        at = parameters.length;
        parameters.push(p);
        position.set(p.name, at);
      } else if (at < interest.length && p.constraint !== 'none') {
        // an unconstrained normalisation (a pyhf normfactor POI) may be a parameter of
        // interest: the declaration (init, bounds, fixed) is then its global spec
        throw new Error(`term '${term.name}': the constrained nuisance '${p.name}' has the name of a parameter of interest`);
      }
      index[j] = at;
    });
    return { term, index };
  });

  const names = parameters.map((p) => p.name);
  const variants = Math.max(1, ...terms.map((t) => t.variants));
  const context = (term: Term, luminosity: number, rate: boolean, variant = 0): EvaluationContext => ({
    luminosity,
    luminosityScale: luminosity / publishedLuminosity,
    rate,
    variant: Math.min(variant, term.variants - 1),
  });

  return {
    parameters,
    names,
    interest: interest.length,
    variants,
    publishedLuminosity,
    observables,
    selection,
    terms: bound,
    context,
    indexOf(name) {
      const at = position.get(name);
      return at === undefined ? -1 : at;
    },
    termIndex(term) {
      const found = bound.find((b) => b.term === term);
      if (!found) throw new Error(`term '${term.name}' is not part of this likelihood`);
      return found.index;
    },
    initial() {
      return Float64Array.from(parameters, (p) => p.init);
    },
    nll(params, data, variant = 0, derivatives) {
      let total = 0;
      for (const { term, index } of bound) {
        const termData = data.terms[term.name];
        if (!termData) throw new Error(`the dataset has no data for term '${term.name}'`);
        charge(term.evaluationUnits(derivatives?.hessian ? 2 : derivatives?.gradient ? 1 : 0, term.eventCount(termData), variant));
        total += term.nll(params, index, termData, context(term, data.luminosity, data.rate, variant), derivatives);
      }
      return total;
    },
  };
}

/** The same likelihood with every parameter of interest but `name` fixed at its initial value. */
export function othersFixed(likelihood: Likelihood, name: string): Likelihood {
  const interest = likelihood.parameters.slice(0, likelihood.interest).map((p) => ({ ...p, fixed: p.fixed || p.name !== name }));
  return createLikelihood(interest, likelihood.terms.map((t) => t.term), likelihood.publishedLuminosity);
}
