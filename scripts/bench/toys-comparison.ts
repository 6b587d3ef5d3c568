/**
 * Issue 21 item 6: toy-based CLs against pyhf's toy calculator, side by side in one run, on the
 * ATLAS sbottom (64 parameters) and 1Lbb (126) workspaces with their signal patches and on both
 * as one workspace (~190 parameters, `pyhf_toys.py`'s `combined`). For each case pyhf's
 * `hypotest(…, calctype="toybased")` runs first (scripts/bench/pyhf_toys.py, numpy backend,
 * scipy SLSQP), then our ToyCalculator in this process on the same workspace JSON, so both see
 * the same machine load. A toy is one pseudo-experiment with its two fits (free and at μ);
 * each side draws N under s+b and N under b, so toys/s = 2N / seconds. pyhf runs far fewer toys
 * (its fits take seconds on 1Lbb): the rates, not the CLs, are what compare; both CLs are printed,
 * ours with its Monte Carlo error, so that a fast wrong answer shows.
 *
 *   PYHF_SRC=/path/to/pyhf/src PYTHON=/usr/bin/python3 npx tsx scripts/bench/toys-comparison.ts [--quick]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ToyCalculator } from '../../models/inference/calculators/toys.js';
import { importWorkspace, pyhfLikelihood } from '../../models/pyhf/import.js';

const here = dirname(fileURLToPath(import.meta.url));
const workspaces = join(here, '..', '..', '..', 'shared', 'workspaces');
const quick = process.argv.includes('--quick');
const MU = 1;

interface Case {
  key: 'sbottom' | '1Lbb' | 'combined';
  name: string;
  /** toys per hypothesis: pyhf's, ours */
  toys: [number, number];
}

const CASES: Case[] = [
  { key: 'sbottom', name: 'ATLAS sbottom RegionA + sbottom_1300_205_60', toys: quick ? [3, 50] : [20, 500] },
  { key: '1Lbb', name: 'ATLAS 1Lbb + C1N2_Wh_hbb_700_150', toys: quick ? [1, 20] : [5, 200] },
  { key: 'combined', name: 'both as one workspace', toys: quick ? [1, 10] : [3, 100] },
];

function python(args: string[]): string {
  const src = process.env.PYHF_SRC;
  const env = { ...process.env, ...(src ? { PYTHONPATH: [src, process.env.PYTHONPATH].filter(Boolean).join(':') } : {}), PYTHONWARNINGS: 'ignore' };
  const run = spawnSync(process.env.PYTHON ?? 'python3', [join(here, 'pyhf_toys.py'), ...args], { env, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`pyhf_toys.py ${args.join(' ')} failed (set PYHF_SRC to pyhf's src folder, PYTHON to a python with numpy, scipy, jsonpatch, jsonschema, click, tqdm, pyyaml, rich):\n${run.stderr}`);
  return run.stdout;
}

/** The workspace JSON both sides use: the patched file, or pyhf_toys.py's combination. */
function workspaceOf(c: Case): { spec: unknown; patch?: unknown } {
  const read = (file: string) => JSON.parse(readFileSync(join(workspaces, file), 'utf8'));
  if (c.key === 'sbottom') return { spec: read('atlas_sbottom_RegionA.json'), patch: read('atlas_sbottom_RegionA.patch.json') };
  if (c.key === '1Lbb') return { spec: read('atlas_1Lbb.json'), patch: read('atlas_1Lbb.patch.json') };
  const path = join(mkdtempSync(join(tmpdir(), 'toys-')), 'combined.json');
  python(['--case', 'combined', '--write-combined', path]);
  return { spec: JSON.parse(readFileSync(path, 'utf8')) };
}

console.log(`| workspace | parameters | pyhf: toys per hypothesis, s | pyhf toys/s | ours: toys per hypothesis, s | our toys/s | ratio | CLs at μ = ${MU}: pyhf / ours |`);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
let versions = '';
for (const c of CASES) {
  const [pyhfToys, ourToys] = c.toys;
  const theirs = JSON.parse(python(['--case', c.key, '--toys', String(pyhfToys), '--mu', String(MU)]).trim().split('\n').pop()!);
  versions = Object.entries(theirs.versions as Record<string, string>).map(([k, v]) => `${k} ${v}`).join(', ');
  const { spec, patch } = workspaceOf(c);
  const { likelihood, data } = pyhfLikelihood(importWorkspace(spec, patch ? { jsonPatch: patch } : {}));
  const t0 = performance.now();
  const ours = new ToyCalculator(likelihood, data, 'mu_SIG', { toys: ourToys, seed: 1 }).hypotest(MU);
  const seconds = (performance.now() - t0) / 1000;
  const theirRate = (2 * pyhfToys) / theirs.seconds;
  const ourRate = (2 * ourToys) / seconds;
  const cls = `${theirs.cls.toFixed(3)} / ${ours.cls?.toFixed(3)} ± ${ours.clsError?.toFixed(3)}${ours.failedToys ? ` (${ours.failedToys} toys failed)` : ''}`;
  console.log(`| ${c.name} | ${likelihood.parameters.length} (pyhf: ${theirs.parameters}) | ${pyhfToys}, ${theirs.seconds.toFixed(1)} | ${theirRate.toFixed(2)} | ${ourToys}, ${seconds.toFixed(1)} | ${ourRate.toFixed(1)} | ×${(ourRate / theirRate).toFixed(0)} | ${cls} |`);
}
console.log(`\npyhf side: ${versions}; ours: node ${process.versions.node}`);
