/**
 * Issue 21 item 5, "heavy requests within budgets": `dy-smeft-run3`'s profiled interval and 2-D
 * contour with default arguments, under `wrangler dev` (workerd, one isolate), side by side with
 * an earlier version of the service (default: the last commit before root finding) run from a
 * git worktree in runs/. Both workers run at once and each case alternates between them, so that
 * the shared machine's load falls on both alike; the median wall time over `--repeat` requests
 * bounds the CPU time a request took from above.
 *
 *     npx tsx scripts/bench/heavy-requests.ts [--baseline ca4f126] [--repeat 3]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import { startWrangler, type RunningWorker } from './workerd-process.js';

interface Case {
  what: string;
  body: Record<string, unknown>;
  /** sent to the current worker only (a method the baseline does not have) */
  currentOnly?: boolean;
}

const CASES: Case[] = [
  { what: 'interval of C_lq1 (others profiled), defaults', body: { parameters: ['C_lq1'] } },
  { what: "interval of C_lq1, method 'scan' (the grids, as before)", body: { parameters: ['C_lq1'], method: 'scan' }, currentOnly: true },
  { what: 'contour of C_lq1 × C_lq3 (C_eu profiled), defaults', body: { parameters: ['C_lq1', 'C_lq3'] } },
  { what: "contour of C_lq1 × C_lq3, method 'scan'", body: { parameters: ['C_lq1', 'C_lq3'], method: 'scan' }, currentOnly: true },
];

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
}

/** A worktree of `ref` in runs/, sharing this checkout's node_modules (the baseline's dependencies are a subset). */
function worktree(ref: string): string {
  const folder = resolve('runs', `baseline-${ref}`);
  if (!existsSync(folder)) {
    mkdirSync('runs', { recursive: true });
    execFileSync('git', ['worktree', 'add', '--detach', folder, ref], { stdio: 'ignore' });
    symlinkSync(resolve('node_modules'), resolve(folder, 'node_modules'));
  }
  return folder;
}

async function timed(worker: RunningWorker, body: unknown): Promise<{ ms: number; summary: string }> {
  const t0 = performance.now();
  const response = await fetch(`${worker.url}/v1/likelihoods/dy-smeft-run3/interval`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = (await response.json()) as Record<string, unknown>;
  const ms = performance.now() - t0;
  if (response.status !== 200) return { ms, summary: `HTTP ${response.status}: ${String(answer.detail ?? answer.title)}` };
  if ('intervals' in answer) {
    const intervals = answer.intervals as { cl: number; segments: { lower: number; upper: number }[] }[] | null;
    const ends = intervals?.map((i) => `${i.cl}: ${i.segments.map((s) => `[${s.lower.toFixed(6)}, ${s.upper.toFixed(6)}]`).join(' ')}`).join('; ');
    return { ms, summary: `${(answer.scan as unknown[]).length} scan points; ${ends}` };
  }
  const grid = answer.grid as { x: number[] };
  const contours = answer.contours as { cl: number; polygons: number[][][][] }[] | null;
  return { ms, summary: `grid ${grid.x.length}²; ${contours?.map((c) => `${c.cl}: ${c.polygons.map((p) => p[0].length).join('+')} vertices`).join('; ')}` };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

const baselineRef = option('--baseline', 'ca4f126');
const repeat = Number(option('--repeat', '3'));
const [baseline, current] = await Promise.all([startWrangler('runs/logs/heavy-baseline.log', [], worktree(baselineRef)), startWrangler('runs/logs/heavy-current.log')]);
try {
  console.log(`| request (dy-smeft-run3, workerd) | ${baselineRef} (ms) | now (ms) | ratio | ${baselineRef} answers | now answers |`);
  console.log('|---|---|---|---|---|---|');
  for (const c of CASES) {
    await timed(current, c.body); // warm: the artifact loaded, the code compiled
    if (!c.currentOnly) await timed(baseline, c.body);
    const runs: { before: number[]; now: number[]; answers: string[] } = { before: [], now: [], answers: ['', ''] };
    for (let r = 0; r < repeat; r++) {
      if (!c.currentOnly) {
        const before = await timed(baseline, c.body);
        runs.before.push(before.ms);
        runs.answers[0] = before.summary;
      }
      const now = await timed(current, c.body);
      runs.now.push(now.ms);
      runs.answers[1] = now.summary;
    }
    const before = runs.before.length ? median(runs.before) : NaN;
    const now = median(runs.now);
    console.log(`| ${c.what} | ${Number.isNaN(before) ? '—' : before.toFixed(0)} | ${now.toFixed(0)} | ${Number.isNaN(before) ? '—' : `×${(before / now).toFixed(1)}`} | ${runs.answers[0] || '—'} | ${runs.answers[1]} |`);
  }
} finally {
  await Promise.all([baseline.stop(), current.stop()]);
}
