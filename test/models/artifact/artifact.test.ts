import { readFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeMessagePack, encodeMessagePack, sha256Hex } from '../../../models/artifact/codec.js';
import { ArtifactError, loadArtifact, type LoadedArtifact } from '../../../models/artifact/load.js';
import { manifestJsonSchema, ManifestSchema } from '../../../models/artifact/manifest-schema.js';
import { maximumLikelihood } from '../../../models/inference/mle.js';
import { resolveDataset, DatasetError, parameterVector, eventsDataset } from '../../../models/likelihood/datasets.js';
import { normalDensity, toyExtendedNll, toySecondCoefficient, twoGaussianToy } from '../../../models/toys/two-gaussian.js';
import { type UnbinnedData, polynomialTerms } from '../../../models/terms/unbinned-polynomial.js';
import { readArtifactFolder, writeArtifact } from '../../../scripts/lib/artifact-writer.js';

const published = 'likelihoods/gaussian-toy-truth/1.0.0';
const toy = twoGaussianToy(1.5, 0.7);
const scratch: string[] = [];
afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});
async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'artifact-test-'));
  scratch.push(dir);
  return dir;
}

describe('MessagePack codec and integrity', () => {
  it('round-trips typed arrays exactly and rejects truncated input', () => {
    const value = { a: Float64Array.of(Math.PI, -1e-300), b: Float32Array.of(0.1), c: [1, 'x'] };
    const back = decodeMessagePack(encodeMessagePack(value)) as typeof value;
    expect(back.a).toBeInstanceOf(Float64Array);
    expect(Array.from(back.a)).toEqual(Array.from(value.a));
    expect(back.b).toBeInstanceOf(Float32Array);
    expect(() => decodeMessagePack(encodeMessagePack(value).subarray(0, 12))).toThrow();
  });

  it('hashes with Web Crypto', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('the published truth artifact', async () => {
  const artifact = await readArtifactFolder(published);
  const [term] = polynomialTerms(artifact.likelihood);
  const sigma0 = term.sigma0;
  const L = artifact.manifest.luminosity.value;

  it('verifies, and its observed-data NLL differences equal the closed form to 1e-9 relative', () => {
    const data = resolveDataset(artifact.likelihood, { kind: 'observed' });
    const events = term.events!.observed!.values;
    const nll = (t: number) => artifact.likelihood.nll(Float64Array.of(t), data);
    const closed = (t: number) => toyExtendedNll(toy, events, t, L, sigma0);
    for (const [a, b] of [[0.2, 0.6], [-1, 0.3], [1.9, 0]]) {
      const truth = closed(a) - closed(b);
      expect(Math.abs(nll(a) - nll(b) - truth)).toBeLessThan(1e-9 * Math.abs(truth));
    }
  });

  it('submitted events get the exact coefficients of eq. 43', () => {
    const xs = [-3, 0, 1.5, 4, 8];
    const data = resolveDataset(artifact.likelihood, eventsDataset(artifact.likelihood, xs, xs.length));
    const c = (data.terms.toy as UnbinnedData).coefficients[0];
    xs.forEach((x, i) => {
      expect(c[i * 3]).toBeCloseTo(1, 14);
      expect(c[i * 3 + 1]).toBe(0);
      expect(Math.abs(c[i * 3 + 2] / toySecondCoefficient(toy, x) - 1)).toBeLessThan(1e-12);
    });
  });

  it('Asimov data at θ_A reproduce the exact expected NLL, within the reference sample\'s Monte Carlo error', () => {
    const thetaA = 0.6;
    const data = resolveDataset(artifact.likelihood, { kind: 'asimov', at: { theta: thetaA } });
    const fit = maximumLikelihood(artifact.likelihood, data);
    expect(fit.converged).toBe(true);
    // self-consistent: the Asimov NLL is minimal at θ_A (up to the sign symmetry of θ)
    expect(Math.abs(Math.abs(fit.parameters[0]) - thetaA)).toBeLessThan(1e-6);
    // E[NLL(θ) − NLL(θ_A)] = L σ0 (θ² − θ_A²) − L ∫ dσ(x|θ_A) ln(R(x|θ)/R(x|θ_A)), by quadrature
    const R = (x: number, t: number) => 1 + t * t * toySecondCoefficient(toy, x);
    const expected = (theta: number) => {
      let integral = 0;
      const h = 0.001;
      for (let x = -10; x <= 12; x += h) {
        const dsigma = sigma0 * (normalDensity(x, 0, toy.sigmaA) + thetaA ** 2 * normalDensity(x, 1.5, toy.sigmaB));
        integral += h * dsigma * Math.log(R(x, theta) / R(x, thetaA));
      }
      return L * sigma0 * (theta ** 2 - thetaA ** 2) - L * integral;
    };
    // The Asimov value is a mean over the N reference events, rate term included (Asimov data
    // carry the reference sample's own σ coefficients): its standard error is std/√N.
    const c = term.events!.reference.coefficients[0];
    const N = term.events!.reference.count;
    for (const t of [0.3, 0.45, 0.8, 1.0]) {
      const ours = artifact.likelihood.nll(Float64Array.of(t), data) - artifact.likelihood.nll(Float64Array.of(thetaA), data);
      let sum = 0;
      let sum2 = 0;
      for (let i = 0; i < N; i++) {
        const rA = 1 + thetaA ** 2 * c[i * 3 + 2];
        const g = L * sigma0 * ((t * t - thetaA ** 2) * c[i * 3 + 2] - rA * Math.log((1 + t * t * c[i * 3 + 2]) / rA));
        sum += g;
        sum2 += g * g;
      }
      expect(ours).toBeCloseTo(sum / N, 8);
      const standardError = Math.sqrt((sum2 / N - (sum / N) ** 2) / N);
      expect(Math.abs(ours - expected(t))).toBeLessThan(4 * standardError);
    }
  });

  it('scales Asimov data with the requested luminosity', () => {
    const a = resolveDataset(artifact.likelihood, { kind: 'asimov', at: { theta: 0.5 } }, { luminosity: L });
    const b = resolveDataset(artifact.likelihood, { kind: 'asimov', at: { theta: 0.5 } }, { luminosity: 30 * L });
    const total = (d: typeof a) => (d.terms.toy as UnbinnedData).weights[0]!.reduce((s, w) => s + w, 0);
    expect(total(b) / total(a)).toBeCloseTo(30, 10);
  });

  it('rejects unknown parameters, values out of range and wrong event widths with the offending path', () => {
    expect(() => parameterVector(artifact.likelihood, { thetta: 1 })).toThrow(/unknown parameter 'thetta'/);
    expect(() => parameterVector(artifact.likelihood, { theta: 7 })).toThrow(/outside its allowed range/);
    try {
      resolveDataset(artifact.likelihood, eventsDataset(artifact.likelihood, [1, 2, Number.NaN], 3));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DatasetError);
      expect((error as DatasetError).path).toEqual(['data', 'events', 2, 0]);
    }
    expect(() => resolveDataset(artifact.likelihood, eventsDataset(artifact.likelihood, [1, 2, 3], 2))).toThrow(DatasetError);
  });

  it('the manifest matches the schema, and the JSON Schema is generated from it', async () => {
    const json = JSON.parse(await readFile(join(published, 'manifest.json'), 'utf8'));
    expect(ManifestSchema.safeParse(json).success).toBe(true);
    const schema = manifestJsonSchema() as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['id', 'version', 'parameters', 'terms', 'combination', 'components', 'provenance']));
    // terms, or a combination of published likelihoods instead (checked by the schema's refinement, not by JSON Schema)
    expect(schema.required).toEqual(expect.arrayContaining(['schemaVersion', 'id', 'version', 'components']));
    expect(ManifestSchema.safeParse({ ...json, terms: [] }).success).toBe(false);
  });
});

describe('artifacts that must be refused', () => {
  async function loadFolder(folder: string): Promise<LoadedArtifact> {
    return readArtifactFolder(folder);
  }

  it('refuses a component with one changed byte', async () => {
    const dir = await tempDir();
    await cp(published, dir, { recursive: true });
    const file = join(dir, 'reference-sample.msgpack');
    const bytes = new Uint8Array(await readFile(file));
    bytes[bytes.length - 5] ^= 1;
    await writeFile(file, bytes);
    const error = await loadFolder(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtifactError);
    expect((error as ArtifactError).code).toBe('integrity-mismatch');
    expect((error as ArtifactError).message).toMatch(/reference-sample/);
  });

  it('refuses a manifest that breaks the schema, naming the path', async () => {
    const json = JSON.parse(await readFile(join(published, 'manifest.json'), 'utf8'));
    json.terms[0].parameters = ['phi'];
    const error = await loadArtifact(json, async () => null).catch((e: unknown) => e);
    expect((error as ArtifactError).code).toBe('manifest-invalid');
    expect((error as ArtifactError).issues[0].path).toEqual(['terms', 0, 'parameters', 0]);
  });

  it('refuses an empty or inverted observable selection, naming the path', () => {
    const manifest = (selection: unknown) => ({ ...JSON.parse(readFileSync(join(published, 'manifest.json'), 'utf8')), observables: [{ name: 'x', selection }] });
    for (const selection of [{}, { min: 2, max: 1 }, { min: 1, max: 1 }]) {
      const parsed = ManifestSchema.safeParse(manifest(selection));
      expect(parsed.success).toBe(false);
      expect(parsed.error!.issues[0].path).toEqual(['observables', 0, 'selection']);
    }
    expect(ManifestSchema.safeParse(manifest({ max: 6000 })).success).toBe(true);
  });

  it('refuses a reference sample whose ratio goes negative for some θ, and never overwrites a version', async () => {
    const dir = await tempDir();
    const source = await readArtifactFolder(published);
    const draft = { ...source.manifest } as Record<string, unknown>;
    delete draft.components;
    const bad = Float64Array.of(1, 0, 1, 1, 3, 1); // second event: 1 + 3θ + θ² < 0 at θ = −1
    const components = [
      { name: 'truth-ratio', kind: 'analytic-ratio' as const, file: 'truth-ratio.msgpack', payload: decodeMessagePack(await readFile(join(published, 'truth-ratio.msgpack'))) as never },
      { name: 'reference-sample', kind: 'coefficient-sample' as const, file: 'reference-sample.msgpack', payload: { kind: 'coefficient-sample' as const, count: 2, coefficients: 3, variants: [bad] } },
      { name: 'observed-events', kind: 'event-sample' as const, file: 'observed-events.msgpack', payload: { kind: 'event-sample' as const, count: 1, observables: 1, values: Float64Array.of(0.5) } },
    ];
    const error = await writeArtifact(dir, draft as never, components).catch((e: unknown) => e);
    expect((error as ArtifactError).code).toBe('model-invalid');
    expect((error as ArtifactError).message).toMatch(/reference event 1/);

    components[1].payload = { kind: 'coefficient-sample', count: 2, coefficients: 3, variants: [Float64Array.of(1, 0, 1, 1, 1, 1)] };
    await writeArtifact(dir, draft as never, components);
    await expect(writeArtifact(dir, draft as never, components)).rejects.toThrow(/never changes/);
  });
});
