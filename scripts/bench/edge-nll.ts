/**
 * NLL requests to a published unbinned likelihood over HTTP, served by the Node adapter (the
 * code the Workers run): the first request (loading the artifact), then medians of the Asimov
 * NLL and of the NLL of submitted events, with the frozen networks on WebAssembly SIMD (Node)
 * and, on a second server, on the TypeScript loops Workers use, side by side.
 *
 *     npx tsx scripts/bench/edge-nll.ts dy-smeft-run3@1.0.0 [--events 5000] [--workerd]
 *
 * With --workerd the same requests go to the worker itself under `wrangler dev` (workerd), its
 * networks on the precompiled SIMD kernel (functions/dense-kernel.wasm) and, on a second worker
 * started with NETWORK_BACKEND=typescript, on the TypeScript loops, side by side.
 *
 * The caller supplies the submitted events (`edgeTimings`); from the command line they are
 * drawn from the Drell–Yan simulator, so there it times the Drell–Yan likelihood.
 */
import { networkBackend } from '../../models/network/frozen-network.js';
import { startServer, timedPost } from './server.js';
import { startWrangler } from './workerd-process.js';

export interface EdgeTimings {
  coldMs: number;
  asimovMs: number;
  /** submitted events, networks on the default kernel (WebAssembly SIMD where it compiles) */
  eventsMs: number;
  /** the same on the TypeScript loops Workers use */
  eventsMsTypescript: number;
  events: number;
  repeat: number;
  points: number;
}

/** Times NLL requests at two points: Asimov data, and `count` submitted events (count × D, row-major). */
export async function edgeTimings(root: string, spec: string, events: Float64Array, count: number, point: Record<string, number>, repeat = 7): Promise<EdgeTimings> {
  const path = `/v1/likelihoods/${spec}/nll`;
  const points = [{}, point];
  const asimov = JSON.stringify({ points, data: 'asimov' });
  const submitted = JSON.stringify({ points, data: { events: { shape: [count, events.length / count], values: Array.from(events) } } });
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const medianOf = async (url: string, body: string) => {
    const runs: number[] = [];
    for (let r = 0; r < repeat; r++) runs.push(await timedPost(url, body));
    return median(runs);
  };
  const server = await startServer(root);
  let coldMs: number, asimovMs: number, eventsMs: number;
  try {
    coldMs = await timedPost(server.url + path, asimov);
    asimovMs = await medianOf(server.url + path, asimov);
    eventsMs = await medianOf(server.url + path, submitted);
  } finally {
    await server.stop();
  }
  const workers = await startServer(root, { LIKELIHOOD_NETWORK_BACKEND: 'typescript' });
  let eventsMsTypescript: number;
  try {
    await timedPost(workers.url + path, asimov);
    eventsMsTypescript = await medianOf(workers.url + path, submitted);
  } finally {
    await workers.stop();
  }
  return { coldMs, asimovMs, eventsMs, eventsMsTypescript, events: count, repeat, points: points.length };
}

/** The same medians from the worker in workerd: precompiled SIMD kernel, then TypeScript loops. */
export async function workerdTimings(spec: string, events: Float64Array, count: number, point: Record<string, number>, repeat = 7): Promise<{ eventsMs: number; eventsMsTypescript: number; asimovMs: number; asimovMsTypescript: number }> {
  const path = `/v1/likelihoods/${spec}/nll`;
  const points = [{}, point];
  const asimov = JSON.stringify({ points, data: 'asimov' });
  const submitted = JSON.stringify({ points, data: { events: { shape: [count, events.length / count], values: Array.from(events) } } });
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const run = async (args: string[]) => {
    const worker = await startWrangler(`runs/logs/edge-nll-workerd${args.length ? '-typescript' : ''}.log`, args);
    try {
      await timedPost(worker.url + path, asimov); // loads the artifact: its reference sample goes through the networks
      const a: number[] = [];
      const e: number[] = [];
      for (let r = 0; r < repeat; r++) {
        a.push(await timedPost(worker.url + path, asimov));
        e.push(await timedPost(worker.url + path, submitted));
      }
      return { asimov: median(a), events: median(e) };
    } finally {
      await worker.stop();
    }
  };
  const simd = await run([]);
  const ts = await run(['--var', 'NETWORK_BACKEND:typescript']);
  return { eventsMs: simd.events, eventsMsTypescript: ts.events, asimovMs: simd.asimov, asimovMsTypescript: ts.asimov };
}

async function main() {
  const spec = process.argv[2] ?? 'dy-smeft-run3@1.0.0';
  const at = process.argv.indexOf('--events');
  const n = at > 0 ? Number(process.argv[at + 1]) : 5000;
  const { mixedSample } = await import('../drell-yan/learned.js');
  const { mixed } = mixedSample(Math.round(n * 0.8), Math.round(n * 0.3), 7, 0.01);
  if (process.argv.includes('--workerd')) {
    const w = await workerdTimings(spec, mixed.reco, mixed.count, { C_lq1: 0.005 });
    console.log(`${spec} in workerd (wrangler dev): ${mixed.count} submitted events at 2 points: ${w.eventsMs.toFixed(0)} ms on the precompiled SIMD kernel, ${w.eventsMsTypescript.toFixed(0)} ms on the TypeScript loops (×${(w.eventsMsTypescript / w.eventsMs).toFixed(2)}); Asimov NLL ${w.asimovMs.toFixed(1)} ms and ${w.asimovMsTypescript.toFixed(1)} ms — medians of 7, one run`);
    return;
  }
  const t = await edgeTimings('likelihoods', spec, mixed.reco, mixed.count, { C_lq1: 0.005 });
  console.log(`${spec}: first request ${t.coldMs.toFixed(0)} ms; Asimov NLL at ${t.points} points ${t.asimovMs.toFixed(1)} ms; ${t.events} submitted events at ${t.points} points: ${t.eventsMs.toFixed(0)} ms (${networkBackend()}), ${t.eventsMsTypescript.toFixed(0)} ms (typescript, as in Workers) — medians of ${t.repeat}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
