/**
 * What each kind of request costs the worker itself (issue 21 item 5): the worker under
 * `wrangler dev` (workerd, one isolate, single-threaded), each request sent once to warm it (the
 * artifact loaded, a page's analysis computed and cached) and then `--repeat` times in a row;
 * the median wall time over loopback, which bounds the CPU time the request took from above.
 *
 *     npx tsx scripts/bench/workerd-routes.ts [--repeat 9]
 */
import { startWrangler } from './workerd-process.js';

interface Case {
  what: string;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
}

const CASES: Case[] = [
  { what: 'result page, cached (atlas-sbottom-regiona)', method: 'GET', path: '/likelihoods/atlas-sbottom-regiona' },
  { what: 'result page, cached (atlas-1lbb)', method: 'GET', path: '/likelihoods/atlas-1lbb' },
  { what: 'NLL, one point: binned (atlas-sbottom-regiona, 64 parameters, profiled)', method: 'POST', path: '/v1/likelihoods/atlas-sbottom-regiona/nll', body: { points: [{ mu_SIG: 1 }], profile: true } },
  { what: 'NLL, one point: binned, not profiled', method: 'POST', path: '/v1/likelihoods/atlas-sbottom-regiona/nll', body: { points: [{ mu_SIG: 1 }] } },
  { what: 'NLL, one point: unbinned polynomial (dy-smeft-run3, Asimov)', method: 'POST', path: '/v1/likelihoods/dy-smeft-run3/nll', body: { points: [{ C_lq1: 0.01 }], data: 'asimov' } },
  { what: 'NLL, one point: unbinned parametrised (gaussian-toy-a3-carl, observed)', method: 'POST', path: '/v1/likelihoods/gaussian-toy-a3-carl/nll', body: { points: [{ theta: 0.5 }] } },
  { what: 'fit (atlas-1lbb, 126 parameters)', method: 'POST', path: '/v1/likelihoods/atlas-1lbb/fit', body: {} },
  { what: 'CLs at one μ (atlas-1lbb)', method: 'POST', path: '/v1/likelihoods/atlas-1lbb/cls', body: { values: [1] } },
  { what: 'upper limit (atlas-1lbb)', method: 'POST', path: '/v1/likelihoods/atlas-1lbb/upper-limit', body: {} },
];

async function timed(base: string, c: Case): Promise<number> {
  const t0 = performance.now();
  const response = await fetch(base + c.path, c.method === 'GET' ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(c.body) });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${c.path}: HTTP ${response.status}`);
  return performance.now() - t0;
}

const at = process.argv.indexOf('--repeat');
const repeat = at > 0 ? Number(process.argv[at + 1]) : 9;
const worker = await startWrangler('runs/logs/workerd-routes.log');
try {
  console.log(`| request | first (warming) ms | median of ${repeat} ms |`);
  console.log('|---|---|---|');
  for (const c of CASES) {
    const first = await timed(worker.url, c);
    const runs: number[] = [];
    for (let r = 0; r < repeat; r++) runs.push(await timed(worker.url, c));
    runs.sort((a, b) => a - b);
    console.log(`| ${c.what} | ${first.toFixed(0)} | ${runs[runs.length >> 1].toFixed(1)} |`);
  }
} finally {
  await worker.stop();
}
