/**
 * The four-top pipeline of seed 000, end to end (issue 7):
 *
 *   simulate (scripts/simulators/four-top.ts: a training and an independent template sample)
 *   → background-rejection network (softmax over tt̄tt̄, tt̄H, tt̄; class-balanced weighted
 *     cross-entropy) → 55 categories of its (p_tttt, p_ttH) outputs
 *   → parameter network on tt̄tt̄ events, weakly supervised by the simulator weights
 *   → optimal binning of its output per category (on the training sample)
 *   → templates (template sample): polynomial yields in Y_t or (a_t, b_t), with nuisances
 *   → artifacts, scans at three luminosities, the cross-section-only comparison, the referee's
 *     ablation, pyhf export.
 *
 * The parameter network's loss. The events carry no labels, only weights: the same tt̄tt̄
 * events enter twice, with label 0 and their SM weight, and with label 1 and their weight at
 * an alternative Y_alt, w·r(Y_alt) (the full, "global" simulator weight). The weighted binary
 * cross-entropy is minimised by s(x) = p(x|Y_alt)/(p(x|Y_alt) + p(x|SM)) (seed 003 eq. 6-8,
 * CARL): a monotone function of the likelihood ratio between the two hypotheses, the most
 * powerful one-dimensional summary for telling them apart (Neyman-Pearson), learned from
 * weights alone. Y_alt = 2 lies where σ_tttt(Y_t) has grown by 2.4× and the Higgs-mediated
 * amplitude dominates, so the summary orders events by how Higgs-mediated they look.
 *
 * The referee's ablation: the same network trained with *local* reweighting factors, the
 * first-order expansion at the SM, r_loc = 1 + ε c₁ (the joint score times ε): the classifier
 * then learns the local score direction only, blind to the Y_t⁴ structure away from the SM.
 */
import type { LoadedArtifact } from '../../models/artifact/load.js';
import { MANIFEST_SCHEMA_VERSION } from '../../models/artifact/manifest-schema.js';
import { profileInterval, type ProfileIntervalResult } from '../../models/inference/intervals/profile.js';
import { resolveDataset } from '../../models/likelihood/datasets.js';
import { createLikelihood, type LikelihoodData } from '../../models/likelihood/likelihood.js';
import { interestParameter } from '../../models/likelihood/term.js';
import { compileBinnedModel } from '../../models/terms/binned/term.js';
import type { BinnedModelSpec } from '../../models/terms/binned/schema.js';
import { writeArtifact, type ComponentInput, type ManifestDraft } from '../lib/artifact-writer.js';
import { provenance } from '../lib/provenance.js';
import { eventRatio, FEATURE_COUNT, PROCESSES, simulateFourTop, TTTT_INCLUSIVE_FB, TTTT_YT_COEFFICIENTS, type FourTopSample, type Process, type Study } from '../simulators/four-top.js';
import { selectBackend } from '../training/backend.js';
import { binOf, CATEGORY_COUNT, categoryOf, optimalMerge, quantileEdges } from './binning.js';
import { trainMlp, type MlpConfig, type TrainedMlp } from '../training/weighted-mlp.js';
import { buildTemplates, type Assignment } from './templates.js';

export interface FourTopConfig {
  seed: number;
  /** events per process for the networks and the binning, and for the templates */
  trainingEvents: Record<Process, number>;
  templateEvents: Record<Process, number>;
  classifier: MlpConfig;
  parameterNetwork: MlpConfig & { alternative: number };
  /** ε of the ablation's local reweighting factors 1 + ε c₁ */
  ablationEpsilon: number;
  fineBins: number;
  /** expected background (tt̄H + tt̄) per bin at the published luminosity, at least */
  minBackground: number;
  /** bins per category, at most */
  maxBinsPerCategory: number;
  /** the published luminosity, fb⁻¹ (CMS 2016–2018) */
  luminosity: number;
  /** the luminosities of the scans: CMS 2017, 2016–2018, HL-LHC */
  luminosities: number[];
  normalisation: { ttH: number; tt: number; luminosity: number };
  /** relative MC uncertainty below which a bin gets no staterror parameter */
  mcStatThreshold: number;
  /** points of the Y_t scans and of each axis of the (a_t, b_t) contour grids */
  scanPoints: number;
  contourPoints: number;
}

export const DEFAULT_CONFIG: FourTopConfig = {
  seed: 20261123,
  trainingEvents: { tttt: 120_000, ttH: 80_000, tt: 120_000 },
  templateEvents: { tttt: 200_000, ttH: 150_000, tt: 300_000 },
  classifier: { hidden: [64, 64], epochs: 8, batchSize: 512, learningRate: 2e-3, seed: 11 },
  parameterNetwork: { hidden: [64, 64], epochs: 8, batchSize: 512, learningRate: 2e-3, seed: 12, alternative: 2 },
  ablationEpsilon: 0.2,
  fineBins: 20,
  minBackground: 0.25,
  maxBinsPerCategory: 8,
  luminosity: 138,
  luminosities: [41.5, 138, 3000],
  normalisation: { ttH: 0.1, tt: 0.15, luminosity: 0.016 },
  mcStatThreshold: 0.05,
  scanPoints: 71,
  contourPoints: 31,
};

export interface Networks {
  classifier: TrainedMlp;
  parameter: TrainedMlp;
  ablation: TrainedMlp;
  backend: Awaited<ReturnType<typeof selectBackend>>;
}

function concatFeatures(samples: readonly FourTopSample[]): { x: Float64Array; n: number } {
  const n = samples.reduce((t, s) => t + s.count, 0);
  const x = new Float64Array(n * FEATURE_COUNT);
  let offset = 0;
  for (const s of samples) {
    x.set(s.features, offset * FEATURE_COUNT);
    offset += s.count;
  }
  return { x, n };
}

/** The two networks of seed 000 and the ablation's parameter network. */
export async function trainNetworks(training: Record<Process, FourTopSample>, config: FourTopConfig, log: (line: string) => void = () => undefined): Promise<Networks> {
  const backend = await selectBackend({ log });
  // background rejection: class-balanced weights (each process the same total weight)
  const all = PROCESSES.map((p) => training[p]);
  const { x, n } = concatFeatures(all);
  const labels = new Float32Array(n * 3);
  const weights = new Float64Array(n);
  let row = 0;
  all.forEach((s, k) => {
    for (let i = 0; i < s.count; i++, row++) {
      labels[row * 3 + k] = 1;
      weights[row] = 1 / s.count;
    }
  });
  const classifier = await trainMlp(x, n, FEATURE_COUNT, labels, weights, 'softmax', 3, config.classifier, (e, l) => log(`classifier epoch ${e}: loss ${l.toFixed(4)}`));

  // parameter network: the tt̄tt̄ events twice, SM-weighted (label 0) and reweighted (label 1)
  const tttt = training.tttt;
  const C = tttt.basis.size;
  const pair = (reweight: (i: number) => number) => {
    const m = tttt.count;
    const xx = new Float64Array(2 * m * FEATURE_COUNT);
    xx.set(tttt.features);
    xx.set(tttt.features, m * FEATURE_COUNT);
    const y = new Float32Array(2 * m);
    const w = new Float64Array(2 * m);
    for (let i = 0; i < m; i++) {
      y[m + i] = 1;
      w[i] = 1;
      w[m + i] = Math.max(0, reweight(i));
    }
    return { xx, y, w, m: 2 * m };
  };
  const alternative = [config.parameterNetwork.alternative];
  const global = pair((i) => eventRatio(tttt, i, alternative));
  const parameter = await trainMlp(global.xx, global.m, FEATURE_COUNT, global.y, global.w, 'sigmoid', 1, config.parameterNetwork, (e, l) => log(`parameter network epoch ${e}: loss ${l.toFixed(4)}`));
  const local = pair((i) => 1 + config.ablationEpsilon * tttt.coefficients[i * C + 1]);
  const ablation = await trainMlp(local.xx, local.m, FEATURE_COUNT, local.y, local.w, 'sigmoid', 1, { ...config.parameterNetwork, seed: config.parameterNetwork.seed + 1 }, (e, l) => log(`ablation network epoch ${e}: loss ${l.toFixed(4)}`));
  return { classifier, parameter, ablation, backend };
}

/** Category and parameter-network output of every event. */
export function evaluateNetworks(sample: FourTopSample, classifier: TrainedMlp, parameter: TrainedMlp): { category: Int32Array; score: Float32Array; probabilities: Float32Array } {
  const probabilities = classifier.predict(sample.features, sample.count);
  const score = parameter.predict(sample.features, sample.count);
  const category = Int32Array.from({ length: sample.count }, (_, i) => categoryOf(probabilities[i * 3], probabilities[i * 3 + 1]));
  return { category, score, probabilities };
}

export interface Binning {
  /** per category: interior edges of the merged bins of the parameter-network output */
  edges: number[][];
}

/**
 * Optimal binning per category (on the training sample, so the template sample stays
 * independent): fine quantile bins merged to maximise Σ_b Σ_{Y ∈ {0, 2}} (N_b(Y) − N_b(1))²/N_b(1),
 * the χ² separation of the SM from Y_t = 0 and 2, with tt̄H + tt̄ ≥ minBackground per bin.
 */
export function optimalBinning(training: Record<Process, FourTopSample>, evaluated: Record<Process, { category: Int32Array; score: Float32Array }>, config: FourTopConfig): Binning {
  const edges: number[][] = [];
  const yieldAt = (s: FourTopSample, i: number, Y: number) => s.weights[i] * config.luminosity * eventRatio(s, i, [Y]);
  for (let c = 0; c < CATEGORY_COUNT; c++) {
    const values: number[] = [];
    const weights: number[] = [];
    for (const p of PROCESSES) {
      const s = training[p];
      const e = evaluated[p];
      for (let i = 0; i < s.count; i++) if (e.category[i] === c) {
        values.push(e.score[i]);
        weights.push(s.weights[i]);
      }
    }
    if (!values.length) {
      edges.push([]);
      continue;
    }
    const fine = quantileEdges(values, weights, config.fineBins);
    const F = fine.length + 1;
    const n1 = new Float64Array(F);
    const n0 = new Float64Array(F);
    const n2 = new Float64Array(F);
    const bkg = new Float64Array(F);
    for (const p of PROCESSES) {
      const s = training[p];
      const e = evaluated[p];
      for (let i = 0; i < s.count; i++) {
        if (e.category[i] !== c) continue;
        const b = binOf(e.score[i], fine);
        n1[b] += yieldAt(s, i, 1);
        n0[b] += yieldAt(s, i, 0);
        n2[b] += yieldAt(s, i, 2);
        if (p !== 'tttt') bkg[b] += s.weights[i] * config.luminosity;
      }
    }
    const range = (a: Float64Array, lo: number, hi: number) => {
      let t = 0;
      for (let k = lo; k < hi; k++) t += a[k];
      return t;
    };
    const gain = (lo: number, hi: number) => {
      const base = range(n1, lo, hi);
      return base > 0 ? ((range(n0, lo, hi) - base) ** 2 + (range(n2, lo, hi) - base) ** 2) / base : 0;
    };
    const bounds = optimalMerge(F, gain, (lo, hi) => range(bkg, lo, hi), config.minBackground, config.maxBinsPerCategory);
    edges.push(bounds.slice(1, -1).map((b) => fine[b - 1]));
  }
  return { edges };
}

/** Assigns template events to (category, bin); bins left empty in the template sample are merged into a neighbour. */
export function assign(samples: readonly FourTopSample[], evaluated: readonly { category: Int32Array; score: Float32Array }[], binning: Binning): { assignments: Assignment[]; binsPerCategory: number[] } {
  const raw = samples.map((s, k) => {
    const bin = new Int32Array(s.count);
    for (let i = 0; i < s.count; i++) bin[i] = binOf(evaluated[k].score[i], binning.edges[evaluated[k].category[i]]);
    return bin;
  });
  // occupancy per category and raw bin (events of any process)
  const occupied = binning.edges.map((e) => new Uint8Array(e.length + 1));
  samples.forEach((s, k) => {
    for (let i = 0; i < s.count; i++) occupied[evaluated[k].category[i]][raw[k][i]] = 1;
  });
  // map raw bins to merged bins: an empty bin joins the next occupied one (or the previous at the end)
  const remap = occupied.map((occ) => {
    const map = new Int32Array(occ.length).fill(-1);
    let next = 0;
    let pending: number[] = [];
    for (let b = 0; b < occ.length; b++) {
      pending.push(b);
      if (occ[b]) {
        for (const p of pending) map[p] = next;
        next++;
        pending = [];
      }
    }
    for (const p of pending) map[p] = Math.max(0, next - 1);
    return { map, bins: next };
  });
  const assignments = samples.map((s, k) => ({
    category: evaluated[k].category,
    bin: Int32Array.from(raw[k], (b, i) => remap[evaluated[k].category[i]].map[b]),
  }));
  return { assignments, binsPerCategory: remap.map((r) => r.bins) };
}

export interface ScanResult {
  label: string;
  luminosity: number;
  result: ProfileIntervalResult;
}

/** The binned likelihood of a spec (no artifact needed) with Asimov data at θ0 for a luminosity. */
/** The allowed ranges of the parameters: the weights depend on Y_t² (and on (a_t, b_t) up to a common sign), so one sign suffices. */
export const PARAMETER_RANGES: Readonly<Record<string, [number, number]>> = { Yt: [0, 3.5], at: [0, 2], bt: [-1.5, 1.5] };

export function templateLikelihood(name: string, spec: BinnedModelSpec, publishedLuminosity: number) {
  const term = compileBinnedModel(name, spec);
  const interest = spec.parameters.map((p, i) => interestParameter(p, spec.reference[i], PARAMETER_RANGES[p]));
  const likelihood = createLikelihood(interest, [term], publishedLuminosity);
  const asimovAt = (luminosity: number): LikelihoodData => {
    const index = likelihood.terms[0].index;
    return { luminosity, rate: true, terms: { [name]: term.asimov(likelihood.initial(), index, { luminosityScale: luminosity / publishedLuminosity }) } };
  };
  return { term, likelihood, asimovAt };
}

/** Expected profile scans of Y_t on Asimov data at the SM. */
export function yukawaScan(artifactOrSpec: LoadedArtifact | BinnedModelSpec, luminosity: number, publishedLuminosity: number, range: [number, number], points = 71): ProfileIntervalResult {
  if ('manifest' in artifactOrSpec) {
    const data = resolveDataset(artifactOrSpec.likelihood, { kind: 'asimov' }, { luminosity });
    return profileInterval(artifactOrSpec.likelihood, data, 'Yt', [0.68, 0.95], { points, range });
  }
  const { likelihood, asimovAt } = templateLikelihood('t', artifactOrSpec, publishedLuminosity);
  return profileInterval(likelihood, asimovAt(luminosity), 'Yt', [0.68, 0.95], { points, range });
}

/**
 * The cross-section-only inference (seed 000 fig. 12), from the not-parametrised templates: the tt̄tt̄
 * templates keep their SM shape and only their normalisation follows σ_tttt(Y_t)/σ_SM =
 * c0 + c2 Y² + c4 Y⁴, so Y_t is seen through the cross section alone.
 */
export function crossSectionOnlySpec(spec: BinnedModelSpec): BinnedModelSpec {
  const { c0, c2, c4 } = TTTT_YT_COEFFICIENTS;
  // σ(Y)/σ_SM in ΔY = Y − 1: c0 + c2 (1 + ΔY)² + c4 (1 + ΔY)⁴
  const shape = [c0 + c2 + c4, 2 * c2 + 4 * c4, c2 + 6 * c4, 4 * c4, c4];
  return {
    ...spec,
    channels: spec.channels.map((ch) => ({
      ...ch,
      samples: ch.samples.map((s) => (s.name === 'tttt' ? { ...s, coefficients: s.coefficients.map((k) => shape.map((f) => f * k[0])) } : s)),
    })),
  };
}

export interface StudyArtifacts {
  study: Study;
  parametrised: BinnedModelSpec;
  notParametrised: BinnedModelSpec;
}

/** The simulated samples of one study (training and template events; the same events for both studies). */
export function simulateStudy(config: FourTopConfig, study: Study) {
  const training = Object.fromEntries(PROCESSES.map((p) => [p, simulateFourTop(p, config.trainingEvents[p], config.seed, study)])) as Record<Process, FourTopSample>;
  const templates = Object.fromEntries(PROCESSES.map((p) => [p, simulateFourTop(p, config.templateEvents[p], config.seed + 1, study)])) as Record<Process, FourTopSample>;
  return { training, templates };
}

/** Templates for one study from trained networks and a binning. */
export function studyTemplates(study: Study, templates: Record<Process, FourTopSample>, networks: { classifier: TrainedMlp; parameter: TrainedMlp }, binning: Binning, config: FourTopConfig): StudyArtifacts {
  const samples = PROCESSES.map((p) => templates[p]);
  const evaluated = samples.map((s) => evaluateNetworks(s, networks.classifier, networks.parameter));
  const { assignments, binsPerCategory } = assign(samples, evaluated, binning);
  const common = {
    parameters: study === 'yukawa' ? ['Yt'] : ['at', 'bt'],
    reference: study === 'yukawa' ? [1] : [1, 0],
    luminosity: config.luminosity,
    binsPerCategory,
    normalisation: { ttH: config.normalisation.ttH, tt: config.normalisation.tt },
    luminosityUncertainty: config.normalisation.luminosity,
    mcStatThreshold: config.mcStatThreshold,
  };
  return {
    study,
    parametrised: buildTemplates(samples, assignments, { ...common, parametriseBackgrounds: true }),
    notParametrised: buildTemplates(samples, assignments, { ...common, parametriseBackgrounds: false }),
  };
}

export interface PublishOptions {
  out: string;
  id: string;
  version: string;
  title: string;
  description: string;
  spec: BinnedModelSpec;
  study: Study;
  config: FourTopConfig;
  figures: { name: string; svg: string; caption: string }[];
  notes: string[];
  closure: Record<string, number>;
  configuration: Record<string, unknown>;
  versions: Record<string, string>;
}

export async function publishTemplates(options: PublishOptions): Promise<{ folder: string; artifact: LoadedArtifact }> {
  const parameters =
    options.study === 'yukawa'
      ? [{ name: 'Yt', description: 'top Yukawa modifier |y_t/y_t^SM|', reference: 1, range: PARAMETER_RANGES.Yt }]
      : [
          { name: 'at', description: 'CP-even top Yukawa modifier a_t (y_t = y_t^SM (a_t + i b_t γ5))', reference: 1, range: PARAMETER_RANGES.at },
          { name: 'bt', description: 'CP-odd top Yukawa modifier b_t', reference: 0, range: PARAMETER_RANGES.bt },
        ];
  const draft: ManifestDraft = {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    id: options.id,
    version: options.version,
    title: options.title,
    description: options.description,
    citation: ['N. Srimanobhas, V. Wachirapusitanand, Weight-Based Representation Learning for Parameter Inference in Monte Carlo Simulations, arXiv:2606.00238 (method)'],
    parameters,
    observables: [],
    luminosity: { value: options.config.luminosity, unit: 'fb^-1' },
    terms: [{ kind: 'binned-template', name: 'templates', description: 'tt̄tt̄, tt̄H and tt̄ templates in the 55 categories of the background-rejection network (empty ones dropped), binned in the parameter network’s output', model: 'templates' }],
    provenance: provenance('four-top', { simulator: options.config.seed }, options.configuration, options.versions),
    validation: { closure: options.closure, notes: options.notes, figures: options.figures.map((f) => ({ component: f.name, caption: f.caption })) },
  };
  const components: ComponentInput[] = [
    { name: 'templates', kind: 'binned-model', file: 'templates.msgpack', description: 'polynomial templates per category, bin and process, with normsys, lumi and staterror', payload: { kind: 'binned-model', model: options.spec } },
    ...options.figures.map((f): ComponentInput => ({ name: f.name, kind: 'figure', file: `${f.name}.svg`, description: f.caption, payload: { svg: f.svg } })),
  ];
  return writeArtifact(options.out, draft, components);
}

export { TTTT_INCLUSIVE_FB };
