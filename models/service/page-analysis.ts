/**
 * The numbers behind a result page: for every parameter of interest the profile-likelihood scan
 * q(θ) with its 68% and 95% intervals on the observed data (when the artifact publishes them)
 * and on the expected (Asimov) data at the reference point and published luminosity; the
 * ensemble members' scans where there is an ensemble; 2-D profile contours for the first pairs
 * of parameters; for binned terms the yields per channel and the CLs scan
 * (`binned-summary.ts`). Computed once per artifact version and kept, or read from the
 * artifact when it publishes them (its page-analysis component, checked by `AnalysisSchema`).
 */
import { z } from 'zod';
import type { LoadedArtifact } from '../artifact/load.js';
import { ContourLevelSchema, profileContour } from '../inference/intervals/contour.js';
import { ConfidenceIntervalSchema, profileInterval, type ProfileIntervalResult } from '../inference/intervals/profile.js';
import { ProfileScanner, testStatistic } from '../inference/test-statistics.js';
import { DatasetError, resolveDataset } from '../likelihood/datasets.js';
import type { Likelihood, LikelihoodData } from '../likelihood/likelihood.js';
import { unbinnedTerms } from '../terms/unbinned.js';
import { BinnedTermSummarySchema, binnedSummaries, ClsSummarySchema, clsSummary, type BinnedTermSummary, type ClsSummary } from './binned-summary.js';
import { LruCache } from './cache.js';
import { fitDiagnostics } from '../inference/diagnostics.js';
import { maximumLikelihood, type FitResult } from '../inference/mle.js';
import { binnedTerms } from '../terms/binned/term.js';
import { DiagnosticsResponseSchema } from './schemas.js';
import { withinBudget } from './cost.js';

/** Confidence levels of the page: the API's defaults. */
export const PAGE_LEVELS = [0.68, 0.95] as const;
/** Scan points of a 1-D scan over the parameter's allowed range. */
export const SCAN_POINTS = 61;
/** The most free nuisance parameters whose impacts a page computes (four refits each); beyond, POST …/diagnostics names them. */
export const PAGE_IMPACTS = 64;
/** Grid points per axis of a 2-D contour, and how many pairs of parameters get one. */
export const CONTOUR_POINTS = 31;
export const MAX_PAIRS = 3;
/** The scan plots show q up to this value and zoom in on the region below it, with this many points. */
export const PLOT_Q_MAX = 8;
export const PLOT_POINTS = 61;

// A scan point whose fit failed has q = NaN: kept, and drawn as a gap.
const finiteOrNaN = z.number().or(z.nan());
const DatasetKindSchema = z.enum(['observed', 'expected']);
const MemberSchema = z.object({ converged: z.boolean(), best: finiteOrNaN, intervals: z.array(ConfidenceIntervalSchema) });

const ScanSummarySchema = z.object({
  dataset: DatasetKindSchema,
  converged: z.boolean(),
  best: finiteOrNaN,
  intervals: z.array(ConfidenceIntervalSchema),
  /** the scan behind the intervals (SCAN_POINTS over the allowed range, plus θ̂, and as many in a window around θ̂ where the likelihood is far narrower) */
  scan: z.array(z.object({ value: z.number(), q: finiteOrNaN, converged: z.boolean() })),
  /** q on the plot's grid (the zoomed window; the scan itself when there is no zoom) */
  curve: z.array(z.object({ value: z.number(), q: finiteOrNaN })),
  /** ensemble members' results, when the likelihood has an ensemble */
  members: z.array(MemberSchema).optional(),
  /** the spread of the members' q on the plot's grid: min and max over members at each point */
  band: z.object({ x: z.array(z.number()), lower: z.array(z.number()), upper: z.array(z.number()) }).optional(),
  /** why the scan could not be computed */
  error: z.string().optional(),
});

const ContourSummarySchema = z.object({ dataset: DatasetKindSchema, converged: z.boolean(), best: z.tuple([finiteOrNaN, finiteOrNaN]), contours: z.array(ContourLevelSchema), error: z.string().optional() });

const ParameterAnalysisSchema = z.object({
  name: z.string(),
  range: z.tuple([z.number(), z.number()]),
  /** the plotted x range: where some curve has q < PLOT_Q_MAX, or the allowed range */
  window: z.tuple([z.number(), z.number()]),
  scans: z.array(ScanSummarySchema),
});

const PairAnalysisSchema = z.object({
  parameters: z.tuple([z.string(), z.string()]),
  /** the contour grid's ranges: the parameters' plot windows */
  ranges: z.tuple([z.tuple([z.number(), z.number()]), z.tuple([z.number(), z.number()])]),
  contours: z.array(ContourSummarySchema),
});

/** The analysis of a result page; a published one (the artifact's page-analysis component) is checked against it before use. */
export const AnalysisSchema = z.object({
  /** the datasets analysed: 'observed' only when the artifact publishes observed data */
  datasets: z.array(DatasetKindSchema),
  observedEvents: z.number().nullable(),
  parameters: z.array(ParameterAnalysisSchema),
  pairs: z.array(PairAnalysisSchema),
  /** pairs of parameters not shown (beyond MAX_PAIRS) */
  pairsOmitted: z.number(),
  members: z.number(),
  /** per binned term: yields per channel and sample, observed, pre- and post-fit totals */
  binned: z.array(BinnedTermSummarySchema),
  /** the CLs scan of a signal-strength POI, when there is one and data are published */
  cls: ClsSummarySchema.nullable(),
  /** why the binned summaries or the CLs scan could not be computed */
  binnedError: z.string().optional(),
  /** fit diagnostics of a likelihood with nuisance parameters (pulls, impacts, correlations, yields with bands), on the observed data where published */
  diagnostics: DiagnosticsResponseSchema.extend({ dataset: DatasetKindSchema, impactsOmitted: z.string().optional() }).optional(),
  /** why the diagnostics could not be computed */
  diagnosticsError: z.string().optional(),
  /** wall time of the computation, ms (coarse in Workers, where clocks advance only on I/O) */
  elapsedMs: z.number(),
});

export type DatasetKind = z.infer<typeof DatasetKindSchema>;
export type ScanSummary = z.infer<typeof ScanSummarySchema>;
export type ContourSummary = z.infer<typeof ContourSummarySchema>;
export type ParameterAnalysis = z.infer<typeof ParameterAnalysisSchema>;
export type PairAnalysis = z.infer<typeof PairAnalysisSchema>;
export type Analysis = z.infer<typeof AnalysisSchema>;

/** The analysis the artifact publishes, when it has one of the right shape. */
export function storedAnalysis(artifact: LoadedArtifact): Analysis | null {
  if (!artifact.pageAnalysis) return null;
  const parsed = AnalysisSchema.safeParse(artifact.pageAnalysis);
  return parsed.success ? parsed.data : null;
}

const analyses = new LruCache<string, Promise<Analysis>>(64);

/**
 * The analysis of an artifact version: the published one, else computed on first use;
 * `key` identifies the exact artifact (id@version and manifest sha256).
 */
export function analysisOf(key: string, artifact: LoadedArtifact): Promise<Analysis> {
  return analyses.getOrSet(key, () => Promise.resolve().then(() => storedAnalysis(artifact) ?? withinBudget('the result page’s analysis', () => analyse(artifact))));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** q of a scan at each x, by linear interpolation (the scans' grids differ by their inserted best-fit points). */
function interpolate(scan: readonly { value: number; q: number }[], xs: readonly number[]): number[] {
  return xs.map((x) => {
    let k = 1;
    while (k < scan.length - 1 && scan[k].value < x) k++;
    const a = scan[k - 1];
    const b = scan[k];
    if (b.value === a.value) return a.q;
    return a.q + ((b.q - a.q) * (x - a.value)) / (b.value - a.value);
  });
}

/**
 * The x range the scan plot shows: the scan points where any curve has q < PLOT_Q_MAX, out to
 * their neighbours in the scans (so that each curve crosses PLOT_Q_MAX inside the plot, at the
 * scan's own resolution: a scan refined around θ̂ gives a window of its fine spacing); the whole
 * allowed range when that is most of it.
 */
export function plotWindow(range: readonly [number, number], results: readonly (ProfileIntervalResult | null)[]): [number, number] {
  const values = [...new Set(results.flatMap((r) => (r ? r.scan.map((p) => p.value) : [])))].sort((a, b) => a - b);
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of results) {
    if (!r) continue;
    for (const p of r.scan) {
      if (p.q < PLOT_Q_MAX) {
        lo = Math.min(lo, p.value);
        hi = Math.max(hi, p.value);
      }
    }
  }
  if (!(lo <= hi)) return [range[0], range[1]];
  lo = Math.max(range[0], values[Math.max(values.indexOf(lo) - 1, 0)]);
  hi = Math.min(range[1], values[Math.min(values.indexOf(hi) + 1, values.length - 1)]);
  if (hi - lo > 0.7 * (range[1] - range[0])) return [range[0], range[1]];
  return [lo, hi];
}

/**
 * q on a grid of values of parameter `index`, others profiled, relative to the minimum of
 * an interval scan `result` of the same data and variant (q = 2 [NLL(θ, ν̂̂) − NLL_min]);
 * each profile fit starts from its neighbour's solution.
 */
function profileCurve(likelihood: Likelihood, data: LikelihoodData, index: number, grid: readonly number[], result: ProfileIntervalResult, variant: number): { value: number; q: number }[] {
  const scanner = new ProfileScanner(likelihood, data, [index], { variant, start: result.fit.parameters, warmStart: 'previous' });
  return grid.map((value) => ({ value, q: testStatistic(scanner.fit([value]).nll, result.nllMin) }));
}

/** The page's fit diagnostics, for a binned likelihood with nuisance parameters: on the observed data, else the expected; impacts where they are few enough. */
function pageDiagnostics(likelihood: Likelihood, datasets: readonly { kind: DatasetKind; data: LikelihoodData }[], observedFit: FitResult | null): Pick<Analysis, 'diagnostics' | 'diagnosticsError'> {
  const nuisances = likelihood.parameters.filter((p) => p.kind === 'nuisance' && !p.fixed).length;
  if (!nuisances || !likelihood.terms.some(({ term }) => term.kind === 'binned-template')) return {};
  const { kind, data } = datasets[0];
  const many = nuisances > PAGE_IMPACTS;
  try {
    const result = fitDiagnostics(likelihood, data, likelihood.names[0], { impacts: many ? 'none' : 'all', ...(kind === 'observed' && observedFit ? { fit: observedFit } : {}) });
    return { diagnostics: { ...result, dataset: kind, ...(many ? { impactsOmitted: `${nuisances} nuisance parameters: impacts take four refits each; POST /v1/likelihoods/{id}/diagnostics with the names in impacts` } : {}) } };
  } catch (error) {
    return { diagnosticsError: describe(error) };
  }
}

export function analyse(artifact: LoadedArtifact): Analysis {
  const started = Date.now();
  const { likelihood, manifest } = artifact;
  const datasets: { kind: DatasetKind; data: LikelihoodData }[] = [];
  let observedEvents: number | null = null;
  try {
    datasets.push({ kind: 'observed', data: resolveDataset(likelihood, { kind: 'observed' }) });
    observedEvents = unbinnedTerms(likelihood).reduce((n, u) => n + u.observedCount, 0);
  } catch (error) {
    if (!(error instanceof DatasetError)) throw error;
  }
  datasets.push({ kind: 'expected', data: resolveDataset(likelihood, { kind: 'asimov' }) });
  const memberCount = likelihood.variants - 1;
  const names = likelihood.names.slice(0, likelihood.interest);

  const parameters: ParameterAnalysis[] = names.map((name, i) => {
    const range: [number, number] = [manifest.parameters[i].range[0], manifest.parameters[i].range[1]];
    type Run = { kind: DatasetKind; data: LikelihoodData } & ({ result: ProfileIntervalResult; members: (ProfileIntervalResult | null)[] } | { error: string });
    const runs = datasets.map(({ kind, data }): Run => {
      try {
        const result = profileInterval(likelihood, data, name, PAGE_LEVELS, { points: SCAN_POINTS });
        const members: (ProfileIntervalResult | null)[] = [];
        for (let k = 1; k <= memberCount; k++) {
          try {
            members.push(profileInterval(likelihood, data, name, PAGE_LEVELS, { points: SCAN_POINTS, variant: k }));
          } catch {
            members.push(null);
          }
        }
        return { kind, data, result, members };
      } catch (error) {
        return { kind, data, error: describe(error) };
      }
    });
    const window = plotWindow(range, runs.flatMap((r) => ('result' in r ? [r.result, ...r.members] : [])));
    const zoomed = window[0] > range[0] || window[1] < range[1];
    const grid = Array.from({ length: PLOT_POINTS }, (_, k) => window[0] + ((window[1] - window[0]) * k) / (PLOT_POINTS - 1));
    const curveOf = (result: ProfileIntervalResult, data: LikelihoodData, variant: number) =>
      zoomed ? profileCurve(likelihood, data, i, grid, result, variant) : result.scan.map((p) => ({ value: p.value, q: p.q }));

    const scans = runs.map((run): ScanSummary => {
      if (!('result' in run)) return { dataset: run.kind, converged: false, best: NaN, intervals: [], scan: [], curve: [], error: run.error };
      const { result, members, data } = run;
      const summary: ScanSummary = {
        dataset: run.kind,
        converged: result.converged,
        best: result.best,
        intervals: result.intervals,
        scan: result.scan.map((p) => ({ value: p.value, q: Number.isFinite(p.q) ? p.q : NaN, converged: p.converged })), // a point excluded outright (q = +∞) is drawn as a gap
        curve: curveOf(result, data, 0),
      };
      if (memberCount > 0) {
        summary.members = members.map((m) => (m ? { converged: m.converged, best: m.best, intervals: m.intervals } : { converged: false, best: NaN, intervals: [] }));
        const curves = members.flatMap((m, k) => (m ? [interpolate(curveOf(m, data, k + 1), grid)] : []));
        if (curves.length) {
          summary.band = {
            x: grid,
            lower: grid.map((_, g) => Math.min(...curves.map((c) => c[g]))),
            upper: grid.map((_, g) => Math.max(...curves.map((c) => c[g]))),
          };
        }
      }
      return summary;
    });
    return { name, range, window, scans };
  });

  const allPairs: [number, number][] = [];
  for (let a = 0; a < names.length; a++) for (let b = a + 1; b < names.length; b++) allPairs.push([a, b]);
  const pairs: PairAnalysis[] = allPairs.slice(0, MAX_PAIRS).map(([a, b]) => {
    // The 2-D regions (q < χ²₂ quantile ≤ PLOT_Q_MAX) project into the 1-D profiles' windows: the grid goes there.
    const ranges: [[number, number], [number, number]] = [parameters[a].window, parameters[b].window];
    const contours = datasets.map(({ kind, data }): ContourSummary => {
      try {
        const result = profileContour(likelihood, data, [names[a], names[b]], PAGE_LEVELS, { points: CONTOUR_POINTS, ranges });
        return { dataset: kind, converged: result.converged, best: result.best, contours: result.contours };
      } catch (error) {
        return { dataset: kind, converged: false, best: [NaN, NaN], contours: [], error: describe(error) };
      }
    });
    return { parameters: [names[a], names[b]], ranges, contours };
  });

  const observed = datasets.find((d) => d.kind === 'observed')?.data ?? null;
  let binned: BinnedTermSummary[] = [];
  let cls: ClsSummary | null = null;
  let binnedError: string | undefined;
  // one fit to the observed data for the post-fit yields and the diagnostics
  let observedFit: FitResult | null = null;
  try {
    observedFit = observed && binnedTerms(likelihood).length ? maximumLikelihood(likelihood, observed) : null;
    binned = binnedSummaries(artifact, observed, observedFit);
    cls = clsSummary(artifact, observed);
  } catch (error) {
    binnedError = describe(error);
  }

  return {
    binned,
    cls,
    ...(binnedError ? { binnedError } : {}),
    ...pageDiagnostics(likelihood, datasets, observedFit),
    datasets: datasets.map((d) => d.kind),
    observedEvents,
    parameters,
    pairs,
    pairsOmitted: allPairs.length - pairs.length,
    members: memberCount,
    elapsedMs: Date.now() - started,
  };
}
