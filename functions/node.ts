/**
 * The Node adapter: the same app served by @hono/node-server, artifacts read from the
 * likelihoods folder on disk. For users not on Cloudflare: `npm run serve:node -- --port 8790`.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { serve } from '@hono/node-server';
import { setNetworkBackend } from '../models/network/frozen-network.js';
import { createArtifactStore, type ArtifactStore } from '../models/service/catalogue.js';
import { createApp } from './app.js';

/** The catalogue of a likelihoods folder on disk; nothing outside the folder is ever read. */
export function fileStore(root: string): ArtifactStore {
  const base = resolve(root);
  return createArtifactStore(async (path) => {
    const full = resolve(join(base, path));
    if (!full.startsWith(base + sep)) return null;
    try {
      return new Uint8Array(await readFile(full));
    } catch {
      return null;
    }
  });
}

/** Serves a likelihoods folder; port 0 takes a free port (the log line names it). */
export function serveNode(options: { port: number; hostname: string; root?: string }) {
  const root = options.root ?? 'likelihoods';
  const app = createApp(fileStore(root));
  return serve({ fetch: app.fetch, port: options.port, hostname: options.hostname }, (info) => console.log(`serving ${root} on http://${options.hostname}:${info.port}`));
}

// `tsx functions/node.ts [--port 8790] [--host 127.0.0.1] [--root likelihoods]`; LIKELIHOOD_NETWORK_BACKEND
// (wasm, typescript) picks the frozen networks' kernel, e.g. the TypeScript loops Workers run.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '8790' }, host: { type: 'string', default: '127.0.0.1' }, root: { type: 'string', default: 'likelihoods' } } });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port needs a port number, got '${values.port}'`);
  const kernel = process.env.LIKELIHOOD_NETWORK_BACKEND;
  if (kernel) setNetworkBackend(kernel as Parameters<typeof setNetworkBackend>[0]);
  serveNode({ port, hostname: values.host, root: values.root });
}
