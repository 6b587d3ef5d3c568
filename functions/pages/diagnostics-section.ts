/**
 * The fit-diagnostics section of a result page (models/inference/diagnostics.ts, computed with
 * the page's analysis): pulls and constraints, the impacts ranking, the correlations of the
 * highest-ranked parameters, and the pre/post-fit yields per channel with their bands. Pure:
 * from the analysis to markup.
 */
import type { Analysis } from '../../models/service/page-analysis.js';
import { COLORS, heatmapPlot, histogramPlot, rowPlot } from '../../render/plots.js';
import { dataLink, formatNumber, html, raw, rich, type Markup } from './html.js';

type Diagnostics = NonNullable<Analysis['diagnostics']>;

/** Rows shown in the pulls and impacts plots, and parameters in the correlation matrix. */
const ROWS = 30;
const CORRELATED = 12;

function pullsPlot(d: Diagnostics): string {
  const constrained = d.pulls.filter((p) => p.pull !== null);
  // the most pulled or most constrained first, where there are more than fit
  const departure = (p: (typeof constrained)[number]) => Math.abs(p.pull!) + Math.abs(1 - (p.constraintRatio ?? 1));
  const shown = constrained.length > ROWS ? [...constrained].sort((a, b) => departure(b) - departure(a)).slice(0, ROWS) : constrained;
  return rowPlot({
    id: 'pulls',
    title: `Pulls of the constrained nuisance parameters`,
    description: `(θ̂ − θ0)/σ_pre with the post-fit width σ̂/σ_pre as an error bar, for ${shown.length} of ${constrained.length} constrained parameters${shown.length < constrained.length ? ' (the most pulled or constrained)' : ''}; bands at ±1 and ±2.`,
    xLabel: '(θ̂ − θ0)/σ_pre',
    xDomain: [-2.5, 2.5],
    spans: [
      { from: -2, to: 2, color: '#F0E442', opacity: 0.45, label: '±2' },
      { from: -1, to: 1, color: COLORS.green, opacity: 0.35, label: '±1' },
    ],
    rows: shown.map((p) => ({ label: p.name, point: { value: p.pull!, lo: p.pull! - (p.constraintRatio ?? NaN), hi: p.pull! + (p.constraintRatio ?? NaN) } })),
  });
}

function impactsPlot(d: Diagnostics): string {
  const shown = d.impacts.slice(0, ROWS);
  return rowPlot({
    id: 'impacts',
    title: `Impacts on ${d.poi}`,
    description: `The shift of ${d.poi} with each parameter held at θ̂ ± σ̂ (filled: +σ̂ blue, −σ̂ orange) and θ̂ ± σ_pre (outlined), everything else refitted; the ${shown.length} largest.`,
    xLabel: `Δ${d.poi}`,
    legend: [
      { kind: 'fill', color: COLORS.blue, opacity: 0.75, label: 'post-fit +σ̂' },
      { kind: 'fill', color: COLORS.orange, opacity: 0.75, label: 'post-fit −σ̂' },
    ],
    rows: shown.map((m) => ({
      label: m.name,
      bars: [
        ...(m.prefit ? [{ from: 0, to: m.prefit[1] ?? NaN, color: COLORS.blue, outline: true }, { from: 0, to: m.prefit[0] ?? NaN, color: COLORS.orange, outline: true }] : []),
        { from: 0, to: m.postfit[1] ?? NaN, color: COLORS.blue },
        { from: 0, to: m.postfit[0] ?? NaN, color: COLORS.orange },
      ],
    })),
  });
}

function correlationPlot(d: Diagnostics): string | null {
  if (!d.correlation) return null;
  const { names, matrix } = d.correlation;
  const ranked = [d.poi, ...d.impacts.map((m) => m.name)].filter((n) => names.includes(n));
  const chosen = (ranked.length > 1 ? ranked : names).slice(0, CORRELATED);
  const k = chosen.map((n) => names.indexOf(n));
  const cells = k.flatMap((a, i) => k.map((b, j) => ({ x0: j, x1: j + 1, y0: chosen.length - 1 - i, y1: chosen.length - i, value: Math.abs(matrix[a][b]), text: matrix[a][b].toFixed(2) })));
  return heatmapPlot({
    id: 'correlations',
    title: 'Correlations of the highest-ranked parameters',
    description: `The correlation coefficients, from the fit's covariance, of ${chosen.join(', ')}; shade by |ρ|, the signed value written in each cell.`,
    xDomain: [0, chosen.length],
    yDomain: [0, chosen.length],
    xTicks: chosen.map((_, j) => j + 0.5),
    xTickLabel: (t) => String(Math.round(t + 0.5)),
    yTicks: chosen.map((_, i) => chosen.length - 1 - i + 0.5),
    yTickLabel: (t) => String(chosen.length - Math.round(t - 0.5)),
    xLabel: 'parameter, numbered as listed below',
    yLabel: 'parameter',
    cells,
    color: COLORS.purple,
    valueLabel: '|ρ|',
    height: Math.max(360, 60 + 26 * chosen.length),
  });
}

function yieldsPlot(y: Diagnostics['yields'][number], id: string): string {
  return histogramPlot({
    id,
    title: `Pre- and post-fit yields in ${y.channel}`,
    description: `The total expected before and after the fit with its 1σ band, and the data, in the ${y.prefit.length} bins of ${y.channel}.`,
    xLabel: `bin index in ${y.channel}`,
    yLabel: 'events',
    stacks: [],
    lines: [
      { label: 'pre-fit', color: COLORS.blue, dash: '6 4', values: y.prefit },
      { label: 'post-fit', color: COLORS.vermilion, values: y.postfit },
    ],
    bands: [{ label: 'pre-fit ±1σ', color: COLORS.sky, values: y.prefit, errors: y.prefitError }, ...(y.postfitError ? [{ label: 'post-fit ±1σ', color: COLORS.vermilion, values: y.postfit, errors: y.postfitError }] : [])],
    ...(y.observed ? { points: { label: 'data', color: COLORS.black, values: y.observed, errors: y.observed.map((n) => Math.sqrt(n)) } } : {}),
  });
}

/** The correlation matrix of the named parameters only. */
function subset(correlation: NonNullable<Diagnostics['correlation']>, names: readonly string[]) {
  const k = names.map((n) => correlation.names.indexOf(n));
  return { names, matrix: k.map((a) => k.map((b) => correlation.matrix[a][b])) };
}

export function diagnosticsSection(d: Diagnostics): Markup {
  if (!d.converged) return html`<p class="warn">The fit behind the diagnostics did not converge: ${d.message}</p>`;
  const correlation = correlationPlot(d);
  const chosen = d.correlation ? [d.poi, ...d.impacts.map((m) => m.name)].filter((n) => d.correlation!.names.includes(n)).slice(0, CORRELATED) : [];
  return html`<p>From the maximum-likelihood fit to the ${d.dataset === 'observed' ? 'observed' : 'expected (Asimov)'} data: <code>${d.poi}</code> = ${d.poiValue === null ? '—' : formatNumber(d.poiValue, 4)}${d.poiSigma !== null ? html` ± ${formatNumber(d.poiSigma, 3)}` : ''}. ${d.message === 'converged' ? '' : d.message}
${rich("Pre-fit widths σ_pre are the constraints' (a normal constraint's σ, a shapesys or Poisson γ's 1/√τ); impacts hold one parameter at θ̂ ± σ and refit the rest, as cabinetry's ranking and CMS Combine's impacts do.")} The same for any data: <code>POST /v1/likelihoods/{id}/diagnostics</code>.</p>
<h3>Pulls and constraints</h3><div class="plot">${raw(pullsPlot(d))}</div>${dataLink('pulls.json', d.pulls)}
${d.impacts.length ? html`<h3>Impacts on <code>${d.poi}</code></h3><div class="plot">${raw(impactsPlot(d))}</div>${dataLink('impacts.json', d.impacts)}${d.poiSigma === null ? html`<p class="note"><code>${d.poi}</code> lies at a bound of its range in this fit: refits cannot move it past the bound, so its impacts are one-sided, and small where the data pull against the bound.</p>` : ''}` : html`<p class="note">Impacts not computed here: ${d.impactsOmitted ?? 'none requested'}.</p>`}
${correlation ? html`<h3>Correlations</h3><div class="plot">${raw(correlation)}</div>${dataLink('correlation.json', subset(d.correlation!, chosen))}<p class="note">Parameters, in order: ${chosen.map((n, k) => html`${k ? ', ' : ''}${k + 1}. <code>${n}</code>`)}. Every parameter's: <code>POST /v1/likelihoods/{id}/diagnostics</code>.</p>` : ''}
<h3>Pre- and post-fit yields</h3>
${d.yields.slice(0, 6).map((y, k) => html`<div class="plot">${raw(yieldsPlot(y, `yields-${k}`))}</div>${dataLink(`yields-${y.channel}.json`, y)}`)}${d.yields.length > 6 ? html`<p class="note">${d.yields.length - 6} more channels: ${dataLink('yields.json', d.yields.slice(6))}</p>` : ''}`;
}
