/**
 * The public API, v1 (DESIGN.md "The public HTTP API"). Handlers validate, call models/,
 * and serialise; nothing statistical happens here.
 */
import { Hono, type Context } from 'hono';
import type { LoadedArtifact } from '../../models/artifact/load.js';
import type { Manifest } from '../../models/artifact/manifest-schema.js';
import { profileContour } from '../../models/inference/contours.js';
import { profileInterval } from '../../models/inference/intervals.js';
import { maximumLikelihood, type FitResult } from '../../models/inference/mle.js';
import { nllAtPoints } from '../../models/inference/points.js';
import { NonPositiveRateError } from '../../models/likelihood/term.js';
import { eventLogRatios } from '../../models/terms/unbinned-polynomial.js';
import { readBody, respond } from '../body.js';
import { datasetProblem, flattenEvents, pointVectors, resolveRequestData } from '../dataset-request.js';
import { Problem } from '../problem.js';
import { FitRequestSchema, IntervalRequestSchema, LIMITS, NllRequestSchema, RatioRequestSchema } from '../schemas.js';
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

/** Maps a model failure to a problem: a non-positive rate is a 422, never a 500. */
function evaluating<T>(f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (error instanceof NonPositiveRateError) throw new Problem(422, 'likelihood-undefined', error.message);
    throw datasetProblem(error);
  }
}

function named(artifact: LoadedArtifact, values: ArrayLike<number>, from = 0, to = values.length): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (let i = from; i < to; i++) out[artifact.likelihood.names[i]] = Number.isFinite(values[i]) ? values[i] : null;
  return out;
}

function fitBody(artifact: LoadedArtifact, fit: FitResult) {
  const n = artifact.likelihood.parameters.length;
  const P = artifact.likelihood.interest;
  if (!fit.converged) return { converged: false, message: fit.message, parameters: null, nll: null, warnings: fit.warnings };
  return {
    converged: true,
    message: fit.message,
    parameters: named(artifact, fit.parameters, 0, P),
    nuisances: named(artifact, fit.parameters, P, n),
    uncertainties: named(artifact, fit.uncertainties),
    nll: fit.nll,
    covariance: fit.covariance ? { parameters: artifact.likelihood.names, matrix: Array.from({ length: n }, (_, i) => Array.from(fit.covariance!.subarray(i * n, (i + 1) * n))) } : null,
    iterations: fit.iterations,
    edm: fit.edm,
    warnings: fit.warnings,
  };
}

function gridPoints(requested: number | undefined, fallback: number, limit: number): number {
  if (requested !== undefined && requested > limit) throw new Problem(422, 'invalid-request', `points may be at most ${limit} here`, [{ path: ['points'], message: `at most ${limit}` }]);
  return requested ?? fallback;
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
  const artifact = await artifactOf(c);
  const data = resolveRequestData(artifact, request);
  const points = pointVectors(artifact, request.points);
  const result = evaluating(() => nllAtPoints(artifact.likelihood, data, points, { profile: request.profile, gradient: request.gradient }));
  const overflow = result.nll.findIndex((v, k) => !Number.isFinite(v) || (result.gradient?.[k].some((g) => !Number.isFinite(g)) ?? false));
  if (overflow >= 0) {
    throw new Problem(422, 'likelihood-undefined', `the NLL at points[${overflow}] is not a finite number: the luminosity or the event weights are beyond double precision`, [{ path: ['points', overflow], message: 'non-finite NLL' }]);
  }
  return respond(c, {
    parameters: artifact.likelihood.names.slice(0, artifact.likelihood.interest),
    nll: result.nll,
    ...(result.gradient ? { gradient: result.gradient } : {}),
    ...(result.uncertainty ? { uncertainty: result.uncertainty } : {}),
    ...(result.nuisances ? { nuisances: { parameters: artifact.likelihood.names.slice(artifact.likelihood.interest), values: result.nuisances } } : {}),
    converged: result.converged,
  });
});

v1.post('/likelihoods/:spec/ratio', async (c) => {
  const request = await readBody(c, RatioRequestSchema);
  const artifact = await artifactOf(c);
  if (artifact.unbinned.length !== 1) throw new Problem(422, 'invalid-request', `ratio needs exactly one unbinned term; '${artifact.manifest.id}' has ${artifact.unbinned.length}`);
  const { term, ratio, spec } = artifact.unbinned[0];
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
  const index = artifact.likelihood.terms.find((b) => b.term === term)!.index;
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
  const artifact = await artifactOf(c);
  const data = resolveRequestData(artifact, request);
  const fixed = new Map<number, number>();
  if (request.fixed) {
    const vector = pointVectors(artifact, [request.fixed], 'fixed')[0];
    for (const name of Object.keys(request.fixed)) fixed.set(artifact.likelihood.indexOf(name), vector[artifact.likelihood.indexOf(name)]);
  }
  const fit = evaluating(() => maximumLikelihood(artifact.likelihood, data, { fixed }));
  const members = artifact.likelihood.variants - 1;
  const ensemble =
    members > 0 && fit.converged
      ? Array.from({ length: members }, (_, k) => {
          const m = evaluating(() => maximumLikelihood(artifact.likelihood, data, { fixed, variant: k + 1, start: fit.parameters }));
          return m.converged ? { parameters: named(artifact, m.parameters, 0, artifact.likelihood.interest), nll: m.nll } : { converged: false };
        })
      : undefined;
  return respond(c, { ...fitBody(artifact, fit), ...(ensemble ? { ensemble } : {}) });
});

v1.post('/likelihoods/:spec/interval', async (c) => {
  const request = await readBody(c, IntervalRequestSchema);
  const artifact = await artifactOf(c);
  const { likelihood } = artifact;
  request.parameters.forEach((name, k) => {
    const i = likelihood.indexOf(name);
    if (i < 0 || i >= likelihood.interest) {
      throw new Problem(422, 'unknown-parameter', `unknown parameter '${name}'; this likelihood has ${likelihood.names.slice(0, likelihood.interest).join(', ')}`, [{ path: ['parameters', k], message: 'unknown parameter' }]);
    }
  });
  const data = resolveRequestData(artifact, request);
  const members = likelihood.variants - 1;
  if (request.parameters.length === 1) {
    const points = gridPoints(request.points, 61, LIMITS.scanPoints);
    const run = (variant: number) => evaluating(() => profileInterval(likelihood, data, request.parameters[0], request.cl, { points, variant }));
    const result = run(0);
    const ensemble = members > 0 ? Array.from({ length: members }, (_, k) => run(k + 1)) : [];
    return respond(c, {
      parameter: result.parameter,
      converged: result.converged,
      best: result.converged ? result.best : null,
      nllMin: result.converged ? result.nllMin : null,
      intervals: result.converged ? result.intervals : null,
      scan: result.scan.map((p) => ({ value: p.value, q: p.q, converged: p.converged })),
      ...(ensemble.length ? { ensemble: ensemble.map((r) => ({ converged: r.converged, best: r.best, intervals: r.converged ? r.intervals : null })) } : {}),
    });
  }
  if (request.parameters[0] === request.parameters[1]) throw new Problem(422, 'invalid-request', 'a contour needs two different parameters', [{ path: ['parameters', 1], message: 'repeated' }]);
  const points = gridPoints(request.points, 41, LIMITS.contourPoints);
  const result = evaluating(() => profileContour(likelihood, data, [request.parameters[0], request.parameters[1]], request.cl, { points }));
  return respond(c, {
    parameters: result.parameters,
    converged: result.converged,
    best: result.converged ? result.best : null,
    nllMin: result.converged ? result.nllMin : null,
    contours: result.converged ? result.contours : null,
    grid: result.grid,
  });
});
