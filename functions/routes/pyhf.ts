/**
 * The inline pyhf endpoints, `/v1/pyhf/…`: the request carries a pyhf workspace (and
 * optionally a patchset and patch name, or a JSON Patch); the service imports it, builds the
 * same artifact `import` would publish (kept for the next requests with the same model), and
 * answers with the operation of the same name on published likelihoods plus a summary of the
 * model it built (`model`).
 */
import { Hono, type Context } from 'hono';
import type { z } from 'zod';
import type { LoadedArtifact } from '../../models/artifact/load.js';
import { readBodyWithText, respond } from '../body.js';
import { clsOperation, fitOperation, intervalOperation, nllOperation, upperLimitOperation } from '../operations.js';
import { reinterpretOperation, requestArtifact, requestWorkspace } from '../pyhf-request.js';
import {
  InlineClsRequestSchema,
  InlineFitRequestSchema,
  InlineIntervalRequestSchema,
  InlineNllRequestSchema,
  InlineReinterpretRequestSchema,
  InlineUpperLimitRequestSchema,
  type WorkspaceSource,
} from '../schemas.js';
import type { Env } from './v1.js';

export const pyhf = new Hono<Env>();

/** Reads the body, builds the workspace's artifact and runs `operation` on it. */
function inline<S extends z.ZodType<WorkspaceSource & { poi?: string }>>(schema: S, operation: (artifact: LoadedArtifact, request: z.infer<S>) => object) {
  return async (c: Context<Env>) => {
    const { request, text } = await readBodyWithText(c, schema);
    const { artifact, model } = await requestArtifact(request, text);
    return respond(c, { ...operation(artifact, request), model });
  };
}

pyhf.post('/nll', inline(InlineNllRequestSchema, nllOperation));
pyhf.post('/fit', inline(InlineFitRequestSchema, fitOperation));
pyhf.post('/interval', inline(InlineIntervalRequestSchema, intervalOperation));
pyhf.post('/cls', inline(InlineClsRequestSchema, clsOperation));
pyhf.post('/upper-limit', inline(InlineUpperLimitRequestSchema, upperLimitOperation));
pyhf.post('/reinterpret', async (c) => {
  const { request, text } = await readBodyWithText(c, InlineReinterpretRequestSchema);
  const { workspace } = await requestWorkspace(request, text);
  return respond(c, await reinterpretOperation(workspace, request));
});
