/**
 * The Drell–Yan SMEFT physics of issue 6 against independent evaluations: the parton
 * densities' sum rules, the exact quadratic coefficients against the cross section computed
 * directly from complex amplitudes at random Wilson coefficients, and known features of the
 * Standard-Model process (the Z pole, the forward–backward asymmetry of uū).
 */
import { describe, expect, it } from 'vitest';
import { evaluateMonomials } from '../../models/basis/monomial-basis.js';
import { createRandom } from '../../models/random.js';
import { ALPHA, BASIS, crossSectionCoefficients, detector, GAMMA_Z, RECO_OBSERVABLES, hadronicCoefficients, LAMBDA, M_MAX, M_MIN, M_Z, partonicCoefficients, pdf, sampleDrellYan, SIN2_W, SQRT_S } from '../../scripts/simulators/drell-yan-physics.js';

/** dσ̂/dcos θ* computed directly from the formulas with complex arithmetic. */
function direct(quark: 'u' | 'd', s: number, c: number, theta: readonly number[]): number {
  const e2 = 4 * Math.PI * ALPHA;
  const e = Math.sqrt(e2);
  const sw = Math.sqrt(SIN2_W);
  const cw = Math.sqrt(1 - SIN2_W);
  const Q = { u: 2 / 3, d: -1 / 3, l: -1 };
  const T = { u: 0.5, d: -0.5, l: -0.5 };
  const g = (f: 'u' | 'd' | 'l', h: 'L' | 'R') => (h === 'L' ? (e * (T[f] - Q[f] * SIN2_W)) / (sw * cw) : (-e * Q[f] * SIN2_W) / (sw * cw));
  const [c1, c3, ceu] = theta;
  const contact = (i: 'L' | 'R', j: 'L' | 'R') => {
    if (i === 'L' && j === 'L') return (quark === 'u' ? c1 - c3 : c1 + c3) / LAMBDA ** 2;
    if (i === 'R' && j === 'R' && quark === 'u') return ceu / LAMBDA ** 2;
    return 0;
  };
  // 1/(s − m² + i mΓ) = (s − m² − i mΓ)/((s − m²)² + m²Γ²)
  const d = s - M_Z ** 2;
  const den = d * d + (M_Z * GAMMA_Z) ** 2;
  const abs2 = (i: 'L' | 'R', j: 'L' | 'R') => {
    const re = (e2 * Q[quark] * Q.l) / s + (g(quark, i) * g('l', j) * d) / den + contact(i, j);
    const im = (-g(quark, i) * g('l', j) * M_Z * GAMMA_Z) / den;
    return re * re + im * im;
  };
  return (1 / 3) * (s / (128 * Math.PI)) * ((abs2('L', 'L') + abs2('R', 'R')) * (1 + c) ** 2 + (abs2('L', 'R') + abs2('R', 'L')) * (1 - c) ** 2);
}

describe('Drell–Yan in the SMEFT, leading order', () => {
  it('parton densities: two u and one d valence quarks (sum rules to 1e-4)', () => {
    // x = t⁵ removes the x^−0.4 singularity: ∫ f dx = ∫ f(t⁵) 5t⁴ dt
    const valence = (q: 'u' | 'd') => {
      const n = 200_000;
      let sum = 0;
      for (let k = 0; k < n; k++) {
        const t = (k + 0.5) / n;
        const x = t ** 5;
        sum += (pdf(q, x) - pdf(q === 'u' ? 'ubar' : 'dbar', x)) * 5 * t ** 4;
      }
      return sum / n;
    };
    expect(valence('u')).toBeCloseTo(2, 4);
    expect(valence('d')).toBeCloseTo(1, 4);
  });

  it('the quadratic coefficients are the cross section at any Wilson coefficients, exactly', () => {
    const rng = createRandom(12);
    for (let t = 0; t < 40; t++) {
      const quark = t % 2 ? 'u' : 'd';
      const m = 120 + 3000 * rng.uniform();
      const c = 2 * rng.uniform() - 1;
      const theta = [4 * rng.normal(), 4 * rng.normal(), 4 * rng.normal()];
      const coefficients = partonicCoefficients(quark, m * m, c);
      const m3 = evaluateMonomials(BASIS, theta);
      const value = coefficients.reduce((s, ck, k) => s + ck * m3[k], 0);
      const reference = direct(quark, m * m, c, theta);
      expect(Math.abs(value - reference) / reference).toBeLessThan(1e-12);
    }
  });

  it('C_eu touches only up quarks; C_lq^(1) ± C_lq^(3) only the left-handed ones', () => {
    const d = partonicCoefficients('d', 1000 ** 2, 0.3);
    expect(d[3]).toBe(0); // linear C_eu
    expect(d[9]).toBe(0); // C_eu²
    const u = partonicCoefficients('u', 1000 ** 2, 0.3);
    expect(u[3]).not.toBe(0);
    // for u, C_LL = C1 − C3: the quadratic form has C1² and C3² equal and C1·C3 = −2 C1²
    expect(u[5]).toBeCloseTo(-2 * u[4], 20);
    expect(u[7]).toBeCloseTo(u[4], 20);
  });

  it('the Standard Model: a Z pole, and a positive forward–backward asymmetry for uū well above it', () => {
    const sm = (m: number, c: number) => partonicCoefficients('u', m * m, c)[0];
    const total = (m: number) => sm(m, 0.5) + sm(m, -0.5);
    expect(total(M_Z)).toBeGreaterThan(100 * total(60));
    expect(total(M_Z)).toBeGreaterThan(100 * total(200));
    const afb = (m: number) => {
      let f = 0;
      let b = 0;
      for (let k = 0; k < 1000; k++) {
        const c = (k + 0.5) / 1000;
        f += sm(m, c);
        b += sm(m, -c);
      }
      return (f - b) / (f + b);
    };
    expect(afb(500)).toBeGreaterThan(0.4);
    expect(afb(500)).toBeLessThan(0.75);
  });

  it('pp is symmetric: at zero rapidity the two orientations of the quark mirror cos θ*', () => {
    const a = hadronicCoefficients(400, 0, 0.37);
    const b = hadronicCoefficients(400, 0, -0.37);
    a.forEach((v, k) => expect(v).toBeCloseTo(b[k], 12));
    expect(Array.from(hadronicCoefficients(400, 12, 0.1)).every((v) => v === 0)).toBe(true); // beyond the kinematic limit
  });

  /** σ(θ)'s coefficients for M_MIN < m_ℓℓ < mMax by quadrature: ln m, y and cos θ* on midpoint grids (the integrand is smooth in each). */
  function quadratureCoefficients(mMax: number, nm = 300): Float64Array {
    const C = BASIS.size;
    const quadrature = new Float64Array(C);
    const ny = 60;
    const nc = 12;
    const h = new Float64Array(C);
    for (let a = 0; a < nm; a++) {
      const lm = Math.log(M_MIN) + ((a + 0.5) / nm) * Math.log(mMax / M_MIN);
      const m = Math.exp(lm);
      const yMax = Math.log(SQRT_S / m);
      for (let b = 0; b < ny; b++) {
        const y = -yMax + ((b + 0.5) / ny) * 2 * yMax;
        for (let c = 0; c < nc; c++) {
          const cos = -1 + ((c + 0.5) / nc) * 2;
          hadronicCoefficients(m, y, cos, h);
          const volume = (Math.log(mMax / M_MIN) / nm) * m * ((2 * yMax) / ny) * (2 / nc);
          for (let k = 0; k < C; k++) quadrature[k] += h[k] * volume;
        }
      }
    }
    return quadrature;
  }

  it('the generator stops at m_ℓℓ = 6 TeV: σ_SM and the linear coefficients lose < 0.01%, the quadratic ones 0.3–0.6% (docs/drell-yan.md)', () => {
    const cut = quadratureCoefficients(M_MAX, 600);
    const full = quadratureCoefficients(SQRT_S * 0.9999, 600);
    const loss = (k: number) => 1 - cut[k] / full[k];
    for (const k of [0, 1, 2, 3]) expect(Math.abs(loss(k)), `coefficient ${k}`).toBeLessThan(1e-4);
    for (const k of [4, 5, 7, 9]) {
      expect(loss(k), `coefficient ${k}`).toBeGreaterThan(0.003);
      expect(loss(k), `coefficient ${k}`).toBeLessThan(0.006);
    }
    expect(cut[6]).toBe(0);
    expect(cut[8]).toBe(0);
  });

  it('importance-sampled events give σ(θ)’s coefficients of an independent quadrature, within their Monte Carlo errors', () => {
    const C = BASIS.size;
    const quadrature = quadratureCoefficients(M_MAX);
    const rng = createRandom(31);
    const { value, error } = crossSectionCoefficients(sampleDrellYan(100_000, () => rng.uniform()));
    expect(quadrature[0]).toBeGreaterThan(1); // pb: a physical size for m > 120 GeV at 13.6 TeV
    for (let k = 0; k < C; k++) {
      // the midpoint grids are accurate to well below a per cent here; coefficients that vanish
      // (C_eu with a left-handed operator: no interference) vanish in both, exactly
      expect(Math.abs(value[k] - quadrature[k]), `coefficient ${k}`).toBeLessThanOrEqual(4 * error[k] + 5e-3 * Math.abs(quadrature[k]));
    }
  });

  it('the detector without smearing keeps the pair mass and rapidity exactly, and the Collins–Soper angle at zero p_T', () => {
    const rng = createRandom(5);
    const events = sampleDrellYan(2000, () => rng.uniform());
    const D = RECO_OBSERVABLES.length;
    const exact = { resolution: [0, 0] as [number, number], angular: 0, efficiency: 1, ptMin: 0, etaMax: Infinity, mllMin: 0 };
    const flat = detector(events, rng, { ...exact, meanPairPt: 0 });
    expect(flat.accepted.length).toBe(2000);
    for (let r = 0; r < 2000; r++) {
      const i = flat.accepted[r];
      expect(flat.reco[r * D + 6]).toBeCloseTo(events.m[i], 8);
      expect(flat.reco[r * D + 8]).toBeCloseTo(events.y[i], 8);
      // the Collins–Soper z axis follows the pair: the quark is taken from the proton it moves with
      expect(flat.reco[r * D + 7]).toBeCloseTo(Math.sign(events.y[i]) * events.cosTheta[i], 8);
    }
    const boosted = detector(events, rng, { ...exact, meanPairPt: 12 });
    let meanPt = 0;
    for (let r = 0; r < 2000; r++) {
      const i = boosted.accepted[r];
      expect(boosted.reco[r * D + 6]).toBeCloseTo(events.m[i], 6);
      expect(boosted.reco[r * D + 8]).toBeCloseTo(events.y[i], 8);
      meanPt += boosted.reco[r * D + 9] / 2000;
    }
    expect(Math.abs(meanPt - 12)).toBeLessThan(4 * Math.sqrt(2 * 36 / 2000)); // Γ(2, 6): variance 72
  });

  it('the detector accepts each lepton with 95% efficiency and applies the cuts', () => {
    const rng = createRandom(6);
    const events = sampleDrellYan(20_000, () => rng.uniform());
    const open = detector(events, rng, { ptMin: 0, etaMax: Infinity, mllMin: 0 });
    const p = open.accepted.length / 20_000;
    expect(Math.abs(p - 0.95 ** 2)).toBeLessThan(4 * Math.sqrt((0.9025 * 0.0975) / 20_000));
    const { reco, accepted } = detector(events, rng);
    const D = RECO_OBSERVABLES.length;
    for (let r = 0; r < accepted.length; r++) {
      expect(Math.min(reco[r * D], reco[r * D + 3])).toBeGreaterThan(25);
      expect(Math.max(Math.abs(reco[r * D + 1]), Math.abs(reco[r * D + 4]))).toBeLessThan(2.4);
      expect(reco[r * D + 6]).toBeGreaterThan(150);
    }
    // m_ll > 150 GeV with a ~1% mass resolution: no event generated below 140 GeV survives, most above 200 GeV do
    expect(Array.from(accepted).filter((i) => events.m[i] < 140)).toHaveLength(0);
    // the cross-section-weighted acceptance above 200 GeV: below the efficiency², well above the |η| cut's loss alone
    const weightAbove = (indices: Iterable<number>) => {
      let w = 0;
      for (const i of indices) if (events.m[i] > 200) w += events.weights[i];
      return w;
    };
    const acceptance = weightAbove(accepted) / weightAbove(events.m.keys());
    expect(acceptance).toBeLessThan(0.95 ** 2);
    expect(acceptance).toBeGreaterThan(0.5);
  });
});

describe('the Drell–Yan simulator behind the Simulator interface', () => {
  it('keeps the accepted events only, each with its own parton record, coefficients and weight; θ reweights exactly', async () => {
    const { drellYanSimulator } = await import('../../scripts/simulators/drell-yan.js');
    const { evaluateMonomials, polynomialValue } = await import('../../models/basis/monomial-basis.js');
    const sim = drellYanSimulator();
    const parton = sim.sampleParton({ events: 3000, seed: 9 });
    const detected = sim.smear(parton.parton, parton.count, 77);
    expect(detected.accepted).not.toBeNull();
    const accepted = detected.accepted!;
    expect(accepted.length).toBeGreaterThan(300);
    expect(accepted.length).toBeLessThan(parton.count);
    expect(detected.reco.length).toBe(accepted.length * sim.observables.length);
    const sample = sim.simulate({ events: 3000, seed: 9 });
    expect(sample.count * 10).toBe(sample.reco.length);
    expect(sample.coefficients.length).toBe(sample.count * 10);
    // every accepted event is one of the parton events: same m, y, cos θ*, coefficients, weight
    const byMass = new Map(Array.from({ length: parton.count }, (_, i) => [parton.parton[i * 3], i]));
    for (let r = 0; r < sample.count; r++) {
      const i = byMass.get(sample.parton[r * 3])!;
      expect(sample.weights[r]).toBe(parton.weights[i]);
      expect(sample.coefficients[r * 10 + 4]).toBe(parton.coefficients[i * 10 + 4]);
    }
    const theta = [0.05, -0.02, 0.1];
    const shifted = sim.sampleParton({ events: 3000, seed: 9, theta });
    const m = evaluateMonomials(sim.basis, Float64Array.from(theta));
    for (const i of [0, 17, 2999]) expect(shifted.weights[i]).toBeCloseTo(parton.weights[i] * polynomialValue(parton.coefficients, m, i * 10), 15);
  });
});

describe('the selectable region', () => {
  it('loses no selected event: generating only at m > 140 GeV, |y| < 2.5 gives the same selected cross section', async () => {
    const { SELECTABLE_REGION } = await import('../../scripts/simulators/drell-yan-physics.js');
    const selected = (region?: typeof SELECTABLE_REGION) => {
      const rng = createRandom(31);
      const events = sampleDrellYan(60_000, () => rng.uniform(), region);
      const { accepted } = detector(events, createRandom(32));
      let sum = 0;
      let squares = 0;
      let outside = 0;
      for (const i of accepted) {
        if (events.m[i] < SELECTABLE_REGION.mMin || Math.abs(events.y[i]) > SELECTABLE_REGION.yMax) outside++;
        sum += events.weights[i];
        squares += events.weights[i] ** 2;
      }
      return { sum, error: Math.sqrt(squares - (sum * sum) / events.count), fraction: accepted.length / events.count, outside };
    };
    const full = selected();
    // of the events generated everywhere, none accepted lies outside the region
    expect(full.outside).toBe(0);
    const region = selected(SELECTABLE_REGION);
    expect(Math.abs(full.sum - region.sum)).toBeLessThan(3 * Math.hypot(full.error, region.error));
    // and it is the cheaper way to the same events: twice the selected fraction at least
    expect(region.fraction).toBeGreaterThan(2 * full.fraction);
  });
});
