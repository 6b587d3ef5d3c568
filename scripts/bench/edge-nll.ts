/**
 * NLL requests to a published unbinned likelihood through the app (the code the Workers
 * run; here in Node): the first request (loading the artifact), then medians of the Asimov
 * NLL and of the NLL of submitted events, with the frozen networks on WebAssembly SIMD (Node)
 * and on the TypeScript loops Workers use, side by side.
 *
 *     npx tsx scripts/bench/edge-nll.ts dy-smeft-run3@1.0.0 [--events 5000]
 *
 * The caller supplies the submitted events (`edgeTimings`); from the command line they are
 * drawn from the Drell–Yan simulator, so there it times the Drell–Yan likelihood.
 */
import { createApp } from '../../functions/app.js';
import { fileStore } from '../../functions/node.js';
import { setNetworkBackend, networkBackend } from '../../models/network/frozen-network.js';

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
  const app = createApp(fileStore(root));
  const path = `/v1/likelihoods/${spec}/nll`;
  const request = async (body: unknown) => {
    const t0 = performance.now();
    const response = await app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${path}: HTTP ${response.status}`);
    return performance.now() - t0;
  };
  const points = [{}, point];
  const asimov = { points, data: 'asimov' };
  const submitted = { points, data: { events: { shape: [count, events.length / count], values: Array.from(events) } } };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const coldMs = await request(asimov);
  const asimovRuns: number[] = [];
  for (let r = 0; r < repeat; r++) asimovRuns.push(await request(asimov));
  const timeEvents = async () => {
    const runs: number[] = [];
    for (let r = 0; r < repeat; r++) runs.push(await request(submitted));
    return median(runs);
  };
  const eventsMs = await timeEvents();
  const before = networkBackend();
  let eventsMsTypescript: number;
  try {
    setNetworkBackend('typescript');
    eventsMsTypescript = await timeEvents();
  } finally {
    setNetworkBackend(before);
  }
  return { coldMs, asimovMs: median(asimovRuns), eventsMs, eventsMsTypescript, events: count, repeat, points: points.length };
}

async function main() {
  const spec = process.argv[2] ?? 'dy-smeft-run3@1.0.0';
  const at = process.argv.indexOf('--events');
  const n = at > 0 ? Number(process.argv[at + 1]) : 5000;
  const { mixedSample } = await import('../drell-yan/learned.js');
  const { mixed } = mixedSample(Math.round(n * 0.8), Math.round(n * 0.3), 7, 0.01);
  const t = await edgeTimings('likelihoods', spec, mixed.reco, mixed.count, { C_lq1: 0.005 });
  console.log(`${spec}: first request ${t.coldMs.toFixed(0)} ms; Asimov NLL at ${t.points} points ${t.asimovMs.toFixed(1)} ms; ${t.events} submitted events at ${t.points} points: ${t.eventsMs.toFixed(0)} ms (${networkBackend()}), ${t.eventsMsTypescript.toFixed(0)} ms (typescript, as in Workers) — medians of ${t.repeat}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
