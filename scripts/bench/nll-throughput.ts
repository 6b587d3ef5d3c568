/**
 * NLL throughput of the unbinned polynomial term (issue: N = 100 000 events, P = 3,
 * C = 10, a batch of 1 000 points), as event-terms per second, measured side by side in
 * one run against a plain reference loop (one dot product and one Math.log per event-term),
 * plus the time of one profiled 1-D interval; then the parametrised kind (CARL/ALICE) next to
 * the polynomial kind on the same events (issue 16, item 6). Run: npm run bench
 */
import { evaluateMonomials, monomialBasis } from '../../models/basis/monomial-basis.js';
import { sumOfSquaresCoefficients, sumOfSquaresLayout } from '../../models/basis/sum-of-squares.js';
import { profileInterval } from '../../models/inference/intervals/profile.js';
import { createLikelihood } from '../../models/likelihood/likelihood.js';
import { interestParameter, type ParameterSpec } from '../../models/likelihood/term.js';
import { createRandom } from '../../models/random.js';
import { createUnbinnedPolynomialTerm, crossSectionFromReference, unbinnedAsimov, type UnbinnedData } from '../../models/terms/unbinned-polynomial.js';
import { createUnbinnedParametrisedTerm } from '../../models/terms/unbinned-parametrised.js';
import type { UnbinnedTerm } from '../../models/terms/unbinned.js';
import type { Term } from '../../models/likelihood/term.js';
import { parseFrozenNetwork } from '../../models/network/frozen-network.js';
import { networkRatioModel } from '../../models/ratio/ratio-model.js';

const N = 100_000;
const P = 3;
const K = 1_000;
const basis = monomialBasis(P, 2);
const C = basis.size;
const random = createRandom(1);
const layout = sumOfSquaresLayout(P, 2, true);
const raw = new Float64Array(layout.rawSize);
const coefficients = new Float64Array(N * C);
for (let i = 0; i < N; i++) {
  for (let k = 0; k < raw.length; k++) raw[k] = 0.3 * random.normal();
  sumOfSquaresCoefficients(layout, raw, 0, coefficients, i * C);
}
const s = crossSectionFromReference(coefficients, N, C, null);
const parameters: ParameterSpec[] = ['a', 'b', 'c'].map((name) => interestParameter(name, 0, [-1, 1]));
const term = createUnbinnedPolynomialTerm({ name: 'bench', parameters, degree: 2, basis, sigma0: 1, crossSection: [s] });
const data: UnbinnedData = { count: N, coefficients: [coefficients], weights: [null] };
const thetas = Float64Array.from({ length: K * P }, () => 0.5 * (random.uniform() - 0.5));
const evaluation = { luminosity: N, rate: true, variant: 0 };

/** The plain loop: for each point, for each event, a dot product and a logarithm. */
function referenceLoop(): Float64Array {
  const out = new Float64Array(K);
  const m = new Float64Array(C);
  const d = new Float64Array(P);
  for (let k = 0; k < K; k++) {
    for (let j = 0; j < P; j++) d[j] = thetas[k * P + j];
    evaluateMonomials(basis, d, m);
    let sum = 0;
    for (let i = 0; i < N; i++) {
      let r = 0;
      for (let c = 0; c < C; c++) r += coefficients[i * C + c] * m[c];
      sum += Math.log(r);
    }
    let sigma = 0;
    for (let c = 0; c < C; c++) sigma += s[c] * m[c];
    out[k] = N * sigma - sum;
  }
  return out;
}

function time<T>(f: () => T, repeats = 3): { seconds: number; value: T } {
  let best = Infinity;
  let value!: T;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    value = f();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return { seconds: best, value };
}

const eventTerms = N * K;
const ours = time(() => term.nllBatch(thetas, K, data, evaluation));
const weighted: UnbinnedData = { count: N, coefficients: [coefficients], weights: [new Float64Array(N).fill(1)] };
const oursWeighted = time(() => term.nllBatch(thetas, K, weighted, evaluation));
const reference = time(referenceLoop);
let maxRelative = 0;
for (let k = 0; k < K; k++) maxRelative = Math.max(maxRelative, Math.abs(ours.value[k] - reference.value[k]) / Math.abs(reference.value[k]));

const likelihood = createLikelihood(parameters, [term], N);
const asimov = unbinnedAsimov(term, data, Float64Array.of(0.1, -0.1, 0.05), N);
const interval = time(() => profileInterval(likelihood, { luminosity: N, rate: true, terms: { bench: asimov } }, 'a', [0.68, 0.95]), 1);

const rate = (seconds: number) => (eventTerms / seconds / 1e6).toFixed(1).padStart(7);
console.log(`NLL throughput: N = ${N} events, P = ${P}, C = ${C}, K = ${K} points, one core, Node ${process.versions.node}`);
console.log('path                                   seconds   M event-terms/s   vs plain loop');
console.log(`nllBatch, unit weights (observed)     ${ours.seconds.toFixed(3).padStart(7)}   ${rate(ours.seconds)}          ${(reference.seconds / ours.seconds).toFixed(2)}x`);
console.log(`nllBatch, weighted (Asimov)           ${oursWeighted.seconds.toFixed(3).padStart(7)}   ${rate(oursWeighted.seconds)}          ${(reference.seconds / oursWeighted.seconds).toFixed(2)}x`);
console.log(`plain loop (dot + Math.log each)      ${reference.seconds.toFixed(3).padStart(7)}   ${rate(reference.seconds)}          1.00x`);
console.log(`max relative difference nllBatch vs plain loop: ${maxRelative.toExponential(2)}`);
console.log(`profiled 1-D interval (68%, 95%) of 'a' on Asimov data, others profiled: ${interval.seconds.toFixed(2)} s, ${interval.value.scan.length} scan points, converged: ${interval.value.converged}`);

// ---------------------------------------------------------------------------------------
// The parametrised kind (a network of (x, θ), CARL/ALICE) next to the polynomial kind, in
// one run: the same events, networks of the same hidden sizes (32, 32, 32, swish, 4 members,
// as the published toys), P = 3. The polynomial kind runs its network once per event when the
// data are made and then needs a C-term dot product per event and point; the parametrised kind
// runs the network for every event at every point (and, normalised, over the reference sample too).
{
  const events = 10_000;
  const points = 20;
  const D = 2;
  const widths = [32, 32, 32];
  const denseMember = (inputs: number, outputs: number) => {
    const sizes = [inputs, ...widths, outputs];
    return {
      layers: sizes.slice(1).map((o, l) => ({
        inputs: sizes[l],
        outputs: o,
        kernel: Float32Array.from({ length: sizes[l] * o }, () => random.normal() / Math.sqrt(sizes[l])),
        bias: Float32Array.from({ length: o }, () => 0.1 * random.normal()),
        activation: (l === widths.length ? 'linear' : 'swish') as 'linear' | 'swish',
      })),
    };
  };
  const scaling = (n: number) => ({ mean: new Float32Array(n), std: new Float32Array(n).fill(1) });
  const classifier = parseFrozenNetwork({ format: 'frozen-mlp/1', inputs: D + P, outputs: 1, inputScaling: scaling(D + P), head: { kind: 'identity' }, members: Array.from({ length: 4 }, () => denseMember(D + P, 1)) });
  const regression = parseFrozenNetwork({ format: 'frozen-mlp/1', inputs: D, outputs: C, inputScaling: scaling(D), head: { kind: 'sum-of-squares', parameters: P, degree: 2, fixReference: true }, members: Array.from({ length: 4 }, () => denseMember(D, layout.rawSize)) });
  const x = Float64Array.from({ length: events * D }, () => random.normal());
  const referenceSample = { count: events, values: Float64Array.from({ length: events * D }, () => random.normal()), weights: null };
  const points3 = Array.from({ length: points }, () => Float64Array.from({ length: P }, () => 0.5 * (random.uniform() - 0.5)));
  const sigma = Float64Array.of(1, 0, 0, 0, 0.5, 0, 0, 0.5, 0, 0.5);

  const polynomial = createUnbinnedPolynomialTerm({ name: 'poly', parameters, degree: 2, basis, sigma0: 1, crossSection: [sigma], events: { ratio: networkRatioModel(regression), observables: ['x1', 'x2'], reference: { count: 0, coefficients: [], weights: [] }, observed: null } });
  const kinds = [
    { label: 'polynomial (ĉ made once)', term: polynomial as Term },
    { label: 'parametrised, Z ≡ 1', term: createUnbinnedParametrisedTerm({ name: 'p', parameters, basis, sigma0: 1, crossSection: sigma, normalisation: 'none', events: { network: classifier, observables: ['x1', 'x2'], reference: referenceSample, observed: null } }) as Term },
    { label: `parametrised, Z over ${events} ref.`, term: createUnbinnedParametrisedTerm({ name: 'p', parameters, basis, sigma0: 1, crossSection: sigma, events: { network: classifier, observables: ['x1', 'x2'], reference: referenceSample, observed: null } }) as Term },
  ];
  const rows = kinds.map(({ label, term: t }) => {
    const lk = createLikelihood(parameters, [t], events);
    const prepared = time(() => ({ luminosity: events, rate: true, terms: { [t.name]: (t as UnbinnedTerm).eventData(x, events) } }), 1);
    const value = time(() => points3.map((p) => lk.nll(p, prepared.value)), 1);
    const gradient = time(() => points3.map((p) => lk.nll(p, prepared.value, 0, { gradient: new Float64Array(P) })), 1);
    return { label, prepare: prepared.seconds, value: value.seconds, gradient: gradient.seconds };
  });
  const perSecond = (seconds: number) => ((events * points) / seconds / 1e6).toFixed(3).padStart(8);
  console.log(`\nUnbinned kinds side by side: ${events} events, ${points} points, P = ${P}, 4 members of (32, 32, 32) swish, ensemble estimate (variant 0)`);
  console.log('kind                                  data (s)   value: M events×points/s   with gradient   vs polynomial (value, gradient)');
  for (const r of rows) {
    console.log(`${r.label.padEnd(37)} ${r.prepare.toFixed(3).padStart(7)}   ${perSecond(r.value)}                   ${perSecond(r.gradient)}        ${(r.value / rows[0].value).toFixed(0)}x, ${(r.gradient / rows[0].gradient).toFixed(0)}x slower`);
  }
}
