/**
 * The Poisson negative log-likelihood in 60-digit decimal arithmetic (decimal.js), as an
 * independent reference for the double-precision kernels: −ln Pois(k | λ) = λ − k ln λ +
 * ln Γ(k + 1), each term exact to 60 digits, so that their cancellation costs nothing.
 * ln Γ comes from Stirling's series with Bernoulli numbers (DLMF 5.11.1) after shifting the
 * argument above 100 by the recurrence Γ(z + 1) = z Γ(z) (DLMF 5.5.1); no code is shared with
 * models/numeric.
 */
import Decimal from 'decimal.js';

const D = Decimal.clone({ precision: 60 });
export { D as ExactDecimal };

/**
 * The exact value of a double as a decimal: its full binary expansion (`toPrecision(100)` writes
 * every digit of doubles of magnitude above ~1e-40), not the shortest string that reads back as
 * it, which `new Decimal(x)` would take. Rounding there moves p·τ by ~1e-6 at τ = 10¹⁰.
 */
export function exact(x: Decimal.Value): Decimal {
  return typeof x === 'number' ? new D(x.toPrecision(100)) : new D(x);
}

/** B_2k for k = 1..15 as [numerator, denominator] (DLMF table 24.2.1) */
const BERNOULLI: ReadonlyArray<readonly [string, string]> = [
  ['1', '6'],
  ['-1', '30'],
  ['1', '42'],
  ['-1', '30'],
  ['5', '66'],
  ['-691', '2730'],
  ['7', '6'],
  ['-3617', '510'],
  ['43867', '798'],
  ['-174611', '330'],
  ['854513', '138'],
  ['-236364091', '2730'],
  ['8553103', '6'],
  ['-23749461029', '870'],
  ['8615841276005', '14322'],
];

const HALF_LN_2PI = D.ln(D.mul(2, D.acos(-1))).div(2);

const logGammaCache = new Map<string, Decimal>();

/** ln Γ(z) for real z > 0, to about 50 digits (the series' truncation); remembered. */
export function exactLogGamma(z: Decimal.Value): Decimal {
  const x = exact(z);
  const key = x.toString();
  let value = logGammaCache.get(key);
  if (!value) logGammaCache.set(key, (value = stirlingLogGamma(x)));
  return value;
}

function stirlingLogGamma(z: Decimal): Decimal {
  let x = z;
  let shift = new D(0);
  while (x.lt(100)) {
    shift = shift.plus(D.ln(x));
    x = x.plus(1);
  }
  // (x − ½) ln x − x + ½ ln 2π + Σ_k B_2k / (2k (2k − 1) x^(2k−1)); at x ≥ 100 the 15th term is below 1e-51
  let sum = x.minus(0.5).mul(D.ln(x)).minus(x).plus(HALF_LN_2PI);
  const x2 = x.mul(x);
  let power = x;
  BERNOULLI.forEach(([num, den], i) => {
    const k = i + 1;
    sum = sum.plus(new D(num).div(new D(den).mul(2 * k * (2 * k - 1)).mul(power)));
    power = power.mul(x2);
  });
  return sum.minus(shift);
}

/** −ln Pois(k | λ) for real k ≥ 0 and λ > 0, exactly for the values given. */
export function exactPoissonNll(k: number, lambda: Decimal.Value): Decimal {
  const K = exact(k);
  const L = exact(lambda);
  const logFactorial = exactLogGamma(K.plus(1));
  return k === 0 ? L : L.minus(K.mul(D.ln(L))).plus(logFactorial);
}

/** −ln N(a | p, σ) = ½((a − p)/σ)² + ln σ + ½ ln 2π, exactly for the values given. */
export function exactNormalNll(a: Decimal.Value, p: Decimal.Value, sigma: Decimal.Value): Decimal {
  const z = exact(a).minus(exact(p)).div(exact(sigma));
  return z.mul(z).div(2).plus(D.ln(exact(sigma))).plus(HALF_LN_2PI);
}

/** What `exactBinnedNll` needs of a binned term (models/terms/binned/term.ts). */
interface BinnedTermLike {
  readonly parameters: readonly { name: string }[];
  readonly constraints: readonly { parameter: string; kind: 'normal' | 'poisson'; sigma: number; tau: number }[];
  expected(params: Float64Array, index: Int32Array): Float64Array;
}

/**
 * A binned term's −ln L with every Poisson and normal term in 60-digit arithmetic, at the
 * expected counts the engine computes in double precision (pyhf's agree with them to 1e-13):
 * the reference for how the terms are summed, not for the yields.
 */
export function exactBinnedNll(term: BinnedTermLike, params: Float64Array, index: Int32Array, data: { counts: ArrayLike<number>; aux: ArrayLike<number> }): Decimal {
  const nu = term.expected(params, index);
  let total = new D(0);
  for (let b = 0; b < nu.length; b++) if (!(nu[b] === 0 && data.counts[b] === 0)) total = total.plus(exactPoissonNll(data.counts[b], nu[b]));
  const local = new Map(term.parameters.map((p, j) => [p.name, j]));
  term.constraints.forEach((c, i) => {
    const p = params[index[local.get(c.parameter)!]];
    total = total.plus(c.kind === 'poisson' ? exactPoissonNll(data.aux[i], exact(p).mul(exact(c.tau))) : exactNormalNll(data.aux[i], p, c.sigma));
  });
  return total;
}
