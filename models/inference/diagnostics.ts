/**
 * Fit diagnostics as cabinetry and CMS Combine give them, for every likelihood with nuisance
 * parameters: from the maximum-likelihood fit to the data,
 *
 * - **pulls and constraints**: (θ̂ − θ0)/σ_pre and σ̂/σ_pre for each constrained parameter, σ_pre
 *   its constraint's width (a normal constraint's σ; a Poisson constraint's √(θ0/τ), pyhf's
 *   1/√τ for a shapesys γ); unconstrained parameters with their fitted value and σ̂ alone;
 * - **impacts** on the parameter of interest: the POI's shift when a nuisance is held at
 *   θ̂ ± σ̂ (post-fit) or θ̂ ± σ_pre (pre-fit) and everything else refitted, ranked by the larger
 *   post-fit shift (cabinetry's `ranking`);
 * - **correlations** of the free parameters that have a variance, from the covariance (the
 *   inverse Hessian; a parameter at a bound of its range has none);
 * - **yields** per binned channel and bin before and after the fit, with the data and the 1σ band
 *   of each as cabinetry computes it (`model_utils.yield_stdev`): each parameter's symmetrised
 *   effect Δ_i = [ν(θ + σ_i) − ν(θ − σ_i)]/2 combined with the correlations, σ² = Σ_ij Δ_i ρ_ij Δ_j
 *   (pre-fit: the constraints' widths, uncorrelated; post-fit: σ̂ and ρ from the covariance). For
 *   yields linear in the parameters this is J C Jᵀ; normsys and histosys interpolation is not,
 *   and the symmetrised variations, unlike a derivative at θ̂, see both sides of its kink at 0.
 */
import type { Likelihood, LikelihoodData } from '../likelihood/likelihood.js';
import { binnedTerms } from '../terms/binned/term.js';
import { maximumLikelihood, profileFit, type FitResult } from './mle.js';

export interface Pull {
  name: string;
  constraint: 'normal' | 'poisson' | 'none';
  /** θ0 and σ_pre (null without a constraint) */
  nominal: number;
  prefitSigma: number | null;
  value: number;
  /** σ̂ from the covariance; null where it is unavailable */
  postfitSigma: number | null;
  /** (θ̂ − θ0)/σ_pre and σ̂/σ_pre; null without a constraint */
  pull: number | null;
  constraintRatio: number | null;
}

export interface Impact {
  name: string;
  /** ΔPOI with the parameter at θ̂ − σ and θ̂ + σ, pre-fit σ (null without a constraint) and post-fit σ̂; null where a refit failed */
  prefit: [number | null, number | null] | null;
  postfit: [number | null, number | null];
}

export interface ChannelYields {
  term: string;
  channel: string;
  observed: number[] | null;
  prefit: number[];
  prefitError: number[];
  postfit: number[];
  /** null where the covariance is unavailable */
  postfitError: number[] | null;
}

export interface FitDiagnostics {
  poi: string;
  converged: boolean;
  message: string;
  poiValue: number | null;
  poiSigma: number | null;
  pulls: Pull[];
  /** ranked by the larger post-fit shift, largest first */
  impacts: Impact[];
  correlation: { names: string[]; matrix: number[][] } | null;
  yields: ChannelYields[];
}

export interface DiagnosticsOptions {
  /** whose impacts to compute: every free nuisance parameter (default), none, or the named ones */
  impacts?: 'all' | 'none' | readonly string[];
  /** the fit to `data` (`maximumLikelihood(likelihood, data)`) where the caller has made it already */
  fit?: FitResult;
}

/** σ_pre and the constraint kind of every constrained parameter, by global index. */
export function prefitWidths(likelihood: Likelihood): Map<number, { kind: 'normal' | 'poisson'; sigma: number }> {
  const initial = likelihood.initial();
  const widths = new Map<number, { kind: 'normal' | 'poisson'; sigma: number }>();
  for (const { term } of likelihood.terms) {
    for (const c of term.constraints) {
      const i = likelihood.indexOf(c.parameter);
      if (i < 0 || widths.has(i)) continue;
      widths.set(i, { kind: c.kind, sigma: c.kind === 'normal' ? c.sigma : Math.sqrt(initial[i] / c.tau) });
    }
  }
  return widths;
}

/** The POI's shift when parameter `i` is held at `value` and the rest refitted from the best fit; null where the refit failed. */
function shift(likelihood: Likelihood, data: LikelihoodData, fit: FitResult, poi: number, i: number, value: number): number | null {
  const [lo, hi] = likelihood.parameters[i].bounds;
  const held = profileFit(likelihood, data, new Map([[i, Math.min(hi, Math.max(lo, value))]]), { start: fit.parameters, multiStart: false });
  return held.converged ? held.parameters[poi] - fit.parameters[poi] : null;
}

/**
 * Yields of every binned channel at `params`, and their 1σ: Δ_i from ±`sigma(i)` variations of the
 * free parameters the term uses, σ² = Σ_ij Δ_i ρ(i, j) Δ_j. Not clipped at the parameters' bounds
 * (as cabinetry): a μ̂ at its bound of 0 keeps its full linear effect.
 */
function channelYields(likelihood: Likelihood, data: LikelihoodData, params: Float64Array, sigma: (i: number) => number, rho: (i: number, j: number) => number, free: readonly number[]): { term: string; channel: string; values: number[]; errors: number[] }[] {
  const out: { term: string; channel: string; values: number[]; errors: number[] }[] = [];
  for (const term of binnedTerms(likelihood)) {
    const index = likelihood.termIndex(term);
    const scale = likelihood.context(term, data.luminosity, data.rate).luminosityScale;
    const nominal = term.expected(params, index, scale);
    const used = free.filter((g) => index.includes(g) && sigma(g) > 0);
    const effects = used.map((g) => {
      const up = Float64Array.from(params);
      const down = Float64Array.from(params);
      up[g] += sigma(g);
      down[g] -= sigma(g);
      const a = term.expected(up, index, scale);
      const b = term.expected(down, index, scale);
      return Float64Array.from(a, (v, k) => (v - b[k]) / 2);
    });
    const errors = Array.from(nominal, (_, k) => {
      let variance = 0;
      for (let a = 0; a < used.length; a++) for (let b = 0; b < used.length; b++) variance += effects[a][k] * rho(used[a], used[b]) * effects[b][k];
      return Math.sqrt(Math.max(0, variance));
    });
    for (const channel of term.channels) out.push({ term: term.name, channel: channel.name, values: Array.from(nominal.subarray(channel.offset, channel.offset + channel.bins)), errors: errors.slice(channel.offset, channel.offset + channel.bins) });
  }
  return out;
}

/** The diagnostics of the fit to `data` for parameter of interest `poi` (the module comment). */
export function fitDiagnostics(likelihood: Likelihood, data: LikelihoodData, poi: string, options: DiagnosticsOptions = {}): FitDiagnostics {
  const p = likelihood.indexOf(poi);
  if (p < 0) throw new RangeError(`unknown parameter '${poi}'`);
  const fit = options.fit ?? maximumLikelihood(likelihood, data);
  const none = { poi, poiValue: null, poiSigma: null, pulls: [], impacts: [], correlation: null, yields: [] };
  if (!fit.converged) return { ...none, converged: false, message: `the fit to the data did not converge: ${fit.message}` };
  const n = likelihood.parameters.length;
  const initial = likelihood.initial();
  const widths = prefitWidths(likelihood);
  const free = [...Array(n).keys()].filter((i) => !likelihood.parameters[i].fixed);
  const sigma = (i: number) => (Number.isFinite(fit.uncertainties[i]) ? fit.uncertainties[i] : null);

  const pulls: Pull[] = free
    .filter((i) => i !== p)
    .map((i) => {
      const w = widths.get(i);
      const s = sigma(i);
      return {
        name: likelihood.names[i],
        constraint: w?.kind ?? 'none',
        nominal: initial[i],
        prefitSigma: w?.sigma ?? null,
        value: fit.parameters[i],
        postfitSigma: s,
        pull: w ? (fit.parameters[i] - initial[i]) / w.sigma : null,
        constraintRatio: w && s !== null ? s / w.sigma : null,
      };
    });

  const wanted = options.impacts ?? 'all';
  const impactSet = wanted === 'none' ? [] : free.filter((i) => i !== p && likelihood.parameters[i].kind === 'nuisance' && (wanted === 'all' || wanted.includes(likelihood.names[i])));
  const impacts: Impact[] = impactSet.map((i) => {
    const s = sigma(i);
    const w = widths.get(i);
    const at = (d: number | null) => (d === null ? null : shift(likelihood, data, fit, p, i, fit.parameters[i] + d));
    return {
      name: likelihood.names[i],
      prefit: w ? [at(-w.sigma), at(w.sigma)] : null,
      postfit: [at(s === null ? null : -s), at(s)],
    };
  });
  const size = (m: Impact) => Math.max(...m.postfit.map((v) => Math.abs(v ?? 0)));
  impacts.sort((a, b) => size(b) - size(a));

  const covariance = fit.covariance;
  // parameters with a variance (one at a bound of its range has none)
  const varied = covariance ? free.filter((i) => covariance[i * n + i] > 0) : [];
  const correlation = covariance
    ? {
        names: varied.map((i) => likelihood.names[i]),
        matrix: varied.map((i) => varied.map((j) => covariance[i * n + j] / Math.sqrt(covariance[i * n + i] * covariance[j * n + j]))),
      }
    : null;

  const pre = channelYields(likelihood, data, initial, (i) => widths.get(i)?.sigma ?? 0, (i, j) => (i === j ? 1 : 0), free);
  const post = channelYields(likelihood, data, fit.parameters, (i) => (covariance ? Math.sqrt(covariance[i * n + i]) : 0), (i, j) => (covariance ? covariance[i * n + j] / Math.sqrt(covariance[i * n + i] * covariance[j * n + j]) : 0), free);
  const observed = new Map(binnedTerms(likelihood).map((t) => [t.name, data.terms[t.name] as { counts: Float64Array } | undefined]));
  const offsets = new Map(binnedTerms(likelihood).flatMap((t) => t.channels.map((c) => [`${t.name}/${c.name}`, c] as const)));
  const yields: ChannelYields[] = pre.map((y, k) => {
    const channel = offsets.get(`${y.term}/${y.channel}`)!;
    const counts = observed.get(y.term)?.counts;
    return {
      term: y.term,
      channel: y.channel,
      observed: counts ? Array.from(counts.subarray(channel.offset, channel.offset + channel.bins)) : null,
      prefit: y.values,
      prefitError: y.errors,
      postfit: post[k].values,
      postfitError: covariance ? post[k].errors : null,
    };
  });

  return { poi, converged: true, message: covariance ? 'converged' : 'converged; the Hessian is not positive definite, so there are no post-fit widths, correlations or bands', poiValue: fit.parameters[p], poiSigma: sigma(p), pulls, impacts, correlation, yields };
}
