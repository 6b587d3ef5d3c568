/**
 * The public pages: the catalogue, the result page's numbers against models/ directly, its
 * plots, examples and escaping, the validation figures, and errors. A second, small
 * artifact written to a temporary folder (two parameters, a three-member network ensemble,
 * a figure, and manifest text full of markup) covers contours, ensemble bands and figures.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { fileStore } from '../../functions/node.js';
import { analysisOf, AnalysisSchema, PAGE_LEVELS, plotWindow, SCAN_POINTS } from '../../models/service/page-analysis.js';
import { decodeMessagePack } from '../../models/artifact/codec.js';
import { examplePoint, exampleRequests } from '../../functions/pages/examples.js';
import { decimalsFor, escapeHtml, formatValue, html, raw } from '../../functions/pages/html.js';
import { contourPlot, linePlot } from '../../render/plots.js';
import { polynomialText, segmentText } from '../../functions/pages/result-page.js';
import { sampleColors } from '../../functions/pages/binned-sections.js';
import type { CoefficientSample, EventSample } from '../../models/artifact/components.js';
import type { LoadedArtifact } from '../../models/artifact/load.js';
import { profileInterval, type ProfileIntervalResult } from '../../models/inference/intervals/profile.js';
import { resolveDataset } from '../../models/likelihood/datasets.js';
import type { FrozenNetwork } from '../../models/network/frozen-network.js';
import { createRandom } from '../../models/random.js';
import { networkRatioModel } from '../../models/ratio/ratio-model.js';
import { crossSectionFromReference } from '../../models/terms/unbinned-polynomial.js';
import { readArtifactFolder, writeArtifact, type ManifestDraft } from '../../scripts/lib/artifact-writer.js';
import { binnedTerms } from '../../models/terms/binned/term.js';

const app = createApp(fileStore('likelihoods'));
const truth = await readArtifactFolder('likelihoods/gaussian-toy-truth/1.0.0');
const ORIGIN = 'http://pages.test';
const get = (a: typeof app, path: string, headers: Record<string, string> = {}) => a.request(`${ORIGIN}${path}`, { headers });

/** Unescapes the five entities escapeHtml writes. */
const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

/** The table row of the scan table whose first cell is `label`, within the section of parameter `name`. */
function scanRow(page: string, name: string, label: string): string {
  const section = page.slice(page.indexOf(`id="scan-${name}"`));
  const row = new RegExp(`<tr><td>${label.replace(/[()]/g, '\\$&')}</td>(.*?)</tr>`).exec(section.slice(0, section.indexOf('</section>')));
  expect(row, `a row '${label}' in the table of ${name}`).not.toBeNull();
  return row![1];
}

function expectIntervalsShown(row: string, result: ProfileIntervalResult, range: readonly [number, number]) {
  const d = decimalsFor(range);
  expect(row).toContain(`<td class="num">${formatValue(result.best, d)}</td>`);
  for (const interval of result.intervals) {
    expect(interval.segments.length).toBeGreaterThan(0);
    for (const s of interval.segments) expect(row).toContain(escapeHtml(segmentText(s, d)));
  }
}

describe('HTML building blocks', () => {
  it('escapes all markup characters, and the html template escapes what it interpolates', () => {
    expect(escapeHtml(`<script>alert("x" & 'y')</script>`)).toBe('&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;');
    expect(escapeHtml('θ ∈ [−2, 2]')).toBe('θ ∈ [−2, 2]');
    const text = '<b onclick="x">';
    expect(String(html`<p title="${text}">${text}${raw('<i>ok</i>')}${[text, raw('<br>')]}</p>`)).toBe(
      '<p title="&lt;b onclick=&quot;x&quot;&gt;">&lt;b onclick=&quot;x&quot;&gt;<i>ok</i>&lt;b onclick=&quot;x&quot;&gt;<br></p>',
    );
  });

  it('formats values with a fixed number of decimals per range, and interval ends with their open marks', () => {
    expect(decimalsFor([-2, 2])).toBe(4);
    expect(decimalsFor([-100, 100])).toBe(2);
    expect(decimalsFor([-0.01, 0.01])).toBe(6);
    expect(formatValue(-0.39168, 4)).toBe('−0.3917');
    expect(formatValue(-0.00001, 4)).toBe('0.0000');
    expect(segmentText({ lower: -2, upper: 0.5, lowerOpen: true, upperOpen: false }, 4)).toBe('[≤ −2.0000, 0.5000]');
    expect(polynomialText([1, 0, 1], ['theta'], [0], 2)).toBe('1 + theta²');
    expect(polynomialText([1, 0.5, 0, 2, -1, 0], ['a', 'b'], [0, 1], 2)).toBe('1 + 0.5 a + 2 a² − a·(b − 1)');
  });

  it('tells browsers from API clients by Accept', async () => {
    const errorType = async (accept?: string) => (await get(app, '/likelihoods/nope', accept === undefined ? {} : { accept })).headers.get('content-type');
    expect(await errorType('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8')).toMatch(/^text\/html/);
    expect(await errorType()).toBe('application/problem+json');
    expect(await errorType('*/*')).toBe('application/problem+json');
    expect(await errorType('application/json')).toBe('application/problem+json');
    expect(await errorType('application/json, text/html;q=0.5')).toBe('application/problem+json');
  });

  it('draws line and contour plots as self-contained SVG with escaped labels', () => {
    const svg = linePlot({
      id: 't',
      xDomain: [-1, 1],
      yDomain: [0, 5],
      xLabel: 'c<W>',
      yLabel: 'q',
      title: 'a & b',
      series: [{ points: [[-1, 4], [0, 0], [1, 4]], color: '#000', label: 'observed' }],
      bands: [{ x: [-1, 1], lower: [3, 3], upper: [5, 5], color: '#888', label: 'band' }],
      hlines: [{ y: 1, label: '68%' }],
      spans: [{ from: -0.5, to: 0.5, color: '#f90', opacity: 0.2, label: 'interval' }],
    });
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 640 360"/);
    expect(svg).toContain('c&lt;W&gt;');
    expect(svg).toContain('<title id="t-title">a &amp; b</title>');
    expect(svg).toMatch(/<path d="M[\d.]+,[\d.]+L/);
    expect(svg).not.toMatch(/<script|href="http/);
    const contour = contourPlot({
      id: 'c',
      xDomain: [-1, 1],
      yDomain: [-1, 1],
      xLabel: 'a',
      yLabel: 'b',
      title: 'regions',
      layers: [{ polygons: [[[[0, 0], [0.5, 0], [0.5, 0.5], [0, 0]]]], color: '#000', label: '68%' }],
      markers: [{ x: 0, y: 0, shape: 'diamond', color: '#d55e00', label: 'θ0' }],
    });
    expect(contour).toMatch(/<path d="M[^"]+Z" fill="#000"/);
  });

  it('zooms a scan plot onto the region where q is small', () => {
    const scan = (values: number[], q: (v: number) => number) => ({ scan: values.map((value) => ({ value, q: q(value), nll: 0, converged: true })) }) as ProfileIntervalResult;
    const grid = Array.from({ length: SCAN_POINTS }, (_, k) => -2 + (4 * k) / (SCAN_POINTS - 1));
    const [lo, hi] = plotWindow([-2, 2], [scan(grid, (v) => 100 * (v - 0.5) ** 2)]);
    expect(lo).toBeLessThan(0.5 - Math.sqrt(0.08));
    expect(hi).toBeGreaterThan(0.5 + Math.sqrt(0.08));
    expect(hi - lo).toBeLessThan(1);
    expect(plotWindow([-2, 2], [scan(grid, () => 0.1)])).toEqual([-2, 2]);
  });
});

describe('the catalogue page', () => {
  it('lists the truth likelihood with its parameters, and says how to query', async () => {
    const res = await get(app, '/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await res.text();
    expect(page).toContain('<meta name="viewport"');
    expect(page).toContain('href="/likelihoods/gaussian-toy-truth"');
    expect(page).toContain('href="/likelihoods/gaussian-toy-truth@1.0.1">1.0.1</a> (latest)');
    expect(page).toContain(escapeHtml(truth.manifest.title));
    expect(page).toContain('unbinned: toy');
    expect(page).toContain('<code>theta</code>');
    expect(page).toContain('[−2, 2]');
    expect(page).toContain('100 fb⁻¹');
    expect(page).toContain(`curl -s ${ORIGIN}/v1/likelihoods`);
    expect(page).toContain('href="/docs"');
    expect(page).not.toMatch(/<script/i);
  });
});

describe('the result page of the truth artifact', async () => {
  const res = await get(app, '/likelihoods/gaussian-toy-truth');
  const page = await res.text();
  const range = truth.manifest.parameters[0].range;

  it('is HTML with no script, a viewport and a title', () => {
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(page).toContain(`<h1>${escapeHtml(truth.manifest.title)}</h1>`);
    expect(page).not.toMatch(/<script/i);
    expect(page).toContain(escapeHtml(truth.manifest.citation[0]));
    expect(page).toContain('1,109 events');
  });

  it('draws the observed and expected scans as SVG paths', () => {
    const svg = /<svg[^>]*>.*?<\/svg>/s.exec(page.slice(page.indexOf('id="scan-theta"')))![0];
    const paths = [...svg.matchAll(/<path d="([^"]*)"/g)].map((m) => m[1]);
    expect(paths.length).toBeGreaterThanOrEqual(2);
    for (const d of paths) expect(d).toMatch(/^M[-\d.]+,[-\d.]+/);
    expect(svg).toContain('stroke="#000000"'); // observed
    expect(svg).toContain('stroke-dasharray="7 4"'); // expected
  });

  it('shows the intervals profileInterval gives for the same data, observed and expected', () => {
    const observed = profileInterval(truth.likelihood, resolveDataset(truth.likelihood, { kind: 'observed' }), 'theta', PAGE_LEVELS, { points: SCAN_POINTS });
    const expected = profileInterval(truth.likelihood, resolveDataset(truth.likelihood, { kind: 'asimov' }), 'theta', PAGE_LEVELS, { points: SCAN_POINTS });
    // the observed pseudo-data came from θ = 0.4 and the likelihood depends on θ²: two segments
    expect(observed.intervals[0].segments).toHaveLength(2);
    expectIntervalsShown(scanRow(page, 'theta', 'observed'), observed, range);
    expectIntervalsShown(scanRow(page, 'theta', 'expected (Asimov at θ0)'), expected, range);
  });

  it('shows the published coverage with binomial errors and the notes', () => {
    const validation = page.slice(page.indexOf('id="validation"'), page.indexOf('id="query"'));
    expect(validation).toContain('68.27%');
    expect(validation).toContain('70.0%');
    expect(validation).toContain('± 2.0%');
    expect(validation).toContain(escapeHtml(truth.manifest.validation.notes![0]));
  });

  it('gives curl, Python and TypeScript examples with the real parameter name that the API answers', async () => {
    const query = unescape(page.slice(page.indexOf('id="query"')));
    expect(query).toContain(`curl -s -X POST '${ORIGIN}/v1/likelihoods/gaussian-toy-truth@1.0.1/nll'`);
    expect(query).toContain('import urllib.request');
    expect(query).toContain(`BASE = "${ORIGIN}/v1/likelihoods/gaussian-toy-truth@1.0.1"`);
    expect(query).toContain("await fetch(`${base}/${endpoint}`");
    expect(query).toMatch(/points = \[\{"theta": -?[\d.]+\}/);
    expect(query).toMatch(/\{ points: \[\{ theta: -?[\d.]+ \}/);
    expect(query).toContain(`lik = Likelihood("gaussian-toy-truth@1.0.1", base="${ORIGIN}")`);
    expect(query).toContain(`likelihoodService({ base: '${ORIGIN}' }).likelihood('gaussian-toy-truth@1.0.1')`);
    const bodies = [...query.matchAll(/curl -s -X POST '[^']*\/v1\/likelihoods\/([^']+)' \\\n {2}-H '[^']*' \\\n {2}-d '([^']*)'/g)];
    expect(bodies).toHaveLength(3);
    for (const [, path, body] of bodies) {
      expect(body).toContain('"theta"');
      const answer = await app.request(`/v1/likelihoods/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(answer.status, `${path} ${body}`).toBe(200);
    }
  });

  it('serves a fixed version, and computes the analysis once per artifact version', async () => {
    const fixed = await get(app, '/likelihoods/gaussian-toy-truth@1.0.0');
    expect(fixed.status).toBe(200);
    expect(fixed.headers.get('cache-control')).toContain('max-age');
    const key = 'memo-test';
    expect(analysisOf(key, truth)).toBe(analysisOf(key, truth));
  });
});

describe('errors', () => {
  it('answers an unknown id or version with the 404 problem, or a 404 page for browsers', async () => {
    for (const path of ['/likelihoods/nope', '/likelihoods/gaussian-toy-truth@9.9.9', '/likelihoods/gaussian-toy-truth/figures/none.svg']) {
      const res = await get(app, path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect((await res.json()).status).toBe(404);
    }
    const res = await get(app, '/likelihoods/<nope>', { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await res.text();
    expect(page).toContain('No such likelihood');
    expect(page).toContain('&lt;nope&gt;');
    expect(page).not.toContain('<nope>');
  });
});

// ---------------------------------------------------------------------------------------
// A two-parameter artifact with a network ensemble, a figure and hostile manifest text.

const HOSTILE = `<script>alert("x")</script> & 'friends'`;
const FIGURE = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60"><rect width="120" height="60" fill="#eee"/><text x="10" y="35">closure</text></svg>';

/** A linear layer into a sum-of-squares head: R(x|a, b) = (1 + s x₁ a + s x₂ b)² + a² + b², one slope s per member. */
function ensemble(slopes: number[]): FrozenNetwork {
  return {
    format: 'frozen-mlp/1',
    inputs: 2,
    outputs: 6,
    inputScaling: { mean: Float32Array.of(0, 0), std: Float32Array.of(1, 1) },
    head: { kind: 'sum-of-squares', parameters: 2, degree: 2, fixReference: true },
    members: slopes.map((s) => ({ layers: [{ inputs: 2, outputs: 5, kernel: Float32Array.of(s, 0, 0, 0, 0, 0, 0, s, 0, 0), bias: Float32Array.of(0, 1, 0, 0, 1), activation: 'linear' as const }] })),
  } as FrozenNetwork;
}

async function publishFixture(root: string): Promise<LoadedArtifact> {
  const network = ensemble([0.5, 0.62, 0.4]);
  const model = networkRatioModel(network);
  const random = createRandom(7);
  const n = 2000;
  const events = Float64Array.from({ length: 2 * n }, () => random.normal());
  const variants = model.coefficientsFor(events, n);
  const reference: CoefficientSample = { kind: 'coefficient-sample', count: n, coefficients: 6, variants };
  const m = 60;
  const observedValues = Float64Array.from({ length: 2 * m }, (_, k) => random.normal() + (k % 2 === 0 ? 0.25 : -0.1));
  const observed: EventSample = { kind: 'event-sample', count: m, observables: 2, values: observedValues };
  const draft: ManifestDraft = {
    schemaVersion: '1',
    id: 'page-fixture',
    version: '1.0.0',
    title: `Fixture ${HOSTILE}`,
    description: `A description with <b>markup</b> ${HOSTILE}`,
    citation: [`Cite ${HOSTILE}`],
    parameters: [
      { name: 'cA', description: `first ${HOSTILE}`, reference: 0, range: [-1.5, 1.5], unit: 'TeV^-2' },
      { name: 'cB', reference: 0, range: [-1.5, 1.5], wcxf: { eft: 'SMEFT', basis: 'Warsaw', name: `phiW<x>` } },
    ],
    observables: [
      { name: 'x1', unit: 'GeV', description: HOSTILE },
      { name: 'x2' },
    ],
    luminosity: { value: 10, unit: 'fb^-1' },
    terms: [
      {
        kind: 'unbinned-polynomial',
        name: 'signal',
        description: HOSTILE,
        parameters: ['cA', 'cB'],
        degree: 2,
        observables: ['x1', 'x2'],
        crossSection: { value: 6, unit: 'fb', coefficients: Array.from(crossSectionFromReference(variants[0], n, 6, null)), origin: 'reference-sample' },
        ratio: 'network',
        reference: 'reference-sample',
        observed: 'observed-events',
      },
    ],
    provenance: { createdAt: new Date(0).toISOString(), producer: { name: `test ${HOSTILE}`, version: '0' }, versions: { node: process.versions.node }, configuration: { note: HOSTILE } },
    validation: {
      coverage: [{ cl: 0.68, coverage: 0.66, error: 0.015, toys: 1000, at: { cA: 0, cB: 0 }, luminosity: 10 }],
      closure: { [`max |Δ ln r| ${HOSTILE}`]: 0.0012 },
      figures: [{ component: 'closure-plot', caption: `Closure ${HOSTILE}` }],
      notes: [`<img src=x onerror=alert(1)> ${HOSTILE}`],
    },
  };
  const { artifact } = await writeArtifact(root, draft, [
    { name: 'network', kind: 'network', file: 'network.msgpack', description: HOSTILE, payload: { kind: 'network', network } },
    { name: 'reference-sample', kind: 'coefficient-sample', file: 'reference-sample.msgpack', payload: reference },
    { name: 'observed-events', kind: 'event-sample', file: 'observed-events.msgpack', payload: observed },
    { name: 'closure-plot', kind: 'figure', file: 'closure-plot.svg', payload: { svg: FIGURE } },
  ]);
  await writeFile(join(root, 'index.json'), JSON.stringify({ schemaVersion: '1', likelihoods: [{ id: 'page-fixture', versions: ['1.0.0'] }] }));
  return artifact;
}

describe('a two-parameter likelihood with an ensemble, a figure and markup in its manifest', () => {
  let root: string;
  let fixture: LoadedArtifact;
  let fixtureApp: ReturnType<typeof createApp>;
  let page: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'pages-test-'));
    fixture = await publishFixture(root);
    fixtureApp = createApp(fileStore(root));
    const res = await get(fixtureApp, '/likelihoods/page-fixture');
    expect(res.status).toBe(200);
    page = await res.text();
  }, 120_000);
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('escapes every text that comes from the manifest', async () => {
    expect(fixture.likelihood.variants).toBe(4);
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<img src=x');
    expect(page).not.toContain('<b>markup</b>');
    expect(page).not.toContain('phiW<x>');
    const escaped = escapeHtml(HOSTILE);
    // title, description, citation, parameter and observable descriptions, term, closure, caption, notes, provenance
    expect(page.split(escaped).length - 1).toBeGreaterThanOrEqual(10);
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const catalogue = await (await get(fixtureApp, '/')).text();
    expect(catalogue).not.toContain('<script>');
    expect(catalogue).toContain(escapeHtml(`Fixture ${HOSTILE}`));
  });

  it('draws the 2-D contours as SVG polygons, and the ensemble spread as bands', () => {
    const contours = page.slice(page.indexOf('id="contours"'), page.indexOf('id="validation"'));
    expect(contours).toContain('cA vs cB');
    const svg = /<svg[^>]*>.*?<\/svg>/s.exec(contours)![0];
    const rings = [...svg.matchAll(/<path d="(M[^"]*Z)[^"]*" fill=/g)];
    expect(rings.length).toBeGreaterThanOrEqual(4); // 68% and 95%, observed and expected
    expect(page).toContain('spread of 3 ensemble members');
    expect(page).toContain("ensemble members' intervals (3 members)");
  });

  it('shows for each parameter the intervals profileInterval gives', () => {
    const observed = resolveDataset(fixture.likelihood, { kind: 'observed' });
    for (const name of ['cA', 'cB']) {
      const result = profileInterval(fixture.likelihood, observed, name, PAGE_LEVELS, { points: SCAN_POINTS });
      expectIntervalsShown(scanRow(page, name, 'observed'), result, [-1.5, 1.5]);
    }
  });

  it('embeds the validation figure from a route that serves the verified bytes as SVG', async () => {
    expect(page).toContain('<img src="/likelihoods/page-fixture@1.0.0/figures/closure-plot.svg"');
    const res = await get(fixtureApp, '/likelihoods/page-fixture@1.0.0/figures/closure-plot.svg');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/svg+xml');
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(await res.text()).toBe(FIGURE);
    const again = await get(fixtureApp, '/likelihoods/page-fixture@1.0.0/figures/closure-plot.svg', { 'if-none-match': res.headers.get('etag')! });
    expect(again.status).toBe(304);
    // only figures are served, never other components
    expect((await get(fixtureApp, '/likelihoods/page-fixture@1.0.0/figures/network.svg')).status).toBe(404);
    expect((await get(fixtureApp, '/likelihoods/page-fixture@1.0.0/figures/closure-plot.png')).status).toBe(404);
  });

  it('builds examples at a point inside the ranges', () => {
    const point = examplePoint(fixture.manifest);
    expect(point).toEqual({ cA: 0.38, cB: 0.38 });
    expect(exampleRequests(fixture.manifest, point).nll.points[1]).toEqual({ cA: 0, cB: 0 });
  });
});

describe('pages precomputed at publication (issue 21)', () => {
  const index = JSON.parse(readFileSync('likelihoods/index.json', 'utf8')) as { likelihoods: { id: string; versions: string[] }[] };

  it.each(index.likelihoods.map((entry) => [entry.id, entry.versions.at(-1)!]))("%s@%s publishes its page's analysis, of the shape the page reads, with its sha256", async (id, version) => {
    const folder = `likelihoods/${id}/${version}`;
    const manifest = JSON.parse(readFileSync(`${folder}/manifest.json`, 'utf8'));
    expect(manifest.pageAnalysis).toBe('page-analysis');
    const component = manifest.components[manifest.pageAnalysis];
    const bytes = new Uint8Array(readFileSync(`${folder}/${component.file}`));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(component.sha256);
    const { analysis } = decodeMessagePack(bytes) as { analysis: unknown };
    const parsed = AnalysisSchema.safeParse(analysis);
    expect(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 3))).toBe(true);
  });
});

describe('the result page of an imported pyhf workspace (atlas-sbottom-regiona)', async () => {
  const sbottom = await readArtifactFolder('likelihoods/atlas-sbottom-regiona/1.0.0');
  const res = await get(app, '/likelihoods/atlas-sbottom-regiona');
  const page = await res.text();
  const pyhf = JSON.parse(await (await import('node:fs/promises')).readFile('test/fixtures/pyhf/reference/sbottom_1300_205_60.json', 'utf8'));

  it('shows each channel with its samples, observed counts and an observed-vs-expected plot', () => {
    expect(res.status).toBe(200);
    const [term] = binnedTerms(sbottom.likelihood);
    for (const channel of term.channels) {
      expect(page).toContain(`<title id="channel-0-${term.channels.indexOf(channel)}-title">Observed and expected events in ${channel.name}</title>`);
      for (const n of term.observations![channel.name]) expect(page).toContain(`<td class="num">${n}</td>`);
    }
    for (const sample of term.spec.channels[0].samples) expect(page).toContain(`<tr><td>${escapeHtml(sample.name)}</td>`);
    expect(page).toContain('histosys × ');
  });

  it('shows the CLs scan and the upper limits pyhf computes, to the digits printed', () => {
    expect(page).toContain('<title id="cls-scan-title">CLs scan of mu_SIG</title>');
    expect(page).toContain(`<strong>${Number(pyhf.upper_limit.observed.toPrecision(4))}</strong>`);
    for (const e of pyhf.upper_limit.expected) expect(page).toContain(`<td class="num">${Number(e.toPrecision(4))}</td>`);
  });

  it('links the exported pyhf workspace', () => {
    expect(page).toContain('href="/v1/likelihoods/atlas-sbottom-regiona@1.0.2/workspace"');
  });

  it('shows the agreement with pyhf that 1.0.1 records, a revision of 1.0.0 with the same components (and 1.0.2, with its page precomputed, of 1.0.1)', async () => {
    expect(page).toContain('Agreement with pyhf 0.7.6');
    expect(page).toContain('a revision of 1.0.1 (metadata only, the same numbers)');
    const latest = await readArtifactFolder('likelihoods/atlas-sbottom-regiona/1.0.2');
    expect(latest.manifest.validation).toEqual((await readArtifactFolder('likelihoods/atlas-sbottom-regiona/1.0.1')).manifest.validation);
    const revised = await readArtifactFolder('likelihoods/atlas-sbottom-regiona/1.0.1');
    const { closure } = revised.manifest.validation;
    expect(closure!['−ln L against pyhf at its points: largest relative difference']).toBeLessThan(1e-12);
    expect(closure!['95% CLs upper limit on mu_SIG, observed and expected ±2σ: largest relative difference']).toBeLessThan(1e-3);
    for (const [name, ref] of Object.entries(sbottom.manifest.components)) expect(revised.manifest.components[name]?.sha256, name).toBe(ref.sha256);
    expect(revised.manifest.provenance.revisionOf!.manifestSha256).toBe(createHash('sha256').update(readFileSync('likelihoods/atlas-sbottom-regiona/1.0.0/manifest.json')).digest('hex'));
  });
});

describe('coverage of 0% on a result page', () => {
  it('gives the Clopper–Pearson interval where the binomial error is 0, and flags the nominal level outside it', async () => {
    const page = await (await app.request('/likelihoods/gaussian-toy-a4-smeared@1.0.0', { headers: { accept: 'text/html' } })).text();
    expect(page).toContain('68% CP: 0.0%–0.6%');
    expect(page).toContain('nominal outside the 99.7% interval ⚠');
    expect(page).not.toContain('± 0.0%');
  });
});

describe('citing a result page', () => {
  it('gives BibTeX for the artifact version, with the sha256 of the manifest it serves', async () => {
    const sha256 = createHash('sha256').update(readFileSync('likelihoods/atlas-sbottom-regiona/1.0.0/manifest.json')).digest('hex');
    const page = await (await app.request('/likelihoods/atlas-sbottom-regiona@1.0.0', { headers: { accept: 'text/html' } })).text();
    expect(page).toContain('@misc{atlas_sbottom_regiona_1_0_0,');
    expect(page).toContain(`note         = {Manifest sha256 ${sha256}; cite also ATLAS Collaboration`);
    expect((await app.request('/v1/likelihoods/atlas-sbottom-regiona@1.0.0')).headers.get('etag')).toBe(`"${sha256}"`);
  });
});

describe('binned sections of a result page', () => {
  it('give each sample one colour across channels, label bins by index, and collapse many channels behind a summary table', async () => {
    const sbottom = await readArtifactFolder('likelihoods/atlas-sbottom-regiona/1.0.0');
    const channels = (await analysisOf('sbottom colours', sbottom)).binned[0].channels;
    const colors = sampleColors(channels);
    // a sample present in several channels is drawn in one colour: the map is by name, over the whole term
    const shared = channels[0].samples.map((s) => s.name).filter((name) => channels.every((c) => c.samples.some((s) => s.name === name)));
    expect(shared.length).toBeGreaterThan(0);
    expect(shared.some((name) => colors.has(name))).toBe(true);
    expect(new Set(colors.values()).size).toBe(colors.size);

    const page = await (await app.request('/likelihoods/tttt-cp', { headers: { accept: 'text/html' } })).text();
    expect(page).toContain('bin index in ');
    const details = page.indexOf('<details class="channels"><summary>the ');
    expect(details).toBeGreaterThan(0);
    expect(page.indexOf('<th class="num">expected, pre-fit</th>')).toBeLessThan(details);
    expect(page.indexOf('id="scans"')).toBeGreaterThan(details);
  });
});

describe('the data behind each plot', () => {
  it('is a JSON download next to every plot, holding the numbers the plot draws', async () => {
    const page = await (await app.request('/likelihoods/atlas-sbottom-regiona', { headers: { accept: 'text/html' } })).text();
    const plots = page.match(/<div class="plot">/g)!.length;
    const links = [...page.matchAll(/<a class="download" download="([^"]+)" href="data:application\/json;charset=utf-8,([^"]+)">/g)];
    expect(links.length).toBe(plots);
    const cls = links.find(([, file]) => file.startsWith('cls-'))!;
    const data = JSON.parse(decodeURIComponent(cls[2].replaceAll('&amp;', '&')));
    const pyhf = JSON.parse(readFileSync('test/fixtures/pyhf/reference/sbottom_1300_205_60.json', 'utf8'));
    expect(data.limit.observed).toBeCloseTo(pyhf.upper_limit.observed, 3);
    expect(data.mu.length).toBe(data.observed.length);
  });
});
