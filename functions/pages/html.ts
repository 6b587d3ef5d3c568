/**
 * HTML for the public pages, built on the server: hono's `html` template (which escapes every
 * interpolated value unless it is already markup), number formatting, and the page layout
 * (inline CSS only, no script, nothing loaded from elsewhere).
 */
import { html as honoHtml, raw as honoRaw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { plainText, richHtml } from '../../render/rich-text.js';

/** Markup that is already safe: hono's escaped string, interpolated as is. */
export type Markup = HtmlEscapedString;

/**
 * `html\`<p>${text}</p>\``: hono's html template (text escaped, markup and arrays of markup
 * inserted as they are, false/null/undefined dropped), typed for pages built synchronously.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Markup {
  return honoHtml(strings, ...values) as Markup;
}

/** Marks a string as markup (only for strings built by this module's functions or by render/plots.ts). */
export const raw = (value: string): Markup => honoRaw(value);

/** Text in the manifests' notation (`E_T^miss`, `C_lq^(1)`) with real sub- and superscripts. */
export const rich = (text: string): Markup => honoRaw(richHtml(text));

/** A link that downloads the numbers behind a plot as JSON: a data: URL, so no script and no extra route. */
export function dataLink(file: string, data: unknown): Markup {
  return html`<a class="download" download="${file}" href="data:application/json;charset=utf-8,${encodeURIComponent(JSON.stringify(data))}">data (JSON)</a>`;
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return String(html`${text}`);
}

/** A number with `digits` significant digits, without exponent for ordinary magnitudes; "−" for minus. */
export function formatNumber(value: number, digits = 4): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? '∞' : '−∞';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  const text = magnitude >= 1e-4 && magnitude < 1e6 ? String(Number(value.toPrecision(digits))) : value.toExponential(digits - 1);
  return text.replace('-', '−');
}

/** Decimals that resolve 10⁻⁴ of a parameter's range (at least 2): the tables' fixed precision. */
export function decimalsFor(range: readonly [number, number]): number {
  const width = Math.abs(range[1] - range[0]);
  if (!(width > 0) || !Number.isFinite(width)) return 4;
  return Math.min(10, Math.max(2, Math.ceil(-Math.log10(width * 1e-4) - 1e-9)));
}

/** A parameter value as shown in the tables: fixed `decimals` ("−" for minus, no "−0"). */
export function formatValue(value: number, decimals = 4): string {
  if (!Number.isFinite(value)) return formatNumber(value);
  const text = value.toFixed(decimals);
  return (/^-0\.?0*$/.test(text) ? text.slice(1) : text).replace('-', '−');
}

export function formatPercent(fraction: number, decimals = 1): string {
  return `${(100 * fraction).toFixed(decimals)}%`;
}

/** A confidence level as a short label: 0.68 → "68%", 0.6827 → "68.27%". */
export function formatLevel(cl: number): string {
  return `${Number((100 * cl).toFixed(2))}%`;
}

/** "fb^-1" → "fb⁻¹": the common unit spellings of manifests, for reading. */
export function formatUnit(unit: string): string {
  const superscripts: Record<string, string> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };
  return unit.replace(/\^(-?\d+)/g, (_, power: string) => [...power].map((ch) => superscripts[ch]).join(''));
}

/** A small inline icon (a parabola with its 1σ line), so browsers do not ask for /favicon.ico. */
export const FAVICON = `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#0072B2"/><path d="M2 3Q8 21 14 3" fill="none" stroke="#fff" stroke-width="1.6"/><path d="M2 10H14" stroke="#E69F00" stroke-width="1.2"/></svg>')}`;

const STYLE = `
:root{color-scheme:light;--ink:#1b1f24;--muted:#57606a;--line:#d0d7de;--soft:#f6f8fa;--accent:#0b5cad}
*{box-sizing:border-box}
body{margin:0;font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:#fff}
header.site{border-bottom:1px solid var(--line);background:var(--soft)}
header.site div,main,footer{max-width:1040px;margin:0 auto;padding:0 20px}
header.site div{display:flex;gap:18px;align-items:baseline;padding-top:10px;padding-bottom:10px}
header.site a.home{font-weight:600;color:var(--ink);text-decoration:none}
main{padding-top:8px;padding-bottom:40px}
footer{color:var(--muted);font-size:14px;border-top:1px solid var(--line);padding-top:12px;padding-bottom:24px}
a{color:var(--accent)}
h1{font-size:1.75rem;line-height:1.25;margin:18px 0 6px}
h2{font-size:1.3rem;margin:34px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:1.08rem;margin:22px 0 8px}
p.lead{color:var(--muted);margin-top:0}
.meta{color:var(--muted);font-size:15px}
code,pre,kbd{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:0.9em}
code{background:var(--soft);padding:0.1em 0.3em;border-radius:4px}
pre{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:12px 14px;overflow-x:auto;line-height:1.45}
pre code{background:none;padding:0}
table{border-collapse:collapse;margin:8px 0 14px;font-size:15px}
th,td{border-bottom:1px solid var(--line);padding:5px 12px 5px 0;text-align:left;vertical-align:top}
th{font-weight:600;color:var(--muted);font-size:14px}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.scroll{overflow-x:auto}
.card{border:1px solid var(--line);border-radius:8px;padding:6px 18px 10px;margin:16px 0}
.card h2{border:none;margin-top:10px}
.tag{display:inline-block;border:1px solid var(--line);border-radius:999px;padding:0 8px;font-size:13px;color:var(--muted);margin-right:4px}
.plot{margin:6px 0 4px;max-width:680px}
.plot svg{width:100%;height:auto;display:block}
.plots{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:10px 28px;align-items:start}
figure{margin:10px 0 18px}
figcaption{color:var(--muted);font-size:14px}
figure img{max-width:100%;height:auto;border:1px solid var(--line);border-radius:4px;background:#fff}
.note{color:var(--muted);font-size:14px}
.warn{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:6px 10px}
details summary{cursor:pointer;color:var(--accent)}details.inline{display:inline}details.inline[open]{display:block}tr.sum td{font-weight:600}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:8px 0}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0}
@media (max-width:600px){.plots{grid-template-columns:1fr}body{font-size:15px}}
`;

export interface PageOptions {
  title: string;
  /** a short description for <meta name="description"> */
  description?: string;
  body: Markup;
}

/** A complete HTML document with the site's header, inline CSS and no script. */
export function layout({ title, description, body }: PageOptions): string {
  return `<!doctype html>${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${plainText(title)}</title>
<link rel="icon" href="${FAVICON}">
${description ? html`<meta name="description" content="${plainText(description)}">` : ''}
<style>${raw(STYLE)}</style>
</head>
<body>
<header class="site"><div><a class="home" href="/">Likelihood service</a><a href="/">catalogue</a><a href="/docs">API documentation</a><a href="/openapi.json">OpenAPI</a></div></header>
<main>
${body}
</main>
<footer>Published likelihoods are immutable: a fixed <code>id@version</code> always gives the same numbers. Everything on this page is computed on the server from the published artifact.</footer>
</body>
</html>
`}`;
}

/** Content-Security-Policy of the pages: no script at all, styles inline, images from this origin. */
export const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
