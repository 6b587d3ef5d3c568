/**
 * Publishes `eeec-top-mass` (issue 19 item 5): the neural ratio estimator of m_t for the optimal
 * shape of the shape search (study.ts), as a likelihood of one parameter whose one "event" is an
 * observation's summary, the shape's projection in 20 bins. Its term is θ-parametrised with the
 * classifier's logit ln r(x|m) = ln p(x|m)/p(x), normalisation 'none' and a rate that does not
 * depend on m_t: −ln L(m) = −ln r(x|m) + const, so `POST …/posterior` gives exactly the
 * estimator's posterior with a uniform prior, and the likelihood routes its fits and intervals.
 * Validated by the HPD regions' expected coverage (a table) and parity with tfjs. With the EEEC
 * surrogate beside it as a density (POST …/density), trained as the document's surrogate study.
 */
import { createRandom } from '../../models/random.js';
import { writeArtifact, type ComponentInput, type ManifestDraft } from '../lib/artifact-writer.js';
import { writeCatalogueIndex } from '../lib/catalogue-index.js';
import { provenance } from '../lib/provenance.js';
import { deriveSeed } from '../simulators/types.js';
import { backendProvenance, selectBackend } from '../training/backend.js';
import { parityValidation } from '../training/freeze.js';
import { expectedCoverage, massGrid, trainRatioEstimator } from './nre.js';
import { shapeLabel, simulateObservations, SUMMARY_EDGES, type EeecShape } from './observations.js';
import type { EeecStudyConfig } from './study.js';
import type { SurrogateStudyConfig } from './surrogate-study.js';
import { trainSurrogate } from './surrogate.js';

export interface PublishEeecOptions {
  out: string;
  version: string;
  shape: EeecShape;
  config: EeecStudyConfig;
  /** the study's figures for the result page (the correlator's projections, the shape search, a posterior, the calibration, the surrogate) */
  figures?: { name: string; caption: string; svg: string }[];
  /** the EEEC surrogate to publish beside, trained as surrogate-study.ts trains its energy-weighted one (the same network, on one backend) */
  surrogate?: SurrogateStudyConfig;
  log?: (line: string) => void;
}

const BIN_NAMES = Array.from({ length: SUMMARY_EDGES.length - 1 }, (_, k) => `bin_${String(k).padStart(2, '0')}`);

export async function publishEeecTopMass(options: PublishEeecOptions): Promise<{ folder: string; seconds: number }> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const { config, shape } = options;
  const backend = await selectBackend({ log: null });
  const random = createRandom(deriveSeed(config.seed, 'publish-masses'));
  const [low, high] = config.prior;
  const draw = (n: number) => Float64Array.from({ length: n }, () => low + (high - low) * random.uniform());
  const masses = { train: draw(config.observations.train), test: draw(config.observations.test) };
  const train = simulateObservations(masses.train, config.jets, [shape], deriveSeed(config.seed, 'publish-train'));
  const test = simulateObservations(masses.test, config.jets, [shape], deriveSeed(config.seed, 'publish-test'));
  const atWorkingPoint = simulateObservations(new Float64Array(21).fill(config.workingPoint), config.jets, [shape], deriveSeed(config.seed, 'publish-working-point'));
  log(`simulated ${masses.train.length + masses.test.length + 21} observations of ${config.jets} jets`);
  const estimator = trainRatioEstimator(train.summaries[0], masses.train, train.bins, { ...config.nre, seed: deriveSeed(config.seed, 'publish-nre') });
  const { coverage } = expectedCoverage(estimator, test.summaries[0], masses.test, test.bins, massGrid(config.prior), [0.5, 0.68, 0.9, 0.95]);
  log(`trained in ${estimator.seconds.toFixed(0)} s; coverage ${coverage.map((c) => `${(100 * c.coverage).toFixed(1)}%`).join(', ')}`);
  const parity = parityValidation(estimator.parity, backend.name);
  const surrogate = options.surrogate ? trainSurrogate({ ...options.surrogate, weighting: 'energy' }) : null;
  if (surrogate) log(`EEEC surrogate: ${surrogate.triplets} triplets, ${surrogate.seconds.toFixed(0)} s`);
  const bins = train.bins;
  const label = shapeLabel(shape);
  const draft: ManifestDraft = {
    schemaVersion: '1',
    id: 'eeec-top-mass',
    version: options.version,
    title: `The top-quark mass from the EEEC of top jets, ${label}: a neural ratio estimator`,
    description:
      `Neural ratio estimation of m_t (seed 002; Hermans, Begy, Louppe) from the three-point energy correlator of hadronic top jets of our own generator (e⁺e⁻ → t t̄ at Q = 2 TeV, scripts/simulators/top-jet.ts): an observation is ${config.jets} jets, summarised by the EEEC in the ${label} window projected onto ${shape.kind === 'equilateral' ? 'the mean side' : 'ζ1'} in ${bins} bins over [${SUMMARY_EDGES[0]}, ${SUMMARY_EDGES[bins]}] (normalised to unit sum; the observables bin_00 … bin_${String(bins - 1).padStart(2, '0')}). ` +
      `A classifier of (summary, m_t) told joint pairs from marginal ones on ${config.observations.train} observations with m_t uniform in [${low}, ${high}] GeV; its logit is ln p(x|m_t)/p(x). ` +
      'POST /posterior gives the posterior with a uniform prior, its mode and HPD regions, for one observation sent as its summary (one event) or as its jets (the service computes the summary). The shape is the narrowest of the shape search in docs/energy-correlators.md. The observed event is one simulated observation at 172.5 GeV.',
    citation: ['Precision Theory Meets Machine Learning (talk slides, seed 002 of this project)', 'J. Hermans, V. Begy, G. Louppe, "Likelihood-free MCMC with amortized approximate ratio estimators", ICML 2020, arXiv:1903.04057'],
    parameters: [{ name: 'mt', description: 'the top-quark mass', unit: 'GeV', reference: config.workingPoint, range: [low, high] }],
    observables: BIN_NAMES.map((name, k) => ({ name, description: `fraction of the observation's EEEC in the window with ${shape.kind === 'equilateral' ? 'ζ_p' : 'ζ1'} ∈ [${SUMMARY_EDGES[k].toFixed(4)}, ${SUMMARY_EDGES[k + 1].toFixed(4)})` })),
    luminosity: { value: 1, unit: 'fb^-1' },
    ...(surrogate
      ? {
          densities: [
            {
              name: 'eeec',
              description: `The EEEC of our top jets in the three-prong region as a density of (ζ1, ζ2, ζ3) at m_t: a network of (ln ζ1, ln ζ2, ln ζ3, m_t) trained with seed 002's energy-weighted loss on ${surrogate.triplets} triplets of jets at m_t = ${options.surrogate!.masses.join(', ')} GeV (docs/energy-correlators.md validates it)`,
              network: 'eeec-surrogate',
              variables: ['zeta1', 'zeta2', 'zeta3'],
              parameters: ['mt'],
              coordinates: 'log' as const,
              region: { kind: 'ordered' as const, min: surrogate.domain[0], max: surrogate.domain[1] },
              normalisation: 'the fraction of the jets’ EEEC weight in the region per unit ζ1 ζ2 ζ3: it integrates to 1 over the region at every m_t',
            },
          ],
        }
      : {}),
    terms: [
      {
        kind: 'unbinned-parametrised',
        name: 'eeec-shape',
        description: 'one event per observation: ln r(x|m_t) = ln p(x|m_t)/p(x) from the ratio estimator, no normalisation (the classifier’s own), a rate that does not depend on m_t',
        parameters: ['mt'],
        observables: BIN_NAMES,
        crossSection: { value: 1, unit: 'fb', degree: 1, coefficients: [1, 0], origin: 'exact' },
        ratio: 'network',
        normalisation: 'none',
        reference: 'reference-sample',
        observed: 'observed-events',
        eventSummary: { kind: 'eeec-projection', Q: 2000, shape, edges: [...SUMMARY_EDGES], normalise: true },
      },
    ],
    provenance: provenance('eeec-publish', { masses: deriveSeed(config.seed, 'publish-masses'), nre: deriveSeed(config.seed, 'publish-nre') }, { shape, study: config, trainingSeconds: estimator.seconds, backend: backend.details }, backendProvenance(backend).versions),
    validation: {
      closure: { ...parity.closure, ...(surrogate?.parity ? { 'EEEC surrogate, frozen runtime vs tfjs: max relative difference': surrogate.parity.maxRelativeDifference } : {}) },
      tables: [
        {
          caption: `Expected coverage of the HPD regions over ${masses.test.length} observations with m_t from the prior (Hermans et al.): the fraction whose true m_t lies in the region of each credibility, with its binomial error`,
          columns: ['credibility', 'coverage', 'binomial error', 'observations'],
          rows: coverage.map((c) => [c.level, Number(c.coverage.toFixed(4)), Number(c.error.toFixed(4)), c.observations]),
        },
      ],
      notes: [parity.note],
      figures: (options.figures ?? []).map((f) => ({ component: f.name, caption: `From the study of docs/energy-correlators.md (its own estimators, trained like this one): ${f.caption}` })),
    },
  };
  const summaries = atWorkingPoint.summaries[0];
  const components: ComponentInput[] = [
    { name: 'network', kind: 'network', file: 'network.msgpack', description: `frozen ratio estimator of (${bins} summary bins, m_t) (frozen-mlp/1, identity head on ln r)`, payload: { kind: 'network', network: estimator.network } },
    { name: 'reference-sample', kind: 'event-sample', file: 'reference-sample.msgpack', payload: { kind: 'event-sample', count: 20, observables: bins, values: summaries.slice(bins), description: `20 observations of ${config.jets} jets at m_t = ${config.workingPoint} GeV (the reference point)` } },
    { name: 'observed-events', kind: 'event-sample', file: 'observed-events.msgpack', payload: { kind: 'event-sample', count: 1, observables: bins, values: summaries.slice(0, bins), description: `one observation of ${config.jets} jets at m_t = ${config.workingPoint} GeV` } },
    ...(surrogate ? [{ name: 'eeec-surrogate', kind: 'network' as const, file: 'eeec-surrogate.msgpack', description: 'frozen EEEC surrogate of (ln ζ1, ln ζ2, ln ζ3, m_t) (frozen-mlp/1, identity head on ln density in ln ζ)', payload: { kind: 'network' as const, network: surrogate.network } }] : []),
    ...(options.figures ?? []).map((f): ComponentInput => ({ name: f.name, kind: 'figure', file: `${f.name}.svg`, description: f.caption, payload: { svg: f.svg } })),
  ];
  const { folder } = await writeArtifact(options.out, draft, components, { pageAnalysis: true });
  await writeCatalogueIndex(options.out);
  return { folder, seconds: (performance.now() - started) / 1000 };
}
