/**
 * The cost model against what requests cost (issue 24): for every operation on every published
 * likelihood, the service's estimate (CPU, counted work, memory) beside the measured CPU time,
 * the work the meter counted and the process's peak-memory growth, side by side in one run.
 * The budget is lifted for the run so that requests it would refuse are measured too (those
 * estimated beyond --max seconds are listed, not run). Each likelihood runs in its own child
 * process, so its peak memory (max RSS) is its own; an operation that takes under a second is
 * timed on its second run, when compiled code and the per-isolate caches are warm.
 *
 *     npm run bench:cost [-- --max 60] [-- --only atlas-1lbb]
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readPublished } from '../lib/artifact-writer.js';
import type { LoadedArtifact } from '../../models/artifact/load.js';
import { DEFAULT_BUDGET, observeCosts, setBudget, type CostEstimate } from '../../models/service/cost.js';
import { nll, ratio } from '../../models/service/evaluate.js';
import { fit, interval } from '../../models/service/fit.js';
import { cls, upperLimit } from '../../models/service/hypothesis.js';
import { FitRequestSchema, IntervalRequestSchema, NllRequestSchema, RatioRequestSchema, ClsRequestSchema, UpperLimitRequestSchema } from '../../models/service/schemas.js';
import { ServiceError } from '../../models/service/errors.js';

interface Row {
  likelihood: string;
  operation: string;
  predictedMs: number;
  measuredMs: number | null;
  predictedUnits: number;
  countedUnits: number | null;
  predictedMB: number;
  peakMB: number | null;
  /** −ln L evaluations with a Hessian and value-only ones (line searches, probes): assumed, made */
  predictedEvaluations: [number, number];
  madeEvaluations: [number, number] | null;
  note: string;
}

type Operation = { name: string; run: (artifact: LoadedArtifact) => unknown };

/** The operations measured on one likelihood: defaults where the API has them, and the costly sizes clients send. */
function operations(artifact: LoadedArtifact): Operation[] {
  const { manifest, likelihood } = artifact;
  const names = manifest.parameters.map((p) => p.name);
  const binned = manifest.terms.some((t) => t.kind === 'binned-template');
  const point = (k: number) => Object.fromEntries(manifest.parameters.map((p) => [p.name, p.reference + ((k % 7) / 7 - 0.5) * 0.1 * (p.range[1] - p.range[0])]));
  const points = (K: number) => Array.from({ length: K }, (_, k) => point(k));
  const ops: Operation[] = [
    { name: 'nll 1 point', run: (a) => nll(a, NllRequestSchema.parse({ points: [{}] })) },
    { name: 'nll 1000 points, gradient', run: (a) => nll(a, NllRequestSchema.parse({ points: points(1000), gradient: true })) },
    { name: 'fit', run: (a) => fit(a, FitRequestSchema.parse({})) },
    { name: `interval ${names[0]} (roots)`, run: (a) => interval(a, IntervalRequestSchema.parse({ parameters: [names[0]] })) },
    { name: `interval ${names[0]} (scan, 61 points)`, run: (a) => interval(a, IntervalRequestSchema.parse({ parameters: [names[0]], method: 'scan' })) },
  ];
  if (binned) ops.push({ name: 'nll 100 points, profiled', run: (a) => nll(a, NllRequestSchema.parse({ points: points(100), profile: true })) });
  if (names.length > 1) {
    ops.push({ name: 'contour (rays)', run: (a) => interval(a, IntervalRequestSchema.parse({ parameters: names.slice(0, 2) })) });
    ops.push({ name: 'contour (scan, 41 × 41)', run: (a) => interval(a, IntervalRequestSchema.parse({ parameters: names.slice(0, 2), method: 'scan' })) });
  }
  if (manifest.observables.length) {
    const D = manifest.observables.length;
    // inside each observable's published selection, so that the events are priced and run, not refused
    const inside = (i: number) => {
      const { min, max } = manifest.observables[i % D].selection ?? {};
      const wiggle = Math.sin(i);
      if (min !== undefined && max !== undefined) return min + (0.5 + 0.4 * wiggle) * (max - min);
      if (min !== undefined) return min + 1 + Math.abs(wiggle);
      if (max !== undefined) return max - 1 - Math.abs(wiggle);
      return wiggle * 0.5 + 1;
    };
    const events = { shape: [10_000, D], values: Array.from({ length: 10_000 * D }, (_, i) => inside(i)) };
    ops.push({ name: 'ratio 1000 events × 10 points', run: (a) => ratio(a, RatioRequestSchema.parse({ events: { shape: [1000, D], values: events.values.slice(0, 1000 * D) }, points: points(10) })) });
    ops.push({ name: 'nll of 10 000 submitted events, 2 points', run: (a) => nll(a, NllRequestSchema.parse({ points: points(2), data: { events } })) });
  }
  if (binned && likelihood.parameters[0].kind === 'interest' && /mu/i.test(names[0])) {
    ops.push({ name: 'cls at 3 values', run: (a) => cls(a, ClsRequestSchema.parse({ values: [0.5, 1, 2] })) });
    ops.push({ name: 'upper limit', run: (a) => upperLimit(a, UpperLimitRequestSchema.parse({})) });
  }
  return ops;
}

/** Child: measures every operation on one likelihood and prints the rows as JSON. */
async function measureOne(id: string, maxMs: number): Promise<void> {
  const artifact = await readPublished('likelihoods', id);
  setBudget({ cpuMs: maxMs, memoryBytes: Number.MAX_SAFE_INTEGER });
  // the evaluations the optimiser really makes, beside those the model assumes
  const made = [0, 0, 0];
  const { likelihood } = artifact;
  const nllOf = likelihood.nll.bind(likelihood);
  likelihood.nll = (params, data, variant, derivatives) => {
    made[derivatives?.hessian ? 2 : derivatives?.gradient ? 1 : 0]++;
    return nllOf(params, data, variant, derivatives);
  };
  const rows: Row[] = [];
  for (const op of operations(artifact)) {
    let seen: { estimate: CostEstimate; spent: number } | null = null;
    observeCosts((estimate, spent) => (seen = { estimate, spent }));
    const before = process.resourceUsage().maxRSS;
    made.fill(0);
    let t0 = performance.now();
    try {
      op.run(artifact);
      // a request that takes under a second is timed again, warm (its first run compiles code and fills caches)
      if (performance.now() - t0 < 1000) {
        made.fill(0);
        t0 = performance.now();
        op.run(artifact);
      }
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      const estimate = /about ([0-9.e+]+) s/.exec(error.message);
      rows.push({ likelihood: id, operation: op.name, predictedMs: estimate ? 1000 * Number(estimate[1]) : NaN, measuredMs: null, predictedUnits: NaN, countedUnits: null, predictedMB: NaN, peakMB: null, predictedEvaluations: [NaN, NaN], madeEvaluations: null, note: error.failure.kind === 'too-costly' ? 'not run (estimate beyond --max)' : error.message });
      continue;
    }
    const measuredMs = performance.now() - t0;
    const observed = seen as { estimate: CostEstimate; spent: number } | null;
    if (!observed) throw new Error(`${op.name}: no estimate was made`);
    rows.push({
      likelihood: id,
      operation: op.name,
      predictedMs: observed.estimate.cpuMs,
      measuredMs,
      predictedUnits: observed.estimate.units,
      countedUnits: observed.spent,
      predictedMB: observed.estimate.memoryBytes / 2 ** 20,
      peakMB: (process.resourceUsage().maxRSS - before) / 1024,
      predictedEvaluations: [observed.estimate.evaluations[2], observed.estimate.evaluations[0]],
      madeEvaluations: [made[2], made[0]],
      note: '',
    });
  }
  process.send!(rows);
}

function format(rows: Row[]): void {
  const n = (v: number | null, digits = 3) => (v === null || !Number.isFinite(v) ? '—' : v.toPrecision(digits));
  console.log(`${'likelihood'.padEnd(26)}${'operation'.padEnd(40)}${'est. ms'.padStart(10)}${'meas. ms'.padStart(10)}${'ratio'.padStart(8)}${'units est/counted'.padStart(20)}${'MB est'.padStart(9)}${'MB peak+'.padStart(10)}${'Hessian evals est/made'.padStart(24)}${'value evals est/made'.padStart(22)}`);
  let worst = Infinity;
  for (const r of rows) {
    const ratio = r.measuredMs ? r.predictedMs / r.measuredMs : NaN;
    if (Number.isFinite(ratio) && r.measuredMs! > 5) worst = Math.min(worst, ratio);
    const evals = (k: number) => (r.madeEvaluations === null ? '—' : `${Math.round(r.predictedEvaluations[k])}/${r.madeEvaluations[k]}`);
    const units = r.countedUnits === null ? '—' : `${n(r.predictedUnits / Math.max(r.countedUnits, 1), 2)}×`;
    console.log(`${r.likelihood.padEnd(26)}${r.operation.padEnd(40)}${n(r.predictedMs).padStart(10)}${n(r.measuredMs).padStart(10)}${n(ratio, 2).padStart(8)}${units.padStart(20)}${n(r.predictedMB).padStart(9)}${n(r.peakMB).padStart(10)}${evals(0).padStart(24)}${evals(1).padStart(22)}  ${r.note}`);
  }
  console.log(`\nsmallest estimate/measured over operations above 5 ms: ${worst.toPrecision(3)} (the model must stay above 0.5); budget ${DEFAULT_BUDGET.cpuMs} ms, ${DEFAULT_BUDGET.memoryBytes / 2 ** 20} MB`);
}

async function main(): Promise<void> {
  const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
  const maxMs = 1000 * Number(arg('--max') ?? 60);
  if (arg('--child')) return measureOne(arg('--child')!, maxMs);
  const index = JSON.parse(readFileSync('likelihoods/index.json', 'utf8')) as { likelihoods: { id: string }[] };
  const ids = index.likelihoods.map((l) => l.id).filter((id) => !arg('--only') || id === arg('--only'));
  const rows: Row[] = [];
  for (const id of ids) {
    const child = fork(fileURLToPath(import.meta.url), ['--child', id, '--max', String(maxMs / 1000)], { execArgv: ['--import', 'tsx'] });
    rows.push(...(await new Promise<Row[]>((resolve, reject) => {
      child.once('message', (m) => resolve(m as Row[]));
      child.once('exit', (code) => (code ? reject(new Error(`${id}: the measuring process exited with ${code}`)) : undefined));
    })));
    child.kill();
  }
  format(rows);
}

await main();
