/**
 * A published combination (issue 25 item 1): `npm run cli -- combine` writes a manifest that
 * pins its members by their manifests' sha256; the service serves it like any likelihood
 * (nll, fit, interval, CLs, result page) with the numbers of the request-time combination, and
 * refuses it when a member is not the one pinned.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { fileStore } from '../../functions/node.js';
import { writeCatalogueIndex } from '../../scripts/lib/catalogue-index.js';
import { publishCombination } from '../../scripts/lib/publish-combination.js';

const MEMBERS = ['atlas-sbottom-regiona', 'pyhf-2bin-shapesys'];
const RENAME = { 'pyhf-2bin-shapesys': { mu: 'mu_SIG' } };
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'combination-'));
  for (const id of MEMBERS) await cp(join('likelihoods', id), join(root, id), { recursive: true });
  await writeCatalogueIndex(root);
  await publishCombination(root, { id: 'sbottom-plus-2bin', version: '1.0.0', title: 'Two searches', description: 'a test combination', likelihoods: MEMBERS, rename: RENAME });
});
afterAll(async () => rm(root, { recursive: true, force: true }));

const post = async (app: ReturnType<typeof createApp>, path: string, body: unknown) => {
  const res = await app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
};

describe('a published combination', () => {
  it('pins its members by sha256 and declares the combined parameters of interest', async () => {
    const manifest = JSON.parse(await readFile(join(root, 'sbottom-plus-2bin/1.0.0/manifest.json'), 'utf8'));
    expect(manifest.terms).toEqual([]);
    expect(manifest.parameters.map((p: { name: string }) => p.name)).toEqual(['mu_SIG']);
    expect(manifest.combination.members.map((m: { id: string }) => m.id)).toEqual(MEMBERS);
    expect(manifest.combination.members.every((m: { manifestSha256: string }) => /^[0-9a-f]{64}$/.test(m.manifestSha256))).toBe(true);
    await expect(publishCombination(root, { id: 'sbottom-plus-2bin', version: '1.0.0', title: 't', description: '', likelihoods: MEMBERS, rename: RENAME })).rejects.toThrow(/exists/);
    // parameters of interest that cannot be one are refused, and nothing is left behind
    await expect(publishCombination(root, { id: 'broken', version: '1.0.0', title: 't', description: '', likelihoods: MEMBERS, correlate: ['lumi'] })).rejects.toThrow(/'lumi' is a nuisance parameter of 'atlas-sbottom-regiona' only/);
    await expect(readFile(join(root, 'broken/1.0.0/manifest.json'))).rejects.toThrow();
  });

  it('is served like any likelihood, with the numbers of the same combination made at request time', async () => {
    const app = createApp(fileStore(root));
    const points = [{ mu_SIG: 0.4 }, { mu_SIG: 1.3 }];
    const published = await post(app, '/v1/likelihoods/sbottom-plus-2bin/nll', { points, gradient: true });
    const requested = await post(app, '/v1/combinations/nll', { likelihoods: MEMBERS, rename: RENAME, points, gradient: true });
    expect(published.status).toBe(200);
    expect(published.body).toEqual(requested.body);
    const fit = await post(app, '/v1/likelihoods/sbottom-plus-2bin/fit', { data: 'asimov' });
    expect(fit.body).toEqual((await post(app, '/v1/combinations/fit', { likelihoods: MEMBERS, rename: RENAME, data: 'asimov' })).body);
    const cls = await post(app, '/v1/likelihoods/sbottom-plus-2bin/cls', { values: [1] });
    expect(cls.status).toBe(200);
    expect(cls.body.results[0].cls).toBeGreaterThan(0);
    expect(cls.body.results[0].cls).toBeLessThan(1);
    const submitted = await post(app, '/v1/likelihoods/sbottom-plus-2bin/nll', { points, data: { binned: { singlechannel: [1, 2] } } });
    expect(submitted.status).toBe(422);
    expect(submitted.body.detail).toMatch(/submit data per member through POST \/v1\/combinations/);
    const page = await app.request('/likelihoods/sbottom-plus-2bin', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain('A combination of published likelihoods');
    expect(text).toContain('href="/likelihoods/atlas-sbottom-regiona@1.0.2"');
    expect(text).toMatch(/Profile-likelihood scans/);
  });

  it('is refused (503) when a member is not the version it pins', async () => {
    const copy = await mkdtemp(join(tmpdir(), 'combination-tampered-'));
    try {
      await cp(root, copy, { recursive: true });
      const file = join(copy, 'pyhf-2bin-shapesys/1.0.2/manifest.json');
      const manifest = JSON.parse(await readFile(file, 'utf8'));
      await writeFile(file, JSON.stringify({ ...manifest, description: `${manifest.description} (edited)` }, null, 2));
      const app = createApp(fileStore(copy));
      const res = await post(app, '/v1/likelihoods/sbottom-plus-2bin/nll', { points: [{ mu_SIG: 1 }] });
      expect(res.status).toBe(503);
      expect(res.body.detail).toMatch(/member pyhf-2bin-shapesys@1.0.2: its manifest's sha256 is [0-9a-f]{64}, the combination pins/);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });
});
