/**
 * Coverage of the parton-level truth on the same toys as the learned likelihood's (toy k
 * of seed DEFAULT_COVERAGE_CONFIG.seed is the same event sample in both): is a departure
 * from nominal coverage the learning's, or the process's (Wilks' theorem needs a likelihood
 * that is quadratic in θ over the region, which three nearly degenerate coefficients with
 * large quadratic terms are not)? The truth: every event's exact coefficients, σ(θ) from
 * the generator.
 *
 *     npx tsx scripts/drell-yan/truth-coverage.ts <from> <to>   (toys [from, to); prints q of each toy as JSON)
 *     npx tsx scripts/drell-yan/truth-coverage.ts merge <files…>  (the coverage table)
 */
import { readFile } from 'node:fs/promises';
import { coverageEstimates, empiricalCoverage } from '../../models/inference/coverage.js';
import { createLikelihood } from '../../models/likelihood/likelihood.js';
import { createUnbinnedPolynomialTerm } from '../../models/terms/unbinned-polynomial.js';
import { readArtifactFolder } from '../lib/artifact-writer.js';
import { BASIS, PARAMETERS } from '../simulators/drell-yan-physics.js';
import { wilsonCoefficients } from './baselines.js';
import { DEFAULT_COVERAGE_CONFIG, drawToy, toyModel } from './coverage.js';

async function shard(from: number, to: number) {
  const artifact = await readArtifactFolder('likelihoods/dy-smeft-run3/1.0.0');
  const term = artifact.manifest.terms[0];
  if (term.kind !== 'unbinned-polynomial') throw new Error('expected the unbinned term');
  // the generator's σ, as the artifact's provenance records it
  const g = artifact.manifest.provenance.configuration?.generatorCrossSection as { sigmaPb: number; coefficients: number[] };
  const sigmaFb = term.crossSection.value;
  const backgroundFb = sigmaFb - g.sigmaPb * 1000;
  const s = Float64Array.from(g.coefficients, (c, k) => (g.sigmaPb * 1000 * c + (k === 0 ? backgroundFb : 0)) / sigmaFb);
  const parameters = wilsonCoefficients();
  const truth = createUnbinnedPolynomialTerm({ name: 'truth', parameters, degree: 2, basis: BASIS, sigma0: sigmaFb, crossSection: [s] });
  const likelihood = createLikelihood(parameters, [truth], artifact.manifest.luminosity.value);
  const config = DEFAULT_COVERAGE_CONFIG;
  const model = toyModel(artifact, config, backgroundFb);
  const run = empiricalCoverage(likelihood, likelihood.initial(), config.levels, to - from, (t) => {
    const toy = drawToy(model, config.seed, from + t, true);
    return { luminosity: artifact.manifest.luminosity.value, rate: true, terms: { truth: { count: toy.count, coefficients: [toy.coefficients!], weights: [null] } } };
  });
  console.log(JSON.stringify({ from, to, q: run.q, failed: run.failed }));
}

async function merge(files: string[]) {
  const shards = await Promise.all(files.map(async (f) => JSON.parse(await readFile(f, 'utf8')) as { q: number[]; failed: number }));
  const q = shards.flatMap((s) => s.q);
  for (const e of coverageEstimates(q, DEFAULT_COVERAGE_CONFIG.levels, PARAMETERS.length)) console.log(`| ${(100 * e.cl).toFixed(2)}% | ${(100 * e.coverage).toFixed(1)} ± ${(100 * e.error).toFixed(1)}% |`);
  console.log(`${q.length} toys, ${shards.reduce((n, s) => n + s.failed, 0)} failed`);
}

const [a, ...rest] = process.argv.slice(2);
if (a === 'merge') await merge(rest);
else await shard(Number(a), Number(rest[0]));
