/**
 * The W±Z SMEFT physics (seed 003 sec. 4) against independent evaluations:
 * - the per-point quadratic coefficients of Σ|A|² against a direct Feynman-rule computation with
 *   explicit Dirac matrices, spinors and polarisation vectors (test/helpers/wz-feynman-reference.ts)
 *   at random phase-space points and random θ, to 1e-10;
 * - the Standard-Model gauge cancellation in the production amplitude, and the energy growth of
 *   the c_WWW and c_Φq3 amplitudes;
 * - the narrow-width normalisation (the decays integrate to the partial widths) with a fixed
 *   angular design, and the cross-section coefficients of the weighted events against a
 *   deterministic quadrature.
 */
import { describe, expect, it } from 'vitest';
import { gaussLegendre } from '../helpers/gauss-legendre.js';
import { createRandom } from '../../models/random.js';
import { boost, type FourVector } from '../../scripts/simulators/four-vectors.js';
import { BASIS, crossSectionCoefficients, GAMMA_W, GAMMA_Z, GEV2_TO_PB, leptonicBranching, M_W, M_Z, manifestParameters, PARAMETERS, sampleWZ, squaredAmplitudeCoefficients, SQRT_S } from '../../scripts/simulators/wz-physics.js';
import { pdf } from '../../scripts/simulators/drell-yan-physics.js';
import { abs2, couplingsAt, polarisation, productionDiagrams, referenceSquared } from '../helpers/wz-feynman-reference.js';

const monomials = (t: readonly number[]) => [1, t[0], t[1], t[2], t[0] * t[0], t[0] * t[1], t[0] * t[2], t[1] * t[1], t[1] * t[2], t[2] * t[2]];
const momentumOf = (m: number, ma: number, mb: number) => Math.sqrt(Math.max(0, (m * m - (ma + mb) ** 2) * (m * m - (ma - mb) ** 2))) / (2 * m);
const unit = (cos: number, phi: number) => {
  const sin = Math.sqrt(Math.max(0, 1 - cos * cos));
  return [sin * Math.cos(phi), sin * Math.sin(phi), cos];
};

/**
 * Momenta in the partonic frame: quarks along ±z, W along (cos, φ), its decay products along the
 * rest-frame directions nW (charged lepton) and −nW, the Z's along nZ (ℓ⁺) and −nZ; massless
 * leptons with E = |p| recomputed after the boost.
 */
function partonicPoint(rs: number, cos: number, phi: number, nW: number[], nZ: number[]): { quarks: Float64Array; leptons: Float64Array } {
  const q = momentumOf(rs, M_W, M_Z);
  const n = unit(cos, phi);
  const kw: FourVector = [Math.hypot(q, M_W), q * n[0], q * n[1], q * n[2]];
  const kz: FourVector = [Math.hypot(q, M_Z), -q * n[0], -q * n[1], -q * n[2]];
  const leptons = new Float64Array(16);
  const decay = (parent: FourVector, mass: number, d: number[], offset: number) => {
    const h = mass / 2;
    for (const [sign, o] of [[1, 0], [-1, 4]]) {
      const p = boost([h, sign * h * d[0], sign * h * d[1], sign * h * d[2]], parent);
      leptons.set([Math.hypot(p[1], p[2], p[3]), p[1], p[2], p[3]], offset + o);
    }
  };
  decay(kw, M_W, nW, 0);
  decay(kz, M_Z, nZ, 8);
  return { quarks: Float64Array.of(rs / 2, 0, 0, rs / 2, rs / 2, 0, 0, -rs / 2), leptons };
}

/** The octahedron: a 6-point spherical design, exact for polynomials of degree ≤ 3 on the sphere. */
const OCTAHEDRON = [
  [1, 0, 0],
  [-1, 0, 0],
  [0, 1, 0],
  [0, -1, 0],
  [0, 0, 1],
  [0, 0, -1],
];

/** Σ|A|² coefficients integrated over both decay solid angles, exactly (the integrand has l ≤ 2 in each direction). */
function decayIntegrated(charge: 1 | -1, rs: number, cos: number, phi: number, swap = false): Float64Array {
  const out = new Float64Array(10);
  for (const nW of OCTAHEDRON) {
    for (const nZ of OCTAHEDRON) {
      const { quarks, leptons } = partonicPoint(rs, cos, phi, nW, nZ);
      const partons = swap ? Float64Array.of(...quarks.subarray(4), ...quarks.subarray(0, 4)) : quarks;
      squaredAmplitudeCoefficients(charge, partons, leptons, out);
    }
  }
  return out.map((x) => (x * (4 * Math.PI) ** 2) / 36);
}


/** Production amplitudes summed over diagrams (or one diagram), per quark-spin and W/Z-helicity assignment, at couplings θ. */
function production(charge: 1 | -1, rs: number, cos: number, theta: number[], diagram?: number): [number, number][] {
  const q = momentumOf(rs, M_W, M_Z);
  const sin = Math.sqrt(1 - cos * cos);
  const kw = [Math.hypot(q, M_W), q * sin, 0, q * cos];
  const kz = [Math.hypot(q, M_Z), -q * sin, 0, -q * cos];
  const k = couplingsAt(theta);
  const out: [number, number][] = [];
  for (const lw of [1, -1, 0]) {
    for (const lz of [1, -1, 0]) {
      for (let a = 0; a < 4; a++) {
        const d = productionDiagrams(charge, [rs / 2, 0, 0, rs / 2], [rs / 2, 0, 0, -rs / 2], kw, kz, a >> 1, a & 1, polarisation(kw, M_W, lw), polarisation(kz, M_Z, lz), k);
        out.push(diagram === undefined ? [d[0][0] + d[1][0] + d[2][0], d[0][1] + d[1][1] + d[2][1]] : d[diagram]);
      }
    }
  }
  return out;
}

/** ∂M_prod/∂θ_p by the five-point stencil (exact: M_prod is a polynomial of degree ≤ 2 in θ_p). */
function productionDerivative(charge: 1 | -1, rs: number, cos: number, p: number): [number, number][] {
  const at = (h: number) => production(charge, rs, cos, [0, 1, 2].map((i) => (i === p ? h : 0)));
  const [m2, m1, p1, p2] = [at(-2), at(-1), at(1), at(2)];
  return m2.map((_, i) => [0, 1].map((r) => (m2[i][r] - 8 * m1[i][r] + 8 * p1[i][r] - p2[i][r]) / 12) as [number, number]);
}
const sumAbs2 = (a: [number, number][]) => a.reduce((s, x) => s + abs2(x), 0);

describe('pp → W±Z → ℓν ℓℓ in the SMEFT, leading order', () => {
  it('declares the three Wilson coefficients with WCxf names and ranges', () => {
    expect(PARAMETERS.map((p) => p.name)).toEqual(['c_phiWB', 'c_WWW', 'c_phiq3']);
    expect(manifestParameters().map((p) => [p.wcxf.name, p.range])).toEqual([
      ['phiWB', [-3, 3]],
      ['W', [-1.5, 1.5]],
      ['phiq3_11', [-0.5, 0.5]],
    ]);
    expect(BASIS.size).toBe(10);
  });

  it('Σ|A|² coefficients agree with an independent Feynman-rule computation at random points and θ (1e-10)', () => {
    const rng = createRandom(2024);
    let worst = 0;
    for (let t = 0; t < 24; t++) {
      const charge = t % 2 ? -1 : 1;
      const rs = (M_W + M_Z) * 1.02 + 3000 * rng.uniform() ** 2;
      const dir = () => unit(2 * rng.uniform() - 1, 2 * Math.PI * rng.uniform());
      const { quarks, leptons } = partonicPoint(rs, 2 * rng.uniform() - 1, 2 * Math.PI * rng.uniform(), dir(), dir());
      // a longitudinal boost to a lab frame and, every other point, the quark along −z
      const y = 2 * rng.uniform() - 1;
      const labQuarks = new Float64Array(8);
      const labLeptons = new Float64Array(16);
      const bz = (src: Float64Array, i: number, dst: Float64Array) => {
        const b = boost([src[4 * i], src[4 * i + 1], src[4 * i + 2], src[4 * i + 3]], [Math.cosh(y), 0, 0, Math.sinh(y)]);
        dst.set([Math.hypot(b[1], b[2], b[3]), b[1], b[2], b[3]], 4 * i);
      };
      for (let i = 0; i < 2; i++) bz(quarks, i, labQuarks);
      if (t % 4 >= 2) labQuarks.set([...labQuarks.subarray(4), ...labQuarks.subarray(0, 4)]);
      for (let i = 0; i < 4; i++) bz(leptons, i, labLeptons);
      const theta = [0, 1, 2].map(() => 4 * rng.uniform() - 2);
      const coefficients = squaredAmplitudeCoefficients(charge, labQuarks, labLeptons);
      const main = monomials(theta).reduce((s, m, k) => s + m * coefficients[k], 0);
      const reference = referenceSquared(charge, labQuarks, labLeptons, theta);
      const sm = referenceSquared(charge, labQuarks, labLeptons, [0, 0, 0]);
      worst = Math.max(worst, Math.abs(main / reference - 1), Math.abs(coefficients[0] / sm - 1));
    }
    expect(worst).toBeLessThan(1e-10);
  }, 60_000);

  it('gauge cancellation: the SM Σ|M_prod|² tends to a constant at fixed angle while single diagrams grow like ŝ²; the c_WWW and c_Φq3 amplitudes grow like ŝ, c_ΦWB like √ŝ', () => {
    // dimensionless Σ over quark spins and W, Z helicities of |M_prod|² at cos θ = 0.3 (θ from the quark to the W)
    const energies = [1000, 2000, 4000, 8000];
    for (const charge of [1, -1] as const) {
      const total = energies.map((rs) => sumAbs2(production(charge, rs, 0.3, [0, 0, 0])));
      const sChannel = energies.map((rs) => sumAbs2(production(charge, rs, 0.3, [0, 0, 0], 0)));
      const tChannel = energies.map((rs) => sumAbs2(production(charge, rs, 0.3, [0, 0, 0], 1)));
      // measured: W⁺Z 0.0510, 0.0480, 0.0472, 0.0470; W⁻Z 0.0298, 0.0277, 0.0271, 0.0270
      expect(total[3] / total[0]).toBeGreaterThan(0.85);
      expect(total[3] / total[0]).toBeLessThan(1.0);
      expect(Math.abs(total[3] / total[2] - 1)).toBeLessThan(0.01);
      // single diagrams: ×16 per doubling of √ŝ (longitudinal W and Z: M ∝ ŝ/m²)
      for (const single of [sChannel, tChannel]) {
        expect(single[3] / single[0]).toBeGreaterThan(3000);
        expect(single[3] / single[0]).toBeLessThan(4500);
        expect(single[3] / total[3]).toBeGreaterThan(1e6);
      }
      // Σ|A_p|² (A_p = ∂M_prod/∂θ_p) from 1 to 8 TeV: c_WWW and c_Φq3 grow like ŝ² (×4096; measured
      // ≈ ×4100 and ×3700), c_ΦWB like ŝ (×64; measured ≈ ×65: its longitudinal ŝ-growth cancels, as
      // for an oblique correction, and the transverse–longitudinal √ŝ growth of δg1Z, δκZ remains)
      const growth = [0, 1, 2].map((p) => sumAbs2(productionDerivative(charge, 8000, 0.3, p)) / sumAbs2(productionDerivative(charge, 1000, 0.3, p)));
      expect(growth[1]).toBeGreaterThan(2500);
      expect(growth[2]).toBeGreaterThan(2500);
      expect(growth[0]).toBeGreaterThan(30);
      expect(growth[0]).toBeLessThan(130);
    }
  }, 60_000);

  it('narrow width: the decays integrate to 32π²·2mΓ(V → ℓℓ) per W and Z times Σ|M_prod|² (c_WWW, c_Φq3 coefficients too)', () => {
    const k = couplingsAt([0, 0, 0]);
    const widthW = (M_W * k.wl ** 2) / (24 * Math.PI);
    const widthZ = (M_Z * (k.zl.L ** 2 + k.zl.R ** 2)) / (24 * Math.PI);
    const factor = 32 * Math.PI ** 2 * 2 * M_W * widthW * 32 * Math.PI ** 2 * 2 * M_Z * widthZ;
    expect(widthW / GAMMA_W).toBeCloseTo(leptonicBranching.wToLeptonNeutrino, 12);
    expect(widthZ / GAMMA_Z).toBeCloseTo(leptonicBranching.zToLeptons, 12);
    for (const [charge, rs, cos] of [[1, 300, 0.3], [-1, 900, -0.7], [1, 2500, 0.95]] as const) {
      const integrated = decayIntegrated(charge, rs, cos, 0.4);
      const m0 = production(charge, rs, cos, [0, 0, 0]);
      const [, a2, a3] = [0, 1, 2].map((p) => productionDerivative(charge, rs, cos, p));
      const re = (x: [number, number][], y: [number, number][]) => x.reduce((s, xi, i) => s + xi[0] * y[i][0] + xi[1] * y[i][1], 0);
      // basis indices 0: 1, 2: θ2, 3: θ3, 7: θ2², 8: θ2θ3, 9: θ3² (decay couplings do not depend on θ2, θ3)
      const expected = [[0, re(m0, m0)], [2, 2 * re(m0, a2)], [3, 2 * re(m0, a3)], [7, re(a2, a2)], [8, 2 * re(a2, a3)], [9, re(a3, a3)]];
      const norm = re(m0, m0) + re(a2, a2) + re(a3, a3);
      for (const [index, value] of expected) expect(Math.abs(integrated[index] / factor - value)).toBeLessThan(1e-10 * norm);
    }
  }, 60_000);
});

// ---------------------------------------------------------------------------------------
// σ(θ) from the weighted events against a deterministic quadrature

/**
 * σ_k = Σ_charge ∫dm (2m/S) ∫dy Σ_orient f f̄ ∫dcos 2π ∫dΩ_W dΩ_Z F(ŝ) Σ|A|²_k with
 * F = (1/2ŝ)(1/12) · β̄/(32π²) · [1/(32π² 2m_WΓ_W)] · [1/(32π² 2m_ZΓ_Z)] (pb after GEV2_TO_PB):
 * Gauss–Legendre in m on panels (m = m_th + r² on the first), in y, and in v with cos = tanh v
 * (the forward peaks of high ŝ), the decays by the octahedron design.
 */
function quadratureCoefficients(nodesM = 8, nodesCos = 48): Float64Array {
  const mth = M_W + M_Z;
  const edges = [mth + 15, 200, 260, 350, 500, 750, 1100, 1700, 2600, 4000, 6500, SQRT_S];
  const mNodes: { m: number; w: number }[] = [];
  const first = gaussLegendre(nodesM, 0, Math.sqrt(15));
  first.x.forEach((r, i) => mNodes.push({ m: mth + r * r, w: first.w[i] * 2 * r }));
  for (let e = 0; e + 1 < edges.length; e++) {
    const g = gaussLegendre(nodesM, edges[e], edges[e + 1]);
    g.x.forEach((m, i) => mNodes.push({ m, w: g.w[i] }));
  }
  const vNodes = gaussLegendre(nodesCos, -7, 7);
  const sigma = new Float64Array(10);
  for (const { m, w } of mNodes) {
    const s = m * m;
    const tau = s / SQRT_S ** 2;
    const yMax = -0.5 * Math.log(tau);
    const yNodes = gaussLegendre(32, -yMax, yMax);
    const betaBar = (2 * momentumOf(m, M_W, M_Z)) / m;
    const F = (1 / (2 * s)) * (1 / 12) * (betaBar / (32 * Math.PI ** 2)) * (1 / (32 * Math.PI ** 2 * 2 * M_W * GAMMA_W)) * (1 / (32 * Math.PI ** 2 * 2 * M_Z * GAMMA_Z));
    for (const charge of [1, -1] as const) {
      const [q, qbar] = charge > 0 ? (['u', 'dbar'] as const) : (['d', 'ubar'] as const);
      let l1 = 0;
      let l2 = 0;
      yNodes.x.forEach((y, i) => {
        const x1 = Math.sqrt(tau) * Math.exp(y);
        const x2 = Math.sqrt(tau) * Math.exp(-y);
        l1 += yNodes.w[i] * pdf(q, x1) * pdf(qbar, x2);
        l2 += yNodes.w[i] * pdf(qbar, x1) * pdf(q, x2);
      });
      vNodes.x.forEach((v, i) => {
        const cos = Math.tanh(v);
        const jac = vNodes.w[i] * (1 - cos * cos) * 2 * Math.PI;
        const a = decayIntegrated(charge, m, cos, 0.3);
        const b = decayIntegrated(charge, m, cos, 0.3, true);
        for (let k = 0; k < 10; k++) sigma[k] += w * ((2 * m) / SQRT_S ** 2) * GEV2_TO_PB * F * jac * (l1 * a[k] + l2 * b[k]);
      });
    }
  }
  return sigma;
}

describe('W±Z cross-section coefficients', () => {
  it('events: on-shell W and Z in the lab, ŝ of the four leptons, t̂ in its physical range, charges ±1, positive weights', () => {
    const rng = createRandom(3);
    const events = sampleWZ(2000, () => rng.uniform());
    const mass2 = (i: number, parts: number[]) => {
      const p = [0, 1, 2, 3].map((m) => parts.reduce((sum, l) => sum + events.momenta[i * 16 + 4 * l + m], 0));
      return p[0] ** 2 - p[1] ** 2 - p[2] ** 2 - p[3] ** 2;
    };
    let plus = 0;
    for (let i = 0; i < events.count; i++) {
      const s = events.s[i];
      expect(Math.abs(Math.sqrt(mass2(i, [0, 1])) - M_W)).toBeLessThan(1e-6);
      expect(Math.abs(Math.sqrt(mass2(i, [2, 3])) - M_Z)).toBeLessThan(1e-6);
      expect(Math.abs(mass2(i, [0, 1, 2, 3]) / s - 1)).toBeLessThan(1e-9);
      const rs = Math.sqrt(s);
      const p = momentumOf(rs, M_W, M_Z);
      const ew = Math.hypot(p, M_W);
      expect(events.t[i]).toBeGreaterThanOrEqual(M_W ** 2 - rs * (ew + p) - 1e-6 * s);
      expect(events.t[i]).toBeLessThanOrEqual(M_W ** 2 - rs * (ew - p) + 1e-6 * s);
      expect(Math.abs(events.charge[i])).toBe(1);
      expect(events.weights[i]).toBeGreaterThanOrEqual(0);
      if (events.charge[i] > 0) plus++;
    }
    // W⁺Z : W⁻Z ≈ 1.7 : 1 with the stand-in densities (u over d valence)
    expect(plus / events.count).toBeGreaterThan(0.58);
    expect(plus / events.count).toBeLessThan(0.69);
  });

  it('weighted events (2·10⁵) reproduce a deterministic quadrature within 4 Monte Carlo errors; σ_SM × BR(eν μμ) ≈ 0.0448 pb (σ_WZ ≈ 12.2 pb)', () => {
    const quadrature = quadratureCoefficients();
    const rng = createRandom(7);
    const events = sampleWZ(200_000, () => rng.uniform());
    const { value, error } = crossSectionCoefficients(events);
    if (process.env.WZ_PRINT) for (let k = 0; k < 10; k++) console.log(k, quadrature[k], value[k], error[k], (value[k] - quadrature[k]) / error[k]);
    for (let k = 0; k < 10; k++) expect(Math.abs(value[k] - quadrature[k])).toBeLessThan(4 * error[k]);
    const br = leptonicBranching.wToLeptonNeutrino * leptonicBranching.zToLeptons;
    // LO pp → W±Z at 13.6 TeV is ≈ 30 pb with real PDFs; the stand-in densities give ≈ 12.2 pb (quadrature: 0.04480 pb × 1/BR, BR = 0.1086 × 0.0337)
    expect(quadrature[0] / br).toBeGreaterThan(8);
    expect(quadrature[0] / br).toBeLessThan(40);
    expect(Array.from(events.coefficients.filter((_, i) => i % 10 === 0)).every((c) => c === 1)).toBe(true);
    expect(events.momenta.length).toBe(16 * events.count);
  }, 60_000);
});
