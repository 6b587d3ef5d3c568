/**
 * σ(θ)'s coefficients from trained Drell–Yan networks, before publishing: the learned ĉ summed
 * over the reference sample (seed 003 eq. 34, the published artifact's reference sample, same
 * seed) against the generator's exact coefficients with the background added (what eq. 34
 * estimates), with the generator's Monte Carlo errors. For comparing trainings, e.g. the loss
 * weightings (`drell-yan --train-only --relative-floor f --run <folder>`):
 *
 *   npx tsx scripts/drell-yan/cross-section-check.ts runs/dy-smeft-run3/trained.msgpack [more …]
 */
import { readFile } from 'node:fs/promises';
import { decodeMessagePack } from '../../models/artifact/codec.js';
import { crossSectionFromReference } from '../../models/terms/unbinned-polynomial.js';
import { monomialLabel } from '../../models/basis/monomial-basis.js';
import { BASIS, PARAMETERS } from '../simulators/drell-yan-physics.js';
import { deriveSeed } from '../simulators/types.js';
import { DEFAULT_LEARNED_CONFIG, learnedCoefficients, mixedSample, withBackground, type LearnedConfig, type TrainedDrellYan } from './learned.js';

const files = process.argv.slice(2);
if (!files.length) throw new Error('usage: cross-section-check.ts <trained.msgpack> [more …]');
const names = Array.from({ length: BASIS.size }, (_, k) => monomialLabel(BASIS, k, PARAMETERS.map((p) => p.name)));
const columns: string[][] = [];
let generator: string[] = [];
for (const file of files) {
  // trained files keep the settings training depended on (run.ts, computedOnce); the reference sample's sizes are the defaults
  const trained = decodeMessagePack(await readFile(file)) as TrainedDrellYan & { settings: Partial<LearnedConfig> };
  const { network, classifier, generator: g } = trained;
  const config: LearnedConfig = { ...DEFAULT_LEARNED_CONFIG, ...trained.settings };
  const parts = mixedSample(config.referenceEvents, config.backgroundReferenceEvents, deriveSeed(config.seed, 'reference-sample'), g.above200);
  const learned = crossSectionFromReference(learnedCoefficients(network, classifier, parts.mixed.reco, parts.mixed.count)[0], parts.mixed.count, BASIS.size, parts.mixed.weights);
  // the generator's σ with the background added: s_k σ_s / (σ_s + σ_b), plus σ_b/(σ_s + σ_b) in the constant
  const background = parts.background.count * parts.background.weights[0];
  const total = g.sigma + background;
  const withIt = withBackground(g.sigma, g.coefficients, background, total);
  generator = names.map((_, k) => `${withIt[k].toPrecision(4)} ± ${((g.sigma * g.errors[k]) / total).toPrecision(2)}`);
  columns.push(names.map((_, k) => learned[k].toPrecision(4)));
  console.error(`${file}: relativeFloor ${config.network.relativeFloor ?? 'none (variance weighting)'}`);
}
console.log(`| monomial | generator, signal + background | ${files.map((f) => `eq. 34, ${f}`).join(' | ')} |`);
console.log(`| --- | --- | ${files.map(() => '---').join(' | ')} |`);
names.forEach((name, k) => console.log(`| ${name} | ${generator[k]} | ${columns.map((c) => c[k]).join(' | ')} |`));
