/**
 * POST /v1/pyhf/page (issue 21 item 4): the result page of a workspace sent with the request,
 * with the sections of a published binned likelihood's page and no link to a published version
 * it does not have; bad workspaces and Accept headers get problem documents.
 */
import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { fileStore } from '../../functions/node.js';

const app = createApp(fileStore('likelihoods'));

describe('POST /v1/pyhf/page', () => {
  it('renders the page of a sent workspace: model, CLs, diagnostics, scans; no links to a published version', async () => {
    const workspace = await (await app.request('/v1/likelihoods/atlas-sbottom-regiona/workspace')).json();
    const res = await app.request('/v1/pyhf/page', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ workspace }) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'"); // no script may run
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    for (const section of ['A pyhf workspace, as this service reads it', 'Channels, samples and modifiers', 'CLs and upper limits', 'Fit diagnostics', 'Profile-likelihood scans', 'Query this workspace']) expect(html).toContain(section);
    // the same upper limit as the published likelihood's page
    const published = await (await app.request('/likelihoods/atlas-sbottom-regiona')).text();
    const limit = (page: string) => /<td class="num"><strong>([\d.]+)<\/strong><\/td>/.exec(page)?.[1];
    expect(limit(html)).toBeDefined();
    expect(limit(html)).toBe(limit(published));
    expect(html).not.toMatch(/inline@|\/v1\/likelihoods\/inline|Cite this version/);
  });

  it('refuses a bad workspace with a problem document, and an Accept header without HTML with 406', async () => {
    const bad = await app.request('/v1/pyhf/page', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ workspace: { channels: 'none' } }) });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { code: string }).code).toBe('invalid-workspace');
    const json = await app.request('/v1/pyhf/page', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ workspace: {} }) });
    expect(json.status).toBe(406);
  });
});
