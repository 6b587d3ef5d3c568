/**
 * `npm run cli -- drell-yan`: issue 6 end to end. Training is the long part and lives only
 * in this process (tfjs), so the frozen result is written to <run>/dy-smeft-run3/trained.msgpack
 * and reused by later runs unless --retrain: evaluation, coverage and publication can be
 * repeated without training again.
 */
import { fork } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { edgeTimings } from '../bench/edge-nll.js';
import { decodeMessagePack, encodeMessagePack } from '../../models/artifact/codec.js';
import type { CoverageRun } from '../../models/inference/coverage.js';
import { writeCatalogueIndex } from '../lib/catalogue-index.js';
import { readArtifactFolder, readPublished, type ComponentInput, type ManifestDraft } from '../lib/artifact-writer.js';
import { progressBar } from '../lib/progress.js';
import { PARAMETERS } from '../simulators/drell-yan-physics.js';
import { deriveSeed } from '../simulators/types.js';
import { coverageShard, DEFAULT_COVERAGE_CONFIG, drellYanTruth, estimatorBias, expectedBoundary, mergeCoverage, toyModel, type CoverageConfig, type CoverageShard, type ToyModel } from './coverage.js';
import { comparisonClosure, DEFAULT_EVALUATION_CONFIG, evaluateInferences, INFERENCES, PAIRS, QUICK_EVALUATION_CONFIG, type Evaluation } from './evaluate.js';
import { contourFigure, coverageFigure, scanFigure, trainingFigure } from './figures.js';
import {
  DEFAULT_LEARNED_CONFIG,
  LUMINOSITY_FB,
  mixedSample,
  PB,
  publishDrellYan,
  QUICK_LEARNED_CONFIG,
  trainDrellYan,
  withRelativeFloor,
  type LearnedConfig,
  type LearnedHooks,
  type PublishedDrellYan,
  type TrainedDrellYan,
} from './learned.js';
import { polynomialTerms } from '../../models/terms/unbinned-polynomial.js';

/** What training depends on (the reference sample is drawn when publishing). */
const trainingSettings = ({ referenceEvents, backgroundReferenceEvents, ...settings }: LearnedConfig) => settings;

/** The trained networks from `file`, or trained now and written there. */
export function loadOrTrain(config: LearnedConfig, file: string, retrain: boolean, hooks: LearnedHooks): Promise<{ trained: TrainedDrellYan; reused: boolean }> {
  return computedOnce(file, trainingSettings(config), retrain, () => trainDrellYan(config, hooks)).then(({ value, reused }) => ({ trained: value, reused }));
}

/**
 * What `compute` returns (trained networks, a long comparison), kept in `file` with the
 * settings it depends on: read back when they are the same (unless `again`), refused when
 * they differ, computed and written otherwise.
 */
export async function computedOnce<T extends object>(file: string, settings: object, again: boolean, compute: () => Promise<T>): Promise<{ value: T; reused: boolean }> {
  if (!again && existsSync(file)) {
    const { settings: stored, ...value } = decodeMessagePack(await readFile(file)) as T & { settings: unknown };
    if (JSON.stringify(stored) !== JSON.stringify(settings)) throw new Error(`${file} was made with other settings; pass --retrain`);
    return { value: value as unknown as T, reused: true };
  }
  const value = await compute();
  await mkdir(file.slice(0, file.lastIndexOf('/')) || '.', { recursive: true });
  await writeFile(file, encodeMessagePack({ ...value, settings }));
  return { value, reused: false };
}

export interface DrellYanRunOptions {
  out: string;
  version: string;
  /** where trained.msgpack is kept */
  run: string;
  retrain: boolean;
  quick: boolean;
  /** the relative loss weighting's floor f (default: the variance weighting) */
  relativeFloor?: number;
  /** coverage toys (default 300; quick: 4) */
  toys?: number;
  /** processes for the coverage toys (default: 2) */
  workers?: number;
  log: (line: string) => void;
}

/** train or reuse → scratch artifact → evaluation → coverage → the artifact with its validation and figures. */
export async function runDrellYan(options: DrellYanRunOptions) {
  const started = performance.now();
  const config = withRelativeFloor(options.quick ? QUICK_LEARNED_CONFIG : DEFAULT_LEARNED_CONFIG, options.relativeFloor);
  const evaluationConfig = options.quick ? QUICK_EVALUATION_CONFIG : DEFAULT_EVALUATION_CONFIG;
  const coverageConfig: CoverageConfig = { ...DEFAULT_COVERAGE_CONFIG, toys: options.toys ?? (options.quick ? 4 : DEFAULT_COVERAGE_CONFIG.toys), ...(options.quick ? { pilotEvents: 40_000 } : {}) };
  const log = options.log;
  const trainBar = progressBar('train');
  const classifierBar = progressBar('classifier');
  const file = `${options.run}/dy-smeft-run3${options.quick ? '-quick' : ''}/trained.msgpack`;
  const { trained, reused } = await loadOrTrain(config, file, options.retrain, {
    onStage: (stage, detail) => log(`[${stage}] ${detail}`),
    onTrainingProgress: (p) => trainBar.update(p.epoch, p.epochs, `loss ${p.loss.toFixed(4)}${p.validationLoss === null ? '' : ` val ${p.validationLoss.toFixed(4)}`}`),
    onClassifierEpoch: (epoch, epochs, loss) => classifierBar.update(epoch, epochs, `loss ${loss.toFixed(4)}`),
  });
  trainBar.stop();
  classifierBar.stop();
  log(reused ? `[train] reusing ${file} (trained in ${trained.training.seconds.toFixed(0)} s)` : `[train] wrote ${file}`);

  const scratch = `${options.out}/.scratch-dy-smeft-run3-${process.pid}`;
  try {
    const draft = await publishDrellYan(config, trained, scratch, options.version, {}, { onStage: (stage, detail) => log(`[${stage}] ${detail}`) });
    // the coverage toys run in child processes while this one evaluates the four inferences
    const model = toyModel(draft.artifact, coverageConfig, draft.crossSection.backgroundFb);
    const coverageBar = progressBar('coverage');
    const pending = runCoverage(draft.folder, model, coverageConfig, options.workers ?? 2, (done) => coverageBar.update(done, coverageConfig.toys));
    pending.catch(() => undefined); // awaited below; no unhandled rejection while evaluating
    const evaluationBar = progressBar('evaluate');
    const evaluation = evaluateInferences(draft.artifact, evaluationConfig, trained.generator, (done, total, what) => evaluationBar.update(done, total, what));
    evaluationBar.stop();
    log(`[evaluate] ${evaluation.seconds.toFixed(0)} s on ${evaluation.test.signal} signal and ${evaluation.test.background} background test events`);
    const shards = await pending;
    coverageBar.stop();
    const coverage = mergeCoverage(shards, coverageConfig.levels, draft.artifact.likelihood.interest);
    log(`[coverage] ${coverage.estimates.filter((e) => e.cl === 0.6827 || e.cl === 0.9545).map((e) => `${(100 * e.cl).toFixed(2)}%: ${(100 * e.coverage).toFixed(1)} ± ${(100 * e.error).toFixed(1)}%`).join(', ')} (${coverage.failed} toys failed)`);

    const figures = [...PARAMETERS.map((_, k) => scanFigure(evaluation, k)), ...PAIRS.map((_, pair) => contourFigure(evaluation, pair)), coverageFigure(coverage), trainingFigure(trained)];
    const validation = drellYanValidation(trained, draft.crossSection, evaluation, coverage, shards, model, coverageConfig, figures);
    await rm(scratch, { recursive: true, force: true });
    const published = await publishDrellYan(config, trained, options.out, options.version, { validation, figures, pageAnalysis: true }, { onStage: (stage, detail) => log(`[${stage}] ${detail}`) });
    await writeCatalogueIndex(options.out);
    const edgeSample = mixedSample(4000, 1500, deriveSeed(evaluation.config.seed, 'edge'), trained.generator.above200).mixed;
    const edge = { ...(await edgeTimings(options.out, `${published.artifact.manifest.id}@${options.version}`, edgeSample.reco, edgeSample.count, { C_lq1: 0.005 })), referenceEvents: polynomialTerms(published.artifact.likelihood)[0].events!.reference.count };
    log(`[edge] NLL of the Asimov data: ${edge.asimovMs.toFixed(1)} ms; of ${edge.events} submitted events: ${edge.eventsMs.toFixed(0)} ms, ${edge.eventsMsTypescript.toFixed(0)} ms with the networks on TypeScript as in Workers (medians of ${edge.repeat})`);
    return { config, evaluationConfig, coverageConfig, trained, reused, published, evaluation, coverage, shards, model, figures, edge, seconds: (performance.now() - started) / 1000 };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Coverage toys split over `workers` processes (each a `drell-yan-coverage-shard` of this
 * CLI), or in this one; with `truth`, the parton-level truth on the same toys. `scratch`
 * holds the job and the shards' results (default: the artifact's folder).
 */
function runCoverage(folder: string, model: ToyModel, config: CoverageConfig, workers: number, onProgress: (done: number) => void, options: { truth?: boolean; scratch?: string } = {}): Promise<CoverageShard[]> {
  const { truth = false, scratch = folder } = options;
  const shardCount = Math.max(1, Math.min(workers, config.toys));
  const ranges = Array.from({ length: shardCount }, (_, w) => [Math.floor((config.toys * w) / shardCount), Math.floor((config.toys * (w + 1)) / shardCount)] as const);
  if (ranges.length === 1) return readArtifactFolder(folder).then((artifact) => [coverageShard(artifact, model, config, 0, config.toys, onProgress, { truth })]);
  // synchronous up to the forks, so the children start at once even if the caller then blocks
  const job = `${scratch}/coverage-job.json`;
  writeFileSync(job, JSON.stringify({ model, config, truth }));
  const cli = fileURLToPath(new URL('../cli.ts', import.meta.url));
  const done = ranges.map(() => 0);
  return Promise.all(
    ranges.map(([from, to], w) => {
      const output = `${scratch}/coverage-${w}.json`;
      const child = fork(cli, ['drell-yan-coverage-shard', folder, job, String(from), String(to), output], { execArgv: process.execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      child.on('message', (message) => {
        done[w] = (message as { done: number }).done;
        onProgress(done.reduce((a, b) => a + b, 0));
      });
      return new Promise<CoverageShard>((resolve, reject) => {
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 ? readFile(output, 'utf8').then((text) => resolve(JSON.parse(text) as CoverageShard), reject) : reject(new Error(`coverage shard ${w} (toys ${from}–${to}) exited with ${code}`))));
      });
    }),
  );
}

/** One shard of coverage toys, in a child process: reads the job, writes the shard's result, reports progress to the parent. */
export async function coverageShardProcess(folder: string, job: string, from: number, to: number, output: string): Promise<void> {
  const { model, config, truth } = JSON.parse(await readFile(job, 'utf8')) as { model: ToyModel; config: CoverageConfig; truth?: boolean };
  const artifact = await readArtifactFolder(folder);
  const shard = coverageShard(artifact, model, config, from, to, (done) => process.send?.({ done }), { truth });
  await writeFile(output, JSON.stringify(shard));
}

/** The artifact's validation record: coverage, the numbers behind the tables, figures and notes. */
function drellYanValidation(
  trained: TrainedDrellYan,
  crossSection: PublishedDrellYan['crossSection'],
  evaluation: Evaluation,
  coverage: CoverageRun,
  shards: readonly CoverageShard[],
  model: ToyModel,
  config: CoverageConfig,
  figures: readonly ComponentInput[],
): ManifestDraft['validation'] {
  const closure = comparisonClosure(evaluation.scans, INFERENCES, evaluation.fisher, 'learned');
  closure['parity: ensemble, runtime vs tfjs (relative)'] = trained.parity.network;
  closure['parity: classifier, runtime vs tfjs (absolute)'] = trained.parity.classifier;
  closure['training seconds'] = trained.training.seconds;
  closure['training events per second'] = trained.training.eventsPerSecond;
  const overshoots = shards.reduce((n, s) => n + s.overshoots, 0);
  const proposals = shards.reduce((n, s) => n + s.proposals, 0);
  return {
    closure,
    coverage: coverage.estimates.map((e) => ({ cl: e.cl, coverage: e.coverage, error: e.error, toys: e.toys, at: Object.fromEntries(PARAMETERS.map((p) => [p.name, 0])), luminosity: LUMINOSITY_FB })),
    figures: figures.map((f) => ({ component: f.name, caption: f.description ?? '' })),
    notes: [
      `Synthetic: leading-order matrix elements with stand-in parton densities (scripts/simulators/drell-yan-physics.ts); the detector is θ-independent.`,
      `Comparison: truth, learned, histogram and rate on the same test data (${evaluation.test.signal} signal and ${evaluation.test.background} background events at the SM), each as Asimov data with σ(θ) from the same events.`,
      `Coverage: ${coverage.estimates[0]?.toys ?? 0} toys drawn from the generator at the SM (exact Poisson processes by thinning, ${proposals} proposals, ${overshoots} above their bound), joint 3-D regions, ${coverage.failed} toys with unconverged fits dropped; seed ${config.seed}; weight bounds from a ${config.pilotEvents}-proposal pilot × ${config.safety}, ${model.edges.length - 1} m_ℓℓ slices.`,
      `σ(θ): control variate, published coefficients ${Array.from(crossSection.coefficients, (v) => v.toPrecision(4)).join(', ')} with Monte Carlo errors ${Array.from(crossSection.errors, (v) => v.toPrecision(2)).join(', ')}.`,
      trained.parity.note,
    ],
  };
}

export interface CoverageStudyOptions {
  /** likelihoods folder and the artifact (id or id@version) */
  root: string;
  spec: string;
  /** the true θ in PARAMETERS order; default: on C_lq3's axis where Asimov data exclude the SM at 95.45% (expectedBoundary) */
  at?: number[];
  toys: number;
  workers: number;
  /** where the result is kept (runs/…/coverage-<θ>.msgpack) and read back when its settings are the same */
  run: string;
  again: boolean;
  onProgress?: (done: number, total: number) => void;
}

/** The default true θ of `drell-yan-coverage`: on C_lq3's axis, at the expected 95.45% boundary of the SM. */
const boundaryPoint = (luminosityPb: number): number[] => {
  const k = PARAMETERS.findIndex((p) => p.name === 'C_lq3');
  return PARAMETERS.map((_, j) => (j === k ? Number(expectedBoundary(k, 0.9545, luminosityPb, { events: 1_000_000 }).toPrecision(3)) : 0));
};

/**
 * Issue 13: coverage of a published Drell–Yan likelihood at any true θ, with the parton-level
 * truth on the same toys and both estimators' bias (`npm run cli -- drell-yan-coverage`).
 */
export async function drellYanCoverageStudy(options: CoverageStudyOptions) {
  const artifact = await readPublished(options.root, options.spec);
  const { id, version } = artifact.manifest;
  const at = options.at ?? boundaryPoint(artifact.manifest.luminosity.value * PB);
  const config: CoverageConfig = { ...DEFAULT_COVERAGE_CONFIG, toys: options.toys };
  const file = `${options.run}/${id}-coverage/${id}@${version}-at-${at.join('_')}-${options.toys}.msgpack`;
  // σ(θ) in the settings: a draft of the same id@version with another σ is another likelihood
  const term = artifact.manifest.terms[0];
  const crossSection = term.kind === 'unbinned-polynomial' ? term.crossSection.coefficients : null;
  const { value: kept, reused } = await computedOnce(file, { id, version, at, config, crossSection }, options.again, async () => {
    const model = toyModel(artifact, config, drellYanTruth(artifact).backgroundFb, { at });
    const scratch = `${options.run}/${id}-coverage/.scratch-${process.pid}`;
    await mkdir(scratch, { recursive: true });
    try {
      return { shards: await runCoverage(`${options.root}/${id}/${version}`, model, config, options.workers, (done) => options.onProgress?.(done, config.toys), { truth: true, scratch }), model };
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
  const interest = artifact.likelihood.interest;
  const runs = { learned: mergeCoverage(kept.shards, config.levels, interest), truth: mergeCoverage(kept.shards, config.levels, interest, 'truth') };
  return {
    id,
    version,
    at,
    file,
    reused,
    model: kept.model,
    shards: kept.shards,
    learned: { ...runs.learned, bias: estimatorBias(runs.learned.best, at) },
    truth: { ...runs.truth, bias: estimatorBias(runs.truth.best, at) },
  };
}
