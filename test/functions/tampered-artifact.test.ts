/**
 * A tampered or broken artifact is refused on its own (DESIGN.md "A published likelihood
 * artifact": the service verifies every component's sha256 before using it and refuses a
 * mismatch); the rest of the catalogue keeps working.
 *
 * A temporary likelihoods folder holds:
 * - `gaussian-toy-truth`: the published truth artifact with one byte of one component changed;
 * - `gaussian-toy-copy`: an intact copy under another id (only the manifest's id differs, so
 *   every sha256 in it stays valid);
 * - `gaussian-toy-resealed`: a copy whose manifest claims another (well-formed) sha256;
 * - `gaussian-toy-malformed`: a copy whose manifest's sha256 is not a sha256 at all;
 * - `gaussian-toy-garbled`: a copy whose manifest is not JSON;
 * - `gaussian-toy-missing`: listed in index.json, with no folder.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { fileStore } from '../../functions/node.js';
import { checkResponse, type ProblemLike } from '../helpers/http-checks.js';

const SOURCE = 'likelihoods/gaussian-toy-truth/1.0.0';
const TAMPERED_COMPONENT = 'observed-events';
const TAMPERED_FILE = 'observed-events.msgpack';

let root = '';
let app: ReturnType<typeof createApp>;
const reference = createApp(fileStore('likelihoods'));

interface ManifestJson {
  id: string;
  components: Record<string, { file: string; sha256: string; bytes: number }>;
  [key: string]: unknown;
}

function copyArtifact(id: string, edit: (manifest: ManifestJson) => string | ManifestJson = (m) => m): void {
  const folder = join(root, id, '1.0.0');
  cpSync(SOURCE, folder, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as ManifestJson;
  manifest.id = id;
  const edited = edit(manifest);
  writeFileSync(join(folder, 'manifest.json'), typeof edited === 'string' ? edited : JSON.stringify(edited, null, 2));
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'likelihoods-tampered-'));
  cpSync(SOURCE, join(root, 'gaussian-toy-truth', '1.0.0'), { recursive: true });
  copyArtifact('gaussian-toy-copy');
  copyArtifact('gaussian-toy-resealed', (m) => {
    const sha = m.components[TAMPERED_COMPONENT].sha256;
    m.components[TAMPERED_COMPONENT].sha256 = (sha[0] === '0' ? '1' : '0') + sha.slice(1);
    return m;
  });
  copyArtifact('gaussian-toy-malformed', (m) => {
    m.components[TAMPERED_COMPONENT].sha256 = 'not-a-sha256';
    return m;
  });
  copyArtifact('gaussian-toy-garbled', (m) => JSON.stringify(m).slice(0, 200));
  // only the truth artifact and its doctored copies: the test must not depend on what else is published
  const index: { schemaVersion: string; likelihoods: { id: string; versions: string[] }[] } = { schemaVersion: '1', likelihoods: [{ id: 'gaussian-toy-truth', versions: ['1.0.0'] }] };
  for (const id of ['gaussian-toy-copy', 'gaussian-toy-resealed', 'gaussian-toy-malformed', 'gaussian-toy-garbled', 'gaussian-toy-missing']) index.likelihoods.push({ id, versions: ['1.0.0'] });
  writeFileSync(join(root, 'index.json'), JSON.stringify(index, null, 2));

  // one byte of one component of the original, in the middle of the file
  const path = join(root, 'gaussian-toy-truth', '1.0.0', TAMPERED_FILE);
  const bytes = readFileSync(path);
  bytes[bytes.length >> 1] ^= 0x01;
  writeFileSync(path, bytes);

  app = createApp(fileStore(root));
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

const post = (target: ReturnType<typeof createApp>, path: string, body: unknown) =>
  target.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function problem(res: Response | Promise<Response>): Promise<ProblemLike & { status: number }> {
  const checked = await checkResponse(await res, { expectMsgpack: false, serverStatuses: [503] });
  expect(checked.contentType).toBe('application/problem+json');
  return checked.body as ProblemLike;
}

const EVALUATIONS: [string, unknown][] = [
  ['nll', { points: [{ theta: 0.4 }] }],
  ['ratio', { events: [[0.3]], points: [{ theta: 0.4 }] }],
  ['fit', {}],
  ['interval', { parameters: ['theta'], points: 5 }],
];

describe('a component changed by one byte', () => {
  it('is refused by every evaluation with a 503 naming the component and its integrity', async () => {
    for (const [endpoint, body] of EVALUATIONS) {
      const p = await problem(post(app, `/v1/likelihoods/gaussian-toy-truth/${endpoint}`, body));
      expect(p.status, endpoint).toBe(503);
      expect(p.code).toBe('artifact-unavailable');
      expect(p.detail).toContain(TAMPERED_COMPONENT);
      expect(p.detail).toContain('integrity');
      expect(p.detail).toContain('gaussian-toy-truth@1.0.0');
    }
  });

  it('stays refused on later requests and for a fixed version', async () => {
    for (const spec of ['gaussian-toy-truth', 'gaussian-toy-truth@1.0.0']) {
      const p = await problem(post(app, `/v1/likelihoods/${spec}/nll`, { points: [{}] }));
      expect(p).toMatchObject({ status: 503, code: 'artifact-unavailable' });
    }
  });

  it('leaves its manifest readable: the manifest itself is intact, only a component is not', async () => {
    const res = await app.request('/v1/likelihoods/gaussian-toy-truth');
    expect(res.status).toBe(200);
    const original = await reference.request('/v1/likelihoods/gaussian-toy-truth@1.0.0'); // the version the tampered catalogue holds
    expect(res.headers.get('etag')).toBe(original.headers.get('etag'));
  });

  it('a bad request to it is still a 4xx: the body is validated before the artifact is loaded', async () => {
    const p = await problem(post(app, '/v1/likelihoods/gaussian-toy-truth/nll', { points: [] }));
    expect(p).toMatchObject({ status: 422, code: 'invalid-request' });
  });
});

describe('the rest of the catalogue keeps working', () => {
  it('GET /v1/likelihoods answers 200 listing every artifact; those whose manifest cannot be read are marked unavailable', async () => {
    const res = await app.request('/v1/likelihoods');
    const { status, body } = await checkResponse(res);
    expect(status).toBe(200);
    const entries = (body as { likelihoods: { id: string; unavailable?: string; title?: string; versions: string[] }[] }).likelihoods;
    const byId = new Map(entries.map((e) => [e.id, e]));
    expect([...byId.keys()].sort()).toEqual(['gaussian-toy-copy', 'gaussian-toy-garbled', 'gaussian-toy-malformed', 'gaussian-toy-missing', 'gaussian-toy-resealed', 'gaussian-toy-truth']);
    // the catalogue reads manifests only: a tampered component is found when the artifact is loaded
    expect(byId.get('gaussian-toy-truth')).not.toHaveProperty('unavailable');
    expect(byId.get('gaussian-toy-truth')!.title).toMatch(/Two-Gaussian toy/);
    expect(byId.get('gaussian-toy-copy')).not.toHaveProperty('unavailable');
    expect(byId.get('gaussian-toy-resealed')).not.toHaveProperty('unavailable');
    expect(byId.get('gaussian-toy-malformed')!.unavailable).toMatch(/gaussian-toy-malformed@1\.0\.0/);
    expect(byId.get('gaussian-toy-garbled')!.unavailable).toMatch(/gaussian-toy-garbled@1\.0\.0/);
    expect(byId.get('gaussian-toy-missing')!.unavailable).toMatch(/manifest\.json is missing/);
    for (const id of ['gaussian-toy-malformed', 'gaussian-toy-garbled', 'gaussian-toy-missing']) expect(byId.get(id)!.versions).toEqual(['1.0.0']);
  });

  it('the intact copy answers nll, ratio, fit and interval with exactly the numbers of the original', async () => {
    const requests: [string, unknown][] = [
      ['nll', { points: [{ theta: -1.5 }, { theta: 0 }, { theta: 0.4 }, {}], gradient: true }],
      ['nll', { points: [{ theta: 0.3 }], data: 'asimov', at: { theta: 0.5 }, luminosity: 3000 }],
      ['nll', { points: [{ theta: 0.8 }], data: { events: [[0.1], [1.7], [-0.4]] }, rate: false }],
      ['ratio', { events: { shape: [4, 1], values: [-2, 0.3, 1.5, 3] }, points: [{ theta: 0.5 }, { theta: -1.2 }] }],
      ['fit', {}],
      ['fit', { fixed: { theta: 0.25 } }],
      ['interval', { parameters: ['theta'], cl: [0.68, 0.95], points: 11 }],
    ];
    for (const [endpoint, body] of requests) {
      const copy = await post(app, `/v1/likelihoods/gaussian-toy-copy/${endpoint}`, body);
      const original = await post(reference, `/v1/likelihoods/gaussian-toy-truth/${endpoint}`, body);
      expect(copy.status, `${endpoint} ${JSON.stringify(body)}`).toBe(200);
      expect(original.status).toBe(200);
      expect(await copy.json(), `${endpoint} ${JSON.stringify(body)}`).toEqual(await original.json());
    }
  });

  it('the intact copy serves its own manifest', async () => {
    const res = await app.request('/v1/likelihoods/gaussian-toy-copy@1.0.0');
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]{64}"$/);
    expect(((await res.json()) as { id: string }).id).toBe('gaussian-toy-copy');
  });
});

describe('tampered and broken manifests are refused', () => {
  it('a manifest whose sha256 was edited (still well-formed) no longer matches its component: evaluations are refused', async () => {
    for (const [endpoint, body] of EVALUATIONS) {
      const p = await problem(post(app, `/v1/likelihoods/gaussian-toy-resealed/${endpoint}`, body));
      expect(p).toMatchObject({ status: 503, code: 'artifact-unavailable' });
      expect(p.detail).toContain(TAMPERED_COMPONENT);
      expect(p.detail).toContain('integrity');
    }
    // its ETag is the sha256 of the edited manifest, so no cache can confuse it with the original
    const res = await app.request('/v1/likelihoods/gaussian-toy-resealed');
    expect(res.status).toBe(200);
    const copy = await app.request('/v1/likelihoods/gaussian-toy-copy');
    expect(res.headers.get('etag')).not.toBe(copy.headers.get('etag'));
  });

  it('a manifest whose sha256 is malformed is refused outright, manifest and evaluations alike', async () => {
    const manifest = await problem(app.request('/v1/likelihoods/gaussian-toy-malformed'));
    expect(manifest).toMatchObject({ status: 503, code: 'artifact-unavailable' });
    expect(manifest.detail).toContain('gaussian-toy-malformed@1.0.0');
    expect(JSON.stringify(manifest.errors ?? [])).toContain('sha256');
    const nll = await problem(post(app, '/v1/likelihoods/gaussian-toy-malformed/nll', { points: [{}] }));
    expect(nll).toMatchObject({ status: 503, code: 'artifact-unavailable' });
  });

  it('a manifest that is not JSON, and a missing one, are 503 problems too', async () => {
    for (const id of ['gaussian-toy-garbled', 'gaussian-toy-missing']) {
      for (const res of [app.request(`/v1/likelihoods/${id}`), post(app, `/v1/likelihoods/${id}/fit`, {})]) {
        const p = await problem(res);
        expect(p, id).toMatchObject({ status: 503, code: 'artifact-unavailable' });
        expect(p.detail).toContain(`${id}@1.0.0`);
      }
    }
  });

  it('a MessagePack client gets the refusal as a MessagePack problem', async () => {
    const { encodeMessagePack } = await import('../../models/artifact/codec.js');
    const res = await app.request('/v1/likelihoods/gaussian-toy-truth/nll', {
      method: 'POST',
      headers: { 'content-type': 'application/msgpack' },
      body: encodeMessagePack({ points: [{ theta: 0.1 }] }) as Uint8Array<ArrayBuffer>,
    });
    const checked = await checkResponse(res, { expectMsgpack: true, serverStatuses: [503] });
    expect(checked.status).toBe(503);
    expect(checked.body).toMatchObject({ code: 'artifact-unavailable' });
  });
});

describe('a malformed catalogue index', () => {
  it('is a 503 problem for the catalogue, not a crash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'likelihoods-bad-index-'));
    try {
      writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: '1', likelihoods: [{ id: 'Not An Id', versions: [] }] }));
      const broken = createApp(fileStore(dir));
      const p = await problem(broken.request('/v1/likelihoods'));
      expect(p).toMatchObject({ status: 503, code: 'artifact-unavailable' });
      const p2 = await problem(post(broken, '/v1/likelihoods/gaussian-toy-truth/nll', { points: [{}] }));
      expect(p2).toMatchObject({ status: 503, code: 'artifact-unavailable' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an index that is not JSON is a 503 problem as well', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'likelihoods-bad-index-'));
    try {
      writeFileSync(join(dir, 'index.json'), '{"schemaVersion": "1", "likelihoods": [');
      const broken = createApp(fileStore(dir));
      const res = await broken.request('/v1/likelihoods');
      const checked = await checkResponse(res, { expectMsgpack: false, serverStatuses: [503] });
      expect(checked.status).toBe(503);
      expect(checked.body).toMatchObject({ code: 'artifact-unavailable' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
