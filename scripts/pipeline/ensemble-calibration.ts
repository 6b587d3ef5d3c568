/**
 * Does the ensemble's spread cover the truth? (issue 13, item 1.) For a learned two-Gaussian
 * likelihood, the fraction of test events and θ values where the exact ln r(x|θ, 0) lies within
 * one and two members' standard deviations of the estimate ln r̂ — through `ratio`, the
 * service's own use case, as `POST /v1/likelihoods/{id}/ratio` answers. A band that were a
 * calibrated Gaussian uncertainty would hold 68.3% and 95.4% of them.
 *
 *     npx tsx scripts/pipeline/ensemble-calibration.ts [id ...]
 */
import { fileURLToPath } from 'node:url';
import type { LoadedArtifact } from '../../models/artifact/load.js';
import { createRandom } from '../../models/random.js';
import { ratio } from '../../models/service/evaluate.js';
import { RatioRequestSchema } from '../../models/service/schemas.js';
import { sampleToyEvent, toyLogRatio, twoGaussianToy } from '../../models/toys/two-gaussian.js';
import { readPublished } from '../lib/artifact-writer.js';

export interface BandCoverage {
  /** (event, θ) pairs compared */
  pairs: number;
  /** fraction with |ln r̂ − ln r| ≤ spread, and ≤ 2 spread */
  withinOne: number;
  withinTwo: number;
  /** median |ln r̂ − ln r| / spread */
  medianPull: number;
}

/** The θ values compared: θ = 0 is left out, where ln r = 0 for every member and the truth. */
export const CALIBRATION_THETAS = [-1, -0.75, -0.5, -0.25, 0.25, 0.5, 0.75, 1];

/** Band coverage of a learned toy likelihood on `events` test events drawn from the exact model at θ = `theta` (seeded). */
export function bandCoverage(artifact: LoadedArtifact, alpha: number, smearing: number, options: { events?: number; theta?: number; seed?: number } = {}): BandCoverage {
  const toy = twoGaussianToy(alpha, smearing);
  const random = createRandom(options.seed ?? 1313);
  const n = options.events ?? 4000;
  const x = Array.from({ length: n }, () => sampleToyEvent(toy, options.theta ?? 0.6, random));
  const points = CALIBRATION_THETAS.map((theta) => ({ theta }));
  const pulls: number[] = [];
  let one = 0;
  let two = 0;
  for (let start = 0; start < n; start += 1000) {
    const events = x.slice(start, start + 1000);
    const { logRatio, spread } = ratio(artifact, RatioRequestSchema.parse({ events: events.map((v) => [v]), points }));
    if (!spread) throw new Error(`${artifact.manifest.id} has no ensemble`);
    CALIBRATION_THETAS.forEach((theta, k) =>
      events.forEach((v, i) => {
        const miss = Math.abs(logRatio[k][i] - toyLogRatio(toy, v, theta));
        const s = spread[k][i];
        if (miss <= s) one++;
        if (miss <= 2 * s) two++;
        pulls.push(miss / s);
      }),
    );
  }
  pulls.sort((a, b) => a - b);
  return { pairs: pulls.length, withinOne: one / pulls.length, withinTwo: two / pulls.length, medianPull: pulls[pulls.length >> 1] };
}

async function main() {
  const ids = process.argv.slice(2).length ? process.argv.slice(2) : ['gaussian-toy-a1.5', 'gaussian-toy-a3', 'gaussian-toy-a4-smeared', 'gaussian-toy-a4-unsmeared'];
  for (const id of ids) {
    const artifact = await readPublished('likelihoods', id);
    const simulator = (artifact.manifest.provenance as { configuration?: { pipeline?: { simulator?: { alpha: number; smearing: number } } } }).configuration?.pipeline?.simulator;
    const c = bandCoverage(artifact, simulator?.alpha ?? NaN, simulator?.smearing ?? 0.7);
    console.log(`${id}: ${c.pairs} pairs, within 1 spread ${(100 * c.withinOne).toFixed(1)}% (nominal 68.3%), within 2 ${(100 * c.withinTwo).toFixed(1)}% (95.4%), median |Δ ln r|/spread ${c.medianPull.toFixed(2)}`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
