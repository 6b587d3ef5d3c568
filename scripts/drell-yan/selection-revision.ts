/**
 * `npm run cli -- drell-yan-selection`: dy-smeft-run3@1.1.0 (issue 13). The networks of 1.0.1,
 * byte for byte, with the analysis selection stated and applied (ANALYSIS_SELECTION: the
 * detector's acceptance and m_ℓℓ ≤ 6 TeV, where the signal's generation stops): the reference
 * sample is derived again from the same seeds with the selection, σ(θ)'s control variate runs
 * over its own sample, 160 times the reference sample's, and submitted events outside the
 * selection are refused. Why: one background event at 11 TeV, where the signal fraction
 * extrapolates to 1 and ĉ to ~10⁵, carried 28% of 1.0.x's σ coefficient of C_lq1², and its
 * control variate's error; without it, σ's linear coefficients must match the mean ĉ far below
 * the reference sample's Monte Carlo error, or θ̂ is biased along the direction the three
 * coefficients nearly share (docs/drell-yan-coverage.md).
 *
 * Before anything is published the unselected reference sample is derived again and compared
 * with 1.0.1's, event by event: the revision changes the selection and nothing else. Coverage
 * toys at the SM and at the expected 95.45% boundary run on a draft and go into the validation.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readPayload } from '../../models/artifact/load.js';
import { monomialIndex } from '../../models/basis/monomial-basis.js';
import { rowsInsideSelection } from '../../models/likelihood/selection.js';
import { mlpOnly, type FrozenNetwork } from '../../models/network/frozen-network.js';
import { writeCatalogueIndex } from '../lib/catalogue-index.js';
import { readArtifactFolder, readPublished, type ComponentInput, type ManifestDraft } from '../lib/artifact-writer.js';
import { ANALYSIS_SELECTION, BASIS, PARAMETERS, RECO_OBSERVABLES } from '../simulators/drell-yan-physics.js';
import { deriveSeed } from '../simulators/types.js';
import { expectedFit } from './coverage.js';
import { coverageComparisonFigure } from './figures.js';
import { generatorCrossSection, learnedCoefficients, LUMINOSITY_FB, mixedSample, publishDrellYan, withBackground, type LearnedConfig, type TrainedDrellYan } from './learned.js';
import { drellYanCoverageStudy } from './run.js';

const C = BASIS.size;

export interface SelectionRevisionOptions {
  root: string;
  /** the version whose networks are kept */
  from: string;
  version: string;
  run: string;
  /** coverage toys at the boundary and at the SM */
  toys: number;
  smToys: number;
  workers: number;
  /** the control variate's own sample (learned.ts `controlVariateEvents`; default: the reference sample) */
  controlVariate?: { signal: number; background: number };
  log: (line: string) => void;
  onProgress?: (what: string, done: number, total: number) => void;
}

/** The trained networks and records of a published Drell–Yan artifact, as publishDrellYan takes them. */
async function trainedFromArtifact(folder: string): Promise<{ config: LearnedConfig; trained: TrainedDrellYan }> {
  const artifact = await readArtifactFolder(folder);
  const { manifest } = artifact;
  const read = async (file: string) => new Uint8Array(await readFile(join(folder, file)));
  const network = async (name: string): Promise<FrozenNetwork> => mlpOnly((await readPayload(manifest, name, 'network', read)).network, name);
  const configuration = manifest.provenance.configuration as Record<string, unknown> & { drellYan: LearnedConfig; training: Record<string, unknown>; trainingFigures: TrainedDrellYan['training']; backend: Record<string, unknown> };
  const config = configuration.drellYan;
  const generator = generatorCrossSection(config.crossSectionEvents, deriveSeed(config.seed, 'generator'));
  const parity = manifest.validation.closure ?? {};
  return {
    config,
    trained: {
      network: await network('network'),
      classifier: await network('signal-fraction'),
      generator,
      training: { ...configuration.trainingFigures, history: [] },
      parity: { network: parity['parity: ensemble, runtime vs tfjs (relative)'] ?? NaN, classifier: parity['parity: classifier, runtime vs tfjs (absolute)'] ?? NaN, note: `Networks of ${manifest.id}@${manifest.version}, unchanged.` },
      configuration: configuration.training,
      backend: { versions: manifest.provenance.versions, details: configuration.backend },
    },
  };
}

/**
 * The unselected reference sample derived again from the recorded seeds gives 1.0.1's ĉ for
 * every event (as stored, in float32): otherwise the revision would change more than the
 * selection. Returns the largest difference and the events the selection drops, each with
 * m_ℓℓ and its share of eq. 34's C_lq1² coefficient.
 */
async function assertSameReference(folder: string, config: LearnedConfig, trained: TrainedDrellYan): Promise<{ difference: number; dropped: { event: number; signal: boolean; mll: number; share: number }[] }> {
  const artifact = await readArtifactFolder(folder);
  const read = async (file: string) => new Uint8Array(await readFile(join(folder, file)));
  const stored = await readPayload(artifact.manifest, 'reference-sample', 'coefficient-sample', read);
  const parts = mixedSample(config.referenceEvents, config.backgroundReferenceEvents, deriveSeed(config.seed, 'reference-sample'), trained.generator.above200, { selection: false });
  const [mean] = learnedCoefficients(trained.network, trained.classifier, parts.mixed.reco, parts.mixed.count);
  if (parts.mixed.count !== stored.count) throw new Error(`the reference sample derived again has ${parts.mixed.count} events; ${folder} has ${stored.count}`);
  let worst = 0;
  const published = stored.variants[0];
  for (let i = 0; i < mean.length; i++) worst = Math.max(worst, Math.abs(Math.fround(mean[i]) - published[i]) / Math.max(1, Math.abs(published[i])));
  if (worst > 1e-6) throw new Error(`the reference sample derived again differs from ${folder}'s by ${worst.toExponential(2)} (relative)`);
  const { reco, weights, count } = parts.mixed;
  const k = monomialIndex(BASIS, [2, 0, 0]);
  let total = 0;
  for (let i = 0; i < count; i++) total += weights[i] * mean[i * C + k];
  const inside = new Set(rowsInsideSelection(reco, count, RECO_OBSERVABLES, ANALYSIS_SELECTION));
  const mll = RECO_OBSERVABLES.indexOf('m_ll');
  const dropped = Array.from({ length: count }, (_, i) => i)
    .filter((i) => !inside.has(i))
    .map((i) => ({ event: i, signal: i < parts.signal.count, mll: reco[i * RECO_OBSERVABLES.length + mll], share: (weights[i] * mean[i * C + k]) / total }));
  return { difference: worst, dropped };
}

export async function reviseWithSelection(options: SelectionRevisionOptions) {
  const started = performance.now();
  const { log } = options;
  const previous = await readPublished(options.root, options.from);
  const from = `${options.root}/${previous.manifest.id}/${previous.manifest.version}`;
  const { config, trained } = await trainedFromArtifact(from);
  const sameness = await assertSameReference(from, config, trained);
  const dropped = sameness.dropped.map((d) => `${d.signal ? 'signal' : 'background'} at m_ll = ${(d.mll / 1000).toFixed(2)} TeV (${(100 * d.share).toFixed(1)}%)`).join(', ');
  log(`[reference] derived again without the selection: ${previous.manifest.id}@${previous.manifest.version}'s ĉ for every event (largest difference ${sameness.difference.toExponential(1)}, float32); the selection drops ${sameness.dropped.length}: ${dropped}`);

  const scratch = `${options.run}/.scratch-selection-${process.pid}`;
  await mkdir(scratch, { recursive: true });
  const revised: LearnedConfig = { ...config, controlVariateEvents: options.controlVariate };
  try {
    const draft = await publishDrellYan(revised, trained, scratch, options.version, {}, { onStage: (stage, detail) => log(`[draft ${stage}] ${detail}`) });
    await writeCatalogueIndex(scratch);
    const expected = expectedFit(draft.artifact, deriveSeed(config.seed, 'expected-fit'), trained.generator.above200);
    log(`[expected] θ̂ on ${expected.events} independent events at the SM as data: ${expected.best.map((v) => v.toFixed(5)).join(', ')}`);
    const spec = `${draft.artifact.manifest.id}@${options.version}`;
    const study = (what: string, toys: number, at?: number[]) =>
      drellYanCoverageStudy({ root: scratch, spec, at, toys, workers: options.workers, run: options.run, again: false, onProgress: (d, t) => options.onProgress?.(what, d, t) });
    const sm = await study('coverage at the SM', options.smToys, PARAMETERS.map(() => 0));
    const boundary = await study('coverage at the boundary', options.toys);
    const figures: ComponentInput[] = [coverageComparisonFigure([sm, boundary])];
    const { crossSection } = draft;
    const g = trained.generator;
    const total = g.sigma + crossSection.backgroundFb / 1000;
    const exact = Array.from(withBackground(g.sigma, g.coefficients, crossSection.backgroundFb / 1000, total));
    const closure: Record<string, number> = {};
    exact.forEach((s, k) => {
      if (k > 0) closure[`σ coefficient ${k}: (published − generator) / error`] = (crossSection.coefficients[k] - s) / crossSection.errors[k];
    });
    const coverageEntries = [sm, boundary].flatMap((s) =>
      s.learned.estimates.map((e) => ({ cl: e.cl, coverage: e.coverage, error: e.error, toys: e.toys, at: Object.fromEntries(PARAMETERS.map((p, k) => [p.name, s.at[k]])), luminosity: LUMINOSITY_FB })),
    );
    const validation: ManifestDraft['validation'] = {
      closure,
      coverage: coverageEntries,
      figures: figures.map((f) => ({ component: f.name, caption: f.description ?? '' })),
      notes: [
        `The networks of ${previous.manifest.id}@${previous.manifest.version}, byte for byte; the reference sample and σ(θ) derived again from the same seeds with the analysis selection (the detector acceptance and 150 GeV ≤ m_ll ≤ 6 TeV), which 1.0.x did not state. Without it the sample is ${previous.manifest.version}'s, event for event; with it ${sameness.dropped.length} events drop out, with their shares of eq. 34's C_lq1² coefficient: ${dropped}.`,
        `Coverage: ${options.smToys} toys drawn from the generator at the SM and ${options.toys} at C_lq3 = ${boundary.at[1]} (on the C_lq3 axis where Asimov data exclude the SM at 95.45%, joint), with the parton-level truth on the same toys: docs/drell-yan-coverage.md.`,
        `σ(θ): control variate, coefficients ${Array.from(crossSection.coefficients, (v) => v.toPrecision(4)).join(', ')} with Monte Carlo errors ${Array.from(crossSection.errors, (v) => v.toPrecision(2)).join(', ')}; the generator's (signal + background) ${exact.map((v) => v.toPrecision(4)).join(', ')}.`,
        'Synthetic: leading-order matrix elements with stand-in parton densities (scripts/simulators/drell-yan-physics.ts); the detector is θ-independent.',
      ],
    };
    validation.notes!.push(`Expected bias: θ̂ = (${expected.best.map((v) => v.toFixed(5)).join(', ')}) on ${expected.events} independent selected events at the SM taken as data (weighted to 300 fb⁻¹); the truth's own bias there is not zero (docs/drell-yan-coverage.md).`);
    const published = await publishDrellYan(revised, trained, options.root, options.version, { validation, figures, pageAnalysis: true }, { onStage: (stage, detail) => log(`[${stage}] ${detail}`) });
    await writeCatalogueIndex(options.root);
    return { published, previous, sm, boundary, seconds: (performance.now() - started) / 1000 };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
