/**
 * Publishes seed 004's two-parameter Gaussian reweighter as `srgn-gaussian-2d` (issue 18 item 6):
 * a repulsive ensemble of DCTR classifiers f(x_G, μ, σ) frozen as the ratio network of a
 * parametrised term, with the nominal generator-level sample as its reference sample, so that
 * `POST …/reweight` returns w(x_G, θ) normalised to mean 1 over that sample, and the likelihood
 * routes fit generator-level data with the learned ratio (DCTR's own fit, eq. 3, as a likelihood).
 * The validation records the weights against eq. 11, the reweighting closure at generator and
 * simulation level (figures), SRGN fits of the published pseudo-data with this network, and parity.
 */
import type { ValidationTable } from '../../models/artifact/manifest-schema.js';
import { createRandom } from '../../models/random.js';
import { COLORS, histogramPlot } from '../../render/plots.js';
import { writeArtifact, type ComponentInput, type ManifestDraft } from '../lib/artifact-writer.js';
import { writeCatalogueIndex } from '../lib/catalogue-index.js';
import { provenance } from '../lib/provenance.js';
import { deriveSeed } from '../simulators/types.js';
import { backendProvenance, selectBackend } from '../training/backend.js';
import { parityValidation } from '../training/freeze.js';
import { dctrWeights, normalisedExp, trainDctr, type DctrConfig } from './dctr.js';
import { gaussian2d } from './gaussian-examples.js';
import { histogramChi2, weightedHistogram, type WeightedHistogram } from './histograms.js';
import { srgnFit, type ClassifierConfig, type SrgnSamples } from './srgn.js';

export interface PublishReweighterOptions {
  out: string;
  version: string;
  /** events in the nominal sample and the pseudo-data the validation reweights and fits, each */
  events: number;
  /** of those, the events published as the reference sample (Z(θ) runs the network over it at every θ) and as observed data */
  published: { reference: number; observed: number };
  dctr: Omit<DctrConfig, 'seed'>;
  seed: number;
  log?: (line: string) => void;
}

/** Published samples and a network small enough that the page analysis (fits, scans, a contour) takes minutes: two members of 32 × 32 over 1 500 events per evaluation. */
export const DEFAULT_REWEIGHTER: Omit<PublishReweighterOptions, 'out' | 'version'> = { events: 10_000, published: { reference: 1000, observed: 500 }, dctr: { events: 150_000, epochs: 8, members: 2, hidden: [32, 32] }, seed: 20261205 };

export async function publishGaussianReweighter(options: PublishReweighterOptions): Promise<{ folder: string; seconds: number }> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const backend = await selectBackend({ log: null });
  const example = gaussian2d;
  const nominalTheta = example.parameters.map((p) => p.nominal);
  const target = example.parameters.map((p) => p.target);
  const random = createRandom(deriveSeed(options.seed, 'samples'));
  const nominal = example.generate(nominalTheta, options.events, random);
  const data = example.generate(target, options.events, random);
  const dctr = trainDctr(example, { ...options.dctr, seed: deriveSeed(options.seed, 'dctr') });
  log(`DCTR: ${dctr.network.members.length} members trained in ${dctr.seconds.toFixed(0)} s; parity ${dctr.parity.maxRelativeDifference.toExponential(2)}`);
  const n = options.events;
  const weightsAt = (theta: Float64Array) => dctrWeights(dctr, nominal.generator, n, 1, theta);

  // the learned weights against eq. 11 at the target and at a point on the other side
  const closure: Record<string, number> = {};
  for (const theta of [target, [1, 1.25]]) {
    const learned = weightsAt(Float64Array.from(theta));
    const exact = normalisedExp(Float64Array.from(nominal.generator, (x) => Math.log(example.exactWeight([x], theta))));
    closure[`mean |w − w_exact| over ${n} nominal events at (μ, σ) = (${theta.join(', ')})`] = learned.reduce((sum, w, i) => sum + Math.abs(w - exact[i]), 0) / n;
  }
  const figures: ComponentInput[] = [];
  for (const level of ['generator', 'simulation'] as const) {
    const reweighted = weightedHistogram(nominal[level], weightsAt(Float64Array.from(target)), EDGES);
    const exact = weightedHistogram(nominal[level], normalisedExp(Float64Array.from(nominal.generator, (x) => Math.log(example.exactWeight([x], target)))), EDGES);
    const truth = weightedHistogram(data[level], null, EDGES);
    closure[`χ² of the ${level}-level histogram reweighted to the target against the pseudo-data (${truth.values.length} bins)`] = histogramChi2(reweighted, truth).chi2;
    figures.push(
      closureFigure(`closure-${level}`, `${level === 'generator' ? 'x_G' : 'x_S = x_G + N(0, 0.5²)'} of the nominal sample (μ, σ) = (0, 1) reweighted to (−1, 0.75) by the learned w(x_G, θ) and by eq. 11, against the pseudo-data drawn there (seed 004 fig. 6).`, {
        xLabel: level === 'generator' ? 'x_G' : 'x_S',
        title: `Reweighting closure at ${level} level`,
        description: `The nominal sample reweighted to (μ, σ) = (−1, 0.75) against ${n} events drawn there.`,
        lines: [
          { label: 'nominal × learned w', color: COLORS.blue, values: reweighted.values },
          { label: 'nominal × exact w (eq. 11)', color: COLORS.black, dash: '4 3', values: exact.values },
        ],
        truth: { label: 'drawn at (−1, 0.75)', histogram: truth },
        edges: EDGES,
      }),
    );
  }
  // SRGN fits of the published pseudo-data with this reweighter, three classifier seeds per level
  const bounds = { lower: example.parameters.map((p) => p.range[0]), upper: example.parameters.map((p) => p.range[1]) };
  const fits = srgnFitTable(
    { generator: { data: data.generator, simulation: nominal.generator, S: 1, weightsAt }, simulation: { data: data.simulation, simulation: nominal.simulation, S: 1, weightsAt } },
    nominalTheta,
    bounds,
    { seed: options.seed },
    { caption: `SRGN fits (seed 004 eq. 5) of the ${n} pseudo-events with this reweighter, three classifier seeds per level; truth (μ, σ) = (−1, 0.75) (docs/srgn.md has the seed's tables)`, parameters: ['μ̂', 'σ̂'] },
  );
  log(`SRGN fits: ${fits.rows.map((r) => r.join(' ')).join('; ')}`);
  const notes: string[] = [];
  const parityRecord = parityValidation(dctr.parity, backend.name);
  Object.assign(closure, parityRecord.closure);
  notes.push(parityRecord.note);

  const draft: ManifestDraft = {
    schemaVersion: '1',
    id: 'srgn-gaussian-2d',
    version: options.version,
    title: "Seed 004's two-parameter Gaussian: a DCTR reweighter w(x_G, μ, σ)",
    description:
      `A θ-parametrised reweighting learned at generator level (DCTR, seed 004 sec. II): a repulsive ensemble of ${dctr.network.members.length} classifiers f(x_G, μ, σ) separates ${options.dctr.events} events drawn at (μ, σ) uniform in [−2, 2] × [0.25, 4] from as many nominal events (0, 1), x_G ~ N(μ, σ²). ` +
      `POST /reweight returns w(x_G, θ) = e^logit for submitted generator-level events, normalised to mean 1 over the published nominal sample; the likelihood routes fit generator-level data with the learned ratio and an exact, θ-independent rate. ` +
      'The pseudo-data are drawn at (−1, 0.75), the target of table II; the detector (x_S = x_G + N(0, 0.5²)) is used only in the validation.',
    citation: ['A. Andreassen, S.-C. Hsu, B. Nachman, N. Suaysom, A. Suresh, "Parameter estimation using neural networks in the presence of detector effects", Phys. Rev. D 103 (2021) 036001'],
    parameters: [
      { name: 'mu', description: 'the Gaussian mean μ of x_G', reference: 0, range: [-2, 2] },
      { name: 'sigma', description: 'the Gaussian width σ of x_G', reference: 1, range: [0.25, 4] },
    ],
    observables: [{ name: 'x_G', description: 'the generator-level feature, x_G ~ N(μ, σ²)' }],
    luminosity: { value: options.published.observed, unit: 'fb^-1' },
    terms: [
      {
        kind: 'unbinned-parametrised',
        name: 'gaussian',
        description: 'extended unbinned likelihood with the DCTR ensemble’s ln w(x_G|θ) and a rate that does not depend on θ (a reweighting keeps the sample’s size)',
        parameters: ['mu', 'sigma'],
        observables: ['x_G'],
        crossSection: { value: 1, unit: 'fb', degree: 1, coefficients: [1, 0, 0], origin: 'exact' },
        ratio: 'network',
        normalisation: 'reference-sample',
        reference: 'reference-sample',
        observed: 'observed-events',
      },
    ],
    provenance: provenance('srgn-publish', { samples: deriveSeed(options.seed, 'samples'), dctr: deriveSeed(options.seed, 'dctr') }, { events: n, dctr: { ...options.dctr, activation: options.dctr.activation ?? 'swish' }, trainingSeconds: dctr.seconds, backend: backend.details }, backendProvenance(backend).versions),
    validation: { closure, tables: [fits], notes, figures: figures.map((f) => ({ component: f.name, caption: f.description ?? '' })) },
  };
  const { reference, observed } = options.published;
  const components: ComponentInput[] = [
    { name: 'network', kind: 'network', file: 'network.msgpack', description: `frozen repulsive ensemble of ${dctr.network.members.length} DCTR classifiers of (x_G, μ, σ) (frozen-mlp/1, identity head on the logit ln w)`, payload: { kind: 'network', network: dctr.network } },
    { name: 'reference-sample', kind: 'event-sample', file: 'reference-sample.msgpack', payload: { kind: 'event-sample', count: reference, observables: 1, values: nominal.generator.slice(0, reference), description: `${reference} nominal generator-level events, (μ, σ) = (0, 1): /reweight's weights have mean 1 over them` } },
    { name: 'observed-events', kind: 'event-sample', file: 'observed-events.msgpack', payload: { kind: 'event-sample', count: observed, observables: 1, values: data.generator.slice(0, observed), description: `pseudo-data: ${observed} generator-level events at (μ, σ) = (−1, 0.75)` } },
    ...figures,
  ];
  const { folder } = await writeArtifact(options.out, draft, components, { pageAnalysis: true });
  await writeCatalogueIndex(options.out);
  return { folder, seconds: (performance.now() - started) / 1000 };
}

/** One reweighting-closure figure: histograms of the nominal sample reweighted, against the events drawn at the target. */
export function closureFigure(
  name: string,
  caption: string,
  plot: { xLabel: string; title: string; description: string; lines: { label: string; color: string; dash?: string; values: number[] }[]; truth: { label: string; histogram: WeightedHistogram }; edges: readonly number[]; decimals?: number },
): ComponentInput {
  const { values } = plot.truth.histogram;
  const svg = histogramPlot({
    id: name,
    xLabel: plot.xLabel,
    yLabel: 'events per bin',
    title: plot.title,
    description: plot.description,
    stacks: [],
    lines: plot.lines,
    points: { label: plot.truth.label, color: COLORS.grey, values, errors: values.map(Math.sqrt) },
    edges: plot.edges.map((e) => e.toFixed(plot.decimals ?? 1)),
  });
  return { name, kind: 'figure', file: `${name}.svg`, description: caption, payload: { svg } };
}

/**
 * SRGN fits (seed 004 eq. 5) of a published reweighter's pseudo-data at generator and at
 * simulation level, three classifier seeds each, as the result page's table.
 */
export function srgnFitTable(
  levels: Record<'generator' | 'simulation', SrgnSamples>,
  start: number[],
  bounds: { lower: number[]; upper: number[] },
  options: { seed: number; classifier?: Omit<ClassifierConfig, 'seed'> },
  table: { caption: string; parameters: string[] },
): ValidationTable {
  const rows: ValidationTable['rows'] = [];
  for (const level of ['generator', 'simulation'] as const) {
    for (const k of [1, 2, 3]) {
      const fit = srgnFit(levels[level], start, bounds, { ...options.classifier, seed: deriveSeed(options.seed, `g-${level}-${k}`) });
      rows.push([level, k, ...Array.from(fit.x, (x) => Number(x.toFixed(3))), Number(fit.value.toFixed(4)), fit.evaluations]);
    }
  }
  return { caption: table.caption, columns: ['level', 'classifier seed', ...table.parameters, 'AUC at the fit', 'trainings of g'], rows };
}

/** x_G and x_S of the target (−1, 0.75) lie within [−4.5, 1.5] but for a few events */
const EDGES = Array.from({ length: 25 }, (_, k) => -4.5 + (6 * k) / 24);
