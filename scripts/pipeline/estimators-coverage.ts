/**
 * The coverage toys of docs/estimators.md, kept on disk: a parametrised term's 300 toys at one θ
 * take 4-25 min here (its network runs over every event at every θ of every fit), so the report
 * reuses what was computed and several processes can compute different artifacts at once:
 *
 *   npx tsx scripts/pipeline/estimators-coverage.ts gaussian-toy-a3-carl@1.0.0 gaussian-toy-a3-alice@1.0.0
 *
 * computes (or finds) the coverage at θ0 = 0 and θ = 1 of each artifact named, with the report's
 * toys (`reportToys`) and seed.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { CoverageEstimate } from '../../models/inference/coverage.js';
import type { LoadedArtifact } from '../../models/artifact/load.js';
import { twoGaussianToy } from '../../models/toys/two-gaussian.js';
import { readPublished } from '../lib/artifact-writer.js';
import { coverageOfToyArtifact } from './toy-pipeline.js';

/** What the report computes at each artifact: the toys and seed of every coverage cell, and the points. */
export const REPORT_TOYS = 300;
export const REPORT_SEED = 7;
export const REPORT_THETAS = [0, 1];
/** a parametrised term's toys away from θ0 cost about 3.7 s each here (6 s before the channel-packed kernel): 100 of them */
export const PARAMETRISED_AWAY_TOYS = 100;

/** The toys the report runs for an artifact at θ. */
export function reportToys(artifact: LoadedArtifact, theta: number): number {
  return theta !== 0 && artifact.manifest.terms[0]?.kind === 'unbinned-parametrised' ? PARAMETRISED_AWAY_TOYS : REPORT_TOYS;
}
const FOLDER = 'runs/estimators-coverage';

/**
 * The coverage estimates of `spec` (id@version) at θ from toys drawn from the exact toy of α, and
 * the seconds the toys took, from the kept file where one exists.
 */
export async function keptToyCoverage(spec: string, artifact: LoadedArtifact, alpha: number, theta: number, toys = REPORT_TOYS, seed = REPORT_SEED): Promise<{ estimates: CoverageEstimate[]; seconds: number }> {
  const file = `${FOLDER}/${spec}-theta${theta}-toys${toys}-seed${seed}.json`;
  const kept = await readFile(file, 'utf8').then((text) => JSON.parse(text) as { estimates: CoverageEstimate[]; seconds: number }, () => null);
  if (kept) return kept;
  const started = performance.now();
  const run = coverageOfToyArtifact(artifact, twoGaussianToy(alpha, 0.7), theta, toys, seed);
  const result = { estimates: run.estimates, seconds: (performance.now() - started) / 1000 };
  await mkdir(FOLDER, { recursive: true });
  await writeFile(file, JSON.stringify({ spec, alpha, theta, toys, seed, failed: run.failed, ...result }));
  return result;
}

/** α of a two-Gaussian toy artifact, from its id (gaussian-toy-a<α>-…). */
export function toyAlpha(spec: string): number {
  const match = /^gaussian-toy-a([\d.]+)/.exec(spec);
  if (!match) throw new Error(`${spec} is not a two-Gaussian toy artifact`);
  return Number(match[1]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const spec of process.argv.slice(2)) {
    const artifact = await readPublished('likelihoods', spec);
    for (const theta of REPORT_THETAS) {
      const { estimates, seconds } = await keptToyCoverage(spec, artifact, toyAlpha(spec), theta, reportToys(artifact, theta));
      console.log(`${spec} θ = ${theta}: ${estimates.map((e) => `${(100 * e.coverage).toFixed(1)}%`).join(' / ')} (${seconds.toFixed(0)} s)`);
    }
  }
}
