/**
 * Writes docs/gaussian-toys.md, the results document of the derivative-learning toys,
 * from the published manifests (so no number is copied by hand). Run after publishing:
 *   npx tsx scripts/pipeline/report.ts
 */
import { readFile, writeFile } from 'node:fs/promises';
import { CatalogueIndexSchema, compareVersions } from '../../models/artifact/catalogue-index.js';
import { ManifestSchema, type Manifest } from '../../models/artifact/manifest-schema.js';
import { formatCoverage } from '../../models/inference/coverage.js';
import { readPublished } from '../lib/artifact-writer.js';
import { bandCoverage, CALIBRATION_THETAS } from './ensemble-calibration.js';
import { coverageOfToyArtifact } from './toy-pipeline.js';
import { formatFigure, recordedCoverage } from './toy-report-format.js';
import { twoGaussianToy } from '../../models/toys/two-gaussian.js';

const IDS = ['gaussian-toy-truth', 'gaussian-toy-a1.5', 'gaussian-toy-a3', 'gaussian-toy-a4-smeared', 'gaussian-toy-a4-unsmeared'];

// every published version of each, oldest first: a retrained version is read next to the one it replaces
const index = CatalogueIndexSchema.parse(JSON.parse(await readFile('likelihoods/index.json', 'utf8')));
const manifests: Manifest[] = [];
for (const id of IDS) {
  const versions = index.likelihoods.find((l) => l.id === id)?.versions ?? [];
  if (!versions.length) console.error(`skipping ${id}: not published`);
  for (const version of [...versions].sort(compareVersions)) manifests.push(ManifestSchema.parse(JSON.parse(await readFile(`likelihoods/${id}/${version}/manifest.json`, 'utf8'))));
}
const spec = (m: Manifest) => `${m.id}@${m.version}`;
const published = (id: string, version: string) => manifests.find((m) => m.id === id && m.version === version);
/** σ's learned θ² coefficient s₂ of one version, for the text */
const s2 = (id: string, version: string) => {
  const term = published(id, version)?.terms[0];
  return term?.kind === 'unbinned-polynomial' ? term.crossSection.coefficients[2].toFixed(2) : '—';
};
const awayText = (key: string, theta: number) => {
  const c = away.get(`${key} ${theta}`);
  return c ? c.estimates.map((e) => `${formatCoverage(e)} at ${Number((100 * e.cl).toFixed(2))}%`).join(' and ') : '—';
};
const coverageText = (id: string, version: string) => (published(id, version)?.validation.coverage ?? []).map((c) => `${formatCoverage(c)} at ${Number((100 * c.cl).toFixed(2))}%`).join(' and ');

const fmt = formatFigure;
const config = (m: Manifest) => (m.provenance.configuration ?? {}) as Record<string, any>;
/** the training's loss weighting: 1/v_k, or relative with floor f (derivative-learning.ts) */
const weighting = (cfg: Record<string, any>) => (!cfg.pipeline ? '—' : cfg.training?.relativeFloor ? `relative, f = ${cfg.training.relativeFloor}` : 'variance');

const rows = manifests.map((m) => {
  const c = m.validation.closure ?? {};
  const cfg = config(m);
  const alpha = cfg.pipeline?.simulator?.alpha ?? cfg.alpha;
  const smearing = cfg.pipeline ? (cfg.pipeline.training.fractionalSmearing ? 'yes' : 'no') : '—';
  const events = cfg.pipeline?.training?.events ?? '—';
  const s = m.terms[0].kind === 'unbinned-polynomial' ? m.terms[0].crossSection.coefficients : [];
  const training = cfg.trainingFigures;
  return `| \`${spec(m)}\` | ${alpha} | ${events} | ${smearing} | ${weighting(cfg)} | ${fmt(c['mean |ln r̂ − ln r|'])} | ${fmt(c['max |ln r̂ − ln r|'])} | ${fmt(c['max |⟨ln r̂⟩ − ⟨ln r⟩| over θ'])} | ${s.length ? fmt(s[2], 4) : '—'} | ${recordedCoverage(m, 0.6827)} | ${recordedCoverage(m, 0.9545)} | ${training ? `${training.seconds.toFixed(0)} s, ${Math.round(training.eventsPerSecond)} ev/s, ${training.backend}` : 'exact (no training)'} | ${fmt(c['frozen runtime vs tfjs: max relative difference'])} |`;
});

// Does the members' spread cover the truth? (issue 13): measured through the service's `ratio`
const calibrationRows: string[] = [];
for (const m of manifests) {
  const simulator = config(m).pipeline?.simulator;
  if (!simulator) continue;
  const c = bandCoverage(await readPublished('likelihoods', spec(m)), simulator.alpha, simulator.smearing);
  calibrationRows.push(`| \`${spec(m)}\` | ${c.pairs} | ${(100 * c.withinOne).toFixed(1)}% | ${(100 * c.withinTwo).toFixed(1)}% | ${c.medianPull.toFixed(2)} |`);
}

// Coverage at θ0 = 0 and away from it (issue 13): toys from the exact model at θ = 0, 0.5 and 1.0, the learned and the exact likelihood on the same toys
const AWAY_THETAS = [0, 0.5, 1.0];
const AWAY_TOYS = 300;
const bias = (v: number) => (Math.abs(v) < 5e-4 ? '0.000' : v.toFixed(3));
const awayRows: string[] = [];
const away = new Map<string, ReturnType<typeof coverageOfToyArtifact>>();
for (const m of manifests) {
  const simulator = config(m).pipeline?.simulator;
  if (!simulator) continue;
  const artifact = await readPublished('likelihoods', spec(m));
  for (const theta of AWAY_THETAS) {
    const c = coverageOfToyArtifact(artifact, twoGaussianToy(simulator.alpha, simulator.smearing), theta, AWAY_TOYS, 7);
    away.set(`${spec(m)} ${theta}`, c);
    awayRows.push(`| \`${spec(m)}\` | ${theta} | ${formatCoverage(c.estimates[0])} | ${formatCoverage(c.truth[0])} | ${formatCoverage(c.estimates[1])} | ${formatCoverage(c.truth[1])} | ${bias(c.bias.learned)} | ${bias(c.bias.truth)} | ${c.failed} |`);
  }
}

const figures = manifests
  .filter((m) => m.validation.figures?.length)
  .map((m) => `### \`${spec(m)}\`\n\n${m.validation.figures!.map((f) => `![${f.caption}](../likelihoods/${m.id}/${m.version}/${m.components[f.component].file})\n\n*${f.caption}*`).join('\n\n')}`)
  .join('\n\n');

const doc = `# Derivative learning on the two-Gaussian toy (seed 003 sec. 2.2, 2.3, 3)

Generated by \`scripts/pipeline/report.ts\` from the published manifests; every number below is
recorded in the artifact it describes and shown on its result page (\`/likelihoods/<id>\`).

The toy (seed 003 eq. 41-43): parton level p(z|θ) ∝ N(z; 0, 1) + θ² N(z; α, 0.1), reco level
x = z + N(0, 0.7), θ0 = 0, σ(θ) = σ0 (1 + θ²) with σ0 = 10 fb, 100 fb⁻¹. Each learned likelihood is a
repulsive ensemble of 4 networks (function-space RBF repulsion, D'Angelo & Fortuin 2021) that
regresses the exact joint coefficients c(z) = [1, 0, N(z; α, 0.1)/N(z; 0, 1)] from x with the
weighted MSE of eq. 17/35, through a sum-of-squares head (R̂ ≥ 0 for every θ, ĉ₀ = 1 exactly); σ(θ)
is the learned ĉ summed over a 10⁵-event reference sample at θ0 (eq. 34). Configurations:
\`scripts/pipeline/configs/\`; reproduce one with \`npm run cli -- pipeline <config> --out <folder>\`.

Closure: |ln r̂(x|θ, 0) − ln r(x|θ, 0)| over ~20 000 test events drawn from the exact model at
θ = 0.6 and 41 values of θ ∈ [−1, 1]; ⟨·⟩ is the mean over those events (seed 003 fig. 5 right).
Coverage: the fraction of toys (exact model, θ = 0.5, 100 fb⁻¹, ≈ 1 250 events each) whose
region at the nominal level contains the true θ (eq. 53), with its binomial error (at 0% or 100%, its
68% Clopper–Pearson interval instead). The true
s₂ (θ² coefficient of σ/σ0) is 1.

| artifact | α | training events | fractional smearing | loss weighting | mean \\|Δ ln r\\| | max \\|Δ ln r\\| | max \\|Δ⟨ln r⟩\\| | learned s₂ | coverage 68.27% | coverage 95.45% | training | runtime vs tfjs |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

## Is the members' spread an uncertainty?

No. For 4 000 test events drawn from the exact model at θ = 0.6 (seed 1313) and θ = ${CALIBRATION_THETAS.join(', ')}, the
fraction of (event, θ) pairs where the exact ln r(x|θ, 0) lies within one and within two standard deviations of the members
around the estimate ln r̂ — what \`POST /v1/likelihoods/<id>/ratio\` returns as \`logRatio\` and \`spread\`
(\`scripts/pipeline/ensemble-calibration.ts\`). A calibrated Gaussian band would hold 68.3% and 95.4%:

| artifact | pairs | within 1 spread (68.3%) | within 2 spreads (95.4%) | median \\|Δ ln r\\| / spread |
| --- | --- | --- | --- | --- |
${calibrationRows.join('\n')}

The four members of a repulsive ensemble trained on one sample agree with each other far more closely than any of them agrees
with the truth: the spread measures the members' disagreement, not the estimate's error. The API therefore calls it what it is
(\`spread\` in \`ratio\`, \`memberSpread\` in \`nll\`), and the result pages draw it as the "spread of the ensemble members". A
calibrated band (spread rescaled on held-out data, a bootstrap of the training sample, or independent trainings) is not built
yet (issue 13).

## Coverage at the reference point and away from it

The coverage above is at θ = 0.5; here also at the reference point θ0 = 0 and at θ = 1.0, with ${AWAY_TOYS} toys each from the exact model (seed 7, as
\`npm run cli -- validate <id> --theta <θ>\` draws them), evaluated with the learned likelihood and, on the same toys, with the
exact one (eq. 49 in closed form, its MLE in θ² found exactly). The bias is the mean |θ̂| − |θ| (θ's sign is not resolved).

| artifact | θ | learned 68.27% | exact 68.27% | learned 95.45% | exact 95.45% | bias of \\|θ̂\\|, learned | exact | failed fits |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${awayRows.join('\n')}

At θ0 = 0 every learned likelihood covers as the exact one does, even those that cover nothing at θ = 0.5: there the
score's variance equals the likelihood's own curvature whatever ĉ is, so coverage at the reference point cannot tell a good
regression from a bad one (both over-cover: θ enters as θ², and θ0 sits where its sign is not resolved).

## What the numbers say

- **α = 1.5** (the local case of seed 003 sec. 3.1): derivative learning from θ0 alone is
  accurate — mean |Δ ln r| below 1%, the expected ln r within 1e-3 of the truth, σ's θ²
  coefficient within 1% of 1 — and the coverage is nominal within about two binomial errors.
- **α = 3**: the displaced Gaussian sits where events at θ0 are rare. The learned θ² coefficient
  follows the truth where the reference sample has events and departs from it in the tail
  (the second-derivative figure, x > 5), the closure error grows by a factor ~5, and σ's θ²
  coefficient is 7% high; the coverage is still nominal at θ = 0.5, but at θ = 1.0, farther from
  θ0, the learned likelihood under-covers and |θ̂| is biased low where the exact one, on the same
  toys, is nominal and unbiased (the table above). This is where derivative learning degrades
  (seed 003 fig. 2 right). Morphing-aware estimation, which samples at θ = ±1 as well, is compared
  with it on the same toys in [docs/estimators.md](estimators.md): its closure error is a third of
  this one, and at θ = 1.0 it does not under-cover.
- **α = 4** (seed 003 sec. 3.2, 10⁵ events): the θ² coefficient of the truth spans ten orders
  of magnitude over the range of x. Trained as the others (\`@1.0.0\`), the regression at θ0 cannot pin
  the bulk where it is tiny: the variance weighting of the squared errors (the loss of standardised
  targets) leaves the bulk to the tail's noise. Fractional smearing helps as in seed 003 fig. 5 — σ's
  θ² coefficient ${s2('gaussian-toy-a4-unsmeared', '1.0.0')} without it, ${s2('gaussian-toy-a4-smeared', '1.0.0')} with it — but not enough: with ≈ 1 250 events
  per toy, a σ(θ) off by tens of per cent makes the extended likelihood exclude the true θ, and the
  coverage is 0%. Weighting the errors relative to ĉ₂ (\`relativeFloor\`, f = 0.3; still minimised by
  E[c|x]) pins the bulk and brings s₂ to ${s2('gaussian-toy-a4-smeared', '1.1.0')} and the coverage to ${coverageText('gaussian-toy-a4-smeared', '1.1.0')}
  (\`gaussian-toy-a4-smeared@1.1.0\`): closer, still under nominal at θ = 0.5, and far under it at θ = 1.0
  (${awayText('gaussian-toy-a4-smeared@1.1.0', 1)}, the bias of |θ̂| ${away.get('gaussian-toy-a4-smeared@1.1.0 1')?.bias.learned.toFixed(3)} where 1.0.0 had
  ${away.get('gaussian-toy-a4-smeared@1.0.0 1')?.bias.learned.toFixed(3)}). Without fractional smearing, and at
  α = 3, the same weighting does not help (not published; every number in
  [docs/relative-weighting.md](relative-weighting.md), with the scan over f). So the gap at α = 4
  is not the scaling of the targets (these trainings standardise them; a linear scaling does not move
  the optimum of the MSE, seed 003 below eq. 17). The weighting, which changes only how a finite
  network and training trade errors between a bulk at 10⁻⁷ and a tail at 10³, narrows it a long way;
  whether a larger budget closes it is open, and the seed states none (epochs, widths, members) for
  this toy. "The method's limit" is therefore not what these numbers show. Morphing-aware estimation,
  which draws events at θ = ±1 as well, reaches nominal coverage at α = 4 with the same network budget
  (\`gaussian-toy-a4-morphing\`, [docs/estimators.md](estimators.md)).

## Figures

${figures}
`;
await writeFile('docs/gaussian-toys.md', doc);
console.log(`wrote docs/gaussian-toys.md (${manifests.length} artifacts)`);
