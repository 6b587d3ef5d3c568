/**
 * Result-page sections of binned likelihoods (imported pyhf workspaces and templates):
 * the model (channels, samples, modifiers), observed against expected counts per bin, and the
 * CLs scan with the upper limits. Pure: from the analysis to markup.
 */
import type { BinnedTermSummary, ChannelSummary, ClsSummary } from '../../models/service/binned-summary.js';
import type { BinAxis } from '../../models/artifact/manifest-schema.js';
import { dataLink, formatNumber, formatUnit, html, raw, rich, type Markup } from './html.js';
import { COLORS, histogramPlot, linePlot, type Band, type Marker, type Series } from '../../render/plots.js';

const SAMPLE_COLORS = [COLORS.sky, COLORS.orange, COLORS.green, COLORS.purple, '#F0E442', COLORS.blue, COLORS.grey];

const total = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

/**
 * One colour per sample across the whole term (the same sample keeps its colour from channel to
 * channel): the largest samples over all channels get the distinct colours, the rest are summed
 * as "other samples" in grey.
 */
export function sampleColors(channels: readonly ChannelSummary[]): Map<string, string> {
  const yields = new Map<string, number>();
  for (const c of channels) for (const s of c.samples) yields.set(s.name, (yields.get(s.name) ?? 0) + total(s.values));
  const largest = [...yields].sort((a, b) => b[1] - a[1]).slice(0, SAMPLE_COLORS.length - 1);
  return new Map(largest.map(([name], k) => [name, SAMPLE_COLORS[k]]));
}

/** The stacked samples of a channel in the term's colours, smallest first; samples without a colour of their own summed as "other". */
function stacks(channel: ChannelSummary, colors: ReadonlyMap<string, string>) {
  const ordered = [...channel.samples].sort((a, b) => total(a.values) - total(b.values));
  const shown = ordered.filter((s) => colors.has(s.name));
  const rest = ordered.filter((s) => !colors.has(s.name));
  const out = shown.map((s) => ({ label: s.name, values: s.values, color: colors.get(s.name)! }));
  if (rest.length) out.unshift({ label: `${rest.length} other sample${rest.length === 1 ? '' : 's'}`, values: Array.from({ length: channel.bins }, (_, b) => total(rest.map((s) => s.values[b]))), color: SAMPLE_COLORS[SAMPLE_COLORS.length - 1] });
  return out;
}

/** The bins' edges as text, the last "∞" for an overflow bin. */
function edgeLabels(axis: BinAxis): string[] {
  return [...axis.edges.map((e) => formatNumber(e, 6)), ...(axis.overflow ? ['∞'] : [])];
}

/** "m_ℓℓ [GeV]", or the bin index where the producer gave no axis (pyhf workspaces carry none). */
function axisLabel(channel: ChannelSummary, axis: BinAxis | undefined): string {
  if (!axis) return `bin index in ${channel.name}`;
  return `${axis.observable}${axis.unit ? ` [${formatUnit(axis.unit)}]` : ''}${axis.edges.length > 2 ? ', bins drawn equally wide' : ''}`;
}

function channelPlot(channel: ChannelSummary, id: string, colors: ReadonlyMap<string, string>, axis: BinAxis | undefined): string {
  return histogramPlot({
    id,
    xLabel: axisLabel(channel, axis),
    ...(axis ? { edges: edgeLabels(axis) } : {}),
    yLabel: 'events',
    title: `Observed and expected events in ${channel.name}`,
    description: `Stacked nominal yields of the samples, the total expected before and after the fit${channel.observed ? ', and the observed counts with √n errors' : ''}, for the ${channel.bins} bins of ${channel.name}.`,
    stacks: stacks(channel, colors),
    lines: [
      { label: 'total, pre-fit', color: COLORS.blue, dash: '6 4', values: channel.prefit },
      ...(channel.postfit ? [{ label: 'total, post-fit', color: COLORS.vermilion, values: channel.postfit }] : []),
    ],
    ...(channel.observed ? { points: { label: 'observed', color: COLORS.black, values: channel.observed, errors: channel.observed.map((n) => Math.sqrt(n)) } } : {}),
  });
}

function modifiersCell(modifiers: ChannelSummary['samples'][number]['modifiers']): Markup {
  if (!modifiers.length) return html`<td>—</td>`;
  const byType = new Map<string, string[]>();
  for (const m of modifiers) byType.set(m.type, [...(byType.get(m.type) ?? []), m.name]);
  return html`<td>${[...byType].map(
    ([type, names], k) => html`${k ? ' · ' : ''}${names.length === 1 ? html`${type} <code>${names[0]}</code>` : html`<details class="inline"><summary>${type} × ${names.length}</summary>${names.map((n, j) => html`${j ? ', ' : ''}<code>${n}</code>`)}</details>`}`,
  )}</td>`;
}

function channelTable(channel: ChannelSummary, axis: BinAxis | undefined): Markup {
  const edges = axis ? edgeLabels(axis) : null;
  const row = (label: string, values: readonly number[] | null, className = '') =>
    values ? html`<tr class="${className}"><td>${label}</td>${values.map((v) => html`<td class="num">${formatNumber(v, 4)}</td>`)}<td class="num">${formatNumber(total(values), 5)}</td></tr>` : '';
  return html`<div class="scroll"><table>
<thead><tr><th>sample</th>${Array.from({ length: channel.bins }, (_, b) => html`<th class="num">${edges ? `${edges[b]}–${edges[b + 1]}` : `bin ${b}`}</th>`)}<th class="num">total</th></tr></thead>
<tbody>${channel.samples.map((s) => row(s.name, s.values))}
${row('total, pre-fit', channel.prefit, 'sum')}${row('total, post-fit', channel.postfit, 'sum')}${row('observed', channel.observed, 'sum')}</tbody></table></div>
<details><summary>modifiers of each sample</summary><div class="scroll"><table><thead><tr><th>sample</th><th>modifiers (HistFactory; same name = same parameter)</th></tr></thead>
<tbody>${channel.samples.map((s) => html`<tr><td>${s.name}</td>${modifiersCell(s.modifiers)}</tr>`)}</tbody></table></div></details>`;
}

/** Above this many channels the page shows a summary table first and the channels collapsed. */
const COLLAPSE_CHANNELS = 6;

/** One row per channel: bins, observed and expected totals. */
function channelSummaryTable(channels: readonly ChannelSummary[]): Markup {
  return html`<div class="scroll"><table><thead><tr><th>channel</th><th class="num">bins</th><th class="num">observed</th><th class="num">expected, pre-fit</th><th class="num">expected, post-fit</th></tr></thead>
<tbody>${channels.map((c) => html`<tr><td><code>${c.name}</code></td><td class="num">${c.bins}</td><td class="num">${c.observed ? formatNumber(total(c.observed), 5) : '—'}</td><td class="num">${formatNumber(total(c.prefit), 5)}</td><td class="num">${c.postfit ? formatNumber(total(c.postfit), 5) : '—'}</td></tr>`)}</tbody></table></div>`;
}

/** `axes`: per term name, the manifest's bin axes of its channels. */
export function binnedModelSection(summaries: readonly BinnedTermSummary[], axes: ReadonlyMap<string, Readonly<Record<string, BinAxis>>>): Markup {
  return html`${summaries.map((t, i) => {
    const colors = sampleColors(t.channels);
    const sections = t.channels.map((c, k) => {
      const axis = axes.get(t.term)?.[c.name];
      return html`<section class="channel"><h3><code>${c.name}</code> <span class="note">${c.bins} bin${c.bins === 1 ? '' : 's'}${axis ? html` in ${rich(axis.observable)}` : ''}, ${c.samples.length} samples</span></h3><div class="plot">${raw(channelPlot(c, `channel-${i}-${k}`, colors, axis))}</div>${dataLink(`channel-${c.name}.json`, { ...c, ...(axis ? { axis } : {}) })}${channelTable(c, axis)}</section>`;
    });
    const many = t.channels.length > COLLAPSE_CHANNELS;
    return html`<p>Term <code>${t.term}</code>: ${t.channels.length} channel${t.channels.length === 1 ? '' : 's'}, ${total(t.channels.map((c) => c.bins))} bins. Stacked: each sample's nominal yield (signal at its reference strength), in one colour per sample throughout. Lines: the total expected with every parameter at its initial value (pre-fit) and at the best fit to the observed data (post-fit).${t.fit && !t.fit.converged ? html` <span class="warn">The fit to the observed data did not converge (${t.fit.message}): no post-fit totals.</span>` : ''}</p>
${many ? html`${channelSummaryTable(t.channels)}<details class="channels"><summary>the ${t.channels.length} channels, each with its plot and yields</summary>${sections}</details>` : sections}`;
  })}`;
}

export function clsSection(cls: ClsSummary): Markup {
  const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '—' : formatNumber(v, 4));
  const rows = cls.mu.map((m, k) => ({ m, obs: cls.observed[k], exp: cls.expected[k] }));
  const withBand = rows.filter((r) => r.exp);
  const band = (a: number, b: number, color: string, opacity: number, label: string): Band => ({
    x: withBand.map((r) => r.m),
    lower: withBand.map((r) => Math.min(r.exp![a], r.exp![b])),
    upper: withBand.map((r) => Math.max(r.exp![a], r.exp![b])),
    color,
    opacity,
    label,
  });
  // no "observed" in the legend where there is no observed CLs (a model without observed data)
  const observed = rows.some((r) => r.obs !== null && r.obs !== undefined);
  const series: Series[] = [
    { points: withBand.map((r) => [r.m, r.exp![2]] as const), color: COLORS.black, dash: '6 4', label: 'expected (median)' },
    ...(observed ? [{ points: rows.map((r) => [r.m, r.obs ?? NaN] as const), color: COLORS.black, width: 2.4, label: 'observed' }] : []),
  ];
  const markers: Marker[] = cls.limit.observed !== null ? [{ x: cls.limit.observed, y: cls.level, shape: 'cross', color: COLORS.vermilion, label: `observed limit ${fmt(cls.limit.observed)}` }] : [];
  const svg = linePlot({
    id: 'cls-scan',
    xDomain: [cls.mu[0], cls.mu[cls.mu.length - 1]],
    yDomain: [0, 1],
    xLabel: cls.poi,
    yLabel: 'CLs',
    title: `CLs scan of ${cls.poi}`,
    description: `${observed ? 'Observed CLs and the' : 'The'} expected median with its ±1σ and ±2σ band against ${cls.poi}; the limit is where CLs crosses ${cls.level}.`,
    series,
    bands: [band(0, 4, '#F0E442', 0.55, 'expected ±2σ'), band(1, 3, COLORS.green, 0.45, 'expected ±1σ')],
    hlines: [{ y: cls.level, label: `CLs = ${cls.level}`, color: COLORS.vermilion }],
    markers,
  });
  const e = cls.limit.expected;
  return html`<p>Asymptotic CLs (Cowan, Cranmer, Gross, Vitells 2011) with the test statistic q̃_μ, as pyhf's <code>hypotest</code>, on the observed data; the expected band is that of the background-only hypothesis. ${cls.mu.length} values of <code>${cls.poi}</code>.</p>
<div class="plot">${raw(svg)}</div>${dataLink(`cls-${cls.poi}.json`, cls)}
<div class="scroll"><table><thead><tr><th>${(100 * (1 - cls.level)).toFixed(0)}% CLs upper limit on <code>${cls.poi}</code></th><th class="num">observed</th><th class="num">expected −2σ</th><th class="num">−1σ</th><th class="num">median</th><th class="num">+1σ</th><th class="num">+2σ</th></tr></thead>
<tbody><tr><td></td><td class="num"><strong>${fmt(cls.limit.observed)}</strong></td>${e.map((v) => html`<td class="num">${fmt(v)}</td>`)}</tr></tbody></table></div>
${cls.limit.messages.map((m) => html`<p class="warn">${m}</p>`)}
<p class="note">The same numbers for any signal: <code>POST /v1/likelihoods/{id}/upper-limit</code>, <code>/cls</code>, or <code>/reinterpret</code> with your own signal yields.</p>`;
}
