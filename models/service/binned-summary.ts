/**
 * The binned part of a result page: per channel the samples' nominal yields, the total
 * expected before and after the fit to the observed data, and the observed counts; and, when
 * the first parameter of interest is a signal strength (a normfactor), the CLs scan with its
 * expected band and the 95% CLs upper limits.
 */
import { z } from 'zod';
import type { LoadedArtifact } from '../artifact/load.js';
import { AsymptoticCalculator, InvalidPoiError } from '../inference/calculators/asymptotic.js';
import { upperLimit } from '../inference/intervals/upper-limit.js';
import type { FitResult } from '../inference/mle.js';
import type { LikelihoodData } from '../likelihood/likelihood.js';
import type { ModifierType } from '../terms/binned/schema.js';
import { binnedTerms } from '../terms/binned/term.js';
import { countsByChannel } from '../terms/binned/data.js';

/** POI values of the CLs scan on a page. */
export const CLS_POINTS = 25;

export const ChannelSummarySchema = z.object({
  name: z.string(),
  bins: z.number(),
  /** per sample (pyhf's order): nominal yields at the reference point, and its modifiers */
  samples: z.array(z.object({ name: z.string(), values: z.array(z.number()), modifiers: z.array(z.object({ type: z.custom<ModifierType>((v) => typeof v === 'string'), name: z.string() })) })),
  observed: z.array(z.number()).nullable(),
  /** total expected at the initial parameters (POI at its reference value, nuisances nominal) */
  prefit: z.array(z.number()),
  /** total expected at the best fit to the observed data; null without data or when the fit failed */
  postfit: z.array(z.number()).nullable(),
});

export const BinnedTermSummarySchema = z.object({
  term: z.string(),
  channels: z.array(ChannelSummarySchema),
  /** the fit behind `postfit` */
  fit: z.object({ converged: z.boolean(), message: z.string() }).nullable(),
});

export const ClsSummarySchema = z.object({
  poi: z.string(),
  level: z.number(),
  mu: z.array(z.number()),
  observed: z.array(z.number().nullable()),
  /** expected CLs per μ, pyhf's order (−2σ … +2σ edges) */
  expected: z.array(z.array(z.number()).nullable()),
  limit: z.object({ observed: z.number().nullable(), expected: z.array(z.number().nullable()), converged: z.boolean(), messages: z.array(z.string()) }),
});

export type ChannelSummary = z.infer<typeof ChannelSummarySchema>;
export type BinnedTermSummary = z.infer<typeof BinnedTermSummarySchema>;
export type ClsSummary = z.infer<typeof ClsSummarySchema>;

/** `fit`: the fit to the observed data (`maximumLikelihood(likelihood, observed)`), which the page's diagnostics share; null without data. */
export function binnedSummaries(artifact: LoadedArtifact, observed: LikelihoodData | null, fit: FitResult | null): BinnedTermSummary[] {
  const { likelihood } = artifact;
  const terms = binnedTerms(likelihood);
  if (!terms.length) return [];
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
