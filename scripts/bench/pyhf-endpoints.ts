/**
 * Latency of the pyhf endpoints, end to end over HTTP to the Node adapter on loopback:
 * for each shared workspace sent inline (the request body: workspace + signal JSON Patch,
 * JSON, as a client sends it), the time of each operation — the import and one NLL, the MLE
 * fit, CLs at μ = 1, the 95% CLs upper limit, a reinterpretation — and the same operations on
 * the published artifact (`import` ahead of time: no parsing or import per request). Medians
 * of repeated requests after a warm-up; the first request of each kind is printed apart.
 *
 *   npx tsx scripts/bench/pyhf-endpoints.ts [--repeat N]
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, timedPost } from './server.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const shared = join(root, '..', 'shared', 'workspaces');
const repeat = Number(process.argv[process.argv.indexOf('--repeat') + 1]) || 5;
const server = await startServer(join(root, 'likelihoods'));

const cases = [
  { name: '2-bin example', file: 'pyhf_2bin_1channel_shapesys.json', patch: null, id: 'pyhf-2bin-shapesys', signal: { singlechannel: [10, 20] } },
  { name: 'sbottom (64 par.)', file: 'atlas_sbottom_RegionA.json', patch: 'atlas_sbottom_RegionA.patch.json', id: 'atlas-sbottom-regiona', signal: { SR_meff: [0.1, 0.4, 2.5], CRtt_meff: [0.1, 0.5, 1.0] } },
  { name: '1Lbb (126 par.)', file: 'atlas_1Lbb.json', patch: 'atlas_1Lbb.patch.json', id: 'atlas-1lbb', signal: null },
];

const timed = (path: string, body: string) => timedPost(server.url + path, body);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(0)).padStart(8);

console.log(`pyhf endpoints, median of ${repeat} requests in ms (first request in parentheses)`);
console.log(`${'workspace'.padEnd(20)}${'operation'.padEnd(14)}${'inline'.padStart(18)}${'published'.padStart(20)}`);
for (const c of cases) {
  const workspace = readFileSync(join(shared, c.file), 'utf8');
  const jsonPatch = c.patch ? readFileSync(join(shared, c.patch), 'utf8') : null;
  const signal = c.signal ?? null;
  const operations: [string, string, Record<string, unknown>][] = [
    ['nll', 'nll', { points: [{}] }],
    ['fit', 'fit', {}],
    ['cls μ=1', 'cls', { values: [1] }],
    ['upper limit', 'upper-limit', {}],
    ...(signal ? [['reinterpret', 'reinterpret', { signal: { yields: signal } }] as [string, string, Record<string, unknown>]] : []),
  ];
  for (const [label, endpoint, fields] of operations) {
    const extra = JSON.stringify(fields).slice(1, -1);
    const inlineBody = `{"workspace":${workspace}${jsonPatch ? `,"jsonPatch":${jsonPatch}` : ''}${extra ? `,${extra}` : ''}}`;
    const publishedBody = JSON.stringify(fields);
    const first = [await timed(`/v1/pyhf/${endpoint}`, inlineBody), await timed(`/v1/likelihoods/${c.id}/${endpoint}`, publishedBody)];
    const inline: number[] = [];
    const published: number[] = [];
    for (let k = 0; k < repeat; k++) {
      inline.push(await timed(`/v1/pyhf/${endpoint}`, inlineBody));
      published.push(await timed(`/v1/likelihoods/${c.id}/${endpoint}`, publishedBody));
    }
    console.log(`${c.name.padEnd(20)}${label.padEnd(14)}${ms(median(inline))} (${ms(first[0]).trim()})`.padEnd(52) + `${ms(median(published))} (${ms(first[1]).trim()})`);
  }
}
await server.stop();
