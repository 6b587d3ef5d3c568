/**
 * `npm run cli -- drell-yan-estimators` (issue 16 item 5): train or reuse the morphing-aware and
 * CARL Drell–Yan likelihoods (estimators.ts), compare them with the truth, derivative learning
 * (`dy-smeft-run3`) and the m_ℓℓ histogram on the test sample of docs/drell-yan.md, and publish
 * the morphing-aware one as `dy-smeft-run3-morphing`.
 */
import { existsSync } from 'node:fs';
import { mlpOnly } from '../../models/network/frozen-network.js';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CatalogueIndexSchema, resolveVersion } from '../../models/artifact/catalogue-index.js';
import { parseManifest, readPayload } from '../../models/artifact/load.js';
import { COLORS } from '../../render/plots.js';
import { readArtifactFolder, type ComponentInput, type ManifestDraft } from '../lib/artifact-writer.js';
import { writeCatalogueIndex } from '../lib/catalogue-index.js';
import { progressBar } from '../lib/progress.js';
import { PARAMETERS } from '../simulators/drell-yan-physics.js';
import { DEFAULT_ESTIMATOR_CONFIG, MORPHING_AWARE, QUICK_ESTIMATOR_CONFIG, trainCarlDrellYan, trainMorphingDrellYan, type EstimatorConfig, type SignalFractionSource, type TrainedCarl } from './estimators.js';
import { compareEstimators, ESTIMATOR_INFERENCES, nllSeconds, type EstimatorComparison, type EstimatorInference } from './estimators-evaluate.js';
import { comparisonClosure, DEFAULT_EVALUATION_CONFIG, PAIRS, QUICK_EVALUATION_CONFIG } from './evaluate.js';
import { inferenceContourFigure, inferenceScanFigure, type InferenceStyle } from './figures.js';
import { publishDrellYan, publishedCrossSection, type PublishedDrellYan, type TrainedDrellYan } from './learned.js';
import { computedOnce } from './run.js';

/** What training depends on (the reference sample is drawn when publishing). */
const trainingSettings = ({ referenceEvents, backgroundReferenceEvents, controlVariateEvents, ...settings }: EstimatorConfig) => settings;

/** The signal fraction f_s(x) published with `dy-smeft-run3` (its latest version under `out`), with its training figures. */
export async function derivativeLearningSignalFraction(out: string): Promise<SignalFractionSource> {
  const folder = await publishedFolder(out, 'dy-smeft-run3');
  const manifest = parseManifest(JSON.parse(await readFile(join(folder, 'manifest.json'), 'utf8')));
  const { network } = await readPayload(manifest, 'signal-fraction', 'network', async (file) => new Uint8Array(await readFile(join(folder, file))));
  const figures = (manifest.provenance.configuration as { trainingFigures: SignalFractionSource['figures'] }).trainingFigures;
  return { classifier: mlpOnly(network, 'the signal-fraction classifier'), figures: { classifierSeconds: figures.classifierSeconds, classifierHistory: figures.classifierHistory, classifierEvents: figures.classifierEvents } };
}

export interface EstimatorsTraining {
  config: EstimatorConfig;
  morphing: { trained: TrainedDrellYan; reused: boolean; file: string };
  carl: { trained: TrainedCarl; reused: boolean; file: string };
}

/** Both estimators, each trained or reused from <run>/dy-smeft-run3-{morphing,carl}[-quick]/trained.msgpack. */
export async function trainEstimators(options: { out: string; run: string; retrain: boolean; quick: boolean; spreads?: EstimatorConfig['spreads']; morphingLoss?: EstimatorConfig['morphingLoss']; log: (line: string) => void }): Promise<EstimatorsTraining> {
  const config = { ...(options.quick ? QUICK_ESTIMATOR_CONFIG : DEFAULT_ESTIMATOR_CONFIG), ...(options.spreads ? { spreads: options.spreads } : {}), ...(options.morphingLoss ? { morphingLoss: options.morphingLoss } : {}) };
  const suffix = options.quick ? '-quick' : '';
  const onStage = (stage: string, detail: string) => options.log(`[${stage}] ${detail}`);
  const source = await derivativeLearningSignalFraction(options.out);

  const morphingFile = `${options.run}/dy-smeft-run3-morphing${suffix}/trained.msgpack`;
  const morphingBar = progressBar('morphing-aware');
  const morphing = await computedOnce(morphingFile, trainingSettings(config), options.retrain, () =>
    trainMorphingDrellYan(config, source, { onStage, onProgress: (done, total, loss) => morphingBar.update(done, total, `loss ${loss.toFixed(5)}`) }),
  );
  morphingBar.stop();
  options.log(morphing.reused ? `[morphing-aware] reusing ${morphingFile} (trained in ${morphing.value.training.seconds.toFixed(0)} s)` : `[morphing-aware] wrote ${morphingFile}`);

  const carlFile = `${options.run}/dy-smeft-run3-carl${suffix}/trained.msgpack`;
  const carlBar = progressBar('CARL');
  const carl = await computedOnce(carlFile, trainingSettings(config), options.retrain, () =>
    trainCarlDrellYan(config, { onStage, onProgress: (done, total, loss) => carlBar.update(done, total, `loss ${loss.toFixed(5)}`) }),
  );
  carlBar.stop();
  options.log(carl.reused ? `[carl] reusing ${carlFile} (trained in ${carl.value.seconds.toFixed(0)} s)` : `[carl] wrote ${carlFile}`);
  return { config, morphing: { trained: morphing.value, reused: morphing.reused, file: morphingFile }, carl: { trained: carl.value, reused: carl.reused, file: carlFile } };
}

/** The styles of the comparison's figures: the truth on top, then the learned likelihoods. */
export const ESTIMATOR_STYLE: Record<EstimatorInference, InferenceStyle> = {
  truth: { color: COLORS.black, label: 'parton-level truth' },
  derivative: { color: COLORS.vermilion, label: 'derivative learning (ensemble mean)' },
  morphing: { color: COLORS.green, label: 'morphing-aware (ensemble mean)' },
  carl: { color: COLORS.purple, label: 'CARL (ensemble mean)', dash: '2 3' },
  'carl-events-truth': { color: COLORS.grey, label: 'truth on CARL\'s events', dash: '2 3' },
  histogram: { color: COLORS.blue, label: 'm_ℓℓ histogram', dash: '7 4' },
};
const SCAN_ORDER: EstimatorInference[] = ['histogram', 'carl-events-truth', 'carl', 'derivative', 'morphing', 'truth'];
/** CARL's profiled contours would cost hours on two cores (one network pass per event and point): scans only */
const CONTOURS: EstimatorInference[] = ['histogram', 'derivative', 'morphing', 'truth'];

export interface EstimatorsRunOptions {
  out: string;
  version: string;
  run: string;
  retrain: boolean;
  quick: boolean;
  /** publish the morphing-aware artifact (a quick run never does) */
  publish: boolean;
  spreads?: EstimatorConfig['spreads'];
  morphingLoss?: EstimatorConfig['morphingLoss'];
  log: (line: string) => void;
}

/** train or reuse → the morphing-aware artifact in a scratch folder → the comparison (or reuse) → publish it with its validation and figures when asked. */
export async function runEstimators(options: EstimatorsRunOptions) {
  const started = performance.now();
  const { log } = options;
  const training = await trainEstimators(options);
  // CARL sees every 10th test event (estimators-evaluate.ts): about 11,000, some 1.3 s per NLL and gradient on two cores
  const evaluationConfig = { ...(options.quick ? QUICK_EVALUATION_CONFIG : DEFAULT_EVALUATION_CONFIG), carlThinning: options.quick ? 2 : 10 };
  const onStage = (stage: string, detail: string) => log(`[${stage}] ${detail}`);
  const morphing = training.morphing.trained;
  const scratch = `${options.out}/.scratch-dy-smeft-run3-morphing-${process.pid}`;
  // the control variate runs 27 networks over 1.2·10⁷ events (a quarter of an hour): once, for the draft and the published artifact
  const sigmaFile = `${options.run}/dy-smeft-run3-morphing${options.quick ? '-quick' : ''}/cross-section.msgpack`;
  const sigmaSettings = { seed: training.config.seed, referenceEvents: training.config.referenceEvents, backgroundReferenceEvents: training.config.backgroundReferenceEvents, controlVariateEvents: training.config.controlVariateEvents };
  const { value: crossSection, reused: sigmaReused } = await computedOnce(sigmaFile, sigmaSettings, options.retrain || !training.morphing.reused, async () => publishedCrossSection(training.config, morphing));
  log(`[cross-section] ${sigmaReused ? `reusing ${sigmaFile}` : `control variate over ${crossSection.events} events`}`);
  try {
    const draft = await publishDrellYan(training.config, morphing, scratch, options.version, { estimator: MORPHING_AWARE, crossSection }, { onStage });
    const derivative = await readArtifactFolder(await publishedFolder(options.out, 'dy-smeft-run3'));
    // the comparison takes the better part of an hour: kept beside the trained networks, so the report can be written again from it
    const comparisonFile = `${options.run}/dy-smeft-run3-estimators${options.quick ? '-quick' : ''}/comparison.msgpack`;
    const settings = { estimators: training.config, evaluation: evaluationConfig, contours: CONTOURS, derivative: `${derivative.manifest.id}@${derivative.manifest.version}` };
    const bar = progressBar('compare');
    const inputs = { derivative, morphing: draft.artifact, morphingNetwork: morphing.network, carl: training.carl.trained, generator: morphing.generator };
    const { value: comparison, reused } = await computedOnce(comparisonFile, settings, options.retrain, async () => compareEstimators(inputs, evaluationConfig, CONTOURS, (done, total, what) => bar.update(done, total, what)));
    bar.stop();
    const timings = nllSeconds(inputs, evaluationConfig);
    log(`[compare] ${reused ? `reusing ${comparisonFile}: ` : ''}${ESTIMATOR_INFERENCES.map((i) => `${i} ${comparison.seconds[i].toFixed(0)} s`).join(', ')}`);
    const figures = [
      ...PARAMETERS.map((_, k) => inferenceScanFigure(comparison, k, SCAN_ORDER, ESTIMATOR_STYLE, 'morphing', 'the truth, three learned likelihoods and the histogram')),
      ...PAIRS.map((_, pair) => inferenceContourFigure(comparison, pair, CONTOURS, ESTIMATOR_STYLE)),
    ];
    const validation = estimatorsValidation(comparison, training, draft.crossSection, figures);
    await rm(scratch, { recursive: true, force: true });
    // without --publish, a version published by an earlier run is the one the report describes
    const published = options.publish ? await publishDrellYan(training.config, morphing, options.out, options.version, { estimator: MORPHING_AWARE, validation, figures, pageAnalysis: true, crossSection }, { onStage }) : await earlierPublication(options.out, options.version);
    if (options.publish) await writeCatalogueIndex(options.out);
    return { training, evaluationConfig, comparison, comparisonReused: reused, timings, figures, draft, published, seconds: (performance.now() - started) / 1000 };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The morphing-aware artifact `version` where an earlier run published it, else null. */
async function earlierPublication(out: string, version: string): Promise<Pick<PublishedDrellYan, 'folder' | 'artifact'> | null> {
  const folder = join(out, MORPHING_AWARE.id, version);
  return existsSync(join(folder, 'manifest.json')) ? { folder, artifact: await readArtifactFolder(folder) } : null;
}

/** The folder of the latest published version of `id` under `out`. */
async function publishedFolder(out: string, id: string): Promise<string> {
  const resolved = resolveVersion(CatalogueIndexSchema.parse(JSON.parse(await readFile(join(out, 'index.json'), 'utf8'))), id);
  if (!('version' in resolved)) throw new Error(`${out} holds no ${id}: publish it first`);
  return join(out, id, resolved.version);
}

/** The morphing-aware artifact's validation record: the comparison's widths and linear-regime figures, parity, training cost. */
function estimatorsValidation(comparison: EstimatorComparison, training: EstimatorsTraining, crossSection: PublishedDrellYan['crossSection'], figures: readonly ComponentInput[]): ManifestDraft['validation'] {
  const closure = comparisonClosure(comparison.scans, ESTIMATOR_INFERENCES, comparison.fisher.morphing, 'morphing-aware');
  const t = training.morphing.trained;
  closure['parity: ensemble, runtime vs tfjs (relative)'] = t.parity.network;
  closure['training seconds'] = t.training.seconds;
  closure['training events per second'] = t.training.eventsPerSecond;
  return {
    closure,
    coverage: [],
    figures: figures.map((f) => ({ component: f.name, caption: f.description ?? '' })),
    notes: [
      `Synthetic: leading-order matrix elements with stand-in parton densities (scripts/simulators/drell-yan-physics.ts); the detector is θ-independent.`,
      `Morphing-aware (seed 003 sec. 2.1, app. C): benchmarks θ0, θ0 ± s_j e_j and θ0 + s_j e_j + s_k e_k with s = (${training.config.spreads.join(', ')}), ${training.config.events.toLocaleString('en-US')} parton events at each; the signal fraction f_s is dy-smeft-run3's.`,
      `Comparison: truth, derivative learning (dy-smeft-run3), this artifact, CARL and the m_ℓℓ histogram on the test sample of docs/drell-yan.md (${comparison.test.signal} signal and ${comparison.test.background} background events at the SM), each as Asimov data; docs/drell-yan-estimators.md.`,
      `No coverage toys were run for this artifact.`,
      `σ(θ): control variate, published coefficients ${Array.from(crossSection.coefficients, (v) => v.toPrecision(4)).join(', ')} with Monte Carlo errors ${Array.from(crossSection.errors, (v) => v.toPrecision(2)).join(', ')}.`,
      t.parity.note,
    ],
  };
}
