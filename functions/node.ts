/**
 * The Node adapter: the same app served by @hono/node-server, artifacts read from the
 * likelihoods folder on disk. For users not on Cloudflare: `npx tsx scripts/cli.ts serve`.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { createArtifactStore, type ArtifactStore } from './store.js';

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

export async function serveNode(options: { port: number; hostname: string; root?: string }) {
  const app = createApp(fileStore(options.root ?? 'likelihoods'));
  const server = serve({ fetch: app.fetch, port: options.port, hostname: options.hostname });
  console.log(`serving ${options.root ?? 'likelihoods'} on http://${options.hostname}:${options.port}`);
  return server;
}
