/**
 * The public API, v1 (DESIGN.md "The public HTTP API"), for published artifacts. Handlers
 * read and validate the body, load the artifact and hand both to `functions/operations.ts`;
 * nothing statistical happens here.
 */
import { Hono, type Context } from 'hono';
import type { LoadedArtifact } from '../../models/artifact/load.js';
import type { Manifest } from '../../models/artifact/manifest-schema.js';
import { eventLogRatios, unbinnedTerms } from '../../models/terms/unbinned-polynomial.js';
import { readBody, respond } from '../body.js';
import { flattenEvents, pointVectors } from '../dataset-request.js';
import { clsOperation, evaluating, fitOperation, intervalOperation, nllOperation, upperLimitOperation } from '../operations.js';
import { Problem } from '../problem.js';
import { artifactWorkspace, artifactWorkspaceWithSource, reinterpretOperation } from '../pyhf-request.js';
import { ClsRequestSchema, FitRequestSchema, IntervalRequestSchema, LIMITS, NllRequestSchema, RatioRequestSchema, ReinterpretRequestSchema, UpperLimitRequestSchema } from '../schemas.js';
import type { ArtifactStore } from '../store.js';

export type Env = { Variables: { store: ArtifactStore } };

/** Cache headers: a fixed version never changes; "latest" may move. */
export function cacheHeaders(etag: string, latest: boolean, versioned: boolean): Record<string, string> {
  return { etag, 'cache-control': versioned ? 'public, max-age=31536000, immutable' : latest ? 'public, max-age=60' : 'no-cache' };
}

export function catalogueEntry(manifest: Manifest, versions: string[]) {
  return {
    id: manifest.id,
    latest: manifest.version,
    versions,
    title: manifest.title,
    parameters: manifest.parameters.map((p) => ({ name: p.name, reference: p.reference, range: p.range, ...(p.unit ? { unit: p.unit } : {}) })),
    observables: manifest.observables.map((o) => o.name),
    terms: manifest.terms.map((t) => ({ kind: t.kind, name: t.name })),
    luminosity: manifest.luminosity,
    links: { manifest: `/v1/likelihoods/${manifest.id}`, page: `/likelihoods/${manifest.id}` },
  };
}

async function artifactOf(c: Context<Env>): Promise<LoadedArtifact> {
  const store = c.get('store');
  const { id, version } = await store.resolve(c.req.param('spec')!);
  return store.load(id, version);
}

export const v1 = new Hono<Env>();

v1.get('/likelihoods', async (c) => {
  const store = c.get('store');
  const index = await store.index();
  const entries = await Promise.all(
    index.likelihoods.map(async (l) => {
      const { version } = await store.resolve(l.id);
      try {
        const { manifest } = await store.manifest(l.id, version);
        return catalogueEntry(manifest, l.versions);
      } catch (error) {
        // a broken artifact is listed as unavailable; the rest of the catalogue stays usable
        return { id: l.id, latest: version, versions: l.versions, unavailable: (error as Error).message };
      }
    }),
  );
  return respond(c, { likelihoods: entries });
});

v1.get('/likelihoods/:spec', async (c) => {
  const store = c.get('store');
  const spec = c.req.param('spec');
  const { id, version, latest } = await store.resolve(spec);
  const { manifest, etag } = await store.manifest(id, version);
  const headers = cacheHeaders(etag, latest, spec.includes('@'));
  if (c.req.header('if-none-match') === etag) return new Response(null, { status: 304, headers });
  return respond(c, manifest, 200, headers);
});

v1.post('/likelihoods/:spec/nll', async (c) => {
  const request = await readBody(c, NllRequestSchema);
  return respond(c, nllOperation(await artifactOf(c), request));
});

v1.post('/likelihoods/:spec/ratio', async (c) => {
  const request = await readBody(c, RatioRequestSchema);
  const artifact = await artifactOf(c);
  const unbinned = unbinnedTerms(artifact.likelihood);
  if (unbinned.length !== 1) throw new Problem(422, 'invalid-request', `ratio needs exactly one unbinned term; '${artifact.manifest.id}' has ${unbinned.length}`);
  const [term] = unbinned;
  const { ratio } = term.events!;
  const spec = term.events!;
  const { values, count, width } = flattenEvents(request.events as never, ['events']);
  if (count > LIMITS.events) throw new Problem(413, 'too-many-events', `${count} events; the limit is ${LIMITS.events}`);
  if (count * request.points.length > LIMITS.ratioValues) throw new Problem(413, 'too-many-points', `${count} events × ${request.points.length} points exceeds ${LIMITS.ratioValues} values; split the request`);
  if (count > 0 && width !== spec.observables.length) {
    throw new Problem(422, 'invalid-dataset', `events need ${spec.observables.length} values each (${spec.observables.join(', ')}), got ${width}`, [{ path: ['events'], message: 'wrong event width' }]);
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new Problem(422, 'invalid-dataset', 'event values must be finite numbers', [{ path: ['events', Math.floor(i / width), i % width], message: 'not a finite number' }]);
  }
  const points = pointVectors(artifact, request.points);
  const coefficients = ratio.coefficientsFor(values, count);
  const data = { count, coefficients, weights: coefficients.map(() => null) };
  const index = artifact.likelihood.termIndex(term);
  const logRatio = evaluating(() => points.map((p) => Array.from(eventLogRatios(term, data, p, index, 0))));
  const members = coefficients.length - 1;
  const spread =
    members > 0
      ? evaluating(() =>
          points.map((p) => {
            const perMember = Array.from({ length: members }, (_, k) => eventLogRatios(term, data, p, index, k + 1));
            return Array.from({ length: count }, (_, i) => {
              let s = 0;
              let s2 = 0;
              for (const m of perMember) {
                s += m[i];
                s2 += m[i] * m[i];
              }
              return Math.sqrt(Math.max(0, s2 / members - (s / members) ** 2));
            });
          }),
        )
      : undefined;
  return respond(c, { observables: spec.observables, logRatio, ...(spread ? { spread } : {}) });
});

v1.post('/likelihoods/:spec/fit', async (c) => {
  const request = await readBody(c, FitRequestSchema);
  return respond(c, fitOperation(await artifactOf(c), request));
});

v1.post('/likelihoods/:spec/interval', async (c) => {
  const request = await readBody(c, IntervalRequestSchema);
  return respond(c, intervalOperation(await artifactOf(c), request));
});

v1.post('/likelihoods/:spec/cls', async (c) => {
  const request = await readBody(c, ClsRequestSchema);
  return respond(c, clsOperation(await artifactOf(c), request));
});

v1.post('/likelihoods/:spec/upper-limit', async (c) => {
  const request = await readBody(c, UpperLimitRequestSchema);
  return respond(c, upperLimitOperation(await artifactOf(c), request));
});

v1.post('/likelihoods/:spec/reinterpret', async (c) => {
  const request = await readBody(c, ReinterpretRequestSchema);
  return respond(c, await reinterpretOperation(artifactWorkspace(await artifactOf(c)), request));
});

v1.get('/likelihoods/:spec/workspace', async (c) => {
  const store = c.get('store');
  const spec = c.req.param('spec');
  const { id, version, latest } = await store.resolve(spec);
  const [{ etag }, artifact] = await Promise.all([store.manifest(id, version), store.load(id, version)]);
  const headers = cacheHeaders(etag, latest, spec.includes('@'));
  if (c.req.header('if-none-match') === etag) return new Response(null, { status: 304, headers });
  const { workspace, observations } = artifactWorkspaceWithSource(artifact, { asimov: true });
  return respond(c, workspace, 200, { ...headers, 'x-observations': observations });
});
