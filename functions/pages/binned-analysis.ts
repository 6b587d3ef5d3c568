/**
 * The binned part of a result page: per channel the samples' nominal yields, the total
 * expected before and after the fit to the observed data, and the observed counts; and, when
 * the first parameter of interest is a signal strength (a normfactor), the CLs scan with its
 * expected band and the 95% CLs upper limits. Computed with models/ directly.
 */
import type { LoadedArtifact } from '../../models/artifact/load.js';
import { AsymptoticCalculator, InvalidPoiError } from '../../models/inference/calculators/asymptotic.js';
import { upperLimit } from '../../models/inference/intervals/upper-limit.js';
import { maximumLikelihood } from '../../models/inference/mle.js';
import type { LikelihoodData } from '../../models/likelihood/likelihood.js';
import { countsByChannel, type ModifierType, binnedTerms } from '../../models/terms/binned-template.js';

/** POI values of the CLs scan on a page. */
export const CLS_POINTS = 25;

export interface ChannelSummary {
  name: string;
  bins: number;
  /** per sample (pyhf's order): nominal yields at the reference point, and its modifiers */
  samples: { name: string; values: number[]; modifiers: { type: ModifierType; name: string }[] }[];
  observed: number[] | null;
  /** total expected at the initial parameters (POI at its reference value, nuisances nominal) */
  prefit: number[];
  /** total expected at the best fit to the observed data; null without data or when the fit failed */
  postfit: number[] | null;
}

export interface BinnedTermSummary {
  term: string;
  channels: ChannelSummary[];
  /** the fit behind `postfit` */
  fit: { converged: boolean; message: string } | null;
}

export interface ClsSummary {
  poi: string;
  level: number;
  mu: number[];
  observed: (number | null)[];
  /** expected CLs per μ, pyhf's order (−2σ … +2σ edges) */
  expected: (number[] | null)[];
  limit: { observed: number | null; expected: (number | null)[]; converged: boolean; messages: string[] };
}

export function binnedSummaries(artifact: LoadedArtifact, observed: LikelihoodData | null): BinnedTermSummary[] {
  const { likelihood } = artifact;
  const terms = binnedTerms(likelihood);
  if (!terms.length) return [];
  const fit = observed ? maximumLikelihood(likelihood, observed) : null;
  const initial = likelihood.initial();
  return terms.map((term) => {
    const { spec: model, observations } = term;
    const index = likelihood.termIndex(term);
    const prefit = countsByChannel(term.channels, term.expected(initial, index));
    const postfit = fit?.converged ? countsByChannel(term.channels, term.expected(fit.parameters, index)) : null;
    const channels = term.channels.map((channel, c): ChannelSummary => {
      const spec = model.channels[c];
      return {
        name: channel.name,
        bins: channel.bins,
        // the coefficient of the constant monomial is the yield at the reference point
        samples: spec.samples.map((s) => ({ name: s.name, values: s.coefficients.map((k) => k[0]), modifiers: s.modifiers.map((m) => ({ type: m.type, name: m.name })) })),
        observed: observations?.[channel.name] ? [...observations[channel.name]] : null,
        prefit: prefit[channel.name],
        postfit: postfit ? postfit[channel.name] : null,
      };
    });
    return { term: term.name, channels, fit: fit ? { converged: fit.converged, message: fit.message } : null };
  });
}

/**
 * The CLs scan of the first parameter of interest on the observed data, from μ = 0 to a
 * little beyond the largest limit found; null where CLs does not apply (no signal-strength
 * POI, unbinned terms) or no data are published.
 */
export function clsSummary(artifact: LoadedArtifact, observed: LikelihoodData | null, level = 0.05): ClsSummary | null {
  if (!observed) return null;
  const { likelihood } = artifact;
  const poi = likelihood.names[0];
  let calculator: AsymptoticCalculator;
  try {
    calculator = new AsymptoticCalculator(likelihood, observed, poi);
  } catch (error) {
    if (error instanceof InvalidPoiError) return null;
    throw error;
  }
  const limit = upperLimit(likelihood, observed, poi, { level });
  const [lo, hi] = likelihood.parameters[calculator.poiIndex].bounds;
  const found = [limit.observed, ...limit.expected].filter((v): v is number => v !== null);
  const top = Math.min(hi, found.length ? 1.25 * Math.max(...found) : hi);
  const mu = Array.from({ length: CLS_POINTS }, (_, k) => Math.max(lo, 0) + ((top - Math.max(lo, 0)) * k) / (CLS_POINTS - 1));
  const tests = mu.map((m) => calculator.hypotest(m));
  return {
    poi,
    level,
    mu,
    observed: tests.map((t) => t.cls),
    expected: tests.map((t) => t.expected),
    limit: { observed: limit.observed, expected: limit.expected, converged: limit.converged, messages: limit.messages },
  };
}
