/**
 * The loss weighting of derivative learning on the α = 4 toy with fractional smearing (the
 * configuration of `gaussian-toy-a4-smeared`: 10⁵ events at θ0, 4 members, 3 × 64, 40 epochs,
 * seed 4001): the variance weighting against the relative one at several floors f
 * (derivative-learning.ts, "Relative weighting"). For each, the learned θ² coefficient ĉ₂(x)
 * (the ensemble mean) against the exact N(x; α, σ_b)/N(x; 0, σ_a), and the closure of ln R̂ on 20 000 events drawn
 * from the exact model at θ = 0.6 (seed 1313). Prints the first table of docs/relative-weighting.md;
 * each training takes about 5 minutes on one core.
 *
 *   npx tsx scripts/pipeline/relative-weighting-study.ts [--floors none,0.01,0.03,0.1,0.3,1] [--epochs 40]
 */
import { parseArgs } from 'node:util';
import { createRandom } from '../../models/random.js';
import { sampleToyEvent, toyLogRatio, toySecondCoefficient } from '../../models/toys/two-gaussian.js';
import { twoGaussianSimulator } from '../simulators/two-gaussian.js';
import { trainDerivativeLearning } from '../training/derivative-learning.js';
import { simulateWithFractionalSmearing } from '../training/fractional-smearing.js';

const { values } = parseArgs({ options: { floors: { type: 'string', default: 'none,0.01,0.03,0.1,0.3,1' }, epochs: { type: 'string', default: '40' } } });
const floors = values.floors.split(',').map((f) => (f === 'none' ? null : Number(f)));
const epochs = Number(values.epochs);

const XS = [0, 1, 2, 3, 4, 5, 6];
const THETAS = [0.25, 0.5, 1];
const simulator = twoGaussianSimulator({ alpha: 4, smearing: 0.7 });
const seed = 4001;
const { sample } = simulateWithFractionalSmearing(simulator, { events: 100_000, seed, threshold: 0.5 });
const random = createRandom(1313);
const test = Float64Array.from({ length: 20_000 }, () => sampleToyEvent(simulator.toy, 0.6, random));

const rows: string[] = [];
for (const relativeFloor of floors) {
  const t0 = performance.now();
  const { model } = await trainDerivativeLearning(
    { parameters: 1, degree: 2, seed, members: 4, hidden: [64, 64, 64], epochs, batchSize: 2048, learningRate: 0.002, finalLearningRate: 0.0001, relativeFloor },
    { count: sample.count, inputs: sample.reco, targets: sample.coefficients, weights: sample.weights },
  );
  const atX = model.predict(Float64Array.from(XS), XS.length).mean;
  const onTest = model.predict(test, test.length).mean;
  model.dispose();
  // ln R̂ = ln(ĉ·m(θ)) against the exact ln R = ln r + ln(1 + θ²) (unnormalised: the ratio the network learns)
  const closure = THETAS.map((theta) => {
    let absolute = 0;
    let signed = 0;
    for (let i = 0; i < test.length; i++) {
      const d = Math.log(onTest[3 * i] + onTest[3 * i + 1] * theta + onTest[3 * i + 2] * theta * theta) - (toyLogRatio(simulator.toy, test[i], theta) + Math.log1p(theta * theta));
      absolute += Math.abs(d);
      signed += d;
    }
    return `${(absolute / test.length).toFixed(4)} / ${(signed / test.length).toFixed(4)}`;
  });
  rows.push(`| ${relativeFloor ?? 'variance'} | ${XS.map((_, i) => atX[3 * i + 2].toExponential(3)).join(' | ')} | ${closure.join(' | ')} | ${((performance.now() - t0) / 1000).toFixed(0)} s |`);
  console.error(rows.at(-1));
}
const table = [
  `| weighting (f) | ${XS.map((x) => `ĉ₂(${x})`).join(' | ')} | ${THETAS.map((t) => `θ = ${t}: mean \\|Δ ln R\\| / mean Δ ln R`).join(' | ')} | time |`,
  `| --- | ${XS.map(() => '---').join(' | ')} | ${THETAS.map(() => '---').join(' | ')} | --- |`,
  `| exact | ${XS.map((x) => toySecondCoefficient(simulator.toy, x).toExponential(3)).join(' | ')} | ${THETAS.map(() => '0 / 0').join(' | ')} | |`,
  ...rows,
];
console.log(table.join('\n'));
