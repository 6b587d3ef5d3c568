/**
 * Ours against pyhf (numpy backend, default scipy optimizer) on the same published
 * workspaces (../shared/workspaces/, each ATLAS one with its signal patch), side by side in one
 * run (issue #5): time per −logpdf evaluation at the
 * suggested initial point and per full MLE fit from it, and their ratios. For each case the
 * python side (scripts/bench/pyhf_timing.py, which imports pyhf from its source) runs first,
 * then ours in this process, so both see the same machine load; the NLL values of both sides
 * are printed too, so that a fast wrong answer cannot pass unnoticed.
 *
 *   PYHF_SRC=/path/to/pyhf/src [PYTHON=python3] npx tsx scripts/bench/pyhf-comparison.ts [--quick]
 *
 * pyhf's source can be had with `git archive` of scikit-hep/pyhf (add a `_version.py` that the
 * packaging would write); it needs numpy, scipy, jsonschema, jsonpatch, pyyaml, click, rich.
 * Timings: the median over batches of at least 0.5 s (logpdf) and over several fits, after a
 * warm-up on both sides (our first fit, with the JIT cold, is printed separately).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { maximumLikelihood } from '../../models/inference/mle.js';
import { importWorkspace, pyhfLikelihood, type ImportedWorkspace } from '../../models/pyhf/import.js';

const here = dirname(fileURLToPath(import.meta.url));
const workspaces = join(here, '..', '..', '..', 'shared', 'workspaces');
const quick = process.argv.includes('--quick');

interface Case {
  name: string;
  /** a file of ../shared/workspaces/ */
  workspace: string;
  /** its signal patch (a raw JSON patch), if any */
  patch?: string;
}

const cases: Case[] = [
  { name: 'pyhf 2-bin shapesys (toy)', workspace: 'pyhf_2bin_1channel_shapesys.json' },
  { name: 'pyhf coupled shapefactor (toy)', workspace: 'pyhf_validation_2bin_2channel_coupledshapefactor.json' },
  { name: 'ATLAS sbottom RegionA + sbottom_1300_205_60', workspace: 'atlas_sbottom_RegionA.json', patch: 'atlas_sbottom_RegionA.patch.json' },
  { name: 'ATLAS 1Lbb + C1N2_Wh_hbb_700_150', workspace: 'atlas_1Lbb.json', patch: 'atlas_1Lbb.patch.json' },
];

function readText(file: string): string {
  return readFileSync(join(workspaces, file), 'utf8');
}

interface PyhfTiming {
  case: string;
  logpdf_seconds: number;
  fit_seconds: number;
  nll_init: number;
  nll_fit: number;
  fits: number;
  versions: Record<string, string>;
}

function runPyhf(c: Case): PyhfTiming {
  const python = process.env.PYTHON ?? 'python3';
  const src = process.env.PYHF_SRC;
  const env = { ...process.env, ...(src ? { PYTHONPATH: [src, process.env.PYTHONPATH].filter(Boolean).join(':') } : {}), PYTHONWARNINGS: 'ignore' };
  const args = [join(here, 'pyhf_timing.py'), '--cases', JSON.stringify([c]), '--seconds', quick ? '0.2' : '0.5', '--repeats', quick ? '3' : '5', '--fits', quick ? '1' : '3'];
  const run = spawnSync(python, args, { env, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0) throw new Error(`pyhf timing failed (${python} ${args[0]}; set PYHF_SRC to pyhf's src folder):\n${run.stderr}`);
  const line = run.stdout.trim().split('\n').pop()!;
  return JSON.parse(line) as PyhfTiming;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

function runOurs(c: Case) {
  const imported: ImportedWorkspace = importWorkspace(JSON.parse(readText(c.workspace)), c.patch ? { jsonPatch: JSON.parse(readText(c.patch)) } : {});
  const { likelihood, data } = pyhfLikelihood(imported);
  const x = likelihood.initial();
  const nllInit = likelihood.nll(x, data);

  const t0 = performance.now();
  const first = maximumLikelihood(likelihood, data);
  const coldFit = (performance.now() - t0) / 1000;

  for (let k = 0; k < 1000; k++) likelihood.nll(x, data); // warm-up
  const batches: number[] = [];
  for (let r = 0; r < (quick ? 3 : 5); r++) {
    let count = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      for (let k = 0; k < 100; k++) likelihood.nll(x, data);
      count += 100;
      elapsed = performance.now() - start;
    } while (elapsed < (quick ? 200 : 500));
    batches.push(elapsed / 1000 / count);
  }
  maximumLikelihood(likelihood, data); // warm-up
  const fits: number[] = [];
  let last = first;
  for (let r = 0; r < (quick ? 3 : 7); r++) {
    const t = performance.now();
    last = maximumLikelihood(likelihood, data);
    fits.push((performance.now() - t) / 1000);
  }
  return {
    parameters: likelihood.parameters.length,
    nllSeconds: median(batches),
    fitSeconds: median(fits),
    coldFit,
    nllInit,
    nllFit: last.nll,
    converged: first.converged && last.converged,
    iterations: last.iterations,
  };
}

const fmt = (seconds: number) => (seconds < 1e-3 ? `${(seconds * 1e6).toFixed(1)} µs` : seconds < 1 ? `${(seconds * 1e3).toFixed(1)} ms` : `${seconds.toFixed(2)} s`);

const rows: string[][] = [];
let versions: Record<string, string> = {};
for (const c of cases) {
  const theirs = runPyhf(c);
  versions = theirs.versions;
  const ours = runOurs(c);
  rows.push([
    c.name,
    String(ours.parameters),
    fmt(theirs.logpdf_seconds),
    fmt(ours.nllSeconds),
    `${(theirs.logpdf_seconds / ours.nllSeconds).toFixed(1)}×`,
    fmt(theirs.fit_seconds),
    fmt(ours.fitSeconds),
    `${(theirs.fit_seconds / ours.fitSeconds).toFixed(1)}×`,
    fmt(ours.coldFit),
    `${((ours.nllInit - theirs.nll_init) / Math.abs(theirs.nll_init)).toExponential(1)}`,
    `${(ours.nllFit - theirs.nll_fit).toExponential(1)}${ours.converged ? '' : ' (ours NOT converged)'}`,
  ]);
  console.error(`done: ${c.name}`);
}

const header = ['workspace', 'pars', 'pyhf logpdf', 'ours NLL', 'ratio', 'pyhf fit', 'ours fit', 'ratio', 'ours 1st fit (cold JIT)', 'NLL(init) rel. diff', 'NLL(min) ours − pyhf'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
console.log(`pyhf ${versions.pyhf} (numpy ${versions.numpy}, scipy ${versions.scipy}, python ${versions.python}) vs ours (Node ${process.version}), one core each, side by side`);
console.log(line(header));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const r of rows) console.log(line(r));
console.log('logpdf/NLL: median time per evaluation at the suggested init; fit: median time per full MLE from it (pyhf: scipy SLSQP, finite-difference gradients; ours: Newton with analytic Hessian). A negative NLL(min) difference means our minimum is lower.');
