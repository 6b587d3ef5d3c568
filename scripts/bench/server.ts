/**
 * The service as a process for HTTP benchmarks: the Node adapter (functions/node.ts) started
 * as a child on a free loopback port, so benchmarks time what a client meets (routing, body
 * decoding, the service, serialisation, HTTP) without importing the edge code.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const adapter = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'functions', 'node.ts');

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/** Serves the likelihoods folder `root`; `env` reaches the server (LIKELIHOOD_NETWORK_BACKEND=typescript times the Workers' kernel). */
export async function startServer(root: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', adapter, '--port', '0', '--root', root], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`the server exited with code ${code} before listening`)));
  });
  return { url, stop: () => new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill()))) };
}

/** Milliseconds of one POST of a JSON body; anything but 200 is an error. */
export async function timedPost(url: string, body: string): Promise<number> {
  const t0 = performance.now();
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${url}: HTTP ${response.status}`);
  return performance.now() - t0;
}
