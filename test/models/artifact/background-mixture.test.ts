/**
 * Signal plus a θ-independent background in an unbinned term (seed 003 app. D): the term's
 * ratio is f_s(x) ĉ(x) + 1 − f_s(x). Checked against the exact ratio of a case where f_s is
 * exactly a one-layer sigmoid network: the two-Gaussian toy's signal (reco density
 * N(x; 0, σ_a) at θ0) with a background N(x; μ_b, σ_a), whose log-odds are linear in x.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CoefficientSample } from '../../../models/artifact/components.js';
import { ArtifactError } from '../../../models/artifact/load.js';
import type { FrozenNetwork } from '../../../models/network/frozen-network-schema.js';
import { normalDensity, toyDensity, twoGaussianToy } from '../../../models/toys/two-gaussian.js';
import type { UnbinnedData } from '../../../models/terms/unbinned-polynomial.js';
import { resolveDataset, eventsDataset } from '../../../models/likelihood/datasets.js';
import { analyse, storedAnalysis } from '../../../models/service/page-analysis.js';
import { writeArtifact, type ComponentInput, type ManifestDraft } from '../../../scripts/lib/artifact-writer.js';
import { toyAnalyticRatio } from '../../../scripts/toys/gaussian-truth.js';

const toy = twoGaussianToy(1.5, 0.7);
const sigmaS = 10;
const sigmaB = 4;
const muB = -1;
const s2 = toy.sigmaA ** 2;

/** f_s(x) = σ_s N(x; 0, σ_a) / (σ_s N(x; 0, σ_a) + σ_b N(x; μ_b, σ_a)): logit = ln(σ_s/σ_b) + (μ_b² − 2 μ_b x)/(2σ_a²). */
function exactClassifier(head: 'sigmoid' | 'identity' = 'sigmoid'): FrozenNetwork {
  return {
    format: 'frozen-mlp/1',
    inputs: 1,
    outputs: 1,
    inputScaling: { mean: Float32Array.of(0), std: Float32Array.of(1) },
    head: { kind: head },
    members: [{ layers: [{ inputs: 1, outputs: 1, kernel: Float32Array.of(-muB / s2), bias: Float32Array.of(Math.log(sigmaS / sigmaB) + (muB * muB) / (2 * s2)), activation: 'linear' }] }],
  } as FrozenNetwork;
}

/** dσ(x|θ)/dσ(x|θ0) of signal plus background, exactly. */
function exactRatio(x: number, theta: number): number {
  const background = sigmaB * normalDensity(x, muB, toy.sigmaA);
  return (sigmaS * (1 + theta * theta) * toyDensity(toy, x, theta) + background) / (sigmaS * toyDensity(toy, x, 0) + background);
}

const scratch: string[] = [];
afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

async function publish(classifier: FrozenNetwork, options: { pageAnalysis?: boolean } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'mixture-test-'));
  scratch.push(dir);
  // a reference sample whose combined coefficients are exact at a few x (enough for loading)
  const xs = [-2, -0.5, 0, 1, 2.5];
  const coefficients = new Float64Array(xs.length * 3);
  xs.forEach((x, i) => {
    coefficients[i * 3] = 1;
    coefficients[i * 3 + 2] = exactRatio(x, 1) - 1;
  });
  const reference: CoefficientSample = { kind: 'coefficient-sample', count: xs.length, coefficients: 3, variants: [coefficients] };
  const draft: ManifestDraft = {
    schemaVersion: '1',
    id: 'mixture-test',
    version: '1.0.0',
    title: 'toy signal with a Gaussian background',
    description: 'test',
    citation: [],
    parameters: [{ name: 'theta', reference: 0, range: [-2, 2] }],
    observables: [{ name: 'x' }],
    luminosity: { value: 1, unit: 'fb^-1' },
    terms: [
      {
        kind: 'unbinned-polynomial',
        name: 'toy',
        parameters: ['theta'],
        degree: 2,
        observables: ['x'],
        crossSection: { value: sigmaS + sigmaB, unit: 'fb', coefficients: [1, 0, sigmaS / (sigmaS + sigmaB)], origin: 'exact' },
        ratio: 'ratio',
        signalFraction: 'classifier',
        reference: 'reference',
      },
    ],
    provenance: { createdAt: new Date().toISOString(), producer: { name: 'test', version: '0' }, versions: {} },
    validation: {},
  };
  const components: ComponentInput[] = [
    { name: 'ratio', kind: 'analytic-ratio', file: 'ratio.msgpack', payload: { kind: 'analytic-ratio', ratio: toyAnalyticRatio(toy) } },
    { name: 'classifier', kind: 'network', file: 'classifier.msgpack', payload: { kind: 'network', network: classifier } },
    { name: 'reference', kind: 'coefficient-sample', file: 'reference.msgpack', payload: reference },
  ];
  return writeArtifact(dir, draft, components, options);
}

describe('an unbinned term with a background classifier', () => {
  it('serves f_s ĉ + 1 − f_s: the exact signal-plus-background ratio for submitted events', async () => {
    const { artifact } = await publish(exactClassifier());
    const xs = [-4, -1.2, 0, 0.8, 1.5, 3, 6];
    const data = resolveDataset(artifact.likelihood, eventsDataset(artifact.likelihood, xs, xs.length));
    const c = (data.terms.toy as UnbinnedData).coefficients[0];
    for (const theta of [-1.3, 0.4, 2]) {
      xs.forEach((x, i) => {
        const learned = c[i * 3] + c[i * 3 + 1] * theta + c[i * 3 + 2] * theta * theta;
        // float32 weights of the classifier: f_s to ~1e-7
        expect(Math.abs(learned / exactRatio(x, theta) - 1)).toBeLessThan(1e-6);
      });
    }
    // far into the background's side the ratio tends to 1: θ barely matters there
    expect(c[0]).toBeCloseTo(1, 12);
    expect(Math.abs(c[2])).toBeLessThan(0.05);
  });

  it('refuses a signal fraction that is not a one-output sigmoid network', async () => {
    const error = await publish(exactClassifier('identity')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtifactError);
    expect((error as ArtifactError).code).toBe('model-invalid');
    expect((error as Error).message).toMatch(/signal fraction must be a network with a sigmoid head/);
  });

  it('publishes its result page numbers when asked, and the page reads them instead of computing', async () => {
    const { folder, artifact } = await publish(exactClassifier(), { pageAnalysis: true });
    expect(artifact.manifest.pageAnalysis).toBe('page-analysis');
    const stored = storedAnalysis(artifact)!;
    expect(stored).not.toBeNull();
    const fresh = analyse(artifact);
    expect({ ...stored, elapsedMs: 0 }).toEqual({ ...fresh, elapsedMs: 0 });
    expect(stored.parameters[0].scans[0].intervals.length).toBe(2);
    // a stored analysis of the wrong shape is ignored (the page computes afresh)
    expect(storedAnalysis({ ...artifact, pageAnalysis: { datasets: 'expected' } })).toBeNull();
    // the component is covered by the manifest's sha256 like every other
    const manifest = JSON.parse(await readFile(join(folder, 'manifest.json'), 'utf8'));
    expect(manifest.components['page-analysis'].sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
