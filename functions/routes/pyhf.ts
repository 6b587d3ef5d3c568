/**
 * The inline pyhf endpoints, `/v1/pyhf/…`: the request carries a pyhf workspace (and
 * optionally a patchset and patch name, or a JSON Patch); the service imports it, builds the
 * same artifact `import` would publish (kept for the next requests with the same model), and
 * answers with the operation of the same name on published likelihoods plus a summary of the
 * model it built (`model`).
 */
import { z } from 'zod';
import type { LoadedArtifact } from '../../models/artifact/load.js';
import { fit, interval } from '../../models/service/fit.js';
import { nll } from '../../models/service/evaluate.js';
import { cls, upperLimit } from '../../models/service/hypothesis.js';
import { inlineLikelihood, inlinePage, reinterpret, requestWorkspace } from '../../models/service/pyhf.js';
import {
  ClsRequestSchema,
  ClsResponseSchema,
  FitRequestSchema,
  FitResponseSchema,
  InlineModelSchema,
  InlinePageRequestSchema,
  IntervalOrContourResponseSchema,
  IntervalRequestSchema,
  NllRequestSchema,
  NllResponseSchema,
  ReinterpretRequestSchema,
  ReinterpretResponseSchema,
  UpperLimitRequestSchema,
  UpperLimitResponseSchema,
  workspaceSourceFields,
  type WorkspaceSource,
} from '../../models/service/schemas.js';
import { BODY_LIMIT } from '../body.js';
import { fileOperation, operation, Reply, type App, type DeclaredOperation } from '../operation.js';
import { renderResultPage } from '../pages/result-page.js';
import { PAGE_HEADERS } from './pages.js';

const SOURCE = `a pyhf workspace sent in the body (optionally with a patchset and the patch to apply, its sha256 digest checked as pyhf does, or a JSON Patch); gzip-compressed bodies (Content-Encoding: gzip) are accepted, the limit of ${BODY_LIMIT} bytes applying before and after decompression`;

/** The same operation as on a published likelihood, on the request's workspace, with `model` added. */
function inline<Req extends z.ZodObject, Res extends z.ZodType>(app: App, declared: DeclaredOperation[], name: string, summary: string, request: Req, response: Res, run: (artifact: LoadedArtifact, body: z.output<Req>) => z.input<Res>): void {
  const withSource = request.extend(workspaceSourceFields).strict();
  const withModel = z.intersection(response, z.object({ model: InlineModelSchema }));
  operation(app, declared, { method: 'post', path: `/v1/pyhf/${name}`, summary, description: `As \`/v1/likelihoods/{id}/${name}\`, for ${SOURCE}; the response adds \`model\`, what was built.`, request: withSource, response: withModel }, async (_c, { body, text }) => {
    const source = body as WorkspaceSource & { poi?: string };
    const { artifact, model } = await inlineLikelihood(source, text === null ? null : { text, member: 'workspace' });
    return { ...(run(artifact, body as z.output<Req>) as object), model } as z.input<typeof withModel>;
  });
}

export function pyhfRoutes(app: App, declared: DeclaredOperation[]): void {
  inline(app, declared, 'nll', 'Negative log-likelihood of a workspace', NllRequestSchema, NllResponseSchema, nll);
  inline(app, declared, 'fit', 'Best fit of a workspace', FitRequestSchema, FitResponseSchema, fit);
  inline(app, declared, 'interval', 'Profile-likelihood intervals and contours of a workspace', IntervalRequestSchema, IntervalOrContourResponseSchema, interval);
  inline(app, declared, 'cls', 'CLs of a workspace', ClsRequestSchema, ClsResponseSchema, cls);
  inline(app, declared, 'upper-limit', 'CLs upper limit of a workspace', UpperLimitRequestSchema, UpperLimitResponseSchema, upperLimit);
  fileOperation(app, declared, {
    method: 'post',
    path: '/v1/pyhf/page',
    summary: 'A result page for a workspace',
    description: `The result page a published likelihood has (channels and samples, parameters, CLs and limits, fit diagnostics, scans and intervals, all drawn as SVG), for ${SOURCE}: HEPData-style "visualize" for any workspace. Computed within one request's CPU budget; nothing is kept or published.`,
    request: InlinePageRequestSchema,
    produces: { mediaType: 'text/html; charset=utf-8', description: 'the result page (HTML, no script)' },
  }, async (c, { body, text }) => {
    const { artifact, analysis, workspaceSha256 } = await inlinePage(body, text === null ? null : { text, member: 'workspace' });
    const { version } = artifact.manifest;
    const page = renderResultPage({ manifest: artifact.manifest, artifact, analysis, versions: [version], latest: version, origin: new URL(c.req.url).origin, manifestSha256: workspaceSha256, inline: { workspaceSha256 } });
    return new Reply(page, { ...PAGE_HEADERS, 'cache-control': 'no-store' });
  });

  operation(app, declared, {
    method: 'post',
    path: '/v1/pyhf/reinterpret',
    summary: 'Reinterpret a signal on a workspace',
    description: `As \`/v1/likelihoods/{id}/reinterpret\`, for ${SOURCE}: a HEPData background-only workspace gets the signal sample added (with the POI normfactor and the luminosity modifier), a patched one has it replaced.`,
    request: ReinterpretRequestSchema.extend(workspaceSourceFields).strict(),
    response: ReinterpretResponseSchema,
  }, async (_c, { body, text }) => {
    const { workspace } = await requestWorkspace(body, text === null ? null : { text, member: 'workspace' });
    return reinterpret(workspace, body);
  });
}
