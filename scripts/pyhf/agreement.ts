/**
 * docs/pyhf-agreement.md: the service against pyhf on every published workspace of the corpus
 * (test/fixtures/pyhf/corpus/, issue 14), side by side in one table per quantity. For each
 * workspace, through the service's own use cases with the API's default arguments — the numbers
 * `POST /v1/pyhf/{fit,cls,upper-limit,interval}` answer for that workspace:
 *
 *   −ln L at pyhf's points      ours and pyhf's, each against the same terms summed in 60-digit
 *                               arithmetic (scripts/reference/exact-poisson.ts);
 *   the MLE                     our minimum with its iterations and EDM; pyhf's default fit
 *                               (SLSQP, its default tolerance) and its polished fit (1e-12);
 *   CLs at μ = 1 and the limits the observed and expected 95% CLs upper limits against pyhf's
 *                               toms748 scan with every fit polished (tolerance 1e-10);
 *   the POI's interval          68% and 95% profile intervals against brentq over pyhf fits;
 *
 * with the time each took (ours in this process; pyhf's as recorded with its numbers).
 *
 *     npm run pyhf:agreement [-- --only atlas_3L_eRJR_350_150] [-- --print]
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import type { LoadedArtifact } from '../../models/artifact/load.js';
import { maximumLikelihood } from '../../models/inference/mle.js';
import { importWorkspace, pyhfLikelihood } from '../../models/pyhf/import.js';
import { parseWorkspace } from '../../models/pyhf/workspace-schema.js';
import { fit, interval } from '../../models/service/fit.js';
import { cls, upperLimit } from '../../models/service/hypothesis.js';
import { workspaceLikelihood } from '../../models/service/pyhf.js';
import { ClsRequestSchema, FitRequestSchema, IntervalRequestSchema, UpperLimitRequestSchema, type IntervalResponse } from '../../models/service/schemas.js';
import { exact, exactBinnedNll } from '../reference/exact-poisson.js';
import { corpusCase, corpusNames, type CorpusCase } from '../reference/pyhf-corpus.js';
import { progressBar } from '../lib/progress.js';

/** What the doc calls agreement (issue 14, "Done when"; the older fixtures' tolerances for CLs and intervals). */
export const TOLERANCE = { nllExact: 1e-12, cls: 1e-4, limit: 1e-4, interval: 1e-4, mleAbove: 1e-6 } as const;

/**
 * Below this q_μ,A, CLs ≈ 1 − O(√q_μ,A) is set by a difference of two Asimov minima smaller than
 * pyhf's polished fits resolve (SLSQP's ftol 1e-10 is relative to −ln L ~ 50): there the rows
 * compare only that both CLs lie above 0.999, i.e. that μ = 1 is far from excluded.
 */
export const UNRESOLVED_QMU_A = 1e-6;

/** CLs at μ = 1 agrees with pyhf's polished value: to TOLERANCE.cls, or both above 0.999 where pyhf cannot resolve q_μ,A. */
export function clsAgrees(c: NonNullable<AgreementRow['cls']>): boolean | null {
  if (c.ours === null || c.pyhfPolished === null) return null;
  if (c.pyhfPolishedQmuA !== null && c.pyhfPolishedQmuA < UNRESOLVED_QMU_A) return c.ours > 0.999 && c.pyhfPolished > 0.999;
  return Math.abs(c.ours - c.pyhfPolished) <= TOLERANCE.cls;
}

export interface AgreementRow {
  name: string;
  analysis: string;
  channels: number;
  bins: number;
  parameters: number;
  poi: string | null;
  nll: { points: number; ours: number; pyhf: number };
  mle: { ours: number; iterations: number; edm: number; converged: boolean; ms: number; pyhfDefault: number; pyhfDefaultIterations: number | null; pyhfDefaultSeconds: number; pyhfTight: number; pyhfTightSeconds: number };
  /** CLs at μ = 1; q_μ,A beside it, whose resolution decides how well CLs near 1 can agree */
  cls: { ours: number | null; pyhf: number | null; pyhfPolished: number | null; qmuA: number | null; pyhfPolishedQmuA: number | null } | null;
  /** `polished`: pyhf's toms748 scan with polished fits or, where that fails, its limits by the way `polishedMethod` says */
  limit: { ours: (number | null)[]; ms: number; messages: string[]; pyhf: number[] | null; pyhfSeconds: number | null; polished: (number | null)[] | null; polishedSeconds: number | null; polishedMethod: string | null; skipped: string | null } | null;
  interval: { ours: (number | null)[]; ms: number; pyhf: (number | null)[] | null; pyhfSeconds: number | null } | null;
}

const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
const timed = <T>(run: () => T): [T, number] => {
  const t = performance.now();
  const value = run();
  return [value, performance.now() - t];
};

/** Our numbers on one corpus workspace beside pyhf's. */
export async function measureCase(c: CorpusCase): Promise<AgreementRow> {
  const { reference: ref, source } = c;
  const imported = importWorkspace(c.workspace, { poi: ref.poi });
  const { term, likelihood, data } = pyhfLikelihood(imported);
  const index = likelihood.termIndex(term);
  const termData = data.terms.pyhf as { counts: Float64Array; aux: Float64Array };

  // −ln L at pyhf's points, both against 60-digit sums of the same terms
  let ours = 0;
  let pyhf = 0;
  for (const point of ref.nll_points) {
    const x = Float64Array.from(likelihood.names, (name) => {
      if (!(name in point.pars)) throw new Error(`${c.name}: pyhf's point has no '${name}'`);
      return point.pars[name];
    });
    const reference = exactBinnedNll(term, x, index, termData);
    ours = Math.max(ours, exact(likelihood.nll(x, data)).minus(reference).abs().div(reference.abs()).toNumber());
    pyhf = Math.max(pyhf, exact(point.nll).minus(reference).abs().div(reference.abs()).toNumber());
  }

  const poi = ref.poi;
  let artifact: LoadedArtifact | null = null;
  if (poi) artifact = (await workspaceLikelihood(parseWorkspace(c.workspace), { poi })).artifact;

  // the MLE: through the service where the workspace has a POI (the fit endpoint), else the model
  maximumLikelihood(likelihood, data); // warm-up: compiled code, caches
  const [best, mleMs] = timed(() => {
    if (!artifact) {
      const m = maximumLikelihood(likelihood, data);
      return { ours: m.nll, iterations: m.iterations, edm: m.edm, converged: m.converged };
    }
    const m = fit(artifact, FitRequestSchema.parse({}));
    return { ours: m.nll ?? NaN, iterations: 'iterations' in m ? m.iterations : 0, edm: 'edm' in m ? m.edm : Infinity, converged: m.converged };
  });
  const row: AgreementRow = {
    name: c.name,
    analysis: source.analysis ?? source.source_repo,
    channels: source.channels,
    bins: source.bins,
    parameters: source.parameters,
    poi,
    nll: { points: ref.nll_points.length, ours, pyhf },
    mle: {
      ...best,
      ms: mleMs,
      pyhfDefault: ref.mle.default.nll,
      pyhfDefaultIterations: ref.mle.default.optimizer?.nit ?? null,
      pyhfDefaultSeconds: ref.mle.default.seconds,
      pyhfTight: ref.mle.tight.nll,
      pyhfTightSeconds: ref.mle.tight.seconds,
    },
    cls: null,
    limit: null,
    interval: null,
  };
  if (!artifact || !poi) return row;

  const atOne = cls(artifact, ClsRequestSchema.parse({ values: [1] })).results[0];
  const polishedAtOne = ref.hypotests_polished?.find((h) => h.mu === 1);
  row.cls = {
    ours: atOne.cls,
    pyhf: ref.hypotests?.find((h) => h.mu === 1 && h.test_stat === 'qtilde')?.cls ?? null,
    pyhfPolished: polishedAtOne?.cls ?? null,
    qmuA: atOne.qmuA,
    pyhfPolishedQmuA: polishedAtOne ? polishedAtOne.sqrt_qmu_A ** 2 : null,
  };

  const [limit, limitMs] = timed(() => upperLimit(artifact, UpperLimitRequestSchema.parse({})));
  const skipped = ref.skipped?.find((s) => s.stage === 'upper_limit_polished')?.reason ?? null;
  row.limit = {
    ours: [limit.observed, ...limit.expected],
    ms: limitMs,
    messages: limit.messages,
    pyhf: ref.upper_limit ? [ref.upper_limit.observed, ...ref.upper_limit.expected] : null,
    pyhfSeconds: ref.upper_limit?.seconds ?? null,
    polished: ref.upper_limit_polished ? [ref.upper_limit_polished.observed, ...ref.upper_limit_polished.expected] : c.otherLimits ? [c.otherLimits.observed, ...c.otherLimits.expected] : null,
    polishedSeconds: ref.upper_limit_polished?.seconds ?? c.otherLimits?.seconds.total ?? null,
    polishedMethod: ref.upper_limit_polished ? null : (c.otherLimits?.method ?? null),
    skipped,
  };

  const [poiInterval, intervalMs] = timed(() => interval(artifact, IntervalRequestSchema.parse({ parameters: [poi], cl: [0.6827, 0.95] })) as IntervalResponse);
  const ends = (poiInterval.intervals ?? []).flatMap((i) => (i.segments.length === 1 ? [i.segments[0].lowerOpen ? null : i.segments[0].lower, i.segments[0].upperOpen ? null : i.segments[0].upper] : [NaN, NaN]));
  const pyhfInterval = ref.intervals?.find((i) => i.parameter === poi);
  row.interval = { ours: ends, ms: intervalMs, pyhf: pyhfInterval ? pyhfInterval.intervals.flatMap((i) => [i.lower, i.upper]) : null, pyhfSeconds: ref.stage_seconds?.intervals ?? null };
  return row;
}

/** The largest relative difference of two lists of limits (0 where both have none); null without a reference. */
export function worstRelative(ours: readonly (number | null)[], theirs: readonly (number | null)[] | null): number | null {
  if (!theirs) return null;
  // both without a limit inside the POI's range agree; one without does not
  return Math.max(0, ...ours.map((v, k) => (v === null && theirs[k] === null ? 0 : v === null || theirs[k] === null ? Infinity : relative(v, theirs[k]!))));
}

const fmt = (v: number | null | undefined, digits = 6) => (v === null || v === undefined ? '—' : Number.isFinite(v) ? v.toPrecision(digits) : String(v));
const sci = (v: number | null) => (v === null ? '—' : v === 0 ? '0' : v.toExponential(1));
const pass = (ok: boolean | null) => (ok === null ? '' : ok ? ' ✓' : ' ✗');

/** The findings in a few lines, from the rows. */
function summaryOf(rows: AgreementRow[]): string[] {
  const worst = <T>(items: T[], value: (t: T) => number | null) => items.reduce<{ item: T; value: number } | null>((best, t) => {
    const v = value(t);
    return v !== null && (!best || v > best.value) ? { item: t, value: v } : best;
  }, null);
  const nllPyhf = worst(rows, (r) => r.nll.pyhf)!;
  const nllOurs = worst(rows, (r) => r.nll.ours)!;
  const stuck = rows.filter((r) => r.mle.pyhfDefault - r.mle.ours > 1e-3);
  const limits = rows.filter((r) => r.limit?.polished);
  const limitWorst = worst(limits, (r) => worstRelative(r.limit!.ours, r.limit!.polished));
  const fitMs = rows.map((r) => r.mle.ms);
  return [
    '## Summary',
    '',
    `- **−ln L** equals the 60-digit sum of its terms to ${sci(nllOurs.value)} on every workspace; pyhf's is off by up to ${sci(nllPyhf.value)} (${nllPyhf.item.name}, whose shapesys constraint has τ ≈ 2·10¹¹: λ − n ln λ + ln Γ(n + 1) loses the digits that the saddle-point form keeps).`,
    `- **Fits** reach pyhf's polished minimum or below on all ${rows.length} workspaces, in ${Math.round(Math.min(...fitMs))}–${Math.round(Math.max(...fitMs))} ms. pyhf's default fit stops above the minimum on ${stuck.map((r) => `${r.name} (by ${(r.mle.pyhfDefault - r.mle.ours).toPrecision(2)}, after ${r.mle.pyhfDefaultIterations ?? '?'} iteration${r.mle.pyhfDefaultIterations === 1 ? '' : 's'})`).join(', ') || 'none'}.`,
    `- **Limits** agree with pyhf's polished ones on all ${limits.length} workspaces with a POI, to ${limitWorst ? sci(limitWorst.value) : '—'} relative at worst (${limitWorst?.item.name ?? '—'}). On the three-lepton search pyhf's own scan fails and its default limits are off by up to 56%; with its Poisson terms evaluated exactly, pyhf agrees with ours to ${sci(worstRelative(rows.find((r) => r.name === 'atlas_3L_eRJR_350_150')?.limit?.ours ?? [], rows.find((r) => r.name === 'atlas_3L_eRJR_350_150')?.limit?.polished ?? null))}.`,
  ];
}

function documentOf(rows: AgreementRow[], versions: Record<string, string>): string {
  const lines: string[] = [];
  lines.push('# The service against pyhf on published likelihoods');
  lines.push('');
  lines.push('Written by `npm run pyhf:agreement` (scripts/pyhf/agreement.ts) from the corpus in');
  lines.push('`test/fixtures/pyhf/corpus/` (where each workspace comes from, and how pyhf\'s numbers were made:');
  lines.push('its README). Ours are what `POST /v1/pyhf/{fit,cls,upper-limit,interval}` answers for the workspace');
  lines.push('with default arguments (`interval` with `cl: [0.6827, 0.95]`, pyhf\'s levels); workspaces without a POI');
  lines.push(`are fitted through the model, as the API needs a POI. pyhf ${versions.pyhf} (commit ${versions.pyhf_commit}), numpy ${versions.numpy}, scipy ${versions.scipy}, Python ${versions.python}; our times are this process's on the project's 2-core machine, pyhf's its CPU seconds as recorded.`);
  lines.push('`npm test` checks every row (test/models/pyhf/corpus-agreement.test.ts).');
  lines.push('');
  lines.push(...summaryOf(rows));
  lines.push('');
  lines.push('## −ln L: which one is exact');
  lines.push('');
  lines.push(`At pyhf's points (its initial point, random points at 0.3, 1.5 and 2.5 constraint widths, its MLE), the largest relative difference from the same Poisson and Gaussian terms summed in 60-digit arithmetic (decimal.js) at the same expected counts. Ours must be within ${TOLERANCE.nllExact}.`);
  lines.push('');
  lines.push('| workspace | channels / bins / parameters | points | ours − exact | pyhf − exact |');
  lines.push('| --- | --- | --- | --- | --- |');
  for (const r of rows) lines.push(`| ${r.name} | ${r.channels} / ${r.bins} / ${r.parameters} | ${r.nll.points} | ${sci(r.nll.ours)}${pass(r.nll.ours <= TOLERANCE.nllExact)} | ${sci(r.nll.pyhf)} |`);
  lines.push('');
  lines.push('## The maximum-likelihood fit');
  lines.push('');
  lines.push(`Our minimum against pyhf's default fit (scipy SLSQP with pyhf's default tolerance) and its polished one (tolerance 1e-12). Where our −ln L is lower than pyhf's polished fit, pyhf stopped early or its −ln L is off (previous table); ours may be at most ${TOLERANCE.mleAbove} above it.`);
  lines.push('');
  lines.push('| workspace | ours: −ln L (iterations, EDM) | ms | pyhf default: −ln L (iterations) | s | pyhf polished | s | ours − polished |');
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const m = r.mle;
    lines.push(`| ${r.name} | ${fmt(m.ours, 12)} (${m.iterations}, ${sci(m.edm)})${m.converged ? '' : ' not converged'} | ${m.ms.toFixed(0)} | ${fmt(m.pyhfDefault, 12)} (${m.pyhfDefaultIterations ?? '—'}) | ${m.pyhfDefaultSeconds.toFixed(2)} | ${fmt(m.pyhfTight, 12)} | ${m.pyhfTightSeconds.toFixed(2)} | ${sci(m.ours - m.pyhfTight)}${pass(m.converged && m.ours - m.pyhfTight <= TOLERANCE.mleAbove)} |`);
  }
  lines.push('');
  lines.push('## CLs at μ = 1 and the 95% CLs upper limits');
  lines.push('');
  lines.push(`q̃_μ, asymptotic. Limits: observed, then the expected −2σ … +2σ; the difference is the largest relative one of the six, against pyhf's toms748 scan with polished fits (pass: ${TOLERANCE.limit}); pyhf's default-optimizer scan beside it.`);
  lines.push('');
  lines.push(`CLs at μ = 1 must agree to ${TOLERANCE.cls}, except where pyhf's q_μ,A is below ${UNRESOLVED_QMU_A}: CLs ≈ 1 − O(√q_μ,A) then rests on a difference of two Asimov minima finer than SLSQP's ftol 1e-10 resolves on −ln L ~ 50, and both must only lie above 0.999 (μ = 1 far from excluded).`);
  lines.push('');
  lines.push('| workspace | CLs(1): ours (q_μ,A) | pyhf polished (q_μ,A) | pyhf default | limits: ours | ms | pyhf polished | s | ours vs polished | pyhf default | vs default |');
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    if (!r.limit || !r.cls) continue;
    const l = r.limit;
    const vsPolished = worstRelative(l.ours, l.polished);
    const vsDefault = worstRelative(l.ours, l.pyhf);
    const list = (v: readonly (number | null)[] | null) => (v ? v.map((x) => fmt(x, 5)).join(', ') : '—');
    lines.push(`| ${r.name} | ${fmt(r.cls.ours)} (${sci(r.cls.qmuA)})${pass(clsAgrees(r.cls))} | ${fmt(r.cls.pyhfPolished)} (${sci(r.cls.pyhfPolishedQmuA)}) | ${fmt(r.cls.pyhf)} | ${list(l.ours)} | ${l.ms.toFixed(0)} | ${l.polished ? `${list(l.polished)}${l.polishedMethod ? ' †' : ''}` : `— (${(l.skipped ?? 'not run').split('\n')[0].slice(0, 90)})`} | ${fmt(l.polishedSeconds, 3)} | ${sci(vsPolished)}${pass(vsPolished === null ? null : vsPolished <= TOLERANCE.limit)} | ${list(l.pyhf)} | ${sci(vsDefault)} |`);
  }
  const others = rows.filter((r) => r.limit?.polishedMethod);
  if (others.length) {
    lines.push('');
    lines.push('† where pyhf\'s toms748 scan gives no limit, pyhf\'s limits found otherwise:');
    for (const r of others) lines.push(`- ${r.name}: ${r.limit!.polishedMethod}`);
  }
  lines.push('');
  lines.push('## The POI\'s profile-likelihood interval');
  lines.push('');
  lines.push(`68.27% and 95% (lower, upper; — where the interval reaches the POI's bound), against brentq over pyhf fits with tolerance 1e-10 (pass: ${TOLERANCE.interval}, relative above 1).`);
  lines.push('');
  lines.push('| workspace | ours | ms | pyhf | s | largest difference |');
  lines.push('| --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    if (!r.interval) continue;
    const i = r.interval;
    const diff = i.pyhf ? Math.max(...i.ours.map((v, k) => (v === null && i.pyhf![k] === null ? 0 : v === null || i.pyhf![k] === null ? Infinity : Math.abs(v - i.pyhf![k]!) / Math.max(1, Math.abs(i.pyhf![k]!))))) : null;
    lines.push(`| ${r.name} | ${i.ours.map((v) => fmt(v, 5)).join(', ')} | ${i.ms.toFixed(0)} | ${i.pyhf ? i.pyhf.map((v) => fmt(v, 5)).join(', ') : '—'} | ${fmt(i.pyhfSeconds, 3)} | ${sci(diff)}${pass(diff === null ? null : diff <= TOLERANCE.interval)} |`);
  }
  lines.push('');
  return lines.join('\n');
}

async function main() {
  const program = new Command()
    .description('the service against pyhf on the corpus of published workspaces; writes docs/pyhf-agreement.md')
    .option('--only <name>', 'one workspace of the corpus')
    .option('--print', 'print the document instead of writing it')
    .parse();
  const options = program.opts<{ only?: string; print?: boolean }>();
  const names = options.only ? [options.only] : corpusNames();
  const progress = progressBar('pyhf agreement');
  const rows: AgreementRow[] = [];
  let versions: Record<string, string> = {};
  for (const [k, name] of names.entries()) {
    progress.update(k, names.length, name);
    const c = corpusCase(name);
    versions = c.reference.versions;
    rows.push(await measureCase(c));
  }
  progress.update(names.length, names.length);
  progress.stop();
  const text = documentOf(rows, versions);
  if (options.print || options.only) process.stdout.write(text);
  else writeFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'pyhf-agreement.md'), text);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
