/**
 * Writes docs/estimators.md (issue 16): the estimators of seed 003 sec. 2 side by side on the
 * two-Gaussian toy (sec. 3.1), from the published manifests and, for the figures and the
 * coverage at θ = 1, from the published artifacts through the same code the service runs.
 * Run after publishing:
 *   npx tsx scripts/pipeline/estimators-report.ts
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { CatalogueIndexSchema, compareVersions } from '../../models/artifact/catalogue-index.js';
import { formatCoverage } from '../../models/inference/coverage.js';
import { createRandom } from '../../models/random.js';
import { drawToyEvents, twoGaussianToy } from '../../models/toys/two-gaussian.js';
import { COLORS, linePlot, type Point } from '../../render/plots.js';
import { readPublished } from '../lib/artifact-writer.js';
import { bandCoverage } from './ensemble-calibration.js';
import { coverageOfToyArtifact, toyClosure } from './toy-pipeline.js';

/** The estimators compared, per α: the published artifact of each (its newest version). */
const COMPARISON: { alpha: number; rows: { id: string; estimator: string }[] }[] = [
  { alpha: 1.5, rows: [{ id: 'gaussian-toy-a1.5', estimator: 'derivative learning' }, { id: 'gaussian-toy-a1.5-morphing', estimator: 'morphing-aware (a)' }] },
  { alpha: 3, rows: [{ id: 'gaussian-toy-a3', estimator: 'derivative learning' }, { id: 'gaussian-toy-a3-morphing', estimator: 'morphing-aware (a)' }] },
  {
    alpha: 4,
    rows: [
      { id: 'gaussian-toy-a4-unsmeared', estimator: 'derivative learning' },
      { id: 'gaussian-toy-a4-smeared', estimator: 'derivative + fractional smearing' },
      { id: 'gaussian-toy-a4-morphing', estimator: 'morphing-aware (a)' },
    ],
  },
];
const SERIES_COLORS = [COLORS.vermilion, COLORS.blue, COLORS.green];
const AWAY_THETA = 1;
const AWAY_TOYS = 300;
const TEST_EVENTS = 20_000;
const THETAS = Array.from({ length: 41 }, (_, k) => -1 + k / 20);

const index = CatalogueIndexSchema.parse(JSON.parse(await readFile('likelihoods/index.json', 'utf8')));
const newest = (id: string) => [...(index.likelihoods.find((l) => l.id === id)?.versions ?? [])].sort(compareVersions).at(-1);
const fmt = (v: number | undefined, digits = 3) => (v === undefined ? '—' : Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : v.toPrecision(digits));

const tableRows: string[] = [];
/** per published row: what the verdict below quotes */
const results: { alpha: number; estimator: string; spec: string; meanAbs: number; s: number[]; coverage: { cl: number; coverage: number; error: number; toys: number }[]; away: { cl: number; coverage: number; error: number; toys: number }[] }[] = [];
const sections: string[] = [];
await mkdir('docs/figures', { recursive: true });
for (const { alpha, rows } of COMPARISON) {
  const toy = twoGaussianToy(alpha, 0.7);
  // one set of test events for every estimator of this α, so the curves are comparable
  const test = drawToyEvents(toy, 0.6, TEST_EVENTS, createRandom(1600 + alpha * 10));
  const curves: { label: string; mean: number[]; lower: number[]; upper: number[] }[] = [];
  let truth: number[] = [];
  for (const { id, estimator } of rows) {
    const version = newest(id);
    if (!version) {
      console.error(`skipping ${id}: not published`);
      tableRows.push(`| ${alpha} | ${estimator} | \`${id}\` not published | | | | | | | | |`);
      continue;
    }
    const artifact = await readPublished('likelihoods', `${id}@${version}`);
    const m = artifact.manifest;
    const closure = m.validation.closure ?? {};
    const term = m.terms[0];
    const s = term.kind === 'unbinned-polynomial' ? term.crossSection.coefficients : [];
    const coverageAt = (cl: number) => {
      const e = (m.validation.coverage ?? []).find((x) => Math.abs(x.cl - cl) < 1e-3);
      return e ? formatCoverage(e) : '—';
    };
    const away = coverageOfToyArtifact(artifact, toy, AWAY_THETA, AWAY_TOYS, 7);
    const band = bandCoverage(artifact, alpha, 0.7);
    const training = (m.provenance.configuration as Record<string, any> | undefined)?.trainingFigures;
    const events = (m.provenance.configuration as Record<string, any> | undefined)?.pipeline?.training?.events;
    const morphing = (m.provenance.configuration as Record<string, any> | undefined)?.pipeline?.training?.estimator === 'morphing-aware';
    tableRows.push(
      `| ${alpha} | ${estimator} | \`${id}@${version}\` | ${morphing ? `3 × ${events}` : events} | ${fmt(closure['mean |ln r̂ − ln r|'])} | ${fmt(closure['max |ln r̂ − ln r|'])} | ${fmt(closure['max |⟨ln r̂⟩ − ⟨ln r⟩| over θ'])} | ${s.map((v) => fmt(v, 3)).join(', ')} | ${coverageAt(0.6827)} / ${coverageAt(0.9545)} | ${formatCoverage(away.estimates[0])} / ${formatCoverage(away.estimates[1])} | ${(100 * band.withinOne).toFixed(1)}% | ${training ? `${training.seconds.toFixed(0)} s, ${training.backend}` : '—'} |`,
    );
    results.push({ alpha, estimator, spec: `${id}@${version}`, meanAbs: closure['mean |ln r̂ − ln r|'], s, coverage: m.validation.coverage ?? [], away: away.estimates });
    const { expectedTrue, expectedLearned } = toyClosure(artifact, toy, test, THETAS);
    truth = expectedTrue;
    const members = expectedLearned.slice(1);
    curves.push({
      label: estimator,
      mean: expectedLearned[0],
      lower: THETAS.map((_, k) => Math.min(...members.map((v) => v[k]))),
      upper: THETAS.map((_, k) => Math.max(...members.map((v) => v[k]))),
    });
  }
  if (!curves.length) continue;
  const all = [...truth, ...curves.flatMap((c) => [...c.lower, ...c.upper])];
  const svg = linePlot({
    id: `estimators-a${alpha}`,
    title: `Expected ln r(x|θ, 0) over ${TEST_EVENTS.toLocaleString('en')} events at θ = 0.6, α = ${alpha}`,
    xDomain: [THETAS[0], THETAS.at(-1)!],
    yDomain: [Math.min(...all) - 0.05, Math.max(...all) + 0.05],
    xLabel: 'θ',
    yLabel: '⟨ln r(x|θ, θ0)⟩',
    series: [
      { points: THETAS.map((t, k) => [t, truth[k]] as Point), color: COLORS.black, width: 2, label: 'truth' },
      ...curves.map((c, i) => ({ points: THETAS.map((t, k) => [t, c.mean[k]] as Point), color: SERIES_COLORS[i], width: 2, dash: i ? '6 4' : undefined, label: c.label })),
    ],
    bands: curves.map((c, i) => ({ x: THETAS, lower: c.lower, upper: c.upper, color: SERIES_COLORS[i], opacity: 0.2, label: `${c.label}: members (min–max)` })),
  });
  await writeFile(`docs/figures/estimators-a${alpha}.svg`, svg);
  sections.push(`![Expected ln r against θ for α = ${alpha}](figures/estimators-a${alpha}.svg)\n\n*α = ${alpha}: the expected ln r(x|θ, 0) over the same ${TEST_EVENTS.toLocaleString('en')} events drawn from the exact toy at θ = 0.6, truth and each estimator's ensemble mean, with the range of its members.*`);
}

// The issue's target for the best α = 4 estimator: mean |Δ ln r| ≤ 0.02 and coverage within two binomial errors of nominal
const TARGET = 0.02;
const nominalWithin = (e: { cl: number; coverage: number; error: number }) => Math.abs(e.coverage - e.cl) <= 2 * Math.max(e.error, Math.sqrt((e.cl * (1 - e.cl)) / 300));
const best4 = results.filter((r) => r.alpha === 4).sort((a, b) => a.meanAbs - b.meanAbs)[0];
const targetText = best4
  ? `The best α = 4 estimator by closure is ${best4.estimator} (\`${best4.spec}\`): mean |Δ ln r| = ${fmt(best4.meanAbs)} against the target ${TARGET} ` +
    `(${best4.meanAbs <= TARGET ? 'reached' : `missed by a factor ${(best4.meanAbs / TARGET).toFixed(1)}`}); its coverage at θ = 0.5 is ` +
    `${best4.coverage.map((e) => `${formatCoverage(e)} at ${(100 * e.cl).toFixed(2)}% (${nominalWithin(e) ? 'within' : 'outside'} two binomial errors of nominal)`).join(' and ')}, ` +
    `and at θ = ${AWAY_THETA} ${best4.away.map((e) => `${formatCoverage(e)} at ${(100 * e.cl).toFixed(2)}%`).join(' and ')}.`
  : 'No α = 4 estimator is published.';

const doc = `# The estimators of seed 003 on the two-Gaussian toy

Generated by \`scripts/pipeline/estimators-report.ts\` from the published artifacts (issue 16). The toy
(seed 003 eq. 41-43): p(z|θ) ∝ N(z; 0, 1) + θ² N(z; α, 0.1), x = z + N(0, 0.7), θ0 = 0, σ(θ) = σ0 (1 + θ²),
σ0 = 10 fb, 100 fb⁻¹. α sets how far the θ-dependent part of phase space lies from where events at θ0 fall.

| estimator | what is learned | from which events | how θ enters |
| --- | --- | --- | --- |
| derivative learning (sec. 2.2) | the coefficients ĉ(x) = E[c(z)\\|x] of R(x\\|θ) = ĉ(x)·[1, θ, θ²], weighted MSE (eq. 17, 35), sum-of-squares head | 3·10⁵ at θ0 (10⁵ at α = 4) | imposed: a quadratic in θ |
| + fractional smearing (sec. 2.3) | the same, each event with a large target smeared several times | the same | the same |
| morphing-aware (a) (sec. 2.1, eq. 25; the seed's own variant) | one ratio r_i(x) = p(x\\|θ_i)/p(x\\|θ0) per benchmark θ_i ∈ {−1, 1}, each by its own repulsive ensemble of classifiers with ALICE's loss (eq. 11), Fisher-weighted (below) | 10⁵ at each of θ = −1, 0, 1 | imposed: ĉ(x) = W⁻¹ diag(σ(θ_i)/σ0) r̂(x), the morphing matrix W (\`models/basis/morphing.ts\`) |

Every estimator freezes into the same unbinned polynomial term, so the service evaluates them with one code path.
The morphing head keeps R̂(x|θ) ≥ 0 for every θ: ĉ's Gram matrix is made positive semidefinite by raising only its
quadratic block (the Schur complement's negative eigenvalues set to 0), which keeps R̂(θ0) = 1 and the score at θ0
(\`nonNegativeQuadratic\` in \`models/basis/sum-of-squares.ts\`).

Columns: closure |ln r̂(x|θ, 0) − ln r(x|θ, 0)| over ≈ 20 000 test events drawn from the exact toy at θ = 0.6 and 41 values
of θ ∈ [−1, 1] (mean, max; and the largest gap of the expected ⟨ln r⟩ over θ); σ(θ)/σ0's learned coefficients on
[1, θ, θ²] (truth 1, 0, 1; eq. 34 over a 10⁵-event reference sample at θ0); coverage of the 68.27% / 95.45% intervals
over 300 toys from the exact model at θ = 0.5 (from the manifest) and at θ = ${AWAY_THETA} (seed 7, computed here), with
binomial errors or, at 0% or 100%, the 68% Clopper–Pearson interval; the fraction of (event, θ) pairs whose exact ln r
lies within one spread of the members (\`ratio\`'s \`spread\`; 68.3% if it were a calibrated band); training time and backend.

| α | estimator | artifact | training events | mean \\|Δ ln r\\| | max \\|Δ ln r\\| | max \\|Δ⟨ln r⟩\\| | σ/σ0 coefficients | coverage θ = 0.5 | coverage θ = ${AWAY_THETA} | truth within 1 spread | training |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${tableRows.join('\n')}

Reproduce an artifact with \`npm run cli -- pipeline scripts/pipeline/configs/<id>.json --out <folder>\`; the network sizes,
epochs and learning rates of each estimator are those of the derivative-learning artifact of the same α (in its config).

## Two choices that the numbers forced

- **Fisher-weighted cross entropy.** Cross entropy is flat in the logit where p(x|θ_i)/p(x|θ0) is large: a
  logit of 9.7 instead of the true 6.4 at x = 4.5 (α = 4) costs about 0.006 per event. Trained with plain cross
  entropy at this budget, the α = 4 classifiers put ĉ₂(4.5) at 1.2·10⁴ (truth 1.2·10³) and the mean |Δ ln r| at
  0.37; weighting each event by sg[1/(p(1 − p))] (capped at 10⁴; a weight of x alone, so the minimiser is still
  p(x|θ0)/(p(x|θ0) + p(x|θ_i))) brought them to 1.0·10³ and 0.063 in the same trial (\`fisherWeightCap\` in
  \`scripts/training/weighted-mlp.ts\`).
- **Common random numbers.** The morphed coefficients are differences of benchmark ratios (ĉ₁ = (R̂₁ − R̂₋₁)/2).
  Trained on independent samples from independent initial weights, the two networks' noise became a linear term
  the toy does not have (σ's θ coefficient −0.005 at α = 1.5, 0.036 at α = 3), and the coverage at θ = 0.5 fell to
  52% / 92% (α = 1.5) and 32% / 80% (α = 3): the toy's likelihood is symmetric in θ, and any asymmetry moves its
  minimum between ±θ̂. The benchmarks now share their random stream and initial weights; for this toy the ±1
  samples are then the same events and ĉ₁ ≡ 0, and for a model with interference the difference between the
  samples is the physics' own.
- **σ(θ) from the benchmarks.** Eq. 34 sums r̂ over events at θ0, where the ratio's tail is rare and large; at
  α = 3 a 10⁵-event reference sample gave σ's θ² coefficient 0.934 for a network whose mean over 10⁶ events is
  1.00 ± 0.01. The benchmark samples measure σ(θ_i) directly, to a few per mille (through E_θi[1/R] = σ0/σ(θ_i),
  bounded where R is large), and the morphing of those is the published σ(θ) (\`crossSection.origin: morphing\`).

## Not here yet

MadMiner's variant of morphing-aware estimation (one network set trained on the morphed combination with θ from
a prior, seed 003 fig. 3), CARL and ALICE as θ-parametrised classifiers (eq. 6-11; they need a term kind whose
network takes θ as an input), and a morphing-aware Drell–Yan likelihood are the rest of issue 16.

## The target at α = 4

${targetText}

## Figures

${sections.join('\n\n')}
`;
await writeFile('docs/estimators.md', doc);
console.log('wrote docs/estimators.md');
