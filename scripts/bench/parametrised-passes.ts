/**
 * The price of a θ-parametrised term's network passes against their time: one −ln L evaluation at
 * each order on the published likelihoods named (default data, variant 0, timed for ~1 s each),
 * in ns and in the cost model's units per event and multiply-add. Feeds the prices in
 * models/terms/unbinned-parametrised.ts (passUnits).
 *
 *     npx tsx scripts/bench/parametrised-passes.ts srgn-top-mass srgn-gaussian-2d gaussian-toy-a1.5-carl
 */
import { readPublished } from '../lib/artifact-writer.js';
import { requestData } from '../../models/service/request-data.js';
import { CALIBRATION } from '../../models/service/cost.js';
import { parametrisedTerms } from '../../models/terms/unbinned-parametrised.js';
import { networkUnits } from '../../models/ratio/ratio-model.js';
const ids = process.argv.slice(2);
for (const id of ids) {
  const a = await readPublished('likelihoods', id);
  const L = a.likelihood;
  const data = requestData(L, {} as never);
  const n = L.parameters.length;
  const x = L.initial();
  const terms = parametrisedTerms(L);
  const info = terms.map((t) => `${t.name}: K=${t.events.network.members.length} units=${networkUnits(t.events.network)} P=${t.parameters.length} D=${t.observables.length} ref=${t.referenceCount} obs=${t.observedCount} norm=${t.normalisation} dataCount=${t.eventCount((data.terms as any)[t.name])}`);
  console.log(id, info.join('; '), 'variants', L.variants);
  for (const variant of [0]) {
    for (const order of [0, 1, 2] as const) {
      const g = new Float64Array(n), H = new Float64Array(n * n);
      const d = order === 0 ? undefined : { gradient: g, hessian: order === 2 ? H : undefined };
      let k = 0;
      const run = () => { x[0] += 1e-9 * (++k % 2 ? 1 : -1); return L.nll(x, data, variant, d); };
      for (let i = 0; i < 3; i++) run();
      const t0 = performance.now(); let reps = 0;
      while (performance.now() - t0 < 800) { run(); reps++; }
      const ms = (performance.now() - t0) / reps;
      let units = 0;
      for (const { term } of L.terms) units += term.evaluationUnits(order, term.eventCount((data.terms as any)[term.name]));
      const est = (units * CALIBRATION.nsPerUnit) / 1e6;
      const t = terms[0]; const K = t.events.network.members.length; const P = t.parameters.length; const ev = t.eventCount((data.terms as any)[t.name]) + (t.normalisation === 'reference-sample' ? t.referenceCount : 0);
      const Ch = [1, 1 + P, 1 + P + (P * (P + 1)) / 2][order];
      const perMac = (ms * 1e6) / (ev * networkUnits(t.events.network));
      console.log(`  ns per event-MAC (all members) ${perMac.toPrecision(3)}, per channel ${(perMac / Ch).toPrecision(3)} (C=${Ch}); in units of ${CALIBRATION.nsPerUnit} ns: ${(perMac / CALIBRATION.nsPerUnit).toPrecision(3)}`);
      console.log(`  variant ${variant} order ${order}: measured ${ms.toPrecision(3)} ms, priced ${est.toPrecision(3)} ms, ratio ${(est / ms).toPrecision(3)}`);
    }
  }
}
