/**
 * Issue 25: what a global fitter gets from `nll`, per published kind of likelihood: points per
 * second in batches (of 1 000, 20 for the parametrised kind), value only, with the gradient and with the Hessian (over every
 * parameter), measured side by side in one run through the service layer the routes call
 * (request parsing, dataset resolution, cost check, evaluation, response). The machine is
 * shared: compare the columns of one run, not runs.
 *
 *     npm run bench:points              (every kind below)
 */
import { nll } from '../../models/service/evaluate.js';
import { NllRequestSchema } from '../../models/service/schemas.js';
import { setBudget } from '../../models/service/cost.js';
import { readPublished } from '../lib/artifact-writer.js';

/** Batches of 1 000 points, but 20 for the parametrised kind: its network runs for every event at every point. */
const CASES = [
  { id: 'gaussian-toy-truth', kind: 'unbinned, exact ratio', batch: 1_000 },
  { id: 'dy-smeft-run3', kind: 'unbinned, learned ĉ (44 871 Asimov events)', batch: 1_000 },
  { id: 'gaussian-toy-a1.5-carl', kind: 'unbinned, parametrised network (CARL)', batch: 20 },
  { id: 'atlas-sbottom-regiona', kind: 'binned, pyhf workspace', batch: 1_000 },
  { id: 'tttt-cp', kind: 'binned, templates', batch: 1_000 },
] as const;
const REPEAT = 3;

// a benchmark measures; it does not stop at the request budget
setBudget({ cpuMs: Infinity, memoryBytes: Infinity });

console.log('| likelihood | kind | parameters | value only (points/s) | with gradient | with Hessian | gradient / value | Hessian / value | value, ensemble mean only (memberSpread: false) |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const { id, kind, batch } of CASES) {
  const artifact = await readPublished('likelihoods', id);
  const { likelihood } = artifact;
  const first = likelihood.parameters[0];
  const [lo, hi] = first.bounds;
  const centre = first.init;
  const width = Math.min(hi - centre, centre - lo, 1) * 0.5;
  const points = Array.from({ length: batch }, (_, k) => ({ [first.name]: centre + width * (2 * (k / (batch - 1)) - 1) }));
  const rate = (extra: object) => {
    const request = NllRequestSchema.parse({ points, derivatives: 'all', ...extra });
    nll(artifact, request); // warm: datasets cached, code compiled
    let best = Infinity;
    for (let r = 0; r < REPEAT; r++) {
      const t0 = performance.now();
      nll(artifact, request);
      best = Math.min(best, performance.now() - t0);
    }
    return batch / (best / 1000);
  };
  const value = rate({});
  const gradient = rate({ gradient: true });
  const hessian = rate({ gradient: true, hessian: true });
  const meanOnly = likelihood.variants > 1 ? rate({ memberSpread: false }) : null;
  const f = (v: number) => Math.round(v).toLocaleString('en-US');
  console.log(`| ${id} | ${kind} | ${likelihood.parameters.length} | ${f(value)} | ${f(gradient)} | ${f(hessian)} | ${(value / gradient).toFixed(2)}× slower | ${(value / hessian).toFixed(2)}× slower | ${meanOnly === null ? '— (no ensemble)' : f(meanOnly)} |`);
}
