import { describe, expect, it } from 'vitest';
import { createRandom } from '../../models/random.js';
import { fromPtEtaPhi, type FourVector } from '../../scripts/simulators/four-vectors.js';
import { detectWZ, transverseMass, transverseMassWZ, WZ_RECO_OBSERVABLES, type WzLeptons } from '../../scripts/simulators/wz-detector.js';

const PERFECT = { resolution: [0, 0] as [number, number], angular: 0, efficiency: 1, meanRecoilPt: 0, recoilResolution: 0, recoilNoise: 0 };
const column = (name: (typeof WZ_RECO_OBSERVABLES)[number]) => WZ_RECO_OBSERVABLES.indexOf(name);

/** A W⁺Z event that passes every cut: the Z's leptons back to back along x (m_ll = 91.19 GeV), the W's along y. */
function passing(overrides: Partial<WzLeptons> = {}): WzLeptons {
  const half = 91.19 / 2;
  return { charge: 1, lW: [50, 0, 50, 0], nu: [50, 0, -50, 0], lZp: [half, half, 0, 0], lZm: [half, -half, 0, 0], ...overrides };
}

const detect = (event: WzLeptons, options = PERFECT) => {
  const out = new Float64Array(WZ_RECO_OBSERVABLES.length);
  const accepted = detectWZ(event, createRandom(1), out, 0, options);
  return { accepted, out };
};

describe('the W±Z detector and selection (seed 003 eq. 47-48)', () => {
  it('a perfect detector reconstructs the parton-level leptons, the neutrino as missing E_T and the derived features', () => {
    const { accepted, out } = detect(passing());
    expect(accepted).toBe(true);
    expect(Array.from(out.subarray(0, 4))).toEqual([50, 0, 50, 0].map((v) => expect.closeTo(v, 9)));
    expect(out[column('lZp_px')]).toBeCloseTo(91.19 / 2, 9);
    expect(out[column('lZm_px')]).toBeCloseTo(-91.19 / 2, 9);
    expect(out[column('met_x')]).toBeCloseTo(0, 9);
    expect(out[column('met_y')]).toBeCloseTo(-50, 9);
    expect(out[column('met')]).toBeCloseTo(50, 9);
    expect(out[column('charge')]).toBe(1);
    expect(out[column('m_ll')]).toBeCloseTo(91.19, 9);
    expect(out[column('pt_Z')]).toBeCloseTo(0, 9);
    expect(out[column('pt_lW')]).toBeCloseTo(50, 9);
    // back to back in the transverse plane, p_T = 50 each: m_T = 2·50
    expect(out[column('mt_W')]).toBeCloseTo(100, 9);
    // Σ p_T = 50 + 45.595·2 + 50 and Σ p⃗_T = 0
    expect(out[column('mt_WZ')]).toBeCloseTo(191.19, 9);
  });

  it('each cut of eq. 47-48 rejects an event that fails only it', () => {
    const failing: [string, Partial<WzLeptons>][] = [
      ['p_T,ℓ > 15 GeV', { lZp: fromPtEtaPhi(14, 0.2, 0.1), lZm: fromPtEtaPhi(148.6, -2.0, Math.PI + 0.1) }],
      ['|η_ℓ| < 2.5', { lZp: fromPtEtaPhi(45.6, 2.6, 0), lZm: fromPtEtaPhi(45.6, -2.6 + 2 * Math.acosh(91.19 / 91.2), Math.PI) }],
      ['m_Z^ℓℓ window', { lZp: [40, 40, 0, 0], lZm: [40, -40, 0, 0] }],
      ['missing E_T > 45 GeV', { nu: [40, 0, -40, 0] }],
      ['p_T^ℓW > 20 GeV', { lW: [18, 0, 18, 0], nu: [80, 0, -80, 0] }],
      ['m_T^W > 30 GeV', { lW: [50, 0, 50, 0], nu: [50, 0, 50, 0] }],
    ];
    for (const [cut, change] of failing) expect(detect(passing(change)).accepted, cut).toBe(false);
    // and the unchanged event passes, so each rejection is the cut's
    expect(detect(passing()).accepted).toBe(true);
  });

  it('m_T of an on-shell W never exceeds m_W (the Jacobian edge) and reaches it for a transverse decay', () => {
    const random = createRandom(7);
    const mW = 80.4;
    let largest = 0;
    for (let i = 0; i < 2000; i++) {
      const cos = 2 * random.uniform() - 1;
      const sin = Math.sqrt(1 - cos * cos);
      const phi = 2 * Math.PI * random.uniform();
      const l: FourVector = [mW / 2, (mW / 2) * sin * Math.cos(phi), (mW / 2) * sin * Math.sin(phi), (mW / 2) * cos];
      largest = Math.max(largest, transverseMass(l, -l[1], -l[2]));
    }
    expect(largest).toBeLessThanOrEqual(mW + 1e-9);
    expect(largest).toBeGreaterThan(0.999 * mW);
    expect(transverseMass([mW / 2, mW / 2, 0, 0], -mW / 2, 0)).toBeCloseTo(mW, 10);
  });

  it('m_T^WZ equals the invariant mass of a system with no longitudinal motion and massless, collinear-free transverse parts', () => {
    // all momenta transverse and summing to zero: m_T^WZ = Σ p_T = the system's invariant mass
    const leptons: FourVector[] = [[30, 30, 0, 0], [40, 0, 40, 0], [50, -30, -40, 0]];
    expect(transverseMassWZ(leptons, 0, 0)).toBeCloseTo(120, 10);
  });

  it('finds each lepton with the efficiency: three of three in 0.95³ of the events', () => {
    const random = createRandom(11);
    const out = new Float64Array(WZ_RECO_OBSERVABLES.length);
    const n = 20_000;
    let accepted = 0;
    for (let i = 0; i < n; i++) if (detectWZ(passing(), random, out, 0, { ...PERFECT, efficiency: 0.95 })) accepted++;
    const p = 0.95 ** 3;
    expect(Math.abs(accepted / n - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
  });

  it('the ISR kick is a Lorentz boost balanced by the recoil: m_ll is unchanged and Σ leptons + missing E_T is the kick, of mean 20 GeV', () => {
    const random = createRandom(3);
    const out = new Float64Array(WZ_RECO_OBSERVABLES.length);
    let checked = 0;
    let kick = 0;
    for (let i = 0; i < 3000; i++) {
      // far from every cut, so that the selection does not bias the kicks it keeps
      if (!detectWZ(passing({ lW: [150, 0, 150, 0], nu: [150, 0, -150, 0] }), random, out, 0, { ...PERFECT, meanRecoilPt: 20 })) continue;
      checked++;
      expect(out[column('m_ll')]).toBeCloseTo(91.19, 8);
      // a perfectly measured recoil: Σ leptons + missing E_T = −recoil = the system's p_T after the kick
      kick += Math.hypot(out[column('lW_px')] + out[column('lZp_px')] + out[column('lZm_px')] + out[column('met_x')], out[column('lW_py')] + out[column('lZp_py')] + out[column('lZm_py')] + out[column('met_y')]);
    }
    expect(checked).toBeGreaterThan(2900);
    // Γ(2) of mean 20 GeV: standard deviation 14.1 GeV, so the mean of > 1500 is within ±1.5 GeV (4σ)
    expect(Math.abs(kick / checked - 20)).toBeLessThan(1.5);
  });
});
