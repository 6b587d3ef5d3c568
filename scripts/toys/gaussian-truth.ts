/**
 * The truth artifact of the two-Gaussian toy (seed 003 sec. 3, eq. 41-43): exact
 * reco-level coefficients, no network. It validates the engine against closed forms and
 * is the first embedded default likelihood.
 */
import type { CoefficientSample, EventSample } from '../../models/artifact/components.js';
import type { LoadedArtifact } from '../../models/artifact/load.js';
import type { CoverageRun } from '../../models/inference/coverage.js';
import { createRandom } from '../../models/random.js';
import type { AnalyticRatioSpec } from '../../models/ratio/analytic-ratio.js';
import { drawToyEvents, sampleToyEvent, toySecondCoefficient, twoGaussianToy, type TwoGaussianToy } from '../../models/toys/two-gaussian.js';
import { writeArtifact, type ManifestDraft } from '../lib/artifact-writer.js';
import { coverageOfToyArtifact } from '../pipeline/toy-pipeline.js';
import { provenance } from '../lib/provenance.js';

export interface TruthArtifactOptions {
  out: string;
  id?: string;
  version?: string;
  alpha?: number;
  smearing?: number;
  /** σ(θ0) in fb */
  sigma0?: number;
  /** published luminosity in fb⁻¹ */
  luminosity?: number;
  referenceEvents?: number;
  /** θ of the published pseudo-observed dataset */
  observedTheta?: number;
  coverageTheta?: number;
  coverageToys?: number;
  seed?: number;
  onProgress?: (stage: string, done: number, total: number) => void;
}

/** The exact ratio of the toy as an analytic-ratio component: c = [1, 0, N(x; α, σ_b)/N(x; 0, σ_a)]. */
export function toyAnalyticRatio(toy: TwoGaussianToy): AnalyticRatioSpec {
  const a = { weight: 1, mean: [0], sigma: [toy.sigmaA] };
  return { kind: 'gaussian-mixture-ratio', observables: 1, denominator: [a], numerators: [[a], [], [{ weight: 1, mean: [toy.alpha], sigma: [toy.sigmaB] }]] };
}

export async function publishTruthArtifact(options: TruthArtifactOptions): Promise<{ folder: string; artifact: LoadedArtifact; coverage: CoverageRun }> {
  const alpha = options.alpha ?? 1.5;
  const smearing = options.smearing ?? 0.7;
  const sigma0 = options.sigma0 ?? 10;
  const luminosity = options.luminosity ?? 100;
  const referenceEvents = options.referenceEvents ?? 100_000;
  const observedTheta = options.observedTheta ?? 0.4;
  const coverageTheta = options.coverageTheta ?? 0.5;
  const coverageToys = options.coverageToys ?? 500;
  const seed = options.seed ?? 20261123;
  const toy = twoGaussianToy(alpha, smearing);
  const progress = options.onProgress ?? (() => {});

  const reference = createRandom(seed);
  const coefficients = new Float64Array(referenceEvents * 3);
  for (let i = 0; i < referenceEvents; i++) {
    const x = sampleToyEvent(toy, 0, reference);
    coefficients[i * 3] = 1;
    coefficients[i * 3 + 2] = toySecondCoefficient(toy, x);
  }
  const referenceSample: CoefficientSample = { kind: 'coefficient-sample', count: referenceEvents, coefficients: 3, variants: [coefficients] };

  const observedEvents = drawToyEvents(toy, observedTheta, luminosity * sigma0 * (1 + observedTheta ** 2), createRandom(seed + 1));
  const observed: EventSample = {
    kind: 'event-sample',
    count: observedEvents.length,
    observables: 1,
    values: observedEvents,
    description: `pseudo-data: ${observedEvents.length} events drawn from p(x|θ = ${observedTheta}) with seed ${seed + 1}`,
  };

  const draft: ManifestDraft = {
    schemaVersion: '1',
    id: options.id ?? 'gaussian-toy-truth',
    version: options.version ?? '1.0.0',
    title: `Two-Gaussian toy, α = ${alpha}: exact likelihood`,
    description:
      `The toy model of seed 003 sec. 3 (Bahl et al., eq. 41-43) with its exact reco-level likelihood ratio: parton level z ~ [N(0, 1) + θ² N(${alpha}, 0.1)]/(1 + θ²), ` +
      `smeared by N(0, ${smearing}), so p(x|θ) ∝ N(x; 0, ${toy.sigmaA.toFixed(4)}) + θ² N(x; ${alpha}, ${toy.sigmaB.toFixed(4)}) and σ(θ) = σ0 (1 + θ²). ` +
      'No network: the coefficients are exact. It validates the engine against closed forms; its observed data are pseudo-data.',
    citation: ['T. Bahl, V. Bresó-Pla, G. De Crescenzo, T. Plehn, "Advancing Tools for Simulation-Based Inference" (Heidelberg, 2024; version of January 17, 2025)'],
    parameters: [{ name: 'theta', description: 'weight of the displaced Gaussian: p(z|θ) ∝ N(0,1) + θ² N(α, 0.1)', reference: 0, range: [-2, 2] }],
    observables: [{ name: 'x', description: 'reco-level observable x = z + N(0, 0.7)' }],
    luminosity: { value: luminosity, unit: 'fb^-1' },
    terms: [
      {
        kind: 'unbinned-polynomial',
        name: 'toy',
        description: 'extended unbinned likelihood with exact R(x|θ) = 1 + θ² N(x; α, σ_b)/N(x; 0, σ_a)',
        parameters: ['theta'],
        degree: 2,
        observables: ['x'],
        crossSection: { value: sigma0, unit: 'fb', coefficients: [1, 0, 1], origin: 'exact' },
        ratio: 'truth-ratio',
        reference: 'reference-sample',
        observed: 'observed-events',
      },
    ],
    provenance: provenance('publish-truth', { reference: seed, observed: seed + 1, coverage: seed + 2 }, { alpha, smearing, sigma0, luminosity, referenceEvents, observedTheta, coverageTheta, coverageToys }),
    validation: {},
  };

  const components = [
    { name: 'truth-ratio', kind: 'analytic-ratio' as const, file: 'truth-ratio.msgpack', description: 'exact c(x) of eq. 43', payload: { kind: 'analytic-ratio' as const, ratio: toyAnalyticRatio(toy) } },
    { name: 'reference-sample', kind: 'coefficient-sample' as const, file: 'reference-sample.msgpack', description: `exact c(x) of ${referenceEvents} events drawn at θ0 = 0`, payload: referenceSample },
    { name: 'observed-events', kind: 'event-sample' as const, file: 'observed-events.msgpack', description: observed.description, payload: observed },
  ];

  // Coverage needs the artifact's own likelihood: write to a scratch folder first, then publish with the result recorded.
  const scratch = `${options.out}/.scratch-${process.pid}`;
  const { artifact: draftArtifact } = await writeArtifact(scratch, draft, components);
  const coverage = coverageOfToyArtifact(draftArtifact, toy, coverageTheta, coverageToys, seed + 2, (done, total) => progress('coverage', done, total));
  const { rm } = await import('node:fs/promises');
  await rm(scratch, { recursive: true, force: true });

  draft.validation = {
    coverage: coverage.estimates.map((e) => ({ cl: e.cl, coverage: e.coverage, error: e.error, toys: e.toys, at: { theta: coverageTheta }, luminosity })),
    notes: [`coverage: ${coverageToys} toys drawn from the exact toy model at θ = ${coverageTheta}, ${coverage.failed} with unconverged fits`],
  };
  const { folder, artifact } = await writeArtifact(options.out, draft, components);
  return { folder, artifact, coverage };
}
