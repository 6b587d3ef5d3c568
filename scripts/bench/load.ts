/**
 * Load benchmark of the locally running worker (workerd via `wrangler dev`): requests per
 * second and p50/p99 latency for a single-point NLL and a 1 000-point batch on the truth
 * toy, each for --seconds (default 30), with the error count. Run: npm run bench:load
 * (starts its own `wrangler dev` on a free loopback port unless --url is given).
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import autocannon from 'autocannon';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const seconds = Number(args.get('seconds') ?? 30);
const connections = Number(args.get('connections') ?? 8);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

async function startWorker(): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const child = spawn('npx', ['wrangler', 'dev', '--ip', '127.0.0.1', '--port', String(port)], {
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_SEND_ERROR_REPORTS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', XDG_CONFIG_HOME: '.wrangler/config' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('wrangler dev did not become ready in 60 s')), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`wrangler dev exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => process.kill(-child.pid!, 'SIGTERM') };
}

function run(url: string, title: string, body: unknown): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(
      { url, title, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), connections, duration: seconds },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

const external = args.get('url');
const worker = external ? { url: external, stop: () => {} } : await startWorker();
try {
  const endpoint = `${worker.url}/v1/likelihoods/gaussian-toy-truth/nll`;
  // warm the isolate: the first request loads and verifies the artifact
  await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ points: [{ theta: 0.1 }] }) });
  const batch = { points: Array.from({ length: 1000 }, (_, k) => ({ theta: -2 + (4 * k) / 999 })) };
  const results = [await run(endpoint, 'single-point NLL', { points: [{ theta: 0.3 }] }), await run(endpoint, '1 000-point NLL batch', batch)];
  console.log(`load: ${seconds} s each, ${connections} connections, workerd via wrangler dev, truth toy (${'observed data'})`);
  console.log('request                 req/s     p50 ms   p99 ms   points/s    errors (non-2xx + failures)');
  for (const [r, points] of [[results[0], 1], [results[1], 1000]] as const) {
    const errors = r.non2xx + r.errors + r.timeouts;
    console.log(`${r.title!.padEnd(22)} ${r.requests.average.toFixed(0).padStart(7)}   ${r.latency.p50.toFixed(1).padStart(6)}   ${r.latency.p99.toFixed(1).padStart(6)}   ${(r.requests.average * points).toFixed(0).padStart(9)}    ${errors}`);
  }
} finally {
  worker.stop();
}
