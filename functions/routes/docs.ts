/**
 * The API description: `/openapi.json` (generated from the zod schemas), `/docs` (a page
 * rendered from the same document, readable with no internet and no script), and
 * `/schema/manifest.json` (the manifest's JSON Schema).
 */
import { Hono } from 'hono';
import { manifestJsonSchema } from '../../models/artifact/manifest-schema.js';
import { OPERATIONS, openApiDocument } from '../openapi.js';
import { escapeHtml as escape } from '../pages/html.js';
import { problemTitles } from '../problem.js';
import { LIMITS } from '../schemas.js';
import type { Env } from './v1.js';
import { z } from 'zod';

export const docs = new Hono<Env>();

let cachedDocument: string | null = null;
let cachedPage: string | null = null;

docs.get('/openapi.json', (c) => {
  cachedDocument ??= JSON.stringify(openApiDocument(), null, 2);
  return c.body(cachedDocument, 200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'public, max-age=300' });
});

docs.get('/schema/manifest.json', (c) => c.json(manifestJsonSchema()));

docs.get('/docs', (c) => {
  cachedPage ??= docsPage();
  return c.html(cachedPage);
});

interface JsonSchemaNode {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  anyOf?: JsonSchemaNode[];
  items?: JsonSchemaNode;
  default?: unknown;
  const?: unknown;
  minItems?: number;
  maxItems?: number;
}

function typeOf(node: JsonSchemaNode): string {
  if (node.const !== undefined) return JSON.stringify(node.const);
  if (node.anyOf) return node.anyOf.map(typeOf).join(' | ');
  if (node.type === 'array') return `${node.items ? typeOf(node.items) : 'any'}[]`;
  if (Array.isArray(node.type)) return node.type.join(' | ');
  return node.type ?? 'object';
}

function fieldsTable(schema: z.ZodType): string {
  const node = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
  const rows = Object.entries(node.properties ?? {}).map(([name, field]) => {
    const required = node.required?.includes(name) && field.default === undefined;
    const notes = [field.description, field.default !== undefined ? `default ${JSON.stringify(field.default)}` : '', field.maxItems ? `at most ${field.maxItems}` : ''].filter(Boolean).join('; ');
    return `<tr><td><code>${escape(name)}</code>${required ? ' <em>required</em>' : ''}</td><td><code>${escape(typeOf(field))}</code></td><td>${escape(notes)}</td></tr>`;
  });
  return `<table><thead><tr><th>field</th><th>type</th><th>meaning</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function docsPage(): string {
  const operations = OPERATIONS.map((op) => {
    const anchor = `${op.method}-${op.path.replace(/[^a-z]+/g, '-')}`;
    return `<section id="${anchor}">
<h2><span class="method">${op.method.toUpperCase()}</span> <code>${escape(op.path)}</code></h2>
<p><strong>${escape(op.summary)}.</strong> ${escape(op.description)}</p>
${op.request ? `<h3>Request body</h3>${fieldsTable(op.request)}` : ''}
${op.example ? `<h3>Example</h3><pre>curl -X POST http://127.0.0.1:8787${escape(op.path.replace('{id}', 'gaussian-toy-truth'))} \\\n  -H 'content-type: application/json' \\\n  -d '${escape(JSON.stringify(op.example))}'</pre>` : ''}
<h3>Response</h3>${fieldsTable(op.response)}
</section>`;
  }).join('\n');
  const problems = Object.entries(problemTitles())
    .map(([code, title]) => `<tr id="problem-${code}"><td><code>${code}</code></td><td>${escape(title)}</td></tr>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>API — likelihood service</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}
code,pre{font-family:ui-monospace,monospace;font-size:.9em}pre{background:#f4f6f8;padding:.8rem;overflow:auto;border-radius:4px}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}td,th{border-bottom:1px solid #d8dee4;padding:.3rem .5rem;text-align:left;vertical-align:top}
.method{background:#0b5cad;color:#fff;border-radius:3px;padding:0 .4rem;font-size:.8em}section{border-top:1px solid #d8dee4;margin-top:1.5rem}
</style></head><body>
<p><a href="/">← catalogue</a></p>
<h1>Likelihood service API, v1</h1>
<p>JSON by default; MessagePack (typed arrays for event matrices) when the request's <code>Content-Type</code> or <code>Accept</code> is <code>application/msgpack</code>.
Parameter points are objects keyed by parameter name; missing parameters take their reference value. Errors are
<a href="https://www.rfc-editor.org/rfc/rfc9457">RFC 9457</a> problem details (<code>application/problem+json</code>) with a stable <code>code</code> and the path of each offending field.</p>
<p>Limits: body ${LIMITS.bodyBytes / 1024 / 1024} MiB, ${LIMITS.points} points per request, ${LIMITS.events} events per dataset, ${LIMITS.scanPoints} scan points (1-D), ${LIMITS.contourPoints}² grid points (2-D).
The machine-readable description is <a href="/openapi.json">/openapi.json</a>; the manifest's JSON Schema is <a href="/schema/manifest.json">/schema/manifest.json</a>.</p>
<p><strong>Datasets</strong> (<code>data</code>): <code>"observed"</code> (the published data; the default where there is some), <code>"asimov"</code> (expected data at <code>at</code>, default the reference point; unbinned terms reweight the published reference sample, binned terms use expected counts),
<code>{"binned": {"channel": [counts]}}</code>, or <code>{"events": [[x1, x2, …], …], "weights"?: […]}</code> in the manifest's observable order and units. <code>luminosity</code> rescales to any integrated luminosity; <code>rate: false</code> drops the Poisson rate term (shape only).</p>
${operations}
<section><h2>Problems</h2><table><thead><tr><th>code</th><th>meaning</th></tr></thead><tbody>${problems}</tbody></table></section>
</body></html>`;
}
