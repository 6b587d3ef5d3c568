/**
 * Issue 17 item 5: publishes the W±Z likelihoods of a study (study.ts):
 *
 * - `wz-smeft-run3`: the better reco-level learned likelihood (narrower profiled intervals), and
 *   `wz-smeft-run3-<other>` the other architecture's, each an unbinned polynomial term: the frozen
 *   network gives ĉ(x) of submitted events, σ(θ) is the mean ĉ over the generator's sample (seed
 *   003 eq. 34; study.ts), and the reference sample is the study's test sample with its learned ĉ,
 *   so that the API's Asimov intervals with default arguments are the document's (Asimov data carry
 *   their sample's own mean ĉ);
 * - `wz-smeft-run3-mtwz`: the m_T^WZ histogram of the same sample (exact quadratic yields).
 */
import { MANIFEST_SCHEMA_VERSION } from '../../models/artifact/manifest-schema.js';
import type { CoefficientSample } from '../../models/artifact/components.js';
import type { AnyFrozenNetwork } from '../../models/network/frozen-network.js';
import { writeCatalogueIndex } from '../lib/catalogue-index.js';
import { assertUnpublished, writeArtifact, type ComponentInput, type ManifestDraft } from '../lib/artifact-writer.js';
import { provenance } from '../lib/provenance.js';
import { deriveSeed } from '../simulators/types.js';
import { WZ_RECO_OBSERVABLES, WZ_SELECTION } from '../simulators/wz-detector.js';
import { manifestParameters, PARAMETERS } from '../simulators/wz-physics.js';
import { wzSimulator } from '../simulators/wz.js';
import { intervalWidth } from '../../models/inference/intervals/profile.js';
import { histogramSpec, learnedVariants, MTWZ_EDGES } from './inference.js';
import { recoOrdering, wzFigures } from './report.js';
import { C, LUMINOSITY_FB, PB, selectedSample } from './samples.js';
import type { WzStudy } from './study.js';
import type { WzArchitecture } from './train.js';

const CITATION = 'T. Bahl, V. Bresó-Pla, G. De Crescenzo, T. Plehn, "Advancing Tools for Simulation-Based Inference" (Heidelberg, 2024; version of January 17, 2025), sec. 2.2-2.4, 4, app. A';
const SYNTHETIC = 'Synthetic: leading-order helicity amplitudes with stand-in parton densities and the project\'s linearised SMEFT dictionary (scripts/simulators/wz-amplitudes.ts), a θ-independent detector (scripts/simulators/wz-detector.ts); docs/wz.md.';
const ARCHITECTURE: Record<WzArchitecture, string> = {
  mlp: 'a repulsive ensemble of MLPs (derivative learning, fractional smearing, sum-of-squares head; frozen-mlp/1)',
  lgatr: 'a repulsive ensemble of L-GATr networks (Lorentz-equivariant geometric algebra transformers; derivative learning, fractional smearing, sum-of-squares head; frozen-lgatr/1)',
};

/** The architecture whose profiled 68% intervals are narrower on (geometric) average: the earlier in the report's ordering. */
export function betterArchitecture(study: WzStudy): WzArchitecture {
  const { order } = recoOrdering(study);
  return order.indexOf('lgatr') <= order.indexOf('mlp') ? 'lgatr' : 'mlp';
}

export async function publishWz(options: { out: string; version: string; study: WzStudy; networks: Record<WzArchitecture, AnyFrozenNetwork>; log: (line: string) => void }): Promise<string[]> {
  const { out, version, study, networks, log } = options;
  const better = betterArchitecture(study);
  const other: WzArchitecture = better === 'lgatr' ? 'mlp' : 'lgatr';
  const ids: Record<WzArchitecture, string> = { [better]: 'wz-smeft-run3', [other]: `wz-smeft-run3-${other}` } as Record<WzArchitecture, string>;
  await assertUnpublished(out, [...Object.values(ids), 'wz-smeft-run3-mtwz'], version);
  const test = selectedSample(study.config.testEvents, deriveSeed(study.config.seed, 'test'));
  const figures = wzFigures(study).filter((f) => f.name.startsWith('wz-reco'));
  const figureComponents: ComponentInput[] = figures.map((f) => ({ name: f.name, kind: 'figure', file: `${f.name}.svg`, description: f.caption, payload: { svg: f.svg } }));
  const { order } = recoOrdering(study);
  const notes = [SYNTHETIC, `Reco-level ordering found (profiled 68% widths): ${order.join(' ≤ ')}.`];
  const parameters = manifestParameters();
  const observables = wzSimulator().observables.map((o) => ({ name: o.name, ...(o.unit ? { unit: o.unit } : {}), ...(o.description ? { description: o.description } : {}), ...(o.name in WZ_SELECTION ? { selection: WZ_SELECTION[o.name as keyof typeof WZ_SELECTION] } : {}) }));
  const folders: string[] = [];
  for (const architecture of [better, other]) {
    const variants = learnedVariants(networks[architecture], test);
    const weightsFb = test.weights.map((w) => w * PB);
    const sample: CoefficientSample = { kind: 'coefficient-sample', count: test.count, coefficients: C, variants: variants.map((v) => Float32Array.from(v)), weights: Float32Array.from(weightsFb) };
    const coverage = study.coverage[architecture];
    const training = study.training[architecture];
    const draft: ManifestDraft = {
      schemaVersion: MANIFEST_SCHEMA_VERSION,
      id: ids[architecture],
      version,
      title: `W±Z in the SMEFT at Run 3: the learned unbinned likelihood (${architecture === 'lgatr' ? 'L-GATr' : 'MLP ensemble'})`,
      description:
        `pp → W±Z → ℓν ℓℓ at 13.6 TeV, 300 fb⁻¹, leading order with c_ΦWB, c_WWW, c_Φq^(3) at Λ = 1 TeV (synthetic). Submit selected three-lepton events with the ${WZ_RECO_OBSERVABLES.length} reco-level features; ${ARCHITECTURE[architecture]} gives ĉ(x), and the term uses R̂(x|θ) = ĉ(x)·m(θ) with σ(θ) the mean ĉ over the generator's selected events (seed 003 eq. 34). ` +
        'Asimov data at the SM from the reference sample; no observed data. It describes the events of the analysis selection only (seed 003 eq. 47-48).',
      citation: [CITATION],
      parameters,
      observables,
      luminosity: { value: LUMINOSITY_FB, unit: 'fb^-1' },
      terms: [
        {
          kind: 'unbinned-polynomial',
          name: 'wz',
          description: 'extended unbinned likelihood of the selected W±Z events',
          parameters: PARAMETERS.map((p) => p.name),
          degree: 2,
          observables: [...WZ_RECO_OBSERVABLES],
          crossSection: { value: study.generator.sigmaPb * PB, unit: 'fb', coefficients: study.generator.learned[architecture], origin: 'generator-sample' },
          ratio: 'network',
          reference: 'reference-sample',
        },
      ],
      provenance: provenance(
        'wz-study',
        { run: study.config.seed, generator: deriveSeed(study.config.seed, 'generator'), training: deriveSeed(study.config.seed, 'training'), network: deriveSeed(study.config.seed, `network-${architecture}`), reference: deriveSeed(study.config.seed, 'test') },
        { wz: study.config, simulator: wzSimulator().metadata, training: { ...training, versions: undefined }, generatorCrossSection: study.generator },
        training.versions,
      ),
      validation: {
        closure: {
          ...Object.fromEntries(PARAMETERS.map((p, k) => [`68% width of ${p.name}, others profiled`, intervalWidth(study.profiled[architecture][k][0], 0.68)])),
          ...Object.fromEntries(PARAMETERS.map((p, k) => [`68% width of ${p.name}, others profiled: truth`, intervalWidth(study.profiled.truth[k][0], 0.68)])),
          'frozen runtime vs tfjs (max relative)': training.parity,
        },
        coverage: coverage.estimates.map((e) => ({ cl: e.cl, coverage: e.coverage, error: e.error, toys: e.toys, at: Object.fromEntries(PARAMETERS.map((p) => [p.name, 0])), luminosity: LUMINOSITY_FB })),
        notes,
      },
    };
    const components: ComponentInput[] = [
      { name: 'network', kind: 'network', file: 'network.msgpack', description: `${ARCHITECTURE[architecture]}: ĉ(x)`, payload: { kind: 'network', network: networks[architecture] } },
      { name: 'reference-sample', kind: 'coefficient-sample', file: 'reference-sample.msgpack', description: `ĉ of the ${test.count} selected test events of docs/wz.md at θ0, weights in fb; ensemble mean, then members`, payload: sample },
      ...(architecture === better ? figureComponents : []),
    ];
    const { folder } = await writeArtifact(out, draft, components, { pageAnalysis: true });
    log(`[publish] ${folder}`);
    folders.push(folder);
  }
  const spec = histogramSpec(test, MTWZ_EDGES);
  const { folder } = await writeArtifact(
    out,
    {
      schemaVersion: MANIFEST_SCHEMA_VERSION,
      id: 'wz-smeft-run3-mtwz',
      version,
      title: 'W±Z in the SMEFT at Run 3: the m_T^WZ histogram baseline',
      description: `pp → W±Z → ℓν ℓℓ at 13.6 TeV, 300 fb⁻¹, leading order with c_ΦWB, c_WWW, c_Φq^(3) at Λ = 1 TeV: the reconstructed m_T^WZ in the seed's bins (${MTWZ_EDGES.slice(1, -1).join(', ')} GeV) with an underflow bin below 200 GeV and the overflow, yields exact quadratic polynomials. The baseline the learned likelihoods are compared against (docs/wz.md). Asimov data at the SM.`,
      citation: [CITATION],
      parameters,
      observables: [],
      luminosity: { value: LUMINOSITY_FB, unit: 'fb^-1' },
      terms: [{ kind: 'binned-template', name: 'mtwz', description: 'reconstructed m_T^WZ histogram', model: 'mtwz', axes: { mtwz: { observable: 'm_T^WZ', unit: 'GeV', edges: MTWZ_EDGES.slice(0, -1), overflow: true } } }],
      provenance: provenance('wz-study', { run: study.config.seed, sample: deriveSeed(study.config.seed, 'test') }, { wz: study.config, simulator: wzSimulator().metadata }),
      validation: { notes: [SYNTHETIC] },
    },
    [{ name: 'mtwz', kind: 'binned-model', file: 'mtwz.msgpack', description: 'm_T^WZ templates', payload: { kind: 'binned-model', model: { ...spec, parameterSettings: PARAMETERS.map((p) => ({ name: p.name, bounds: p.range })) } } }],
    { pageAnalysis: true },
  );
  log(`[publish] ${folder}`);
  folders.push(folder);
  await writeCatalogueIndex(out);
  return folders;
}
