/**
 * Issue 6, the inferences that need no training: the rate alone, the m_ℓℓ histogram (a
 * binned template term whose yields are the events' exact quadratic polynomials in the
 * Wilson coefficients) and the truth (an unbinned term with each selected event's exact
 * joint coefficients, i.e. the information before the detector's smearing), all on Asimov
 * data at θ0 = 0 and 300 fb⁻¹, all computed by the same engine. The histogram baseline is
 * published as `dy-smeft-run3-mll`. The learned likelihood, compared with these on its own
 * test sample, is `learned.ts`'s (`npm run cli -- drell-yan`).
 *
 * Background: θ-independent, a falling m_ℓℓ spectrum (∝ m^−4 above 150 GeV), flat in the
 * angle, with a harder pair p_T (mean 40 GeV), normalised to a tenth of the signal above
 * 200 GeV after the selection.
 */
import { MANIFEST_SCHEMA_VERSION } from '../../models/artifact/manifest-schema.js';
import { profileInterval, type ProfileIntervalResult } from '../../models/inference/intervals/profile.js';
import { createLikelihood, type LikelihoodData } from '../../models/likelihood/likelihood.js';
import { interestParameter, type ParameterSpec } from '../../models/likelihood/term.js';
import { createRandom } from '../../models/random.js';
import { compileBinnedModel } from '../../models/terms/binned/term.js';
import type { BinnedModelSpec } from '../../models/terms/binned/schema.js';
import { createUnbinnedPolynomialTerm, crossSectionFromReference, unbinnedAsimov } from '../../models/terms/unbinned-polynomial.js';
import { writeArtifact } from '../lib/artifact-writer.js';
import { provenance } from '../lib/provenance.js';
import { BASIS, detector, manifestParameters, PARAMETERS, RECO_OBSERVABLES, sampleDrellYan, SQRT_S } from '../simulators/drell-yan-physics.js';
import { deriveSeed } from '../simulators/types.js';

export const MLL_EDGES = [150, 200, 300, 400, 500, 700, 1000, 1500, 2500, Infinity];
/** The histogram's bin axis as the manifest declares it: the last bin is the overflow. */
export const MLL_AXIS = { observable: 'm_ℓℓ', unit: 'GeV', edges: MLL_EDGES.slice(0, -1), overflow: true };
export const LUMINOSITY_PB = 300_000; // 300 fb⁻¹
const C = BASIS.size;

export interface BaselineConfig {
  events: number;
  backgroundEvents: number;
  seed: number;
  /** scanned range of each Wilson coefficient */
  range: [number, number];
  scanPoints: number;
}

export const DEFAULT_BASELINE_CONFIG: BaselineConfig = { events: 400_000, backgroundEvents: 100_000, seed: 20261124, range: [-0.3, 0.3], scanPoints: 61 };

export interface SelectedSample {
  count: number;
  reco: Float64Array;
  coefficients: Float64Array;
  /** pb per event */
  weights: Float64Array;
}

/** Signal events after the detector, with their exact coefficients and weights. */
export function selectedSignal(config: BaselineConfig): SelectedSample {
  const rng = createRandom(deriveSeed(config.seed, 'drell-yan-parton'));
  const parton = sampleDrellYan(config.events, () => rng.uniform());
  const { reco, accepted } = detector(parton, createRandom(deriveSeed(config.seed, 'drell-yan-detector')));
  const coefficients = new Float64Array(accepted.length * C);
  const weights = new Float64Array(accepted.length);
  accepted.forEach((i, r) => {
    coefficients.set(parton.coefficients.subarray(i * C, (i + 1) * C), r * C);
    weights[r] = parton.weights[i];
  });
  return { count: accepted.length, reco, coefficients, weights };
}

/**
 * The θ-independent background after the detector, unit weights: m ∝ m^−4 above 150 GeV,
 * rapidity N(0, 1.1) within the kinematic limit, flat in cos θ*, pair p_T of mean 40 GeV.
 */
export function simulateBackground(events: number, seed: number): { count: number; reco: Float64Array } {
  const rng = createRandom(deriveSeed(seed, 'drell-yan-background'));
  const m = new Float64Array(events);
  const y = new Float64Array(events);
  const cosTheta = new Float64Array(events);
  for (let i = 0; i < events; i++) {
    m[i] = 150 * (1 - rng.uniform()) ** (-1 / 3); // ∝ m^−4 above 150 GeV
    y[i] = Math.max(-Math.log(SQRT_S / m[i]) + 1e-9, Math.min(Math.log(SQRT_S / m[i]) - 1e-9, 1.1 * rng.normal()));
    cosTheta[i] = 2 * rng.uniform() - 1;
  }
  const { reco, accepted } = detector({ count: events, m, y, cosTheta }, createRandom(deriveSeed(seed, 'drell-yan-background-detector')), { meanPairPt: 40 });
  return { count: accepted.length, reco };
}

/** The selected signal cross section above m_ℓℓ = 200 GeV (pb), which the background is normalised to. */
export function signalAbove200(signal: SelectedSample): number {
  const D = RECO_OBSERVABLES.length;
  const mll = RECO_OBSERVABLES.indexOf('m_ll');
  let above = 0;
  for (let r = 0; r < signal.count; r++) if (signal.reco[r * D + mll] > 200) above += signal.weights[r];
  return above;
}

/** A background sample weighted (pb) to a tenth of `signalAbove` (pb) above m_ℓℓ = 200 GeV. */
export function weightedBackground(background: { count: number; reco: Float64Array }, signalAbove: number): SelectedSample {
  const D = RECO_OBSERVABLES.length;
  const mll = RECO_OBSERVABLES.indexOf('m_ll');
  let above = 0;
  for (let r = 0; r < background.count; r++) if (background.reco[r * D + mll] > 200) above += 1;
  const weight = (0.1 * signalAbove) / above;
  const coefficients = new Float64Array(background.count * C);
  for (let r = 0; r < background.count; r++) coefficients[r * C] = 1;
  return { count: background.count, reco: background.reco, coefficients, weights: new Float64Array(background.count).fill(weight) };
}

/** The θ-independent background after the detector, normalised to a tenth of the signal above 200 GeV. */
export function selectedBackground(config: BaselineConfig, signal: SelectedSample): SelectedSample {
  return weightedBackground(simulateBackground(config.backgroundEvents, config.seed), signalAbove200(signal));
}

/** The Wilson coefficients as parameters of interest (θ0 = 0, range [−2, 2]); with `only`, the others are fixed at 0. */
export const wilsonCoefficients = (only?: string): ParameterSpec[] => PARAMETERS.map((p) => interestParameter(p.name, 0, [-2, 2], only !== undefined && p.name !== only));

export type ScanMode = 'profiled' | 'one-at-a-time';

/** The m_ℓℓ histogram (edges MLL_EDGES) as a binned model: per bin, Σ w L c for the signal, Σ w L for the background. */
export function histogramSpec(signal: SelectedSample, background: SelectedSample, edges: readonly number[] = MLL_EDGES): BinnedModelSpec {
  const D = RECO_OBSERVABLES.length;
  const mll = RECO_OBSERVABLES.indexOf('m_ll');
  const bins = edges.length - 1;
  const fill = (s: SelectedSample, full: boolean) => {
    const out = Array.from({ length: bins }, () => new Array<number>(C).fill(0));
    for (let r = 0; r < s.count; r++) {
      const v = s.reco[r * D + mll];
      let b = 0;
      while (b < bins - 1 && v >= edges[b + 1]) b++;
      if (v < edges[0]) continue;
      const w = s.weights[r] * LUMINOSITY_PB;
      if (full) for (let k = 0; k < C; k++) out[b][k] += w * s.coefficients[r * C + k];
      else out[b][0] += w;
    }
    return out;
  };
  return {
    parameters: PARAMETERS.map((p) => p.name),
    degree: 2,
    reference: [0, 0, 0],
    channels: [{ name: 'mll', samples: [{ name: 'signal', coefficients: fill(signal, true), modifiers: [] }, { name: 'background', coefficients: fill(background, false), modifiers: [] }] }],
  };
}

/** Expected profile scans of each Wilson coefficient (others profiled) on Asimov data at θ0 of a binned spec. */
function binnedScans(spec: BinnedModelSpec, config: BaselineConfig, mode: ScanMode): ProfileIntervalResult[] {
  const term = compileBinnedModel('t', spec);
  return PARAMETERS.map((p) => {
    const likelihood = createLikelihood(wilsonCoefficients(mode === 'profiled' ? undefined : p.name), [term], LUMINOSITY_PB);
    const data: LikelihoodData = { luminosity: LUMINOSITY_PB, rate: true, terms: { t: term.asimov(likelihood.initial(), likelihood.termIndex(term)) } };
    return profileInterval(likelihood, data, p.name, [0.68, 0.95], { points: config.scanPoints, range: config.range });
  });
}

/** The truth: an unbinned term with the selected signal events' exact coefficients (no smearing), Asimov at θ0. */
function truthScans(signal: SelectedSample, config: BaselineConfig, mode: ScanMode): ProfileIntervalResult[] {
  const weights = Float64Array.from(signal.weights);
  const sigma0 = weights.reduce((a, b) => a + b, 0);
  const s = crossSectionFromReference(signal.coefficients, signal.count, C, weights);
  const reference = { count: signal.count, coefficients: [signal.coefficients], weights: [weights] };
  return PARAMETERS.map((p) => {
    const parameters = wilsonCoefficients(mode === 'profiled' ? undefined : p.name);
    const term = createUnbinnedPolynomialTerm({ name: 'truth', parameters, degree: 2, basis: BASIS, sigma0, crossSection: [s] });
    const likelihood = createLikelihood(parameters, [term], LUMINOSITY_PB);
    const data: LikelihoodData = { luminosity: LUMINOSITY_PB, rate: true, terms: { truth: unbinnedAsimov(term, reference, likelihood.initial(), LUMINOSITY_PB) } };
    return profileInterval(likelihood, data, p.name, [0.68, 0.95], { points: config.scanPoints, range: config.range });
  });
}

export async function runBaselines(options: { config?: Partial<BaselineConfig>; out: string | null; version: string; log?: (line: string) => void }) {
  const config = { ...DEFAULT_BASELINE_CONFIG, ...options.config };
  const log = options.log ?? (() => undefined);
  const t0 = performance.now();
  const signal = selectedSignal(config);
  const background = selectedBackground(config, signal);
  const sigma = signal.weights.reduce((a, b) => a + b, 0);
  const sigmaB = background.weights.reduce((a, b) => a + b, 0);
  log(`[simulate] ${signal.count} of ${config.events} signal events selected: σ × acceptance = ${sigma.toFixed(4)} pb; background ${sigmaB.toFixed(4)} pb (${background.count} events)`);
  const histogram = histogramSpec(signal, background);
  const rate = histogramSpec(signal, background, [MLL_EDGES[0], Infinity]);
  const scans = Object.fromEntries(
    (['profiled', 'one-at-a-time'] as const).map((mode) => [mode, { rate: binnedScans(rate, config, mode), histogram: binnedScans(histogram, config, mode), truth: truthScans(signal, config, mode) }]),
  ) as Record<ScanMode, Record<'rate' | 'histogram' | 'truth', ProfileIntervalResult[]>>;
  log(`[scan] ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  let published: Awaited<ReturnType<typeof writeArtifact>> | null = null;
  if (options.out) {
    published = await writeArtifact(
      options.out,
      {
        schemaVersion: MANIFEST_SCHEMA_VERSION,
        id: 'dy-smeft-run3-mll',
        version: options.version,
        title: 'Drell–Yan in the SMEFT at Run 3: the m_ℓℓ histogram baseline',
        description: `pp → Z/γ* → ℓ⁺ℓ⁻ at 13.6 TeV, 300 fb⁻¹, leading order with C_lq^(1), C_lq^(3), C_eu at Λ = 1 TeV: the reconstructed m_ℓℓ in ${MLL_EDGES.length - 1} bins (${MLL_EDGES.slice(0, -1).join(', ')} GeV and overflow), signal yields exact quadratic polynomials in the Wilson coefficients, a θ-independent background. The baseline the learned likelihood is compared against. Asimov data at the SM.`,
        citation: [],
        parameters: manifestParameters(),
        observables: [],
        luminosity: { value: 300, unit: 'fb^-1' },
        terms: [{ kind: 'binned-template', name: 'mll', description: 'reconstructed m_ℓℓ histogram', model: 'mll', axes: { mll: MLL_AXIS } }],
        provenance: provenance('drell-yan-baselines', { simulator: config.seed }, { drellYan: config, sigmaTimesAcceptancePb: sigma, backgroundPb: sigmaB }),
        validation: { notes: ['Synthetic: leading-order matrix elements with stand-in parton densities (scripts/simulators/drell-yan-physics.ts); the detector is θ-independent.'] },
      },
      [{ name: 'mll', kind: 'binned-model', file: 'mll.msgpack', description: 'm_ℓℓ templates', payload: { kind: 'binned-model', model: { ...histogram, parameterSettings: PARAMETERS.map((p) => ({ name: p.name, bounds: [-2, 2] as [number, number] })) } } }],
    );
  }
  return { config, signal: { count: signal.count, sigma }, background: { count: background.count, sigma: sigmaB }, scans, published, seconds: (performance.now() - t0) / 1000 };
}
