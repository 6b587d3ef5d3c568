/**
 * The Node adapter: the same app served by @hono/node-server, artifacts read from the
 * likelihoods folder on disk. For users not on Cloudflare: `PORT=8790 npm run serve:node` (or `-- --port 8790`; HOST likewise).
 */
import { readFile } from 'node:fs/promises';
import { maxHeaderSize, Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { join, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { serve } from '@hono/node-server';
import { setNetworkBackend } from '../models/network/frozen-network.js';
import { createArtifactStore, type ArtifactStore } from '../models/service/catalogue.js';
import { createApp } from './app.js';
import { CORS_POLICY } from './cors.js';
import { Problem } from './problem.js';

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

/** The problem for a request Node's HTTP parser refused, by Node's error code (the statuses Node itself would send, and 501 for an unknown method as the app answers). */
function clientErrorProblem(code: string | undefined): Problem {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return new Problem('headers-too-large', `the request's header fields exceed ${maxHeaderSize} bytes`);
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new Problem('payload-too-large', 'the chunk extensions of the body are too large');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new Problem('request-timeout', 'the request was not received in time');
    case 'HPE_INVALID_METHOD':
      return new Problem('not-implemented', 'the request method is not one this server implements; the API uses GET, HEAD and POST');
    default:
      return new Problem('malformed-request', `the request is not valid HTTP/1.1 (${code ?? 'unreadable'})`);
  }
}

/**
 * A request that Node's HTTP parser refuses (headers over its limit, an unknown method, broken
 * framing) never reaches the app, and Node would answer it with a bare status line; answer it
 * as the app answers every error, with a problem document a page on any origin can read.
 */
function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex & { bytesWritten?: number }) => {
    // as Node does: an answer only where nothing was written yet, else the connection just closes
    if (!socket.writable || socket.bytesWritten) {
      socket.destroy();
      return;
    }
    const problem = clientErrorProblem(error.code);
    const body = JSON.stringify(problem.body());
    const head = [`HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}`, 'content-type: application/problem+json', `content-length: ${Buffer.byteLength(body)}`, `access-control-allow-origin: ${CORS_POLICY.origin}`, 'connection: close'];
    socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
  });
}

/** Serves a likelihoods folder; port 0 takes a free port (the log line names it). */
export function serveNode(options: { port: number; hostname: string; root?: string }) {
  const root = options.root ?? 'likelihoods';
  const app = createApp(fileStore(root));
  const server = serve({ fetch: app.fetch, port: options.port, hostname: options.hostname }, (info) => console.log(`serving ${root} on http://${options.hostname}:${info.port}`));
  // serve() makes a node:http server unless told to make another kind
  if (server instanceof Server) answerClientErrors(server);
  return server;
}

// `tsx functions/node.ts [--port 8790] [--host 127.0.0.1] [--root likelihoods]`; LIKELIHOOD_NETWORK_BACKEND
// (wasm, typescript) picks the frozen networks' kernel, e.g. the TypeScript loops Workers run.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: process.env.PORT ?? '8790' }, host: { type: 'string', default: process.env.HOST ?? '127.0.0.1' }, root: { type: 'string', default: 'likelihoods' } } });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port needs a port number, got '${values.port}'`);
  const kernel = process.env.LIKELIHOOD_NETWORK_BACKEND;
  if (kernel) setNetworkBackend(kernel as Parameters<typeof setNetworkBackend>[0]);
  serveNode({ port, hostname: values.host, root: values.root });
}
