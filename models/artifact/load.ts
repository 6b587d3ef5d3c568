/**
 * From a published artifact (manifest + component bytes) to a ready likelihood. Every
 * component's sha256 is checked against the manifest before it is decoded, every payload
 * is validated by its schema, and learned ratios are checked to be non-negative for every
 * θ on the reference sample; any failure is an ArtifactError with a stable code, never a
 * silently wrong number. Pure: the caller supplies how to read a file (Node fs, Workers
 * static assets, R2, …).
 */
import type { z } from 'zod';
import { basisSize, monomialBasis } from '../basis/monomial-basis.js';
import { checkPolynomialPositivityBatch } from '../basis/sum-of-squares.js';
import { mlpOnly, networkOutputs, type FrozenNetwork } from '../network/frozen-network.js';
import { createLikelihood, type Likelihood, type Term } from '../likelihood/likelihood.js';
import { interestParameter, type ParameterSpec } from '../likelihood/term.js';
import { analyticRatioModel, backgroundMixtureRatioModel, networkRatioModel, networkSignalFraction, type RatioModel, networkUnits } from '../ratio/ratio-model.js';
import { compileBinnedModel, type BinnedTemplateTerm } from '../terms/binned/term.js';
import type { BinnedModelSpec } from '../terms/binned/schema.js';
import { createUnbinnedParametrisedTerm, type UnbinnedParametrisedTerm } from '../terms/unbinned-parametrised.js';
import { createUnbinnedPolynomialTerm, crossSectionFromReference, type UnbinnedData, type UnbinnedPolynomialTerm } from '../terms/unbinned-polynomial.js';
import { decodeMessagePack, sha256Hex } from './codec.js';
import { ComponentPayloadSchema, type ComponentPayload, type EventSample } from './components.js';
import { ManifestSchema, type DensityManifest, type Manifest, type TermManifest } from './manifest-schema.js';

export type ArtifactErrorCode = 'manifest-invalid' | 'component-missing' | 'integrity-mismatch' | 'component-invalid' | 'model-invalid';

export interface ArtifactIssue {
  path: (string | number)[];
  message: string;
}

export class ArtifactError extends Error {
  constructor(
    readonly code: ArtifactErrorCode,
    message: string,
    readonly issues: ArtifactIssue[] = [],
  ) {
    super(message);
    this.name = 'ArtifactError';
  }
}

/** Reads one file of the artifact's folder; null when it does not exist. */
export type ReadFile = (file: string) => Promise<Uint8Array | null>;

export interface LoadedArtifact {
  readonly manifest: Manifest;
  /** its terms carry what they were built from: ratio models, reference samples, binned models, observed data */
  readonly likelihood: Likelihood;
  /** the result page's numbers as published (checked by the page), or null */
  readonly pageAnalysis: Record<string, unknown> | null;
  /** bytes of all components read (for memory accounting) */
  readonly componentBytes: number;
  /** the manifest's densities with their networks (POST …/density) */
  readonly densities?: readonly LoadedDensity[];
}

export interface LoadedDensity {
  readonly spec: DensityManifest;
  readonly network: FrozenNetwork;
}

export function issuesOf(error: z.ZodError): ArtifactIssue[] {
  return error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: i.message }));
}

export function parseManifest(json: unknown): Manifest {
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) throw new ArtifactError('manifest-invalid', 'the manifest does not match the schema', issuesOf(parsed.error));
  return parsed.data;
}

/** The bytes of a component, after checking size and sha256 against the manifest. */
export async function readVerifiedComponent(manifest: Manifest, name: string, read: ReadFile): Promise<Uint8Array> {
  const ref = manifest.components[name];
  if (!ref) throw new ArtifactError('component-missing', `the manifest lists no component '${name}'`);
  const bytes = await read(ref.file);
  if (!bytes) throw new ArtifactError('component-missing', `component '${name}' (${ref.file}) is missing`);
  const digest = await sha256Hex(bytes);
  if (bytes.length !== ref.bytes || digest !== ref.sha256) {
    throw new ArtifactError('integrity-mismatch', `component '${name}' (${ref.file}) fails its integrity check: sha256 ${digest}, ${bytes.length} bytes; the manifest says ${ref.sha256}, ${ref.bytes} bytes`);
  }
  return bytes;
}

/** A component's payload, verified, decoded and checked against its schema and expected kind. */
export async function readPayload<K extends ComponentPayload['kind']>(manifest: Manifest, name: string, kind: K, read: ReadFile): Promise<Extract<ComponentPayload, { kind: K }>> {
  const bytes = await readVerifiedComponent(manifest, name, read);
  let decoded: unknown;
  try {
    decoded = decodeMessagePack(bytes);
  } catch (error) {
    throw new ArtifactError('component-invalid', `component '${name}' is not valid MessagePack: ${(error as Error).message}`);
  }
  const parsed = ComponentPayloadSchema.safeParse(decoded);
  if (!parsed.success) throw new ArtifactError('component-invalid', `component '${name}' does not match its schema`, issuesOf(parsed.error));
  if (parsed.data.kind !== kind) throw new ArtifactError('component-invalid', `component '${name}' holds a ${parsed.data.kind}, expected ${kind}`);
  return parsed.data as Extract<ComponentPayload, { kind: K }>;
}

export async function loadArtifact(manifestJson: unknown, read: ReadFile): Promise<LoadedArtifact> {
  const manifest = parseManifest(manifestJson);
  let componentBytes = 0;
  const countingRead: ReadFile = async (file) => {
    const bytes = await read(file);
    if (bytes) componentBytes += bytes.length;
    return bytes;
  };
  const interest: ParameterSpec[] = manifest.parameters.map((p) => interestParameter(p.name, p.reference, p.range));
  const byName = new Map(manifest.parameters.map((p) => [p.name, p]));

  const terms: Term[] = [];
  for (const spec of manifest.terms) {
    if (spec.kind === 'unbinned-polynomial') {
      terms.push(await loadUnbinnedTerm(manifest, spec, byName, countingRead));
    } else if (spec.kind === 'unbinned-parametrised') {
      terms.push(await loadParametrisedTerm(manifest, spec, byName, countingRead));
    } else {
      const payload = await readPayload(manifest, spec.model, 'binned-model', countingRead);
      let term: BinnedTemplateTerm;
      try {
        term = compileBinnedModel(spec.name, payload.model, payload.observations ?? null);
      } catch (error) {
        throw new ArtifactError('model-invalid', `term '${spec.name}': ${(error as Error).message}`);
      }
      for (const p of term.parameters) {
        if (p.kind === 'interest' && !byName.has(p.name)) throw new ArtifactError('model-invalid', `term '${spec.name}' depends on '${p.name}', which the manifest does not declare`);
      }
      for (const [channel, axis] of Object.entries(spec.axes ?? {})) {
        const bins = term.channels.find((c) => c.name === channel)?.bins;
        if (bins === undefined) throw new ArtifactError('model-invalid', `term '${spec.name}': a bin axis is given for '${channel}', which is not one of its channels`);
        if (axis.edges.length !== bins + (axis.overflow ? 0 : 1)) throw new ArtifactError('model-invalid', `term '${spec.name}': channel '${channel}' has ${bins} bins, so its axis needs ${bins + (axis.overflow ? 0 : 1)} edges${axis.overflow ? ' (the last bin an overflow)' : ''}; it has ${axis.edges.length}`);
      }
      terms.push(term);
    }
  }
  let likelihood: Likelihood;
  try {
    likelihood = createLikelihood(interest, terms, manifest.luminosity.value, manifest.observables.map((o) => o.name), Object.fromEntries(manifest.observables.flatMap((o) => (o.selection ? [[o.name, o.selection]] : []))));
  } catch (error) {
    throw new ArtifactError('model-invalid', (error as Error).message);
  }
  const pageAnalysis = manifest.pageAnalysis ? (await readPayload(manifest, manifest.pageAnalysis, 'page-analysis', countingRead)).analysis : null;
  const densities: LoadedDensity[] = [];
  for (const spec of manifest.densities ?? []) {
    const network = onlyMlp((await readPayload(manifest, spec.network, 'network', countingRead)).network, `density '${spec.name}'`);
    const inputs = spec.variables.length + spec.parameters.length;
    if (network.inputs !== inputs || networkOutputs(network) !== 1 || network.head.kind !== 'identity') {
      throw new ArtifactError('model-invalid', `density '${spec.name}': its network must map ${inputs} inputs (the variables, then the parameters) to one identity output; it maps ${network.inputs} to ${networkOutputs(network)} with a ${network.head.kind} head`);
    }
    densities.push({ spec, network });
  }
  return { manifest, likelihood, pageAnalysis, componentBytes, densities };
}

/** A network component where only the MLP format is served: an L-GATr there is a model-invalid artifact. */
function onlyMlp(network: Parameters<typeof mlpOnly>[0], what: string): FrozenNetwork {
  try {
    return mlpOnly(network, what);
  } catch (error) {
    throw new ArtifactError('model-invalid', (error as Error).message);
  }
}

async function loadUnbinnedTerm(
  manifest: Manifest,
  spec: Extract<TermManifest, { kind: 'unbinned-polynomial' }>,
  byName: Map<string, Manifest['parameters'][number]>,
  read: ReadFile,
): Promise<UnbinnedPolynomialTerm> {
  const P = spec.parameters.length;
  const C = basisSize(P, spec.degree);
  const basis = monomialBasis(P, spec.degree);
  const D = spec.observables.length;

  const ratioRef = manifest.components[spec.ratio];
  let ratio: RatioModel;
  if (ratioRef.kind === 'analytic-ratio') ratio = analyticRatioModel((await readPayload(manifest, spec.ratio, 'analytic-ratio', read)).ratio);
  else ratio = networkRatioModel((await readPayload(manifest, spec.ratio, 'network', read)).network);
  if (ratio.observables !== D || ratio.coefficients !== C) {
    throw new ArtifactError('model-invalid', `term '${spec.name}': its ratio maps ${ratio.observables} observables to ${ratio.coefficients} coefficients; the term needs ${D} → ${C}`);
  }
  if (spec.signalFraction) {
    const classifier = (await readPayload(manifest, spec.signalFraction, 'network', read)).network;
    if (classifier.head.kind !== 'sigmoid' || networkOutputs(classifier) !== 1 || classifier.inputs !== D) {
      throw new ArtifactError('model-invalid', `term '${spec.name}': the signal fraction must be a network with a sigmoid head mapping ${D} observables to 1 output; got a ${classifier.head.kind} head, ${classifier.inputs} → ${networkOutputs(classifier)}`);
    }
    ratio = backgroundMixtureRatioModel(ratio, networkSignalFraction(classifier), networkUnits(classifier));
  }

  const sample = await readPayload(manifest, spec.reference, 'coefficient-sample', read);
  if (sample.coefficients !== C) throw new ArtifactError('model-invalid', `term '${spec.name}': the reference sample has ${sample.coefficients} coefficients per event, the term needs ${C}`);
  if (sample.variants.length !== ratio.variants) throw new ArtifactError('model-invalid', `term '${spec.name}': the reference sample has ${sample.variants.length} variants, the ratio model ${ratio.variants}`);
  const variants = sample.variants.map((v) => (v instanceof Float64Array ? v : Float64Array.from(v)));
  const weights = sample.weights ? Float64Array.from(sample.weights) : null;

  // A learned ratio must be non-negative for every θ: checked on every reference event, every variant.
  const ranges = spec.parameters.map((name) => {
    const p = byName.get(name)!;
    return [p.range[0] - p.reference, p.range[1] - p.reference] as const;
  });
  variants.forEach((coefficients, v) => {
    const check = checkPolynomialPositivityBatch(coefficients, sample.count, basis, ranges, { tolerance: 1e-6 });
    if (!check.nonNegative) {
      throw new ArtifactError('model-invalid', `term '${spec.name}': the ratio of reference event ${check.firstOffendingRow} (variant ${v}) is negative for some θ (${check.method} check, minimum ${check.minimum}); the artifact is defective`);
    }
  });

  // σ(θ) = σ0 s·m(Δθ): s as published for the estimate; each member's own s by eq. 34.
  const crossSection = variants.map((coefficients, v) =>
    v === 0 ? Float64Array.from(spec.crossSection.coefficients) : crossSectionFromReference(coefficients, sample.count, C, weights),
  );
  const reference: UnbinnedData = { count: sample.count, coefficients: variants, weights: variants.map(() => weights) };
  const events = { ratio, observables: spec.observables, reference, observed: await observedEvents(manifest, spec, read) };
  return createUnbinnedPolynomialTerm({ name: spec.name, parameters: termParameters(spec, byName), degree: spec.degree, basis, sigma0: spec.crossSection.value, crossSection, events });
}

async function loadParametrisedTerm(
  manifest: Manifest,
  spec: Extract<TermManifest, { kind: 'unbinned-parametrised' }>,
  byName: Map<string, Manifest['parameters'][number]>,
  read: ReadFile,
): Promise<UnbinnedParametrisedTerm> {
  const D = spec.observables.length;
  const network = onlyMlp((await readPayload(manifest, spec.ratio, 'network', read)).network, `term '${spec.name}' (a network of observables and θ)`);
  const sample = await readPayload(manifest, spec.reference, 'event-sample', read);
  if (sample.observables !== D) throw new ArtifactError('model-invalid', `term '${spec.name}': the reference sample has ${sample.observables} observables per event, the term needs ${D}`);
  if (sample.count === 0) throw new ArtifactError('model-invalid', `term '${spec.name}': the reference sample is empty`);
  const observed = await observedEvents(manifest, spec, read);
  // the term checks that the network maps the observables and θ to one identity output
  try {
    return createUnbinnedParametrisedTerm({
      name: spec.name,
      parameters: termParameters(spec, byName),
      basis: monomialBasis(spec.parameters.length, spec.crossSection.degree),
      sigma0: spec.crossSection.value,
      crossSection: Float64Array.from(spec.crossSection.coefficients),
      normalisation: spec.normalisation,
      events: { network, observables: spec.observables, reference: sample, observed },
    });
  } catch (error) {
    throw new ArtifactError('model-invalid', (error as Error).message);
  }
}

type UnbinnedTermManifest = Extract<TermManifest, { kind: 'unbinned-polynomial' | 'unbinned-parametrised' }>;

/** An unbinned term's parameters, each as the manifest declares it (θ0 and range). */
function termParameters(spec: UnbinnedTermManifest, byName: Map<string, Manifest['parameters'][number]>): ParameterSpec[] {
  return spec.parameters.map((name) => {
    const p = byName.get(name)!;
    return interestParameter(name, p.reference, p.range);
  });
}

/** An unbinned term's published observed events, checked to have its observables (null where none are published). */
async function observedEvents(manifest: Manifest, spec: UnbinnedTermManifest, read: ReadFile): Promise<EventSample | null> {
  if (!spec.observed) return null;
  const observed = await readPayload(manifest, spec.observed, 'event-sample', read);
  if (observed.observables !== spec.observables.length) throw new ArtifactError('model-invalid', `term '${spec.name}': observed events have ${observed.observables} observables, expected ${spec.observables.length}`);
  return observed;
}
