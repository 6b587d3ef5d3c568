/**
 * ONNX export of a published network component (GET /v1/likelihoods/{id}/onnx/{component}):
 * which network, under which input names, and for `log-ratio` which polynomial (the term that
 * uses the network as its ratio: its parameters, θ0, degree and signal fraction). The graph
 * itself is models/network/onnx-export.ts. Also the HS3 document of a learned likelihood, whose
 * terms point at these models (models/pyhf/hs3-learned.ts).
 */
import type { Manifest } from '../artifact/manifest-schema.js';
import { networkToOnnx } from '../network/onnx-export.js';
import type { Hs3Document } from '../pyhf/hs3.js';
import { learnedLikelihoodToHs3, type ObservedEvents } from '../pyhf/hs3-learned.js';
import type { ArtifactStore } from './catalogue.js';
import { notApplicable, notFound } from './errors.js';
import type { OnnxQuery } from './schemas.js';
import { mlpOnly } from '../network/frozen-network.js';

type Term = Manifest['terms'][number];

/** The term that evaluates `component`, and how: as its ratio, or as its signal fraction. */
function roleOf(manifest: Manifest, component: string): { term: Term; role: 'ratio' | 'signal-fraction' } | null {
  for (const term of manifest.terms) {
    if ('ratio' in term && term.ratio === component) return { term, role: 'ratio' };
    if ('signalFraction' in term && term.signalFraction === component) return { term, role: 'signal-fraction' };
  }
  return null;
}

/** What a network component's inputs are, in order: the term's observables, then θ for a parametrised ratio. */
function inputNames(manifest: Manifest, component: string, inputs: number): string[] {
  const role = roleOf(manifest, component);
  const names = role && 'observables' in role.term ? [...role.term.observables, ...(role.term.kind === 'unbinned-parametrised' && role.role === 'ratio' ? role.term.parameters : [])] : [];
  return names.length === inputs ? names : Array.from({ length: inputs }, (_, i) => `x${i}`);
}

/** The ONNX model of network component `component` of id@version, and a file name for it. */
export async function networkOnnx(store: ArtifactStore, id: string, version: string, component: string, query: OnnxQuery): Promise<{ bytes: Uint8Array; filename: string }> {
  const { manifest } = await store.manifest(id, version);
  const ref = manifest.components[component];
  if (!ref) throw notFound('unknown-component', `${id}@${version} has no component '${component}'; its networks are ${Object.keys(manifest.components).filter((n) => manifest.components[n].kind === 'network').join(', ') || 'none'}`);
  if (ref.kind !== 'network') throw notApplicable(`component '${component}' of ${id}@${version} is a ${ref.kind}, not a network; only networks are exported as ONNX`, ['component']);
  const { network: stored } = await store.payload(id, version, component, 'network');
  if (stored.format !== 'frozen-mlp/1') throw notApplicable(`component '${component}' of ${id}@${version} is a ${stored.format} network; ONNX export covers frozen-mlp/1 networks only`, ['component']);
  const network = stored;
  let polynomial;
  if (query.output === 'log-ratio') {
    const role = roleOf(manifest, component);
    if (!role || role.role !== 'ratio' || role.term.kind !== 'unbinned-polynomial') {
      const why =
        role?.term.kind === 'unbinned-parametrised' ? 'its output already is ln r̂(x|θ, θ0), of the observables then θ: use output=head' : role?.role === 'signal-fraction' ? "it is a term's signal-fraction classifier; output=log-ratio of the term's ratio network includes it" : 'no polynomial term uses it as its ratio';
      throw notApplicable(`output=log-ratio does not apply to '${component}': ${why}`, ['output']);
    }
    const term = role.term;
    const reference = term.parameters.map((name) => manifest.parameters.find((p) => p.name === name)!.reference);
    const signalFraction = term.signalFraction ? mlpOnly((await store.payload(id, version, term.signalFraction, 'network')).network, `the signal fraction '${term.signalFraction}'`) : undefined;
    polynomial = { parameters: term.parameters, reference, degree: term.degree, signalFraction };
  }
  const roofit = query.target === 'roofit';
  if (roofit && query.precision === 'float64') throw notApplicable('target=roofit evaluates through SOFIE, in float32 only: leave precision out or set it to float32', ['precision']);
  if (roofit && query.output === 'head' && network.outputs !== 1) throw notApplicable(`target=roofit needs one output per event (RooONNXFunction is a scalar function); '${component}' gives ${network.outputs}: ask for output=log-ratio`, ['target']);
  const precision = query.precision ?? (roofit ? 'float32' : 'float64');
  const spec = `${id}@${version}`;
  const bytes = networkToOnnx(network, {
    inputNames: inputNames(manifest, component, network.inputs),
    output: query.output,
    precision,
    ...(roofit ? { events: 1, meanOnly: true } : {}),
    polynomial,
    producer: { name: 'likelihood-service', version: manifest.provenance.producer.version },
    title: `${spec}, component '${component}': ${ref.description ?? 'a frozen network'}`,
    metadata: { likelihood: spec, component, component_sha256: ref.sha256, output: query.output, ...(polynomial ? { parameters: polynomial.parameters.join(','), theta0: polynomial.reference.join(',') } : {}) },
  });
  const variant = [query.output === 'log-ratio' ? 'log-ratio' : '', roofit ? 'roofit' : precision === 'float32' ? 'float32' : ''].filter(Boolean);
  return { bytes, filename: `${spec}-${[component, ...variant].join('-')}.onnx` };
}

/** Whether a manifest's likelihood is learned: unbinned terms only (its HS3 needs the ONNX extension). */
export function isLearned(manifest: Manifest): boolean {
  return manifest.terms.length > 0 && manifest.terms.every((t) => t.kind === 'unbinned-polynomial' || t.kind === 'unbinned-parametrised');
}

/** The HS3 document of a learned likelihood, with its published observed events; `observations` says whether every term has them. */
export async function learnedHs3(store: ArtifactStore, id: string, version: string): Promise<{ document: Hs3Document; observations: 'published' | 'none' }> {
  const { manifest } = await store.manifest(id, version);
  for (const term of manifest.terms) {
    const ratio = 'ratio' in term ? manifest.components[term.ratio] : undefined;
    if (ratio?.kind !== 'network') throw notApplicable(`term '${term.name}' of ${id}@${version} takes its ratio from a${ratio ? `n ${ratio.kind}` : 'n unknown component'}, which has no ONNX form; HS3 is written for binned likelihoods and for learned ones, whose ratios are networks`);
  }
  const observed = new Map<string, ObservedEvents>();
  for (const term of manifest.terms) {
    if ('observed' in term && term.observed) observed.set(term.name, await store.payload(id, version, term.observed, 'event-sample'));
  }
  const document = learnedLikelihoodToHs3(manifest, `${id}@${version}`, { name: 'likelihood-service', version: manifest.provenance.producer.version }, observed);
  return { document, observations: observed.size === manifest.terms.length ? 'published' : 'none' };
}
