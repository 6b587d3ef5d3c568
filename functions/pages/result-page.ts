/**
 * The public result page of one likelihood version (DESIGN.md "The public HTTP API",
 * `GET /likelihoods/{id}`): what was measured, the parameters, the profile-likelihood
 * scans with their intervals (observed and expected, with the ensemble's spread), 2-D
 * contours, the validation the producer published, and how to query it. Pure: from the
 * manifest, the loaded artifact and the analysis to an HTML string.
 */
import { monomialBasis } from '../../models/basis/monomial-basis.js';
import type { LoadedArtifact } from '../../models/artifact/load.js';
import type { Manifest } from '../../models/artifact/manifest-schema.js';
import { clopperPearson } from '../../models/inference/coverage.js';
import { chiSquaredThreshold } from '../../models/numeric/distributions.js';
import type { ConfidenceInterval } from '../../models/inference/intervals/profile.js';
import { CONTOUR_POINTS, MAX_PAIRS, PAGE_LEVELS, PLOT_Q_MAX, SCAN_POINTS, type Analysis, type ContourSummary, type DatasetKind, type PairAnalysis, type ParameterAnalysis } from '../../models/service/page-analysis.js';
import { binnedModelSection, clsSection } from './binned-sections.js';
import { diagnosticsSection } from './diagnostics-section.js';
import { examplePoint, exampleRequests, examples } from './examples.js';
import { dataLink, decimalsFor, formatLevel, formatNumber, formatPercent, formatUnit, formatValue, html, layout, raw, rich, type Markup } from './html.js';
import { COLORS, contourPlot, linePlot, type Band, type ContourLayer, type Marker, type Series, type Span } from '../../render/plots.js';
import { plainText } from '../../render/rich-text.js';
import { binnedTerms } from '../../models/terms/binned/term.js';
import { unbinnedTerms } from '../../models/terms/unbinned.js';
import type { ObservableSelection } from '../../models/likelihood/selection.js';

export interface ResultPageInput {
  manifest: Manifest;
  artifact: LoadedArtifact;
  analysis: Analysis;
  /** all published versions of this id, and the latest one */
  versions: string[];
  latest: string;
  /** the request's origin, for absolute URLs in the examples */
  origin: string;
  /** sha256 of the manifest's bytes (its strong ETag): with the components' digests it names, what was published, exactly */
  manifestSha256: string;
  /** a page for a workspace sent with the request (POST /v1/pyhf/page), not a published version: the workspace's sha256 */
  inline?: { workspaceSha256: string };
}

/** BibTeX for this artifact version, citable by the manifest's sha256. */
function bibtex(manifest: Manifest, origin: string, sha256: string): string {
  const key = `${manifest.id}_${manifest.version}`.replace(/[^A-Za-z0-9_]/g, '_');
  const year = manifest.provenance.createdAt.slice(0, 4);
  const escapeTex = (text: string) => text.replace(/[\\{}&%$#_^~]/g, (c) => `\\${c}`);
  return [
    `@misc{${key},`,
    `  title        = {${escapeTex(manifest.title)}},`,
    `  howpublished = {Likelihood artifact \\texttt{${escapeTex(`${manifest.id}@${manifest.version}`)}}, \\url{${origin}/v1/likelihoods/${manifest.id}@${manifest.version}}},`,
    `  note         = {Manifest sha256 ${sha256}${manifest.citation.length ? `; cite also ${escapeTex(manifest.citation.join('; '))}` : ''}},`,
    `  year         = {${year}}`,
    '}',
  ].join('\n');
}

const STYLE: Record<DatasetKind, { color: string; dash?: string; label: string; short: string }> = {
  observed: { color: COLORS.black, label: 'observed', short: 'obs.' },
  expected: { color: COLORS.blue, dash: '7 4', label: 'expected (Asimov at θ0)', short: 'exp.' },
};

export function figurePath(manifest: Manifest, component: string): string {
  return `/likelihoods/${manifest.id}@${manifest.version}/figures/${component}.svg`;
}

/** One interval segment as text; an end that reaches the scanned range is written ≤ / ≥ (the interval may continue beyond). */
export function segmentText(segment: { lower: number; upper: number; lowerOpen: boolean; upperOpen: boolean }, decimals: number): string {
  const lower = `${segment.lowerOpen ? '≤ ' : ''}${formatValue(segment.lower, decimals)}`;
  const upper = `${segment.upperOpen ? '≥ ' : ''}${formatValue(segment.upper, decimals)}`;
  return `[${lower}, ${upper}]`;
}

function intervalCell(interval: ConfidenceInterval | undefined, decimals: number): Markup {
  if (!interval) return html`<td>—</td>`;
  if (!interval.segments.length) return html`<td class="num">empty</td>`;
  return html`<td class="num">${interval.segments.map((s, k) => html`${k ? html`<span class="note"> ∪ </span>` : ''}<span class="seg">${segmentText(s, decimals)}</span>`)}</td>`;
}

/** σ(θ)/σ0 = s·m(Δθ) as a readable polynomial in the parameters (Δθ written out when θ0 ≠ 0). */
export function polynomialText(coefficients: readonly number[], names: readonly string[], references: readonly number[], degree: number): string {
  const basis = monomialBasis(names.length, degree);
  const P = names.length;
  const sup = (n: number) => (n === 1 ? '' : [...String(n)].map((d) => '⁰¹²³⁴⁵⁶⁷⁸⁹'[Number(d)]).join(''));
  const variable = (i: number) => (references[i] === 0 ? names[i] : `(${names[i]} − ${formatNumber(references[i])})`);
  const terms: string[] = [];
  for (let k = 0; k < basis.size; k++) {
    const c = coefficients[k];
    if (!(Math.abs(c) > 1e-12)) continue;
    const factors: string[] = [];
    for (let i = 0; i < P; i++) {
      const e = basis.exponents[k * P + i];
      if (e > 0) factors.push(variable(i) + sup(e));
    }
    const magnitude = Math.abs(c);
    const coefficient = factors.length && Math.abs(magnitude - 1) < 1e-12 ? '' : formatNumber(magnitude, 4);
    const body = [coefficient, factors.join('·')].filter(Boolean).join(' ');
    terms.push(`${c < 0 ? '−' : '+'} ${body}`);
  }
  if (!terms.length) return '0';
  if (terms.length > 12) return `${terms.length} monomials up to degree ${degree}`;
  const text = terms.join(' ');
  return text.startsWith('+ ') ? text.slice(2) : `−${text.slice(2)}`;
}

function parameterLabel(manifest: Manifest, name: string): string {
  const unit = manifest.parameters.find((p) => p.name === name)?.unit;
  return unit ? `${name} [${formatUnit(unit)}]` : name;
}

function scanPlot(manifest: Manifest, parameter: ParameterAnalysis, index: number, members: number): string {
  const usable = parameter.scans.filter((s) => s.curve.length);
  const maxQ = Math.max(0, ...usable.flatMap((s) => s.curve.map((p) => p.q).filter(Number.isFinite)), ...usable.flatMap((s) => (s.band?.upper ?? []).filter(Number.isFinite)));
  const yTop = Math.min(Math.max(maxQ * 1.05, 5), PLOT_Q_MAX);
  const primary = usable[0];
  const series: Series[] = usable.map((s) => ({ points: s.curve.map((p) => [p.value, p.q] as const), color: STYLE[s.dataset].color, dash: STYLE[s.dataset].dash, width: s.dataset === 'observed' ? 2.4 : 2.2, label: STYLE[s.dataset].label }));
  const bands: Band[] = usable
    .filter((s) => s.band)
    .map((s) => ({ ...s.band!, color: s.dataset === 'observed' ? COLORS.grey : COLORS.sky, opacity: s.dataset === 'observed' ? 0.3 : 0.35, label: `${STYLE[s.dataset].short}: spread of ${members} ensemble members` }));
  const spans: Span[] = [];
  if (primary?.converged !== undefined && primary.intervals.length) {
    const [i68, i95] = [primary.intervals.find((i) => i.cl === PAGE_LEVELS[0]), primary.intervals.find((i) => i.cl === PAGE_LEVELS[1])];
    for (const s of i95?.segments ?? []) spans.push({ from: s.lower, to: s.upper, color: COLORS.orange, opacity: 0.14, label: `${formatLevel(PAGE_LEVELS[1])} CL interval (${STYLE[primary.dataset].short})` });
    for (const s of i68?.segments ?? []) spans.push({ from: s.lower, to: s.upper, color: COLORS.orange, opacity: 0.3, label: `${formatLevel(PAGE_LEVELS[0])} CL interval (${STYLE[primary.dataset].short})` });
  }
  const spec = manifest.parameters.find((p) => p.name === parameter.name)!;
  const markers: Marker[] = [{ x: spec.reference, y: 0, shape: 'diamond', color: COLORS.vermilion, label: 'θ0 (reference)' }];
  return linePlot({
    id: `scan-${index}`,
    xDomain: parameter.window,
    yDomain: [0, yTop],
    xLabel: parameterLabel(manifest, parameter.name),
    yLabel: `q(${parameter.name}) = −2 Δln L (profiled)`,
    title: `Profile-likelihood scan of ${parameter.name}`,
    description: `q(${parameter.name}) for ${usable.map((s) => STYLE[s.dataset].label).join(' and ')} data, with the ${PAGE_LEVELS.map(formatLevel).join(' and ')} CL thresholds.`,
    series,
    bands,
    spans,
    hlines: PAGE_LEVELS.map((cl) => {
      const t = chiSquaredThreshold(cl, 1);
      return { y: t, label: formatLevel(cl), color: '#57606a' };
    }),
    markers,
  });
}

function intervalTable(parameter: ParameterAnalysis, decimals: number): Markup {
  return html`<div class="scroll"><table>
<thead><tr><th>data</th><th class="num">best fit</th>${PAGE_LEVELS.map((cl) => html`<th class="num">${formatLevel(cl)} CL interval</th>`)}<th></th></tr></thead>
<tbody>${parameter.scans.map(
    (s) => html`<tr><td>${STYLE[s.dataset].label}</td>${
      s.error
        ? html`<td colspan="${PAGE_LEVELS.length + 2}" class="warn">scan failed: ${s.error}</td>`
        : html`<td class="num">${formatValue(s.best, decimals)}</td>${PAGE_LEVELS.map((cl) => intervalCell(s.intervals.find((i) => i.cl === cl), decimals))}<td>${s.converged ? '' : html`<span class="warn" title="some profile fits did not converge">⚠ not all fits converged</span>`}</td>`
    }</tr>`,
  )}</tbody>
</table></div>`;
}

function membersTable(parameter: ParameterAnalysis, decimals: number): Markup {
  const withMembers = parameter.scans.filter((s) => s.members?.length);
  if (!withMembers.length) return html``;
  return html`<details><summary>ensemble members' intervals (${withMembers[0].members!.length} members)</summary><div class="scroll"><table>
<thead><tr><th>data</th><th>member</th><th class="num">best fit</th>${PAGE_LEVELS.map((cl) => html`<th class="num">${formatLevel(cl)} CL interval</th>`)}</tr></thead>
<tbody>${withMembers.map((s) =>
    s.members!.map(
      (m, k) => html`<tr><td>${STYLE[s.dataset].label}</td><td>${k + 1}${m.converged ? '' : ' ⚠'}</td><td class="num">${formatValue(m.best, decimals)}</td>${PAGE_LEVELS.map((cl) => intervalCell(m.intervals.find((i) => i.cl === cl), decimals))}</tr>`,
    ),
  )}</tbody></table></div></details>`;
}

function contourFigure(manifest: Manifest, pair: PairAnalysis, index: number): Markup {
  const [a, b] = pair.parameters;
  const layers: ContourLayer[] = [];
  const usable = pair.contours.filter((c) => !c.error);
  for (const c of usable) {
    const style = STYLE[c.dataset];
    for (const level of c.contours) {
      const inner = level.cl === PAGE_LEVELS[0];
      layers.push({
        polygons: level.polygons,
        color: style.color,
        dash: inner ? undefined : '7 4',
        width: inner ? 2.4 : 1.8,
        fillOpacity: inner ? (c.dataset === 'observed' ? 0.1 : 0.08) : 0,
        label: `${formatLevel(level.cl)} CL ${c.dataset === 'observed' ? 'observed' : 'expected'}`,
      });
    }
  }
  const pa = manifest.parameters.find((p) => p.name === a)!;
  const pb = manifest.parameters.find((p) => p.name === b)!;
  const markers: Marker[] = [];
  const observed = usable.find((c) => c.dataset === 'observed');
  if (observed) markers.push({ x: observed.best[0], y: observed.best[1], shape: 'cross', color: COLORS.black, label: 'best fit (obs.)' });
  markers.push({ x: pa.reference, y: pb.reference, shape: 'diamond', color: COLORS.vermilion, label: 'θ0 (reference)' });
  const svg = contourPlot({
    id: `contour-${index}`,
    xDomain: pair.ranges[0],
    yDomain: pair.ranges[1],
    xLabel: parameterLabel(manifest, a),
    yLabel: parameterLabel(manifest, b),
    title: `Profile-likelihood confidence regions in (${a}, ${b})`,
    description: `${PAGE_LEVELS.map(formatLevel).join(' and ')} CL regions {q(${a}, ${b}) < χ²₂ quantile}, other parameters profiled.`,
    layers,
    markers,
  });
  const failures = pair.contours.filter((c) => c.error || !c.converged);
  return html`<figure><h3>${a} vs ${b}</h3><div class="plot">${raw(svg)}</div>${dataLink(`contours-${a}-${b}.json`, pair)}
<figcaption>${PAGE_LEVELS.map((cl) => `${formatLevel(cl)}: q < ${chiSquaredThreshold(cl, 2).toFixed(2)}`).join(', ')} (χ² with 2 degrees of freedom); other parameters profiled; grid ${CONTOUR_POINTS} × ${CONTOUR_POINTS} over the plotted ranges (those of the 1-D scan plots), crossings refined.</figcaption>
${failures.map((c: ContourSummary) => html`<p class="warn">${STYLE[c.dataset].label}: ${c.error ? `contour failed: ${c.error}` : 'not all profile fits converged'}</p>`)}
</figure>`;
}

/** What the manifest's crossSection.origin means, for the page. */
const CROSS_SECTION_ORIGINS = {
  exact: 'exact',
  'reference-sample': 'summed from the learned coefficients over the reference sample',
  'control-variate': "the generator's exact coefficients plus the learned-minus-exact mean over the reference sample (a control variate)",
  'generator-sample': "summed from the learned coefficients over the generator's sample at θ0, larger than the published reference sample",
  morphing: "the generator's cross sections at the morphing benchmarks, morphed",
} as const;

function measured(manifest: Manifest, artifact: LoadedArtifact, analysis: Analysis, published: boolean): Markup {
  const lumi = `${formatNumber(manifest.luminosity.value)} ${formatUnit(manifest.luminosity.unit)}`;
  const binned = binnedTerms(artifact.likelihood);
  const unbinned = unbinnedTerms(artifact.likelihood);
  const observedText = analysis.datasets.includes('observed')
    ? analysis.observedEvents !== null && unbinned.length
      ? `published (${analysis.observedEvents.toLocaleString('en-US')} events${binned.length ? ' and binned counts' : ''})`
      : 'published'
    : 'none published: the page shows expected results only';
  return html`<dl class="facts">
<dt>integrated luminosity</dt><dd>${lumi}</dd>
<dt>observed data</dt><dd>${observedText}</dd>
<dt>parameters of interest</dt><dd>${manifest.parameters.map((p, k) => html`${k ? ', ' : ''}<code>${p.name}</code>`)}</dd>
${artifact.likelihood.variants > 1 ? html`<dt>ensemble</dt><dd>${artifact.likelihood.variants - 1} members; their spread is shown with every scan</dd>` : ''}
</dl>
${
  manifest.observables.length
    ? html`<h3>Observables</h3><div class="scroll"><table><thead><tr><th>#</th><th>name</th><th>unit</th><th>selection</th><th>description</th></tr></thead><tbody>${manifest.observables.map(
        (o, k) => html`<tr><td class="num">${k + 1}</td><td><code>${o.name}</code></td><td>${o.unit ? formatUnit(o.unit) : '—'}</td><td>${o.selection ? selectionMarkup(o.name, o.selection) : '—'}</td><td>${rich(o.description ?? '')}</td></tr>`,
      )}</tbody></table></div><p class="note">Submitted events are rows of these values, in this order and these units${manifest.observables.some((o) => o.selection) ? ', inside the selection: the likelihood describes only those events, and refuses others' : ''}.</p>`
    : ''
}
${manifest.combination ? combinationMembers(manifest.combination) : ''}
${manifest.terms.length ? html`<h3>Likelihood terms</h3>` : ''}
${manifest.terms.map((term) => {
  if (term.kind === 'unbinned-polynomial' || term.kind === 'unbinned-parametrised') {
    const references = term.parameters.map((n) => manifest.parameters.find((p) => p.name === n)!.reference);
    const names = term.parameters.map((n, k) => html`${k ? ', ' : ''}<code>${n}</code>`);
    const polynomial = term.kind === 'unbinned-polynomial';
    const ratioComponent = manifest.components[term.ratio];
    return html`<div class="card"><p><strong>${term.name}</strong> <span class="tag">unbinned, extended</span><span class="tag">${polynomial ? html`degree ${term.degree} in ${names}` : html`parametrised ratio r̂(x|${names})`}</span></p>
${term.description ? html`<p>${rich(term.description)}</p>` : ''}
<dl class="facts">
<dt>observables</dt><dd>${term.observables.join(', ')}</dd>
<dt>cross section</dt><dd>σ(θ0) = ${formatNumber(term.crossSection.value)} ${formatUnit(term.crossSection.unit)}; σ(θ)/σ(θ0) = ${polynomialText(term.crossSection.coefficients, term.parameters, references, polynomial ? term.degree : term.crossSection.degree)} <span class="note">(${CROSS_SECTION_ORIGINS[term.crossSection.origin]})</span></dd>
<dt>expected events at θ0</dt><dd>${formatNumber(term.crossSection.value * manifest.luminosity.value, 5)} <span class="note">(σ(θ0) × luminosity, if the units agree)</span></dd>
<dt>ratio model</dt><dd>${polynomial ? ratioComponent?.kind ?? '' : 'network of the observables and θ, giving ln r̂(x|θ, θ0),'} <code>${term.ratio}</code>${ratioComponent?.description ? html`: ${ratioComponent.description}` : ''}</dd>
${polynomial && term.signalFraction ? html`<dt>background</dt><dd>θ-independent, through the signal fraction f_s(x) of <code>${term.signalFraction}</code>${manifest.components[term.signalFraction]?.description ? html` (${manifest.components[term.signalFraction].description})` : ''}: R̂ = f_s ĉ·m(θ) + 1 − f_s</dd>` : ''}
<dt>reference sample</dt><dd>${manifest.components[term.reference]?.description ?? term.reference}</dd>
${published && ratioComponent?.kind === 'network' ? html`<dt>exports</dt><dd>${onnxLinks(manifest, term)} · <a href="/v1/likelihoods/${manifest.id}@${manifest.version}/hs3">HS3 JSON</a> <span class="note">(HS3 has no neural node: the term is an <code>onnx_ratio_dist</code>, an extension documented at <a href="/docs#hs3-onnx">/docs#hs3-onnx</a>, that points at the ONNX model and carries θ0, σ(θ) and the luminosity)</span></dd>` : ''}
</dl></div>`;
  }
  const runtime = binned.find((b) => b.name === term.name);
  return html`<div class="card"><p><strong>${term.name}</strong> <span class="tag">binned templates</span></p>
${term.description ? html`<p>${rich(term.description)}</p>` : ''}
${runtime ? html`<dl class="facts"><dt>channels</dt><dd>${runtime.channels.map((ch, k) => html`${k ? ', ' : ''}<code>${ch.name}</code> (${ch.bins} bin${ch.bins === 1 ? '' : 's'})`)}</dd>
<dt>parameters</dt><dd>${runtime.parameters.length} (${runtime.constraints.length} constrained)</dd>
${published && binned.length === 1 && !unbinned.length ? html`<dt>as a pyhf workspace</dt><dd><a href="/v1/likelihoods/${manifest.id}@${manifest.version}/workspace">workspace JSON</a> · <a href="/v1/likelihoods/${manifest.id}@${manifest.version}/hs3">HS3 JSON</a> <span class="note">(pyhf schema 1.0.0${runtime.interest ? ', at the reference point θ0' : ', exact'}${runtime.observations ? '' : '; observations: the Asimov expectation at θ0'})</span></dd>` : ''}</dl>` : ''}
</div>`;
})}`;
}

/** ONNX downloads of a learned term's networks: the head outputs, and for a polynomial term ln R̂(x|θ) for onnxruntime and for RooONNXFunction. */
function onnxLinks(manifest: Manifest, term: Extract<Manifest['terms'][number], { kind: 'unbinned-polynomial' | 'unbinned-parametrised' }>): Markup {
  const base = `/v1/likelihoods/${manifest.id}@${manifest.version}/onnx`;
  const logRatio = term.kind === 'unbinned-polynomial';
  const fraction = term.kind === 'unbinned-polynomial' ? term.signalFraction : undefined;
  return html`ONNX: <a href="${base}/${term.ratio}">${term.ratio}</a>${logRatio ? html` · <a href="${base}/${term.ratio}?output=log-ratio">ln R̂(x|θ)</a> · <a href="${base}/${term.ratio}?output=log-ratio&amp;target=roofit">for RooONNXFunction</a>` : term.kind === 'unbinned-parametrised' ? html` · <a href="${base}/${term.ratio}?target=roofit">for RooONNXFunction</a>` : ''}${fraction ? html` · <a href="${base}/${fraction}">${fraction}</a>` : ''}`;
}

/** A combination's members, each a link to its own page, with what is shared. */
function combinationMembers(combination: NonNullable<Manifest['combination']>): Markup {
  const renames = Object.entries(combination.rename ?? {}).flatMap(([member, map]) => Object.entries(map).map(([from, to]) => html`<code>${member}</code>: <code>${from}</code> → <code>${to}</code>`));
  return html`<h3>A combination of published likelihoods</h3>
<p>The product of the members' likelihoods, each with its own data and luminosity: parameters of interest with the same name are one parameter; nuisance parameters are each member's own (<code>&lt;member&gt;/&lt;name&gt;</code>)${combination.correlate?.length ? html`, except ${combination.correlate.map((c, k) => html`${k ? ', ' : ''}<code>${c}</code>`)}, one parameter for every member that has it, its constraint counted once` : ''}.</p>
<div class="scroll"><table><thead><tr><th>member</th><th>manifest sha256</th></tr></thead><tbody>${combination.members.map(
    (m) => html`<tr><td><a href="/likelihoods/${m.id}@${m.version}"><code>${m.id}@${m.version}</code></a></td><td><code>${m.manifestSha256.slice(0, 12)}…</code></td></tr>`,
  )}</tbody></table></div>
${renames.length ? html`<p class="note">Renamed: ${renames.map((r, k) => html`${k ? '; ' : ''}${r}`)}.</p>` : ''}
<p class="note">Submitted data go per member through <code>POST /v1/combinations/{nll,fit,interval}</code>.</p>`;
}

function parametersTable(manifest: Manifest, analysis: Analysis): Markup {
  const primary = analysis.datasets[0];
  return html`<div class="scroll"><table>
<thead><tr><th>name</th><th class="num">reference θ0</th><th class="num">allowed range</th><th>unit</th><th class="num">best fit (${STYLE[primary].short})</th><th>description</th></tr></thead>
<tbody>${manifest.parameters.map((p, i) => {
    const d = decimalsFor(p.range);
    const scan = analysis.parameters[i]?.scans.find((s) => s.dataset === primary);
    return html`<tr><td><code>${p.name}</code>${p.wcxf ? html`<br><span class="note">WCxf ${p.wcxf.eft} / ${p.wcxf.basis}: ${p.wcxf.name}</span>` : ''}</td><td class="num">${formatNumber(p.reference)}</td><td class="num">[${formatNumber(p.range[0])}, ${formatNumber(p.range[1])}]</td><td>${p.unit ? formatUnit(p.unit) : '—'}</td><td class="num">${scan && !scan.error ? formatValue(scan.best, d) : '—'}</td><td>${rich(p.description ?? '')}</td></tr>`;
  })}</tbody></table></div>`;
}

function validation(manifest: Manifest): Markup {
  const v = manifest.validation;
  const parts: Markup[] = [];
  if (v.coverage?.length) {
    parts.push(html`<h3>Empirical coverage</h3><p class="note">Fraction of pseudo-experiments whose true parameter point lies inside the region; the error is binomial, √(c(1−c)/n), and where the coverage is 0% or 100% (no binomial error) the 68% Clopper–Pearson interval, with the nominal level checked against the 99.7% one.</p><div class="scroll"><table>
<thead><tr><th class="num">nominal CL</th><th class="num">coverage</th><th class="num">binomial error</th><th class="num">deviation</th><th class="num">toys</th><th>true point</th><th class="num">luminosity</th></tr></thead>
<tbody>${v.coverage.map((c) => {
      const pull = c.error > 0 ? (c.coverage - c.cl) / c.error : NaN;
      const inside = Math.round(c.coverage * c.toys);
      const exact = c.error > 0 ? null : { band: clopperPearson(inside, c.toys), wide: clopperPearson(inside, c.toys, 0.9973) };
      const deviation = exact ? (c.cl < exact.wide[0] || c.cl > exact.wide[1] ? 'nominal outside the 99.7% interval ⚠' : 'nominal inside the 99.7% interval') : Number.isFinite(pull) ? `${pull >= 0 ? '+' : '−'}${Math.abs(pull).toFixed(1)} σ${Math.abs(pull) > 2 ? ' ⚠' : ''}` : '—';
      return html`<tr><td class="num">${formatLevel(c.cl)}</td><td class="num">${formatPercent(c.coverage)}</td><td class="num">${exact ? `68% CP: ${formatPercent(exact.band[0])}–${formatPercent(exact.band[1])}` : `± ${formatPercent(c.error)}`}</td><td class="num">${deviation}</td><td class="num">${c.toys.toLocaleString('en-US')}</td><td>${Object.entries(c.at).map(([k, x], n) => html`${n ? ', ' : ''}<code>${k}</code> = ${formatNumber(x)}`)}</td><td class="num">${formatNumber(c.luminosity)} ${formatUnit(manifest.luminosity.unit)}</td></tr>`;
    })}</tbody></table></div>`);
  }
  if (v.closure && Object.keys(v.closure).length) {
    parts.push(html`<h3>Closure</h3><div class="scroll"><table><thead><tr><th>quantity</th><th class="num">value</th></tr></thead><tbody>${Object.entries(v.closure).map(
      ([k, x]) => html`<tr><td>${rich(k)}</td><td class="num">${formatNumber(x, 6)}</td></tr>`,
    )}</tbody></table></div>`);
  }
  for (const t of v.tables ?? []) {
    parts.push(html`<h3>${rich(t.caption)}</h3><div class="scroll"><table><thead><tr>${t.columns.map((c) => html`<th>${rich(c)}</th>`)}</tr></thead><tbody>${t.rows.map(
      (row) => html`<tr>${row.map((cell) => (typeof cell === 'number' ? html`<td class="num">${formatNumber(cell, 6)}</td>` : html`<td>${rich(cell)}</td>`))}</tr>`,
    )}</tbody></table></div>`);
  }
  if (v.notes?.length) parts.push(html`<h3>Notes</h3><ul>${v.notes.map((n) => html`<li>${rich(n)}</li>`)}</ul>`);
  if (v.figures?.length) {
    parts.push(
      html`<h3>Figures</h3>${v.figures.map(
        (f) => html`<figure><img src="${figurePath(manifest, f.component)}" alt="${plainText(f.caption)}"><figcaption>${rich(f.caption)} <a href="${figurePath(manifest, f.component)}">(SVG)</a></figcaption></figure>`,
      )}`,
    );
  }
  if (!parts.length) return html`<p class="note">The producer published no validation for this version.</p>`;
  return html`${parts}`;
}

function provenance(manifest: Manifest): Markup {
  const p = manifest.provenance;
  return html`<details><summary>provenance: how this artifact was made</summary>
<dl class="facts">
<dt>created</dt><dd>${p.createdAt}</dd>
<dt>producer</dt><dd>${p.producer.name} ${p.producer.version}${p.producer.command ? html` (<code>${p.producer.command}</code>)` : ''}</dd>
<dt>versions</dt><dd>${Object.entries(p.versions).map(([k, v]) => `${k} ${v}`).join(', ')}</dd>
${p.revisionOf ? html`<dt>revision of</dt><dd><a href="/likelihoods/${manifest.id}@${p.revisionOf.version}">${manifest.id}@${p.revisionOf.version}</a> (manifest sha256 <code>${p.revisionOf.manifestSha256.slice(0, 12)}…</code>), the same components: ${p.revisionOf.changes.map((c, k) => html`${k ? '; ' : ''}${rich(c)}`)}</dd>` : ''}
${p.seeds ? html`<dt>seeds</dt><dd>${Object.entries(p.seeds).map(([k, v]) => `${k} ${v}`).join(', ')}</dd>` : ''}
</dl>
${p.configuration ? html`<pre><code>${JSON.stringify(p.configuration, null, 2)}</code></pre>` : ''}
</details>`;
}

export function renderResultPage(input: ResultPageInput): string {
  const { manifest, artifact, analysis, versions, latest, origin } = input;
  const spec = `${manifest.id}@${manifest.version}`;
  const primary = analysis.datasets[0];
  const bestNear: Record<string, number> = {};
  analysis.parameters.forEach((p) => {
    const s = p.scans.find((x) => x.dataset === primary);
    if (s && !s.error && s.converged) bestNear[p.name] = s.best;
  });
  const point = examplePoint(manifest, bestNear);
  const code = examples(origin, spec, exampleRequests(manifest, point));
  const sorted = [...versions].reverse();
  const t68 = chiSquaredThreshold(PAGE_LEVELS[0], 1);
  const t95 = chiSquaredThreshold(PAGE_LEVELS[1], 1);

  const published = html`<p class="meta"><a href="/">Catalogue</a> / <code>${manifest.id}</code></p>
<h1>${rich(manifest.title)}</h1>
<p class="meta"><code>${spec}</code>${manifest.version === latest ? html` <span class="tag">latest</span>` : html` <span class="tag">not the latest version</span> <a href="/likelihoods/${manifest.id}">see ${latest}</a>`}
${versions.length > 1 ? html` · versions: ${sorted.map((v, k) => html`${k ? ', ' : ''}${v === manifest.version ? html`<strong>${v}</strong>` : html`<a href="/likelihoods/${manifest.id}@${v}">${v}</a>`}`)}` : ''}
· <a href="/v1/likelihoods/${spec}">manifest (JSON)</a>${manifest.provenance.revisionOf ? html` · a revision of ${manifest.provenance.revisionOf.version} (metadata only, the same numbers)` : ''}</p>
<p>${rich(manifest.description)}</p>
${manifest.citation.length ? html`<p class="note">Cite: ${manifest.citation.map((c, k) => html`${k ? '; ' : ''}${c}`)}</p>` : ''}
<details><summary>Cite this version (BibTeX; the manifest's sha256 <code>${input.manifestSha256.slice(0, 12)}…</code> names exactly what was published)</summary><pre>${bibtex(manifest, origin, input.manifestSha256)}</pre></details>`;
  const sent = input.inline
    ? html`<p class="meta"><a href="/">Catalogue</a> / a pyhf workspace sent with the request</p>
<h1>A pyhf workspace, as this service reads it</h1>
<p class="meta">Not published: rendered for the workspace in the request (sha256 <code>${input.inline.workspaceSha256.slice(0, 12)}…</code>), with the numbers every result page shows. <code>npm run cli -- import</code> publishes it as a pinned, citable version.</p>`
    : '';
  const body = html`
${input.inline ? sent : published}
<nav class="note">On this page: <a href="#measured">what was measured</a>${analysis.binned.length ? html` · <a href="#model">channels and samples</a>` : ''} · <a href="#parameters">parameters</a>${analysis.cls ? html` · <a href="#cls">CLs and limits</a>` : ''} · <a href="#scans">scans and intervals</a>${analysis.pairs.length ? html` · <a href="#contours">contours</a>` : ''} · <a href="#validation">validation</a> · <a href="#query">query it</a></nav>

<h2 id="measured">What was measured</h2>
${measured(manifest, artifact, analysis, !input.inline)}

${analysis.binned.length ? html`<h2 id="model">Channels, samples and modifiers</h2>
${binnedModelSection(analysis.binned, new Map(manifest.terms.flatMap((t) => (t.kind === 'binned-template' && t.axes ? [[t.name, t.axes] as const] : []))))}` : ''}
${analysis.binnedError ? html`<p class="warn">The binned summaries could not be computed: ${analysis.binnedError}</p>` : ''}

<h2 id="parameters">Parameters</h2>
${parametersTable(manifest, analysis)}

${analysis.cls ? html`<h2 id="cls">CLs and upper limits</h2>
${clsSection(analysis.cls)}` : ''}

${analysis.diagnostics ? html`<h2 id="diagnostics">Fit diagnostics</h2>
${diagnosticsSection(analysis.diagnostics)}` : ''}
${analysis.diagnosticsError ? html`<p class="warn">The fit diagnostics could not be computed: ${analysis.diagnosticsError}</p>` : ''}

<h2 id="scans">Profile-likelihood scans and intervals</h2>
<p>The test statistic q(θ) = 2 [−ln L(θ, ν̂̂) + ln L(θ̂, ν̂)], every other parameter profiled, on ${SCAN_POINTS} points over each parameter's allowed range and as many again around θ̂ where the likelihood is far narrower than that range.
${analysis.datasets.includes('observed') ? 'Solid: the published observed data. ' : 'No observed data are published; '}Dashed: expected, on the Asimov dataset at the reference point θ0 with the published luminosity.
An interval at confidence level CL is {θ : q(θ) < χ²₁ quantile(CL)}: q < ${t68.toFixed(3)} for ${formatLevel(PAGE_LEVELS[0])}, q < ${t95.toFixed(3)} for ${formatLevel(PAGE_LEVELS[1])} (shaded for the ${STYLE[primary].label} data). Intervals can be disjoint; an end written ≤ or ≥ reaches the allowed range, and the interval may continue beyond it.</p>
${analysis.parameters.map((p, i) => {
  const d = decimalsFor(p.range);
  return html`<section class="parameter"><h3 id="scan-${p.name}"><code>${p.name}</code></h3>
<div class="plot">${raw(scanPlot(manifest, p, i, analysis.members))}</div>${dataLink(`scan-${p.name}.json`, p)}
${p.window[0] > p.range[0] || p.window[1] < p.range[1] ? html`<p class="note">Zoomed to [${formatNumber(p.window[0])}, ${formatNumber(p.window[1])}], where q < ${PLOT_Q_MAX}; the intervals were searched over the whole allowed range [${formatNumber(p.range[0])}, ${formatNumber(p.range[1])}].</p>` : ''}
${intervalTable(p, d)}
${membersTable(p, d)}
</section>`;
})}

${
  analysis.pairs.length
    ? html`<h2 id="contours">Two-parameter confidence regions</h2>
<p>Solid lines: ${formatLevel(PAGE_LEVELS[0])} CL, dashed: ${formatLevel(PAGE_LEVELS[1])} CL; black: observed, blue: expected.${analysis.pairsOmitted ? ` The first ${MAX_PAIRS} pairs are shown; ${analysis.pairsOmitted} more can be computed with the interval endpoint.` : ''}</p>
<div class="plots">${analysis.pairs.map((pair, k) => contourFigure(manifest, pair, k))}</div>`
    : ''
}

<h2 id="validation">Validation</h2>
${validation(manifest)}
${provenance(manifest)}

${input.inline ? html`<h2 id="query">Query this workspace</h2>
<p>The same numbers, and any others, over HTTP: <code>POST /v1/pyhf/{nll,fit,interval,cls,upper-limit,reinterpret}</code> with this workspace in the body (<a href="/docs">API documentation</a>).</p>` : html`<h2 id="query">Query this likelihood</h2>
<p>Everything above comes from the HTTP API; these examples ask it for the same numbers at the point ${Object.entries(point).map(([k, v], n) => html`${n ? ', ' : ''}<code>${k} = ${String(v)}</code>`)}. The version is pinned, so the answers never change. Full reference: <a href="/docs">API documentation</a>.</p>
<h3>curl</h3>
<pre><code>${code.curl}</code></pre>
<h3>Python (standard library only)</h3>
<pre><code>${code.python}</code></pre>
<h3>TypeScript / JavaScript (fetch)</h3>
<pre><code>${code.typescript}</code></pre>
<h3>With the clients</h3>
<p class="note">Retries, problem details as exceptions, combinations and a <code>logl</code> callable for global fits: the Python client (standard library only) and the TypeScript client of the service's repository.</p>
<pre><code>${code.pythonClient}</code></pre>
<pre><code>${code.typescriptClient}</code></pre>`}
<p class="note">Scans computed on the server from ${input.inline ? 'the workspace sent' : 'the published artifact'}${analysis.elapsedMs > 0 ? ` in ${(analysis.elapsedMs / 1000).toFixed(2)} s` : ''}${input.inline ? '' : ', once per server instance'}.</p>
`;
  return layout({ title: input.inline ? 'A pyhf workspace, as this service reads it' : `${manifest.title} (${spec})`, description: manifest.description.slice(0, 300), body });
}

/** "−6 ≤ x2 ≤ 6", numbers as the page writes them. */
function selectionMarkup(name: string, { min, max }: ObservableSelection): Markup {
  const lower = min === undefined ? '' : `${formatNumber(min)} ≤ `;
  const upper = max === undefined ? '' : ` ≤ ${formatNumber(max)}`;
  return html`${lower}<code>${name}</code>${upper}`;
}
