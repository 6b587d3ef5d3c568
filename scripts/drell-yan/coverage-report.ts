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

export type CoverageStudy = Awaited<ReturnType<typeof drellYanCoverageStudy>>;

/** The studies docs/drell-yan-coverage.md reports: 1.0.1 and 1.1.0 on the same toys at the boundary, 1.1.0 at the SM. */
export const DOCUMENTED_STUDIES: readonly { likelihood: string; at: 'boundary' | 'sm'; toys: number }[] = [
  { likelihood: 'dy-smeft-run3@1.0.1', at: 'boundary', toys: 200 },
  { likelihood: 'dy-smeft-run3@1.1.0', at: 'boundary', toys: 200 },
  { likelihood: 'dy-smeft-run3@1.1.0', at: 'sm', toys: 100 },
];

const signed = (v: number, digits = 5) => (v >= 0 ? '+' : '') + v.toFixed(digits);
const where = (at: readonly number[]) => (at.every((v) => v === 0) ? 'the SM' : PARAMETERS.map((p, k) => `${p.name} = ${at[k]}`).join(', '));
const label = (s: CoverageStudy) => `${s.id}@${s.version}`;
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
  const head = [...studies.flatMap((s) => [`${label(s)}`, `truth (${s.version} toys)`]), ...extra.map((e) => e.heading)];
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
  notes: readonly string[];
}

/** σ(θ)'s coefficients of a published Drell–Yan artifact against its generator, and eq. 34 on its reference sample. */
export function crossSectionRecord(artifact: LoadedArtifact): CrossSectionRecord {
  const { manifest } = artifact;
  const term = manifest.terms[0];
  if (term.kind !== 'unbinned-polynomial') throw new Error('expected the unbinned polynomial term of dy-smeft-run3');
  const configuration = manifest.provenance.configuration as { generatorCrossSection: { sigmaPb: number; coefficients: number[] }; crossSectionErrors: number[]; referenceSampleCrossSection: number[] };
  const g = configuration.generatorCrossSection;
  const total = term.crossSection.value / 1000;
  const backgroundPb = total - g.sigmaPb;
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
  const generator = g.coefficients.map((s, j) => (g.sigmaPb * s + (j === 0 ? backgroundPb : 0)) / total);
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
    notes: manifest.validation.notes ?? [],
  };
}

function crossSectionTable(records: readonly CrossSectionRecord[]): string {
  const head = records.flatMap((r) => [`${r.label}: generator`, `${r.label}: eq. 34`, `${r.label}: published`, 'pull']);
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
  crossSections: readonly CrossSectionRecord[];
  figure: string;
}

export function coverageDocument({ studies, published, crossSections, figure }: CoverageDocument): string {
  const boundary = studies.filter((s) => s.at.some((v) => v !== 0));
  const sm = studies.filter((s) => s.at.every((v) => v === 0));
  const point = boundary[0]?.at ?? [];
  const [old, revised] = crossSections;
  return `# Drell–Yan: coverage away from the SM, and σ(θ) against the generator

Issue 13 asked whether the learned Drell–Yan likelihood covers where coverage can fail: at the SM the score's variance
equals the likelihood's own Hessian, so coverage is nominal to first order for any learned ĉ; away from it the learned
response matters. Everything here comes from \`npm run cli -- drell-yan-coverage\` (the toys are kept in
\`runs/dy-smeft-run3-coverage/\`; a run from scratch takes about two hours on 2 cores), which also prints the tables.

**The point.** On the C_lq3 axis, where Asimov data exclude the SM at 95.45% (joint, χ²₃), by the parton-level truth:
${where(point)} (TeV⁻²; \`expectedBoundary\` in scripts/drell-yan/coverage.ts: 2L Σ w (1 − R + R ln R) over 10⁶ proposals).

**The toys** are exact Poisson processes of selected events drawn from the generator at the true θ (thinning with each
proposal's exact R(z|θ)), each evaluated with the published likelihood (ensemble mean) and, on the same events, with the
parton-level truth (every event's exact coefficients, σ(θ) from the generator). Coverage: the fraction whose joint 3-D
region q(θ_true) < χ²₃ quantile holds the true θ, with its binomial error (Clopper–Pearson where 0% or 100%). Toy k is the
same event sample in every study at the same θ; a likelihood with a selection sees only its selected events.
${studies.map((s) => `- ${studyFacts(s)}.`).join('\n')}

## Coverage at the expected 95.45% boundary

${coverageTable(boundary)}

## Coverage at the SM

${coverageTable(sm, published ? [{ heading: `${published.label} (published validation)`, estimates: published.estimates }] : [])}

${figure}

## Bias of θ̂

Mean of θ̂ − θ_true over the toys, with its standard error, and θ̂'s standard deviation.

${biasTable(studies)}

## σ(θ) against the generator

σ(θ) = σ(θ0) Σ_k s_k m_k(θ). Generator: the exact coefficients of the selected signal plus the background; eq. 34: the
learned ĉ averaged over the published reference sample; published: the control variate s = s_generator + Σ w (ĉ − c) / Σ w
over the reference sample, with its Monte Carlo error; pull: (published − generator) / error.

${crossSectionTable(crossSections)}

**Why ${old.label}'s large quadratic coefficients are ${percentRange(old.quadraticExcess)} off.** One reference event carries
${(100 * old.largestShare).toFixed(0)}% of its eq. 34 C_lq1² coefficient: a background event far above 6 TeV. The signal is generated up to m = 6 TeV,
the background (∝ m⁻⁴) to the kinematic limit, so there the classifier's signal fraction extrapolates to 1 and the learned
ĉ, which grows like m⁴, to ~10⁵; the control variate's correction inherits it, and its error.${
    revised
      ? ` ${revised.label} keeps the networks and states the analysis selection (the detector's acceptance and 150 GeV ≤ m_ℓℓ ≤ 6 TeV):
its reference sample and σ are derived again from the same seeds with it (${old.referenceEvents.toLocaleString('en-US')} → ${revised.referenceEvents.toLocaleString('en-US')} events), and events outside it are
refused (\`422 outside-selection\`). Its largest single event carries ${(100 * revised.largestShare).toFixed(1)}% of the same coefficient, and its large quadratic
coefficients are ${percentRange(revised.quadraticExcess)} off the generator's. From its validation record:

${revised.notes
  .slice(0, 1)
  .map((n) => `> ${n}`)
  .join('\n')}

The remaining pulls are the regression's own bias, which the control variate's error (Monte Carlo only) does not hold:
the cross terms with C_eu, exactly 0 in the generator by helicity, are learned at the per-mille level of the diagonal ones.`
      : ''
  }
`;
}
