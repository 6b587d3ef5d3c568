import { describe, expect, it } from 'vitest';
import { NonPositiveRateError } from '../../../../models/likelihood/term.js';
import { createRandom } from '../../../../models/random.js';
import { compileBinnedModel, type BinnedTemplateTerm } from '../../../../models/terms/binned/term.js';
import { InvalidBinnedModelError, type BinnedModelSpec } from '../../../../models/terms/binned/schema.js';
import { code4Coefficients } from '../../../../models/terms/binned/interpolation.js';

/**
 * The test model: two channels, a signal polynomial of degree 2 in one parameter `kt`
 * (θ0 = 1) and two backgrounds, with every modifier kind:
 *
 *   SR (3 bins)  signal  normfactor mu, normsys JES, histosys JES (same parameter), lumi
 *                bkg1    staterror stat_SR, normsys bkgnorm, lumi
 *                bkg2    staterror stat_SR, shapesys bkg2_shape, histosys bkg2_hs
 *   CR (2 bins)  signal  normfactor mu, lumi
 *                bkg1    normsys bkgnorm, shapefactor cr_shape, staterror stat_CR, lumi
 *                bkg2    normsys JES
 */
function testSpec(interpolation?: BinnedModelSpec['interpolation']): BinnedModelSpec {
  const flat = (values: number[]) => values.map((v) => [v, 0, 0]);
  return {
    parameters: ['kt'],
    degree: 2,
    reference: [1],
    channels: [
      {
        name: 'SR',
        samples: [
          {
            name: 'signal',
            coefficients: [[5, 2, 0.5], [3, 1, 0.25], [1, 0.5, 0.1]],
            modifiers: [
              { type: 'normfactor', name: 'mu', data: null },
              { type: 'normsys', name: 'JES', data: { hi: 1.1, lo: 0.9 } },
              { type: 'histosys', name: 'JES', data: { hi_data: [5.5, 3.2, 1.1], lo_data: [4.6, 2.9, 0.95] } },
              { type: 'lumi', name: 'lumi', data: null },
            ],
          },
          {
            name: 'bkg1',
            coefficients: flat([50, 30, 10]),
            modifiers: [
              { type: 'staterror', name: 'stat_SR', data: [2, 1.5, 1] },
              { type: 'normsys', name: 'bkgnorm', data: { hi: 1.05, lo: 0.96 } },
              { type: 'lumi', name: 'lumi', data: null },
            ],
          },
          {
            name: 'bkg2',
            coefficients: flat([20, 15, 8]),
            modifiers: [
              { type: 'staterror', name: 'stat_SR', data: [1, 1, 0] },
              { type: 'shapesys', name: 'bkg2_shape', data: [2, 0, 1] },
              { type: 'histosys', name: 'bkg2_hs', data: { hi_data: [21, 16, 8.5], lo_data: [19.5, 14, 7.6] } },
            ],
          },
        ],
      },
      {
        name: 'CR',
        samples: [
          {
            name: 'signal',
            coefficients: [[0.5, 0.1, 0], [0.2, 0.05, 0.01]],
            modifiers: [
              { type: 'normfactor', name: 'mu', data: null },
              { type: 'lumi', name: 'lumi', data: null },
            ],
          },
          {
            name: 'bkg1',
            coefficients: flat([100, 80]),
            modifiers: [
              { type: 'normsys', name: 'bkgnorm', data: { hi: 1.05, lo: 0.96 } },
              { type: 'shapefactor', name: 'cr_shape', data: null },
              { type: 'staterror', name: 'stat_CR', data: [0, 4] },
              { type: 'lumi', name: 'lumi', data: null },
            ],
          },
          { name: 'bkg2', coefficients: flat([40, 30]), modifiers: [{ type: 'normsys', name: 'JES', data: { hi: 1.02, lo: 0.97 } }] },
        ],
      },
    ],
    parameterSettings: [{ name: 'lumi', auxdata: [1], sigmas: [0.02], bounds: [0.9, 1.1] }],
    ...(interpolation ? { interpolation } : {}),
  };
}

type Values = Record<string, number | number[]>;

const POINTS: Record<string, Values> = {
  nominal: { kt: 1, mu: 1, JES: 0, bkgnorm: 0, bkg2_hs: 0, lumi: 1, stat_SR: [1, 1, 1], stat_CR: [1, 1], bkg2_shape: [1, 1, 1], cr_shape: [1, 1] },
  A: { kt: 1.5, mu: 1.2, JES: 0.5, bkgnorm: -0.5, bkg2_hs: -0.4, lumi: 1.01, stat_SR: [1.02, 0.98, 1.0], stat_CR: [1.0, 1.03], bkg2_shape: [1.1, 1.0, 0.95], cr_shape: [0.9, 1.1] },
  B: { kt: 0.3, mu: 0.7, JES: -1.6, bkgnorm: 1.3, bkg2_hs: 2.2, lumi: 0.98, stat_SR: [0.95, 1.04, 1.01], stat_CR: [1.0, 0.97], bkg2_shape: [0.92, 1.0, 1.07], cr_shape: [1.2, 0.85] },
  C: { kt: 2.1, mu: 1.6, JES: -0.7, bkgnorm: 0.8, bkg2_hs: -0.9, lumi: 1.03, stat_SR: [0.99, 1.01, 0.96], stat_CR: [1.0, 1.02], bkg2_shape: [1.05, 1.0, 0.9], cr_shape: [1.02, 0.93] },
};
const COUNTS = { SR: [80, 45, 0], CR: [150, 100] };
const AUX: Values = { JES: 0.3, bkgnorm: -0.2, bkg2_hs: 0.1, lumi: 1.01, stat_SR: [1.03, 0.99, 1.0], stat_CR: [1.0, 0.98], bkg2_shape: [105, 1, 62] };

/**
 * pyhf's −logpdf and expected_actualdata for the same model, computed with pyhf itself (the
 * mirrored source at b3dc4bb, numpy backend, 64-bit) from the equivalent pyhf JSON: sample
 * `data` = the nominal yield at kt (c·m(kt − 1)) and, for θ ≠ θ0, the signal's histosys
 * hi_data/lo_data shifted by the same amount so the deltas are those at θ0; measurement
 * parameter lumi {auxdata [1], sigmas [0.02]}; data and aux reordered to pyhf's order
 * (pyhf sorts channels, CR before SR, and parameters). Expected counts here are in our
 * channel order (SR, CR).
 */
const PYHF: Record<string, { nll: number; expected: number[] }> = {
  'code4/code4p/nominal': { nll: 32.58610419784084, expected: [75.0, 48.0, 19.0, 140.5, 110.2] },
  'code4/code4p/A': { nll: 34.89588275308682, expected: [80.72774875760793, 48.04094388034126, 19.015331016606183, 130.1120547365487, 120.24927139441719] },
  'code4/code4p/B': { nll: 45.418852956557494, expected: [70.85853236245555, 51.77747144401844, 20.73926912442998, 163.69300484715063, 97.56316814554768] },
  'code4/code4p/C': { nll: 36.06235411261011, expected: [84.8523487614233, 53.32138976106315, 19.38544471750748, 149.40555931152204, 111.08497354951413] },
  'code1/code0/A': { nll: 34.9116238839322, expected: [80.78850822569129, 48.05766940546637, 19.028220690120484, 130.12806680104464, 120.2710319305766] },
  'code1/code0/B': { nll: 45.418852956557494, expected: [70.85853236245555, 51.77747144401844, 20.73926912442998, 163.69300484715063, 97.56316814554768] },
  'code1/code0/C': { nll: 36.06443175279145, expected: [84.8561222383963, 53.32456067456386, 19.386978774328185, 149.40324703591264, 111.08320529469009] },
};

/** pyhf's suggested init / bounds / fixed for this model, by parameter name. */
const PYHF_PARAMETERS: Record<string, { init: number; bounds: [number, number]; fixed: boolean }> = {
  bkg2_hs: { init: 0, bounds: [-5, 5], fixed: false },
  JES: { init: 0, bounds: [-5, 5], fixed: false },
  lumi: { init: 1, bounds: [0.9, 1.1], fixed: false },
  mu: { init: 1, bounds: [0, 10], fixed: false },
  bkgnorm: { init: 0, bounds: [-5, 5], fixed: false },
  'cr_shape[0]': { init: 1, bounds: [0, 10], fixed: false },
  'cr_shape[1]': { init: 1, bounds: [0, 10], fixed: false },
  'bkg2_shape[0]': { init: 1, bounds: [1e-10, 10], fixed: false },
  'bkg2_shape[1]': { init: 1, bounds: [1e-10, 10], fixed: true },
  'bkg2_shape[2]': { init: 1, bounds: [1e-10, 10], fixed: false },
  'stat_CR[0]': { init: 1, bounds: [1e-10, 10], fixed: true },
  'stat_CR[1]': { init: 1, bounds: [1e-10, 10], fixed: false },
  'stat_SR[0]': { init: 1, bounds: [1e-10, 10], fixed: false },
  'stat_SR[1]': { init: 1, bounds: [1e-10, 10], fixed: false },
  'stat_SR[2]': { init: 1, bounds: [1e-10, 10], fixed: false },
};

/** A global vector larger than the term's, with the term's parameters scattered by `index`. */
function embed(term: BinnedTemplateTerm, values: Values, extra = 3): { params: Float64Array; index: Int32Array } {
  const nLocal = term.parameters.length;
  const n = nLocal + extra;
  const index = Int32Array.from({ length: nLocal }, (_, j) => (7 * j + 3) % n);
  expect(new Set(index).size).toBe(nLocal); // injective
  const params = new Float64Array(n).fill(123.4); // garbage where the term must not look
  term.parameters.forEach((p, j) => {
    params[index[j]] = valueOf(values, p.name);
  });
  return { params, index };
}

function valueOf(values: Values, name: string): number {
  const m = /^(.*)\[(\d+)\]$/.exec(name);
  const v = m ? values[m[1]] : values[name];
  if (v === undefined) throw new Error(`no value for ${name}`);
  return Array.isArray(v) ? v[Number(m![2])] : (v as number);
}

function dataOf(term: BinnedTemplateTerm, counts = COUNTS, aux = AUX) {
  return {
    counts: Float64Array.from([...counts.SR, ...counts.CR]),
    aux: Float64Array.from(term.constraints, (c) => valueOf(aux, c.parameter)),
  };
}

/** ln n! for integer n, by summing logarithms (independent of any gamma routine). */
function logFactorial(n: number): number {
  expect(Number.isInteger(n)).toBe(true);
  let s = 0;
  for (let k = 2; k <= n; k++) s += Math.log(k);
  return s;
}

/** −ln L written out directly from the definition, for given expected counts. */
function handNll(nu: number[], scale = 1): number {
  const counts = [...COUNTS.SR, ...COUNTS.CR];
  let s = 0;
  nu.forEach((v, b) => {
    const x = v * scale;
    s += x - (counts[b] === 0 ? 0 : counts[b] * Math.log(x)) + logFactorial(counts[b]);
  });
  return s;
}

/** the constraint part at parameter values `v`, with the test's aux data, written out */
function handConstraints(v: Values): number {
  const g = (aux: number, p: number, sigma: number) => 0.5 * ((aux - p) / sigma) ** 2 + Math.log(sigma) + 0.5 * Math.log(2 * Math.PI);
  const pois = (aux: number, p: number, tau: number) => p * tau - aux * Math.log(p * tau) + logFactorial(aux);
  const at = (name: string) => valueOf(v, name);
  const aux = (name: string) => valueOf(AUX, name);
  // staterror widths: σ_b = sqrt(Σ δ²) / Σ nom over bkg1 and bkg2 in SR; stat_CR from bkg1 alone
  const statSR = [Math.sqrt(2 ** 2 + 1 ** 2) / (50 + 20), Math.sqrt(1.5 ** 2 + 1 ** 2) / (30 + 15), Math.sqrt(1 ** 2 + 0 ** 2) / (10 + 8)];
  const statCR = [1 /* σ = 0 → fixed, width 1 as pyhf */, 4 / 80];
  // shapesys τ_b = (nom/δ)²; bin 1 has δ = 0 → τ = 1
  const tau = [(20 / 2) ** 2, 1, (8 / 1) ** 2];
  let s = 0;
  for (const name of ['JES', 'bkgnorm', 'bkg2_hs']) s += g(aux(name), at(name), 1);
  s += g(aux('lumi'), at('lumi'), 0.02);
  for (let b = 0; b < 3; b++) s += g(aux(`stat_SR[${b}]`), at(`stat_SR[${b}]`), statSR[b]);
  for (let b = 0; b < 2; b++) s += g(aux(`stat_CR[${b}]`), at(`stat_CR[${b}]`), statCR[b]);
  for (let b = 0; b < 3; b++) s += pois(aux(`bkg2_shape[${b}]`), at(`bkg2_shape[${b}]`), tau[b]);
  return s;
}

/** Expected yields at point A with code1/code0, written out by hand (Δ = kt − θ0 = 0.5). */
function handExpectedA(): number[] {
  const mu = 1.2, lumi = 1.01;
  const jesUp = Math.pow(1.1, 0.5); // signal normsys JES, α = 0.5 > 0: hi^α
  const jesCR = Math.pow(1.02, 0.5); // CR bkg2 normsys JES
  const bkgnorm = Math.pow(0.96, 0.5); // α = −0.5 ≤ 0: lo^(−α)
  // histosys JES (α = 0.5 > 0): α (hi − nom); bkg2_hs (α = −0.4): α (nom − lo)
  const SR = [
    // bin 0: signal (5 + 2·0.5 + 0.5·0.5² + 0.5·(5.5 − 5)); bkg1 50 γ0; bkg2 (20 − 0.4·(20 − 19.5)) γ0 γshape0
    (5 + 2 * 0.5 + 0.5 * 0.25 + 0.5 * 0.5) * mu * jesUp * lumi + 50 * 1.02 * bkgnorm * lumi + (20 - 0.4 * 0.5) * 1.02 * 1.1,
    (3 + 1 * 0.5 + 0.25 * 0.25 + 0.5 * 0.2) * mu * jesUp * lumi + 30 * 0.98 * bkgnorm * lumi + (15 - 0.4 * 1) * 0.98 * 1.0,
    (1 + 0.5 * 0.5 + 0.1 * 0.25 + 0.5 * 0.1) * mu * jesUp * lumi + 10 * 1.0 * bkgnorm * lumi + (8 - 0.4 * 0.4) * 1.0 * 0.95,
  ];
  const CR = [
    (0.5 + 0.1 * 0.5) * mu * lumi + 100 * bkgnorm * 0.9 * 1.0 * lumi + 40 * jesCR,
    (0.2 + 0.05 * 0.5 + 0.01 * 0.25) * mu * lumi + 80 * bkgnorm * 1.1 * 1.03 * lumi + 30 * jesCR,
  ];
  return [...SR, ...CR];
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i] - expected[i]), `entry ${i}: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(expected[i])));
  }
}

describe('compileBinnedModel: parameters and constraints', () => {
  const term = compileBinnedModel('bins', testSpec());

  it('lists θ first, then nuisances in order of first appearance, named as pyhf', () => {
    expect(term.kind).toBe('binned-template');
    expect(term.interest).toBe(1);
    expect(term.parameters.map((p) => p.name)).toEqual([
      'kt', 'mu', 'JES', 'lumi', 'stat_SR[0]', 'stat_SR[1]', 'stat_SR[2]', 'bkgnorm',
      'bkg2_shape[0]', 'bkg2_shape[1]', 'bkg2_shape[2]', 'bkg2_hs', 'cr_shape[0]', 'cr_shape[1]', 'stat_CR[0]', 'stat_CR[1]',
    ]);
    expect(term.parameters[0]).toEqual({ name: 'kt', init: 1, bounds: [-Infinity, Infinity], kind: 'interest', fixed: false, constraint: 'none' });
    expect(term.channels).toEqual([{ name: 'SR', bins: 3, offset: 0 }, { name: 'CR', bins: 2, offset: 3 }]);
    expect(term.totalBins).toBe(5);
  });

  it('has pyhf’s inits, bounds and fixed flags', () => {
    for (const p of term.parameters.slice(1)) {
      const ref = PYHF_PARAMETERS[p.name];
      expect(ref, p.name).toBeDefined();
      expect({ name: p.name, init: p.init, bounds: [...p.bounds], fixed: p.fixed }).toEqual({ name: p.name, init: ref.init, bounds: ref.bounds, fixed: ref.fixed });
      expect(p.kind).toBe('nuisance');
    }
    expect(term.parameters.length - 1).toBe(Object.keys(PYHF_PARAMETERS).length);
  });

  it('has pyhf’s constraints: widths, factors, nominal aux', () => {
    const byName = new Map(term.constraints.map((c) => [c.parameter, c]));
    expect(term.constraints.length).toBe(12); // pyhf's nauxdata for this model
    expect(byName.get('JES')).toEqual({ parameter: 'JES', kind: 'normal', sigma: 1, tau: 1, aux: 0 });
    expect(byName.get('lumi')).toEqual({ parameter: 'lumi', kind: 'normal', sigma: 0.02, tau: 1, aux: 1 });
    // pyhf widths: stat_SR [0.031943828249996996, 0.040061680838488774, 0.05555555555555555], stat_CR [1, 0.05]
    expect(byName.get('stat_SR[0]')!.sigma).toBeCloseTo(0.031943828249996996, 15);
    expect(byName.get('stat_SR[1]')!.sigma).toBeCloseTo(0.040061680838488774, 15);
    expect(byName.get('stat_SR[2]')!.sigma).toBeCloseTo(0.05555555555555555, 15);
    expect(byName.get('stat_CR[0]')!.sigma).toBe(1);
    expect(byName.get('stat_CR[1]')!.sigma).toBeCloseTo(0.05, 15);
    // shapesys: τ = (nom/δ)² = 100, 1 (δ = 0), 64; aux = τ (pyhf's auxdata 100, 1, 64)
    expect(['bkg2_shape[0]', 'bkg2_shape[1]', 'bkg2_shape[2]'].map((n) => [byName.get(n)!.kind, byName.get(n)!.tau, byName.get(n)!.aux])).toEqual([
      ['poisson', 100, 100],
      ['poisson', 1, 1],
      ['poisson', 64, 64],
    ]);
    expect(term.parameters.find((p) => p.name === 'mu')!.constraint).toBe('none');
    expect(term.parameters.find((p) => p.name === 'cr_shape[0]')!.constraint).toBe('none');
    expect(Array.from(term.nominalAux())).toEqual(term.constraints.map((c) => c.aux));
  });

  it('applies parameterSettings to a set, a component and a parameter of interest', () => {
    const spec = testSpec();
    spec.parameterSettings = [
      { name: 'lumi', auxdata: [1], sigmas: [0.02] },
      { name: 'stat_SR', bounds: [0.5, 1.5], sigmas: [0.1, 0.2, 0.3] },
      { name: 'stat_SR[1]', fixed: true, init: 1.1 },
      { name: 'kt', bounds: [0, 3] },
      { name: 'mu', init: 0.5, bounds: [-1, 5] },
      { name: 'JES', auxdata: [0.25] },
    ];
    const t = compileBinnedModel('bins', spec);
    const p = (n: string) => t.parameters.find((q) => q.name === n)!;
    const c = (n: string) => t.constraints.find((q) => q.parameter === n)!;
    expect(p('lumi').bounds).toEqual([0.9, 1.1]); // pyhf readxml default: ±5σ
    expect(p('lumi').init).toBe(1);
    expect([p('stat_SR[0]').bounds, p('stat_SR[2]').bounds]).toEqual([[0.5, 1.5], [0.5, 1.5]]);
    expect([c('stat_SR[0]').sigma, c('stat_SR[1]').sigma, c('stat_SR[2]').sigma]).toEqual([0.1, 0.2, 0.3]);
    expect([p('stat_SR[1]').fixed, p('stat_SR[1]').init, p('stat_SR[0]').fixed]).toEqual([true, 1.1, false]);
    expect(p('kt').bounds).toEqual([0, 3]);
    expect([p('mu').init, p('mu').bounds]).toEqual([0.5, [-1, 5]]);
    expect(c('JES').aux).toBe(0.25);
  });
});

describe('expected yields', () => {
  it('are the nominal sums at the reference point', () => {
    const term = compileBinnedModel('bins', testSpec());
    const { params, index } = embed(term, POINTS.nominal);
    // SR: 5+50+20, 3+30+15, 1+10+8; CR: 0.5+100+40, 0.2+80+30
    expectClose(term.expected(params, index), [75, 48, 19, 140.5, 110.2], 1e-15);
  });

  it('match the hand computation at point A (code1/code0)', () => {
    const term = compileBinnedModel('bins', testSpec({ normsys: 'code1', histosys: 'code0' }));
    const { params, index } = embed(term, POINTS.A);
    expectClose(term.expected(params, index), handExpectedA(), 1e-14);
  });

  it('with the default codes (pyhf’s code4/code4p) differ from code1/code0 only through the interpolation', () => {
    const term = compileBinnedModel('bins', testSpec());
    const { params, index } = embed(term, POINTS.A);
    // replace the code1/code0 pieces of the hand computation by code4/code4p at the same α
    const a = code4Coefficients(1.1, 0.9);
    const poly = (c: Float64Array, x: number) => 1 + c[0] * x + c[1] * x ** 2 + c[2] * x ** 3 + c[3] * x ** 4 + c[4] * x ** 5 + c[5] * x ** 6;
    const jes4 = poly(a, 0.5);
    const jesCR4 = poly(code4Coefficients(1.02, 0.97), 0.5);
    const bkgnorm4 = poly(code4Coefficients(1.05, 0.96), -0.5);
    // code4p: α S + A(15α² − 10α⁴ + 3α⁶)
    const p4 = (x: number, up: number, dn: number) => x * 0.5 * (up + dn) + 0.0625 * (up - dn) * (15 * x ** 2 - 10 * x ** 4 + 3 * x ** 6);
    const mu = 1.2, lumi = 1.01;
    const expected = [
      (5 + 2 * 0.5 + 0.5 * 0.25 + p4(0.5, 0.5, 0.4)) * mu * jes4 * lumi + 50 * 1.02 * bkgnorm4 * lumi + (20 + p4(-0.4, 1, 0.5)) * 1.02 * 1.1,
      (3 + 1 * 0.5 + 0.25 * 0.25 + p4(0.5, 0.2, 0.1)) * mu * jes4 * lumi + 30 * 0.98 * bkgnorm4 * lumi + (15 + p4(-0.4, 1, 1)) * 0.98,
      (1 + 0.5 * 0.5 + 0.1 * 0.25 + p4(0.5, 0.1, 0.05)) * mu * jes4 * lumi + 10 * bkgnorm4 * lumi + (8 + p4(-0.4, 0.5, 0.4)) * 0.95,
      (0.5 + 0.1 * 0.5) * mu * lumi + 100 * bkgnorm4 * 0.9 * lumi + 40 * jesCR4,
      (0.2 + 0.05 * 0.5 + 0.01 * 0.25) * mu * lumi + 80 * bkgnorm4 * 1.1 * 1.03 * lumi + 30 * jesCR4,
    ];
    expectClose(term.expected(params, index), expected, 1e-14);
  });

  it('match pyhf at every reference point, both interpolation settings', () => {
    for (const [key, ref] of Object.entries(PYHF)) {
      const [normsys, histosys, point] = key.split('/');
      const term = compileBinnedModel('bins', testSpec({ normsys: normsys as 'code1' | 'code4', histosys: histosys as 'code0' | 'code4p' }));
      const { params, index } = embed(term, POINTS[point]);
      expectClose(term.expected(params, index), ref.expected, 1e-13);
    }
  });

  it('scale with luminosityScale', () => {
    const term = compileBinnedModel('bins', testSpec());
    const { params, index } = embed(term, POINTS.C);
    const one = term.expected(params, index);
    const three = term.expected(params, index, 3);
    expectClose(three, Array.from(one, (v) => 3 * v), 1e-15);
    expect(() => term.expected(params, index, 0)).toThrow(RangeError);
    expect(() => term.expected(params, index, Number.NaN)).toThrow(RangeError);
  });

  it('a model without parameters of interest (C = 1) gives the constant yields', () => {
    const spec = testSpec();
    const constant: BinnedModelSpec = {
      ...spec,
      parameters: [],
      degree: 0,
      reference: [],
      channels: spec.channels.map((c) => ({ ...c, samples: c.samples.map((s) => ({ ...s, coefficients: s.coefficients.map((v) => [v[0]]) })) })),
    };
    const term = compileBinnedModel('flat', constant);
    expect(term.interest).toBe(0);
    const { params, index } = embed(term, POINTS.nominal);
    expectClose(term.expected(params, index), [75, 48, 19, 140.5, 110.2], 1e-15);
    expect(term.nll(params, index, dataOf(term))).toBeCloseTo(PYHF['code4/code4p/nominal'].nll, 11);
  });
});

describe('negative log-likelihood', () => {
  it('equals the hand-written formula with every constant (point A, code1/code0)', () => {
    const term = compileBinnedModel('bins', testSpec({ normsys: 'code1', histosys: 'code0' }));
    const { params, index } = embed(term, POINTS.A);
    const value = term.nll(params, index, dataOf(term));
    const hand = handNll(handExpectedA()) + handConstraints(POINTS.A);
    expect(Math.abs(value - hand)).toBeLessThan(1e-11);
  });

  it('equals pyhf’s −logpdf at every reference point, both interpolation settings', () => {
    for (const [key, ref] of Object.entries(PYHF)) {
      const [normsys, histosys, point] = key.split('/');
      const term = compileBinnedModel('bins', testSpec({ normsys: normsys as 'code1' | 'code4', histosys: histosys as 'code0' | 'code4p' }));
      const { params, index } = embed(term, POINTS[point]);
      expect(Math.abs(term.nll(params, index, dataOf(term)) - ref.nll), key).toBeLessThan(1e-10);
    }
  });

  it('uses the scaled yields under luminosityScale', () => {
    const term = compileBinnedModel('bins', testSpec({ normsys: 'code1', histosys: 'code0' }));
    const { params, index } = embed(term, POINTS.A);
    const value = term.nll(params, index, dataOf(term), { luminosityScale: 2.5 });
    expect(Math.abs(value - (handNll(handExpectedA(), 2.5) + handConstraints(POINTS.A)))).toBeLessThan(1e-10);
  });

  it('gives the same value on repeated calls and after the data change (constants cache)', () => {
    const term = compileBinnedModel('bins', testSpec());
    const { params, index } = embed(term, POINTS.C);
    const data = dataOf(term);
    const first = term.nll(params, index, data);
    expect(term.nll(params, index, data)).toBe(first);
    const other = dataOf(term, { SR: [81, 45, 0], CR: [150, 100] });
    const changed = term.nll(params, index, other);
    const nu0 = term.expected(params, index)[0];
    // one more event in bin 0: Δ = −ln ν0 + ln 81
    expect(changed - first).toBeCloseTo(-Math.log(nu0) + Math.log(81), 11);
    expect(term.nll(params, index, data)).toBe(first);
  });

  it('throws NonPositiveRateError, never clips, when a yield is not positive', () => {
    const term = compileBinnedModel('bins', testSpec());
    const { params, index } = embed(term, { ...POINTS.A, mu: -100 });
    const nu = term.expected(params, index);
    expect(nu[0]).toBeLessThan(0); // returned as is
    let caught: unknown;
    try {
      term.nll(params, index, dataOf(term));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(NonPositiveRateError);
    const error = caught as NonPositiveRateError;
    expect(error.term).toBe('bins');
    expect(error.where).toContain("channel 'SR' bin 0");
    expect(error.value).toBe(nu[0]);
  });

  it('a zero yield with zero count contributes 0; with a positive count it throws', () => {
    const term = compileBinnedModel('tiny', {
      parameters: [],
      degree: 0,
      reference: [],
      channels: [{ name: 'c', samples: [{ name: 's', coefficients: [[4], [2]], modifiers: [{ type: 'normfactor', name: 'mu', data: null }] }] }],
    });
    const params = Float64Array.of(0);
    const index = Int32Array.of(0);
    const derivatives = { gradient: new Float64Array(1), hessian: new Float64Array(1) };
    expect(term.nll(params, index, { counts: Float64Array.of(0, 0), aux: new Float64Array(0) }, { luminosityScale: 1 }, derivatives)).toBe(0);
    // d/dμ Σ ν_b = 4 + 2 at n = 0, and no curvature
    expect(derivatives.gradient[0]).toBe(6);
    expect(derivatives.hessian[0]).toBe(0);
    expect(() => term.nll(params, index, { counts: Float64Array.of(1, 0), aux: new Float64Array(0) })).toThrow(NonPositiveRateError);
    // and at μ = 2, counts (3, 1): 8 − 3 ln 8 + ln 3! + 4 − ln 4 + ln 1!
    const v = term.nll(Float64Array.of(2), index, { counts: Float64Array.of(3, 1), aux: new Float64Array(0) });
    expect(v).toBeCloseTo(8 - 3 * Math.log(8) + Math.log(6) + 4 - Math.log(4), 13);
  });

  it('a non-positive Poisson constraint rate throws', () => {
    const term = compileBinnedModel('bins', testSpec());
    const { params, index } = embed(term, { ...POINTS.A, bkg2_shape: [-0.1, 1, 1] });
    expect(() => term.nll(params, index, dataOf(term))).toThrow(NonPositiveRateError);
  });

  it('rejects data of the wrong shape or with invalid counts', () => {
    const term = compileBinnedModel('bins', testSpec());
    const { params, index } = embed(term, POINTS.A);
    const data = dataOf(term);
    expect(() => term.nll(params, index, { ...data, counts: new Float64Array(4) })).toThrow(/5/);
    expect(() => term.nll(params, index, { ...data, aux: new Float64Array(3) })).toThrow(/12/);
    expect(() => term.nll(params, index, { ...data, counts: Float64Array.of(1, 2, -1, 3, 4) })).toThrow(RangeError);
    expect(() => term.nll(params, index, { ...data, counts: Float64Array.of(1, 2, Number.NaN, 3, 4) })).toThrow(RangeError);
    expect(() => term.nll(params, index.subarray(1), data)).toThrow(RangeError);
  });
});

/** central differences of the NLL (gradient) and of the analytic gradient (Hessian) */
function checkDerivatives(term: BinnedTemplateTerm, values: Values, scale = 1, rel = 1e-6) {
  const { params, index } = embed(term, values);
  const data = dataOf(term);
  const n = params.length;
  const gradient = new Float64Array(n).fill(1); // the term must *add* to what is there
  const hessian = new Float64Array(n * n).fill(1);
  const value = term.nll(params, index, data, { luminosityScale: scale }, { gradient, hessian });
  expect(value).toBe(term.nll(params, index, data, { luminosityScale: scale }));
  const used = new Set(index);
  const h = 1e-5;
  for (let i = 0; i < n; i++) {
    if (!used.has(i)) {
      // positions the term does not own stay untouched
      expect(gradient[i]).toBe(1);
      for (let j = 0; j < n; j++) expect(hessian[i * n + j]).toBe(1);
      continue;
    }
    const x = params[i];
    params[i] = x + h;
    const up = term.nll(params, index, data, { luminosityScale: scale });
    const gUp = new Float64Array(n);
    term.nll(params, index, data, { luminosityScale: scale }, { gradient: gUp });
    params[i] = x - h;
    const dn = term.nll(params, index, data, { luminosityScale: scale });
    const gDn = new Float64Array(n);
    term.nll(params, index, data, { luminosityScale: scale }, { gradient: gDn });
    params[i] = x;
    const fd = (up - dn) / (2 * h);
    expect(Math.abs(gradient[i] - 1 - fd), `gradient ${i}: ${gradient[i] - 1} vs ${fd}`).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(fd)));
    for (let j = 0; j < n; j++) {
      const fdH = (gUp[j] - gDn[j]) / (2 * h);
      const got = hessian[j * n + i] - 1;
      expect(Math.abs(got - fdH), `hessian ${j},${i}: ${got} vs ${fdH}`).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(fdH)));
      expect(hessian[i * n + j]).toBeCloseTo(hessian[j * n + i], 9);
    }
  }
}

function randomPoint(seed: number, avoidZero: boolean): Values {
  const r = createRandom(seed);
  const u = (lo: number, hi: number) => lo + (hi - lo) * r.uniform();
  const alpha = () => {
    let a = u(-2, 2);
    while (avoidZero && Math.abs(a) < 0.01) a = u(-2, 2);
    return a;
  };
  const gammas = (k: number) => Array.from({ length: k }, () => u(0.8, 1.2));
  return {
    kt: u(0, 2.5),
    mu: u(0.5, 2),
    JES: alpha(),
    bkgnorm: alpha(),
    bkg2_hs: alpha(),
    lumi: u(0.95, 1.05),
    stat_SR: gammas(3),
    stat_CR: gammas(2),
    bkg2_shape: gammas(3),
    cr_shape: gammas(2),
  };
}

describe('analytic gradient and Hessian', () => {
  it('equal central finite differences at random points (code4/code4p)', () => {
    const term = compileBinnedModel('bins', testSpec());
    for (let seed = 1; seed <= 6; seed++) checkDerivatives(term, randomPoint(seed, false));
  });

  it('equal central finite differences at random points (code1/code0)', () => {
    const term = compileBinnedModel('bins', testSpec({ normsys: 'code1', histosys: 'code0' }));
    for (let seed = 11; seed <= 16; seed++) checkDerivatives(term, randomPoint(seed, true));
  });

  it('equal central finite differences under a luminosity scale and at the reference points', () => {
    const term = compileBinnedModel('bins', testSpec());
    checkDerivatives(term, randomPoint(21, false), 2.5);
    checkDerivatives(term, POINTS.C, 0.4);
    checkDerivatives(term, POINTS.B);
  });

  it('equal central finite differences with two parameters of interest (mixed θ terms)', () => {
    // yields polynomial of degree 2 in (a, b) around (0.5, −1): basis [1, a, b, a², ab, b²]
    const term = compileBinnedModel('two', {
      parameters: ['a', 'b'],
      degree: 2,
      reference: [0.5, -1],
      channels: [
        {
          name: 'c',
          samples: [
            {
              name: 'sig',
              coefficients: [[10, 2, -1, 0.5, 0.8, 0.3], [6, -1, 1.5, 0.2, -0.4, 0.6]],
              modifiers: [
                { type: 'normfactor', name: 'mu', data: null },
                { type: 'normsys', name: 'sys', data: { hi: 1.2, lo: 0.85 } },
                { type: 'histosys', name: 'sys', data: { hi_data: [11, 6.5], lo_data: [9.5, 5.2] } },
                // per-bin factors on the θ-dependent sample: θ × γ cross terms
                { type: 'shapefactor', name: 'sf', data: null },
                { type: 'staterror', name: 'st', data: [0.5, 0.4] },
              ],
            },
            { name: 'bkg', coefficients: [[30, 0, 0, 0, 0, 0], [20, 0, 0, 0, 0, 0]], modifiers: [{ type: 'shapesys', name: 'unc', data: [3, 2] }] },
          ],
        },
      ],
    });
    const { params, index } = embed(term, { a: 0.9, b: -0.6, mu: 1.3, sys: 0.4, unc: [1.05, 0.9], sf: [1.1, 0.8], st: [0.97, 1.04] }, 2);
    const data = { counts: Float64Array.of(45, 30), aux: term.nominalAux() };
    const n = params.length;
    const gradient = new Float64Array(n);
    const hessian = new Float64Array(n * n);
    term.nll(params, index, data, { luminosityScale: 1 }, { gradient, hessian });
    const h = 1e-5;
    for (let i = 0; i < n; i++) {
      const x = params[i];
      params[i] = x + h;
      const gUp = new Float64Array(n);
      const up = term.nll(params, index, data, { luminosityScale: 1 }, { gradient: gUp });
      params[i] = x - h;
      const gDn = new Float64Array(n);
      const dn = term.nll(params, index, data, { luminosityScale: 1 }, { gradient: gDn });
      params[i] = x;
      expect(Math.abs(gradient[i] - (up - dn) / (2 * h))).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(gradient[i])));
      for (let j = 0; j < n; j++) {
        const fd = (gUp[j] - gDn[j]) / (2 * h);
        expect(Math.abs(hessian[j * n + i] - fd), `hessian ${j},${i}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(fd)));
      }
    }
    // the θ block is really mixed: ∂²/∂a∂b ≠ 0
    expect(Math.abs(hessian[index[0] * n + index[1]])).toBeGreaterThan(1e-3);
  });

  it('only the gradient, or only the Hessian, may be asked for', () => {
    const term = compileBinnedModel('bins', testSpec());
    const { params, index } = embed(term, POINTS.C);
    const data = dataOf(term);
    const n = params.length;
    const both = { gradient: new Float64Array(n), hessian: new Float64Array(n * n) };
    term.nll(params, index, data, { luminosityScale: 1 }, both);
    const g = new Float64Array(n);
    term.nll(params, index, data, { luminosityScale: 1 }, { gradient: g });
    const H = new Float64Array(n * n);
    term.nll(params, index, data, { luminosityScale: 1 }, { hessian: H });
    expect(Array.from(g)).toEqual(Array.from(both.gradient));
    expect(Array.from(H)).toEqual(Array.from(both.hessian));
  });
});

describe('asimov and toys', () => {
  it('asimov: expected counts and aux at their expectation (p for normal, p τ for poisson)', () => {
    const term = compileBinnedModel('bins', testSpec());
    const { params, index } = embed(term, POINTS.C);
    const asimov = term.asimov(params, index, { luminosityScale: 2 });
    expectClose(asimov.counts, Array.from(term.expected(params, index), (v) => 2 * v), 1e-15);
    expect(asimov.aux.length).toBe(12);
    term.constraints.forEach((c, k) => {
      const p = valueOf(POINTS.C, c.parameter);
      expect(asimov.aux[k]).toBeCloseTo(c.kind === 'poisson' ? p * c.tau : p, 13);
    });
    // bkg2_shape[0]: γ 1.05 × τ 100
    const k = term.constraints.findIndex((c) => c.parameter === 'bkg2_shape[0]');
    expect(asimov.aux[k]).toBeCloseTo(105, 12);
  });

  it('toy: Poisson counts around the expected ones, aux drawn from the constraints', () => {
    const term = compileBinnedModel('bins', testSpec());
    const { params, index } = embed(term, POINTS.A);
    // a deterministic stand-in for the random source shows what is drawn from what
    const fake = { uniform: () => 0.5, normal: () => 0.5, poisson: (mean: number) => Math.round(mean) };
    const toy = term.toy(params, index, { luminosityScale: 1.5 }, fake);
    expect(Array.from(toy.counts)).toEqual(Array.from(term.expected(params, index, 1.5), (v) => Math.round(v)));
    term.constraints.forEach((c, k) => {
      const p = valueOf(POINTS.A, c.parameter);
      if (c.kind === 'poisson') expect(toy.aux[k]).toBe(Math.round(p * c.tau));
      else expect(toy.aux[k]).toBeCloseTo(p + 0.5 * c.sigma, 14);
    });
    const random = term.toy(params, index, { luminosityScale: 1 }, createRandom(7));
    expect(random.counts.length).toBe(5);
    expect(random.aux.length).toBe(12);
    for (const n of random.counts) expect(Number.isInteger(n) && n >= 0).toBe(true);
    // a toy is valid data for the term
    expect(Number.isFinite(term.nll(params, index, random))).toBe(true);
  });

  it('toy refuses a negative expected count', () => {
    const term = compileBinnedModel('bins', testSpec());
    const { params, index } = embed(term, { ...POINTS.A, mu: -100 });
    expect(() => term.toy(params, index, { luminosityScale: 1 }, createRandom(1))).toThrow(NonPositiveRateError);
  });
});

describe('malformed specifications', () => {
  const cases: [string, (s: BinnedModelSpec) => void, RegExp][] = [
    ['inconsistent bins in a channel', (s) => s.channels[0].samples[1].coefficients.pop(), /has 2 bins but the channel's first sample has 3/],
    ['wrong coefficient length', (s) => s.channels[1].samples[0].coefficients[1].push(1), /coefficient vector has length 4, expected C = 3/],
    ['histosys data length', (s) => (s.channels[0].samples[0].modifiers[2].data as { hi_data: number[] }).hi_data.pop(), /hi_data has length 2, expected 3 bins/],
    ['staterror data length', (s) => (s.channels[0].samples[1].modifiers[0].data as number[]).push(1), /data has length 4, expected 3 bins/],
    ['a non-finite number', (s) => (s.channels[0].samples[0].coefficients[0][1] = Number.POSITIVE_INFINITY), /coefficients/],
    ['NaN', (s) => (s.channels[1].samples[2].coefficients[0][0] = Number.NaN), /coefficients/],
    ['reference length', (s) => s.reference.push(2), /reference has 2 values but there are 1 parameters/],
    ['lumi without settings', (s) => (s.parameterSettings = []), /lumi modifier 'lumi' needs a parameter setting/],
    ['name reuse across modifier kinds', (s) => s.channels[1].samples[2].modifiers.push({ type: 'normfactor', name: 'bkgnorm', data: null }), /already used by a modifier of another kind/],
    ['a modifier named as a parameter of interest', (s) => s.channels[1].samples[2].modifiers.push({ type: 'normfactor', name: 'kt', data: null }), /name is that of a parameter of interest/],
    ['shapesys reused', (s) => s.channels[0].samples[1].modifiers.push({ type: 'shapesys', name: 'bkg2_shape', data: [1, 1, 1] }), /shapesys name may be used by one sample only/],
    ['staterror in two channels', (s) => s.channels[1].samples[2].modifiers.push({ type: 'staterror', name: 'stat_SR', data: [1, 1] }), /staterror name may be used in one channel only/],
    ['the same modifier twice on a sample', (s) => s.channels[1].samples[0].modifiers.push({ type: 'normfactor', name: 'mu', data: null }), /carries this modifier twice/],
    ['a non-positive normsys factor', (s) => ((s.channels[0].samples[1].modifiers[1].data as { lo: number }).lo = 0), /hi and lo must be positive/],
    ['a negative uncertainty', (s) => ((s.channels[0].samples[1].modifiers[0].data as number[])[1] = -1), /uncertainty in bin 1 is negative/],
    ['an unknown parameter setting', (s) => s.parameterSettings!.push({ name: 'nope', init: 1 }), /no parameter of this model has that name/],
    ['sigmas on an unconstrained parameter', (s) => s.parameterSettings!.push({ name: 'mu', sigmas: [1] }), /only normal-constrained parameters/],
    ['unknown modifier type', (s) => s.channels[0].samples[0].modifiers.push({ type: 'magic', name: 'x', data: null } as never), /type|magic|Invalid/i],
    ['duplicate channel', (s) => (s.channels[1].name = 'SR'), /channel 'SR' is defined twice/],
    ['degree too large', (s) => (s.degree = 9), /degree/],
  ];
  for (const [what, mutate, message] of cases) {
    it(`rejects ${what}`, () => {
      const spec = structuredClone(testSpec());
      mutate(spec);
      let caught: unknown;
      try {
        compileBinnedModel('bad', spec);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(InvalidBinnedModelError);
      expect((caught as Error).message).toMatch(message);
    });
  }

  it('collects every problem in one error, with paths into the spec', () => {
    const spec = structuredClone(testSpec());
    spec.reference = [];
    spec.channels[0].samples[0].coefficients[2] = [1];
    try {
      compileBinnedModel('bad', spec);
      expect.unreachable();
    } catch (e) {
      const error = e as InvalidBinnedModelError;
      expect(error.issues.length).toBeGreaterThanOrEqual(2);
      expect(error.issues.map((i) => i.path.join('.'))).toContain('channels.0.samples.0.coefficients.2');
    }
  });
});
