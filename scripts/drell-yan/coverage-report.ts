/**
 * docs/drell-yan-coverage.md (issue 13): the coverage of the published Drell–Yan likelihoods
 * at the SM and away from it, against the parton-level truth on the same toys, the bias of θ̂,
 * and σ(θ)'s coefficients against the generator's (`npm run cli -- drell-yan-coverage`).
 */
import type { LoadedArtifact } from '../../models/artifact/load.js';
import { formatCoverage, type CoverageEstimate } from '../../models/inference/coverage.js';
import { polynomialTerms } from '../../models/terms/unbinned-polynomial.js';
import { monomialIndex, monomialLabel } from '../../models/basis/monomial-basis.js';
import { BASIS, PARAMETERS } from '../simulators/drell-yan-physics.js';
import type { drellYanCoverageStudy } from './run.js';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { readPublished } from '../lib/artifact-writer.js';
import { placeFigures } from '../lib/document-figures.js';
import { deriveSeed } from '../simulators/types.js';
import { coverageComparisonFigure } from './figures.js';
import { expectedFit, generatorCrossSectionOf } from './coverage.js';
import { generatorCrossSection } from './learned.js';

/** A study with the name the document gives it. */
export type CoverageStudy = Awaited<ReturnType<typeof drellYanCoverageStudy>> & { name: string };

export interface DocumentedStudy {
  name: string;
  likelihood: string;
  at: 'boundary' | 'sm';
  toys: number;
  /** where the artifact and the kept toys are, if not the published likelihoods and runs/ */
  root?: string;
  run?: string;
}

/**
 * The studies docs/drell-yan-coverage.md reports: 1.0.1 and 1.1.0 on the same toys at the
 * boundary and at the SM, and the unpublished first draft of 1.1.0 (σ's control variate over
 * the reference sample only; `drell-yan-selection --control-variate 0`), kept in runs/.
 */
export const DOCUMENTED_STUDIES: readonly DocumentedStudy[] = [
  { name: '1.0.1', likelihood: 'dy-smeft-run3@1.0.1', at: 'boundary', toys: 200 },
  { name: '1.1.0', likelihood: 'dy-smeft-run3@1.1.0', at: 'boundary', toys: 80 },
  { name: '1.1.0', likelihood: 'dy-smeft-run3@1.1.0', at: 'sm', toys: 80 },
  { name: 'first draft', likelihood: 'dy-smeft-run3@1.1.0', at: 'sm', toys: 100, root: 'runs/dy-smeft-run3-selection-draft', run: 'runs/dy-smeft-run3-selection-draft' },
  // its network runs 27 MLPs per event (9 benchmarks × 3 members), a minute per toy here: fewer toys
  { name: 'morphing-aware', likelihood: 'dy-smeft-run3-morphing@1.0.0', at: 'boundary', toys: 15 },
  { name: 'morphing-aware', likelihood: 'dy-smeft-run3-morphing@1.0.0', at: 'sm', toys: 15 },
];

const signed = (v: number, digits = 5) => (v >= 0 ? '+' : '') + v.toFixed(digits);
const where = (at: readonly number[]) => (at.every((v) => v === 0) ? 'the SM' : PARAMETERS.map((p, k) => `${p.name} = ${at[k]}`).join(', '));
const label = (s: CoverageStudy) => s.name;
const percentRange = ([lo, hi]: readonly [number, number]) => `${signed(100 * lo, 1)}% to ${signed(100 * hi, 1)}%`;

/** One study's time per toy and its toys' sizes, in words. */
function studyFacts(s: CoverageStudy): string {
  const toys = s.learned.q.length + s.learned.failed;
  const events = s.shards.flatMap((x) => x.events);
  const mean = events.reduce((a, b) => a + b, 0) / Math.max(1, events.length);
  const overshoots = s.shards.reduce((n, x) => n + x.overshoots, 0);
  const t = s.shards.reduce((a, x) => ({ generate: a.generate + x.seconds.generate, network: a.network + x.seconds.network, fit: a.fit + x.seconds.fit, truth: a.truth + (x.seconds.truth ?? 0) }), { generate: 0, network: 0, fit: 0, truth: 0 });
  return `${label(s)} at ${where(s.at)}: ${toys} toys, on average ${Math.round(mean).toLocaleString('en-US')} selected events, ${overshoots} proposals above their bound; fits that did not converge: learned ${s.learned.failed}, truth ${s.truth.failed}; per toy ${(t.generate / toys).toFixed(1)} s generating, ${(t.network / toys).toFixed(1)} s on the networks, ${(t.fit / toys).toFixed(1)} s fitting the learned likelihood, ${(t.truth / toys).toFixed(1)} s the truth`;
}

/** Nominal against empirical coverage, one learned and one truth column per study. */
function coverageTable(studies: readonly CoverageStudy[], extra: { heading: string; estimates: readonly CoverageEstimate[] }[] = []): string {
  const head = [...studies.flatMap((s) => [`learned, ${label(s)}`, `truth (${label(s)} toys)`]), ...extra.map((e) => e.heading)];
  const rows = studies[0].learned.estimates.map((e, i) => `| ${(100 * e.cl).toFixed(2)}% | ${[...studies.flatMap((s) => [formatCoverage(s.learned.estimates[i]), formatCoverage(s.truth.estimates[i])]), ...extra.map((x) => (x.estimates[i] ? formatCoverage(x.estimates[i]) : '—'))].join(' | ')} |`);
  return [`| nominal | ${head.join(' | ')} |`, `| --- | ${head.map(() => '---').join(' | ')} |`, ...rows].join('\n');
}

function biasTable(studies: readonly CoverageStudy[]): string {
  const rows = studies.flatMap((s) =>
    PARAMETERS.map((p, k) => `| ${label(s)} at ${where(s.at)} | ${p.name} | ${s.at[k]} | ${signed(s.learned.bias[k].bias)} ± ${s.learned.bias[k].error.toFixed(5)} | ${s.learned.bias[k].deviation.toFixed(5)} | ${signed(s.truth.bias[k].bias)} ± ${s.truth.bias[k].error.toFixed(5)} | ${s.truth.bias[k].deviation.toFixed(5)} |`),
  );
  return ['| study | coefficient | true | learned: bias | learned: sd | truth: bias | truth: sd |', '| --- | --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
}

interface CrossSectionRecord {
  label: string;
  published: number[];
  errors: number[];
  generator: number[];
  equation34: number[];
  /** the largest share of one reference event in eq. 34's C_lq1² coefficient */
  largestShare: number;
  referenceEvents: number;
  /** published / generator − 1 over the quadratic monomials the generator gives |s| > 0.1: smallest and largest */
  quadraticExcess: [number, number];
  /** signal and background events generated for the control variate (before the selection) */
  controlVariateProposals: number;
  referenceProposals: number;
}

/** σ(θ)'s coefficients of a published Drell–Yan artifact against its generator, and eq. 34 on its reference sample. */
export function crossSectionRecord(artifact: LoadedArtifact): CrossSectionRecord {
  const { manifest } = artifact;
  const term = manifest.terms[0];
  if (term.kind !== 'unbinned-polynomial') throw new Error('expected the unbinned polynomial term of dy-smeft-run3');
  const configuration = manifest.provenance.configuration as {
    crossSectionErrors: number[];
    referenceSampleCrossSection: number[];
    drellYan: { referenceEvents: number; backgroundReferenceEvents: number; controlVariateEvents?: { signal: number; background: number } };
  };
  const { referenceEvents, backgroundReferenceEvents, controlVariateEvents } = configuration.drellYan;
  const reference = polynomialTerms(artifact.likelihood)[0].events!.reference;
  const c = reference.coefficients[0];
  const w = reference.weights[0];
  const k = monomialIndex(BASIS, [2, 0, 0]);
  let sum = 0;
  let largest = 0;
  for (let i = 0; i < reference.count; i++) {
    const v = (w ? w[i] : 1) * c[i * BASIS.size + k];
    sum += v;
    if (Math.abs(v) > Math.abs(largest)) largest = v;
  }
  const generator = Array.from(generatorCrossSectionOf(artifact).coefficients);
  const excess = generator.flatMap((s, j) => (BASIS.degrees[j] === 2 && Math.abs(s) > 0.1 ? [term.crossSection.coefficients[j] / s - 1] : []));
  return {
    label: `${manifest.id}@${manifest.version}`,
    published: term.crossSection.coefficients,
    errors: configuration.crossSectionErrors,
    generator,
    equation34: configuration.referenceSampleCrossSection,
    largestShare: largest / sum,
    referenceEvents: reference.count,
    quadraticExcess: [Math.min(...excess), Math.max(...excess)],
    referenceProposals: referenceEvents + backgroundReferenceEvents,
    controlVariateProposals: controlVariateEvents ? controlVariateEvents.signal + controlVariateEvents.background : referenceEvents + backgroundReferenceEvents,
  };
}

function crossSectionTable(records: readonly (CrossSectionRecord & { name: string })[]): string {
  const head = records.flatMap((r) => [`${r.name}: generator`, `${r.name}: eq. 34`, `${r.name}: σ`, 'pull']);
  const rows = Array.from({ length: BASIS.size }, (_, k) => {
    const cells = records.flatMap((r) => [r.generator[k].toPrecision(4), r.equation34[k].toPrecision(4), `${r.published[k].toPrecision(4)} ± ${r.errors[k].toPrecision(2)}`, k === 0 ? '—' : ((r.published[k] - r.generator[k]) / r.errors[k]).toFixed(1)]);
    return `| ${monomialLabel(BASIS, k, PARAMETERS.map((p) => p.name))} | ${cells.join(' | ')} |`;
  });
  return [`| monomial | ${head.join(' | ')} |`, `| --- | ${head.map(() => '---').join(' | ')} |`, ...rows].join('\n');
}

/** One study alone (a custom --at): its coverage and bias tables. */
export function coverageStudyReport(study: CoverageStudy): string {
  return `# Coverage of ${label(study)} at ${where(study.at)}

${studyFacts(study)}.

${coverageTable([study])}

${biasTable([study])}
`;
}

export interface CoverageDocument {
  studies: readonly CoverageStudy[];
  /** the published coverage at the SM of the earlier version, from its validation */
  published: { label: string; estimates: readonly CoverageEstimate[] } | null;
  /** σ against the generator, per artifact: 1.0.1, the first draft where kept, 1.1.0 */
  crossSections: readonly (CrossSectionRecord & { name: string })[];
  /** per artifact name, θ̂ on a large independent sample at the SM taken as data (selection-revision.ts `expectedFit`) */
  expected: readonly { name: string; best: readonly number[]; truth: readonly number[]; events: number }[];
  figure: string;
}

export function coverageDocument({ studies, published, crossSections, expected, figure }: CoverageDocument): string {
  const boundary = studies.filter((s) => s.at.some((v) => v !== 0));
  const sm = studies.filter((s) => s.at.every((v) => v === 0));
  const point = boundary[0]?.at ?? [];
  const record = (name: string) => crossSections.find((r) => r.name === name);
  const old = record('1.0.1')!;
  const revised = record('1.1.0');
  const draft = record('first draft');
  const morphing = record('morphing-aware');
  const morphingStudies = studies.filter((st) => st.name === 'morphing-aware');
  const coefficient = (r: CrossSectionRecord, k: number) => `${r.published[k].toPrecision(4)} ± ${r.errors[k].toPrecision(2)}`;
  const expectedRows = expected.map((e) => `| ${e.name} | ${e.best.map((v, k) => `${signed(v)} (${signed(v - e.truth[k])})`).join(' | ')} | ${e.truth.map((v) => signed(v)).join(', ')} | ${e.events.toLocaleString('en-US')} |`).join('\n');
  return `# Drell–Yan: coverage away from the SM, and σ(θ) against the generator

Issue 13 asked whether the learned Drell–Yan likelihood covers where coverage can fail: at the SM the score's variance
equals the likelihood's own Hessian, so coverage is nominal to first order for any learned ĉ; away from it the learned
response matters. It also asked why σ(θ)'s quadratic coefficients were 24–44% above the generator's. Everything here comes
from \`npm run cli -- drell-yan-coverage\` (the toys are kept in \`runs/\`; each study takes 20–80 minutes on 2 cores),
which also prints the tables. In short: the quadratic excess was one background event at 11 TeV; removing it, with an
analysis selection that the artifact now states, exposed a second and larger effect, that σ's *linear* coefficients must
equal the mean learned ĉ to far better than the reference sample's Monte Carlo error, or θ̂ is biased along the nearly
degenerate direction of the three coefficients; \`dy-smeft-run3@1.1.0\` takes its σ from a far larger sample.

**The point away from the SM.** On the C_lq3 axis, where Asimov data exclude the SM at 95.45% (joint, χ²₃), by the
parton-level truth: ${where(point)} (TeV⁻²; \`expectedBoundary\` in scripts/drell-yan/coverage.ts: 2L Σ w (1 − R + R ln R) over 10⁶ proposals).

**The toys** are exact Poisson processes of selected events drawn from the generator at the true θ (thinning with each
proposal's exact R(z|θ)), each evaluated with the learned likelihood (ensemble mean) and, on the same events, with the
parton-level truth (every event's exact coefficients, σ(θ) from the generator). Coverage: the fraction whose joint 3-D
region q(θ_true) < χ²₃ quantile holds the true θ, with its binomial error (Clopper–Pearson where 0% or 100%). Toy k is the
same event sample in every study at the same θ; a likelihood with a selection sees only its selected events.
${studies.map((s) => `- ${studyFacts(s)}.`).join('\n')}

## Coverage at the expected 95.45% boundary

${coverageTable(boundary)}

## Coverage at the SM

${coverageTable(sm, published ? [{ heading: `learned, ${published.label} (its published validation)`, estimates: published.estimates }] : [])}

${figure}

## Bias of θ̂

Mean of θ̂ − θ_true over the toys, with its standard error, and θ̂'s standard deviation.

${biasTable(studies)}

Without the toys' fluctuations: θ̂ of each likelihood on one large independent sample of selected events at the SM, taken
as data (weights scaled to 300 fb⁻¹), and in brackets its difference from the parton-level truth's θ̂ on the same events.
The truth is not at 0 either: along the nearly degenerate direction the sample's own Monte Carlo fluctuation moves it.

| likelihood | C_lq1 (learned − truth) | C_lq3 | C_eu | truth | events |
| --- | --- | --- | --- | --- | --- |
${expectedRows}

## σ(θ) against the generator

σ(θ) = σ(θ0) Σ_k s_k m_k(θ). Generator: the exact coefficients of the selected signal plus the background; eq. 34: the
learned ĉ averaged over the published reference sample; published: the control variate s = s_generator + Σ w (ĉ − c) / Σ w
with its Monte Carlo error; pull: (published − generator) / error.

${crossSectionTable(crossSections)}

**1.0.1: the quadratic coefficients ${percentRange(old.quadraticExcess)} off.** One reference event carries ${(100 * old.largestShare).toFixed(0)}% of eq. 34's C_lq1²
coefficient: a background event at m_ℓℓ = 11 TeV. The signal is generated up to m = 6 TeV, the background (∝ m⁻⁴) to the
kinematic limit, so there the classifier's signal fraction extrapolates to 1 and the learned ĉ, which grows like m⁴, to
~10⁵; the control variate's correction inherits it, and its error. The inflated quadratic terms also hold θ̂ near the SM:
1.0.1 over-covers there${published ? ` (${formatCoverage(published.estimates.find((e) => e.cl === 0.6827)!)} at 68.27%)` : ''} and, at the boundary, its θ̂ barely follows the data (its spread is a tenth of the truth's).
${
    draft
      ? `
**The first draft: the selection alone.** With the analysis selection stated (the detector's acceptance and
150 GeV ≤ m_ℓℓ ≤ 6 TeV; 7 of 44,878 reference events drop out, among them the 11 TeV one) and σ's control variate over the
reference sample as before, the quadratic coefficients agree with the generator (${percentRange(draft.quadraticExcess)}), and the likelihood
under-covers badly at the SM. Its linear coefficients (${coefficient(draft, 1)}, ${coefficient(draft, 2)}, ${coefficient(draft, 3)}) lie
about 10⁻³ from the mean ĉ${revised ? ` (1.1.0's far more precise ${revised.published.slice(1, 4).map((v) => v.toPrecision(4)).join(', ')})` : ''}, and a score of
L σ0 × 10⁻³ ≈ 360 at the SM, along the direction the three coefficients nearly share, where the curvature is about
1/(0.004)² (the profiled 68% half-widths are 0.004–0.006, against 0.0007–0.0017 one at a time), moves θ̂ by ~0.005: the bias
measured above. In 1.0.1 the same mismatch was there (${coefficient(old, 1)}, ${coefficient(old, 2)}, ${coefficient(old, 3)}),
hidden by the inflated quadratic terms.
`
      : ''
  }${
    revised
      ? `
**1.1.0: the selection, and σ from a large sample.** The same networks, byte for byte; the reference sample derived again
with the selection (${old.referenceEvents.toLocaleString('en-US')} → ${revised.referenceEvents.toLocaleString('en-US')} events; without it, 1.0.1's event for event), and σ's control
variate over ${revised.controlVariateProposals.toLocaleString('en-US')} generated events, ${(revised.controlVariateProposals / revised.referenceProposals).toFixed(0)} times the reference sample's. Its largest single reference event carries ${(100 * revised.largestShare).toFixed(1)}% of
eq. 34's C_lq1²; its large quadratic coefficients are ${percentRange(revised.quadraticExcess)} off the generator's. Events outside the selection
are refused (\`422 outside-selection\`). Its coverage follows the truth's at every level at the SM and is more conservative
than the truth's at the boundary; its θ̂ follows the truth's on the same toys. The remaining expected bias (the table above,
learned − truth on one large sample) is of the size that the generator's own Monte Carlo error on σ's linear coefficients
(${coefficient(revised, 1)}: 4·10⁶ generated events, now the larger part of the error) gives along the degenerate direction;
removing it would take some 10⁸. The pulls against the generator are the regression's own bias, which the control variate's
(Monte Carlo) error does not hold: σ must be the mean of the learned R̂, not the generator's, for the fit to be unbiased;
the cross terms with C_eu, exactly 0 in the generator by helicity, are learned at the per-mille level of the diagonal ones.
`
      : ''
  }${
    morphing
      ? `
**\`dy-smeft-run3-morphing\`: morphing-aware estimation** ([drell-yan-estimators.md](drell-yan-estimators.md)), with the same
selection and a control variate over ${morphing.controlVariateProposals.toLocaleString('en-US')} generated events. Its large quadratic coefficients, the mean of its ĉ, are
${percentRange(morphing.quadraticExcess)} off the generator's, and its C_lq3·C_eu term is ${morphing.published[monomialIndex(BASIS, [0, 1, 1])].toPrecision(2)} where the generator's is 0: its
learned ĉ₂ is too large, which narrows its intervals below the truth's on the test sample.${
          revised
            ? ` A defect of its own: its control variate starts from the generator's coefficients *without* the selection (its
networks were trained, and their generator record kept, before the selection existed; 1.1.0 recomputed its own), which differ
from the selected ones by up to ${Math.max(...morphing.generator.slice(1, 4).map((v, k) => Math.abs(v - revised.generator[k + 1]))).toExponential(1)} in the linear coefficients (its control variate's
error: ${Math.min(...morphing.errors.slice(1, 4)).toExponential(1)}–${Math.max(...morphing.errors.slice(1, 4)).toExponential(1)}) and ${(100 * Math.max(...morphing.generator.slice(4).map((v, k) => (revised.generator[k + 4] === 0 ? 0 : Math.abs(v / revised.generator[k + 4] - 1))))).toFixed(1)}% in the quadratic ones; a later version recomputes it.`
            : ''
        } Its network is 27 MLPs per event
(9 benchmarks × 3 members; the times per toy above), so its studies have ${morphingStudies.map((st) => st.learned.q.length).join(' and ')} toys: binomial errors of ±${(100 * Math.sqrt((0.6827 * 0.3173) / Math.max(1, Math.min(...morphingStudies.map((st) => st.learned.q.length))))).toFixed(0)}% at
68.27%, enough to see a failure of the size of 1.0.1's at the boundary or the first draft's at the SM, not a 5% one. At
68.27% it covers ${morphingStudies.map((st) => `${formatCoverage(st.learned.estimates.find((e) => e.cl === 0.6827)!)} at ${where(st.at)} (truth ${formatCoverage(st.truth.estimates.find((e) => e.cl === 0.6827)!)})`).join(' and ')}: no failure of that size.
`
      : ''
  }`;
}

export interface CoverageDocumentOptions {
  root: string;
  run: string;
  workers: number;
  again: boolean;
  docs: string;
  log: (line: string) => void;
  onProgress?: (what: string, done: number, total: number) => void;
}

/**
 * Runs or reuses DOCUMENTED_STUDIES (a study whose artifact is not there, the first draft on a
 * fresh clone, is left out and said so), fits each artifact's expected sample and writes the document.
 */
export async function writeCoverageDocument(options: CoverageDocumentOptions): Promise<void> {
  const { drellYanCoverageStudy } = await import('./run.js');
  const studies: CoverageStudy[] = [];
  const artifacts = new Map<string, LoadedArtifact>();
  for (const entry of DOCUMENTED_STUDIES) {
    const root = entry.root ?? options.root;
    if (!existsSync(`${root}/index.json`)) {
      options.log(`left out: ${entry.name} at ${entry.at} (no ${root}/index.json; drell-yan-selection --control-variate 0 makes it)`);
      continue;
    }
    const what = `${entry.name} at ${entry.at === 'sm' ? 'the SM' : 'the boundary'}`;
    const study = await drellYanCoverageStudy({
      root,
      spec: entry.likelihood,
      at: entry.at === 'sm' ? PARAMETERS.map(() => 0) : undefined,
      toys: entry.toys,
      workers: options.workers,
      run: entry.run ?? options.run,
      again: options.again,
      onProgress: (d, t) => options.onProgress?.(what, d, t),
    });
    options.log(`${what}: ${study.reused ? 'reused' : 'kept in'} ${study.file}`);
    studies.push({ ...study, name: entry.name });
    if (!artifacts.has(entry.name)) artifacts.set(entry.name, await readPublished(root, entry.likelihood));
  }
  const [earlier] = artifacts.values();
  const configuration = earlier.manifest.provenance.configuration as { drellYan: { seed: number; crossSectionEvents: number } };
  const { seed, crossSectionEvents } = configuration.drellYan;
  const above200 = generatorCrossSection(crossSectionEvents, deriveSeed(seed, 'generator')).above200;
  const expected = [...artifacts].map(([name, artifact]) => ({ name, ...expectedFit(artifact, deriveSeed(seed, 'expected-fit'), above200) }));
  const publishedSm = (earlier.manifest.validation.coverage ?? []).filter((e) => Object.values(e.at ?? {}).every((v) => v === 0));
  const figure = coverageComparisonFigure(studies.map((s) => ({ ...s, label: s.name })));
  const paths = await placeFigures(options.docs, [{ name: figure.name, svg: (figure.payload as { svg: string }).svg }], []);
  const text = coverageDocument({
    studies,
    published: publishedSm.length ? { label: `${earlier.manifest.id}@${earlier.manifest.version}`, estimates: publishedSm } : null,
    crossSections: [...artifacts].map(([name, artifact]) => ({ ...crossSectionRecord(artifact), name })),
    expected,
    figure: `![${figure.description}](${paths.get(figure.name)})`,
  });
  await writeFile(options.docs, text);
  options.log(`wrote ${options.docs}`);
}
