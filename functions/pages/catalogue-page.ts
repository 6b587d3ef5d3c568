/**
 * The catalogue page (`GET /`): every published likelihood with its versions, parameters
 * and ranges, term kinds and luminosity, linking to its result page, and a short guide to
 * querying the API.
 */
import type { CatalogueItem } from '../../models/service/catalogue.js';
import { examplePoint } from './examples.js';
import type { Manifest } from '../../models/artifact/manifest-schema.js';
import { formatNumber, formatUnit, html, layout, rich } from './html.js';


const TERM_KINDS: Record<string, string> = { 'unbinned-polynomial': 'unbinned', 'unbinned-parametrised': 'unbinned, parametrised', 'binned-template': 'binned templates' };

export function renderCataloguePage(items: readonly CatalogueItem[], origin: string): string {
  const first = items.find((i): i is Extract<CatalogueItem, { entry: unknown }> => 'entry' in i);
  const point = first ? examplePoint(first.manifest) : { theta: 0.5 };
  const id = first?.entry.id ?? 'some-likelihood';
  const body = html`
<h1>Published likelihoods</h1>
<p class="lead">Particle-physics likelihoods, learned (neural, unbinned) and binned, published as immutable artifacts and evaluated on demand: −ln L at any parameter point, likelihood ratios for your events, best fits, profile-likelihood intervals and contours, on observed or expected data at any luminosity.</p>
${items.length ? '' : html`<p class="warn">No likelihood is published here yet.</p>`}
${items.map((item) => {
  if ('unavailable' in item) {
    const u = item.unavailable;
    return html`<section class="card"><h2><code>${u.id}</code></h2><p class="warn">Unavailable: ${u.message}</p><p class="meta">versions ${u.versions.join(', ')}</p></section>`;
  }
  const e = item.entry;
  const versions = [...e.versions].reverse();
  return html`<section class="card">
<h2><a href="/likelihoods/${e.id}">${rich(e.title)}</a></h2>
<p class="meta"><code>${e.id}</code> · ${versions.length > 1 ? 'versions' : 'version'} ${versions.map((v, k) => html`${k ? ', ' : ''}<a href="/likelihoods/${e.id}@${v}">${v}</a>${v === e.latest ? ' (latest)' : ''}`)}
· ${formatNumber(e.luminosity.value)} ${formatUnit(e.luminosity.unit)}
· ${e.terms.map((t) => html`<span class="tag">${TERM_KINDS[t.kind] ?? t.kind}: ${t.name}</span>`)}</p>
<div class="scroll"><table>
<thead><tr><th>parameter</th><th class="num">reference θ0</th><th class="num">allowed range</th><th>unit</th></tr></thead>
<tbody>${e.parameters.map(
    (p) => html`<tr><td><code>${p.name}</code></td><td class="num">${formatNumber(p.reference)}</td><td class="num">[${formatNumber(p.range[0])}, ${formatNumber(p.range[1])}]</td><td>${p.unit ? formatUnit(p.unit) : '—'}</td></tr>`,
  )}</tbody></table></div>
${e.observables.length ? html`<p class="meta">observables: ${e.observables.map((o, k) => html`${k ? ', ' : ''}<code>${o}</code>`)}</p>` : ''}
<p><a href="/likelihoods/${e.id}">Result page: scans, intervals, validation →</a></p>
</section>`;
})}

<h2>How to query</h2>
<p>The API speaks JSON (or MessagePack with <code>application/msgpack</code>). Parameter points are objects keyed by parameter name; missing parameters take their reference value. Pin a version with <code>{id}@{version}</code>.</p>
<pre><code>${[
    `# the catalogue as JSON`,
    `curl -s ${origin}/v1/likelihoods`,
    ``,
    `# −ln L of ${id} at a point (observed data where published, else Asimov)`,
    `curl -s -X POST ${origin}/v1/likelihoods/${id}/nll \\`,
    `  -H 'content-type: application/json' \\`,
    `  -d '${JSON.stringify({ points: [point] })}'`,
  ].join('\n')}</code></pre>
<p>Every result page has examples for curl, Python and TypeScript with that likelihood's parameters. The full reference: <a href="/docs">API documentation</a> (<a href="/openapi.json">OpenAPI</a>).</p>
`;
  return layout({ title: 'Published likelihoods', description: 'Published particle-physics likelihoods, evaluated on demand.', body });
}
