/**
 * An independent Feynman-rule evaluation of q q̄' → W±Z → ℓν ℓ'⁺ℓ'⁻ for the W±Z tests: explicit
 * 4×4 complex Dirac matrices in the DIRAC representation, explicit massless spinors (any basis:
 * u = v = √E (χ, σ·p̂ χ), summed over both χ), explicit helicity polarisation vectors ε(k, λ) of
 * the on-shell W and Z, the production amplitudes of the three diagrams with the i's of the
 * Feynman rules, decay amplitudes, and the full amplitude Σ_{λW,λZ} M_prod M_dec,W M_dec,Z. The
 * SMEFT dictionary is re-typed here from its formulas, and the first-order truncation of the
 * coupling products is done differently: A_lin(θ) = A(0) + Σ_p θ_p ∂A/∂θ_p, the derivative by a
 * five-point stencil, exact because A is a polynomial of degree ≤ 4 in each θ_p.
 * Shares nothing with scripts/simulators/wz-amplitudes.ts but constants.
 */
import { ALPHA, GAMMA_W, GAMMA_Z, LAMBDA, M_W, M_Z, SIN2_W, V_EV } from '../../scripts/simulators/wz-amplitudes.js';

type C = [number, number];
type Vec = C[]; // 4 complex components, contravariant
type Mat = C[][]; // 4×4

const c = (re: number, im = 0): C => [re, im];
const add = (a: C, b: C): C => [a[0] + b[0], a[1] + b[1]];
const mul = (a: C, b: C): C => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
const scale = (a: C, s: number): C => [a[0] * s, a[1] * s];
const conj = (a: C): C => [a[0], -a[1]];
export const abs2 = (a: C) => a[0] * a[0] + a[1] * a[1];
const METRIC = [1, -1, -1, -1];

const zero = (): Mat => Array.from({ length: 4 }, () => Array.from({ length: 4 }, () => c(0)));
function matmul(a: Mat, b: Mat): Mat {
  const out = zero();
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 4; k++) out[i][j] = add(out[i][j], mul(a[i][k], b[k][j]));
  return out;
}
const matvec = (a: Mat, v: C[]): C[] => a.map((row) => row.reduce((s, x, k) => add(s, mul(x, v[k])), c(0)));
const matAdd = (a: Mat, b: Mat): Mat => a.map((row, i) => row.map((x, j) => add(x, b[i][j])));
const matScale = (a: Mat, s: C): Mat => a.map((row) => row.map((x) => mul(x, s)));

// Pauli matrices and the Dirac representation
const PAULI: C[][][] = [
  [[c(0), c(1)], [c(1), c(0)]],
  [[c(0), c(0, -1)], [c(0, 1), c(0)]],
  [[c(1), c(0)], [c(0), c(-1)]],
];
function block(a: C[][] | null, b: C[][] | null, cc: C[][] | null, d: C[][] | null): Mat {
  const out = zero();
  const put = (m: C[][] | null, r: number, col: number) => {
    if (m) for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) out[r + i][col + j] = m[i][j];
  };
  put(a, 0, 0);
  put(b, 0, 2);
  put(cc, 2, 0);
  put(d, 2, 2);
  return out;
}
const I2: C[][] = [[c(1), c(0)], [c(0), c(1)]];
const neg2 = (m: C[][]) => m.map((r) => r.map((x) => scale(x, -1)));
export const GAMMA: Mat[] = [block(I2, null, null, neg2(I2)), ...PAULI.map((s) => block(null, s, neg2(s), null))];
const GAMMA5: Mat = block(null, I2, I2, null);
const IDENTITY: Mat = block(I2, null, null, I2);
const PL = matScale(matAdd(IDENTITY, matScale(GAMMA5, c(-1))), c(0.5));
const PR = matScale(matAdd(IDENTITY, GAMMA5), c(0.5));

/** a̸ = a_μ γ^μ for a complex contravariant vector. */
function slash(a: Vec): Mat {
  let out = zero();
  for (let m = 0; m < 4; m++) out = matAdd(out, matScale(GAMMA[m], scale(a[m], METRIC[m])));
  return out;
}
/** Minkowski product without conjugation. */
const mdot = (a: Vec, b: Vec): C => a.reduce((s, x, m) => add(s, scale(mul(x, b[m]), METRIC[m])), c(0));
const realVec = (p: ArrayLike<number>, o = 0): Vec => [c(p[o]), c(p[o + 1]), c(p[o + 2]), c(p[o + 3])];

/** Massless spinor √E (χ, σ·p̂ χ) in the Dirac representation; spin index 0/1 picks χ = (1,0) or (0,1). */
function spinor(p: ArrayLike<number>, o: number, spin: number): C[] {
  const e = Math.hypot(p[o + 1], p[o + 2], p[o + 3]);
  const n = [p[o + 1] / e, p[o + 2] / e, p[o + 3] / e];
  const chi: C[] = spin === 0 ? [c(1), c(0)] : [c(0), c(1)];
  const lower: C[] = [c(0), c(0)];
  for (let i = 0; i < 3; i++) for (let r = 0; r < 2; r++) for (let k = 0; k < 2; k++) lower[r] = add(lower[r], scale(mul(PAULI[i][r][k], chi[k]), n[i]));
  const s = Math.sqrt(e);
  return [scale(chi[0], s), scale(chi[1], s), scale(lower[0], s), scale(lower[1], s)];
}
/** ψ̄ = ψ† γ⁰ */
const bar = (psi: C[]): C[] => matvec(GAMMA[0].map((_, j) => GAMMA[0].map((row) => row[j])), psi.map(conj)); // (γ⁰)ᵀ ψ* (γ⁰ real symmetric)
const sandwich = (left: C[], m: Mat, right: C[]): C => left.reduce((s, x, i) => add(s, mul(x, matvec(m, right)[i])), c(0));

/** Helicity polarisation vectors ε(k, λ), λ = +1, −1, 0, of a massive vector boson. */
export function polarisation(k: ArrayLike<number>, mass: number, lambda: number): Vec {
  const kk = Math.hypot(k[1], k[2], k[3]);
  const theta = Math.acos(k[3] / kk);
  const phi = Math.atan2(k[2], k[1]);
  const eTheta = [Math.cos(theta) * Math.cos(phi), Math.cos(theta) * Math.sin(phi), -Math.sin(theta)];
  const ePhi = [-Math.sin(phi), Math.cos(phi), 0];
  if (lambda === 0) return [c(kk / mass), c((k[0] * k[1]) / (kk * mass)), c((k[0] * k[2]) / (kk * mass)), c((k[0] * k[3]) / (kk * mass))];
  return [c(0), ...[0, 1, 2].map((i) => c((-lambda * eTheta[i]) / Math.SQRT2, -ePhi[i] / Math.SQRT2))];
}

/** The couplings at θ, re-typed from the dictionary's formulas (each linear in θ). */
export function couplingsAt(theta: readonly number[]) {
  const [cwb, cwww, cq3] = theta;
  const e = Math.sqrt(4 * Math.PI * ALPHA);
  const sw = Math.sqrt(SIN2_W);
  const cw = Math.sqrt(1 - SIN2_W);
  const g = e / sw;
  const r = (V_EV / LAMBDA) ** 2;
  const shiftZ = (q: number) => -q * ((sw * cw) / (cw * cw - sw * sw)) * cwb * r;
  const dW = -((sw * cw) / (cw * cw - sw * sw)) * cwb * r;
  const dg1 = (-(sw / cw) / (cw * cw - sw * sw)) * cwb * r;
  const zq = (t3: number, q: number, d: number) => ({ L: (g / cw) * (t3 - q * SIN2_W + shiftZ(q) + d), R: (g / cw) * (-q * SIN2_W + shiftZ(q)) });
  return {
    wq: (g / Math.SQRT2) * (1 + dW + cq3 * r),
    wl: (g / Math.SQRT2) * (1 + dW),
    zu: zq(0.5, 2 / 3, (cq3 * r) / 2),
    zd: zq(-0.5, -1 / 3, (-cq3 * r) / 2),
    zl: zq(-0.5, -1, 0),
    gwwz: g * cw,
    g1: 1 + dg1,
    kappa: 1 + dg1 - (sw / cw) * cwb * r,
    lambda: 1.5 * g * r * cwww,
  };
}
export type Couplings = ReturnType<typeof couplingsAt>;

/** Lorentz tensor F_{μν} = p_μ e_ν − p_ν e_μ with lower indices. */
function fieldStrength(p: Vec, e: Vec): C[][] {
  const low = (v: Vec) => v.map((x, m) => scale(x, METRIC[m]));
  const pl = low(p);
  const el = low(e);
  return pl.map((_, m) => pl.map((__, n) => add(mul(pl[m], el[n]), scale(mul(pl[n], el[m]), -1))));
}

/** −i g_WWZ (g1 G + κ K + λ T/m_W²): the HPZH vertex contracted, all momenta incoming, W⁺ = (pp, ep). */
export function wwzVertex(k: Couplings, pp: Vec, ep: Vec, pm: Vec, em: Vec, pv: Vec, ev: Vec): C {
  const d = mdot;
  // the Yang–Mills-like structure written cyclically: (e+·e−)(p+ − p−)·eV + (e−·eV)(p− − pV)·e+ + (eV·e+)(pV − p+)·e−
  const diff = (a: Vec, b: Vec): Vec => a.map((x, m) => add(x, scale(b[m], -1)));
  const kappaPart = add(mul(d(em, pv), d(ep, ev)), scale(mul(d(ep, pv), d(em, ev)), -1));
  const ym = add(add(mul(d(ep, em), d(diff(pp, pm), ev)), mul(d(em, ev), d(diff(pm, pv), ep))), mul(d(ev, ep), d(diff(pv, pp), em)));
  // g1 G = g1 (YM − K); YM = G + K
  const G = add(ym, scale(kappaPart, -1));
  // T = F+_{λμ} g^{μμ'} F−_{μ'ν} g^{νν'} FV_{ν'λ'} g^{λ'λ}: a trace of matrices with the metric
  const F1 = fieldStrength(pp, ep);
  const F2 = fieldStrength(pm, em);
  const F3 = fieldStrength(pv, ev);
  let T = c(0);
  for (let l = 0; l < 4; l++) for (let m = 0; m < 4; m++) for (let n = 0; n < 4; n++) T = add(T, scale(mul(mul(F1[l][m], F2[m][n]), F3[n][l]), METRIC[m] * METRIC[n] * METRIC[l]));
  const inner = add(add(scale(G, k.g1), scale(kappaPart, k.kappa)), scale(T, k.lambda / (M_W * M_W)));
  return mul(c(0, -k.gwwz), inner);
}

/**
 * Production amplitudes of the three diagrams [s, t, u] for quark spins (s1, s2) and the W, Z
 * polarisation vectors (outgoing: ε* enters), with all i's of the Feynman rules.
 */
export function productionDiagrams(charge: 1 | -1, p1: ArrayLike<number>, p2: ArrayLike<number>, kw: ArrayLike<number>, kz: ArrayLike<number>, s1: number, s2: number, epsW: Vec, epsZ: Vec, k: Couplings): [C, C, C] {
  const u1 = spinor(p1, 0, s1);
  const v2bar = bar(spinor(p2, 0, s2));
  const ew = epsW.map(conj);
  const ez = epsZ.map(conj);
  const P = realVec([p1[0] + p2[0], p1[1] + p2[1], p1[2] + p2[2], p1[3] + p2[3]]);
  const mk = (x: ArrayLike<number>) => realVec([-x[0], -x[1], -x[2], -x[3]]);
  const s = mdot(P, P)[0];
  // quark current with the W vertex i gWq γ^ρ P_L, then the propagator −i (g_ρσ − P_ρP_σ/m²)/(s − m²)
  const J: Vec = [0, 1, 2, 3].map((r) => mul(c(0, k.wq), sandwich(v2bar, matmul(GAMMA[r], PL), u1)));
  const jp = mdot(J, P);
  // the W* slot of the vertex: X^σ = −i (J^σ − (J·P) P^σ/m_W²)/(s − m_W²), contracted by Minkowski products
  const Wstar: Vec = J.map((x, r) => mul(add(x, scale(mul(jp, P[r]), -1 / (M_W * M_W))), c(0, -1 / (s - M_W * M_W))));
  const sAmp = charge > 0 ? wwzVertex(k, P, Wstar, mk(kw), ew, mk(kz), ez) : wwzVertex(k, mk(kw), ew, P, Wstar, mk(kz), ez);
  const zOn = (f: { L: number; R: number }, eps: Vec) => matmul(slash(eps), matAdd(matScale(PL, c(0, f.L)), matScale(PR, c(0, f.R))));
  const wOn = (eps: Vec) => matmul(slash(eps), matScale(PL, c(0, k.wq)));
  const prop = (q: number[]) => {
    const q2 = q[0] ** 2 - q[1] ** 2 - q[2] ** 2 - q[3] ** 2;
    return matScale(slash(realVec(q)), c(0, 1 / q2));
  };
  const qt = [0, 1, 2, 3].map((m) => p1[m] - kw[m]);
  const qu = [0, 1, 2, 3].map((m) => p1[m] - kz[m]);
  const zt = charge > 0 ? k.zd : k.zu;
  const zu = charge > 0 ? k.zu : k.zd;
  const tAmp = sandwich(v2bar, matmul(matmul(zOn(zt, ez), prop(qt)), wOn(ew)), u1);
  const uAmp = sandwich(v2bar, matmul(matmul(wOn(ew), prop(qu)), zOn(zu, ez)), u1);
  return [sAmp, tAmp, uAmp];
}

/** Decay amplitudes: W → charged lepton + neutrino, Z → ℓ⁺ℓ⁻, for lepton spins and ε(λ) (incoming: ε enters). */
function decayW(charge: 1 | -1, leptons: ArrayLike<number>, sl: number, sn: number, eps: Vec, k: Couplings): C {
  const vertex = matmul(slash(eps), matScale(PL, c(0, k.wl)));
  // W⁺ → ℓ⁺ ν: ū(ν) … v(ℓ⁺); W⁻ → ℓ⁻ ν̄: ū(ℓ⁻) … v(ν̄)
  return charge > 0 ? sandwich(bar(spinor(leptons, 4, sn)), vertex, spinor(leptons, 0, sl)) : sandwich(bar(spinor(leptons, 0, sl)), vertex, spinor(leptons, 4, sn));
}
function decayZ(leptons: ArrayLike<number>, sp: number, sm: number, eps: Vec, k: Couplings): C {
  const vertex = matmul(slash(eps), matAdd(matScale(PL, c(0, k.zl.L)), matScale(PR, c(0, k.zl.R))));
  return sandwich(bar(spinor(leptons, 12, sm)), vertex, spinor(leptons, 8, sp));
}

const LAMBDAS = [1, -1, 0];

/** The full amplitude for all 64 external spin assignments (index s1 s2 sl sn sp sm in binary) at couplings k. */
export function fullAmplitudes(charge: 1 | -1, quarks: ArrayLike<number>, leptons: ArrayLike<number>, k: Couplings): C[] {
  const p1 = Array.from({ length: 4 }, (_, m) => quarks[m]);
  const p2 = Array.from({ length: 4 }, (_, m) => quarks[4 + m]);
  const kw = [0, 1, 2, 3].map((m) => leptons[m] + leptons[4 + m]);
  const kz = [0, 1, 2, 3].map((m) => leptons[8 + m] + leptons[12 + m]);
  const epsW = LAMBDAS.map((l) => polarisation(kw, M_W, l));
  const epsZ = LAMBDAS.map((l) => polarisation(kz, M_Z, l));
  const out: C[] = [];
  const dW: C[][] = [];
  const dZ: C[][] = [];
  for (let a = 0; a < 4; a++) dW.push(epsW.map((e) => decayW(charge, leptons, a >> 1, a & 1, e, k)));
  for (let a = 0; a < 4; a++) dZ.push(epsZ.map((e) => decayZ(leptons, a >> 1, a & 1, e, k)));
  for (let q = 0; q < 4; q++) {
    const prod: C[][] = epsW.map((ew) => epsZ.map((ez) => productionDiagrams(charge, p1, p2, kw, kz, q >> 1, q & 1, ew, ez, k).reduce(add)));
    for (let w = 0; w < 4; w++) {
      for (let z = 0; z < 4; z++) {
        let sum = c(0);
        for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) sum = add(sum, mul(prod[i][j], mul(dW[w][i], dZ[z][j])));
        out.push(sum);
      }
    }
  }
  return out;
}

/**
 * Σ_spins |A_lin(θ)|² with A_lin(θ) = A(0) + Σ_p θ_p ∂A/∂θ_p, each derivative by the five-point
 * stencil (exact for the polynomial of degree ≤ 4 that A is along each θ_p).
 */
export function referenceSquared(charge: 1 | -1, quarks: ArrayLike<number>, leptons: ArrayLike<number>, theta: readonly number[]): number {
  const at = (t: number[]) => fullAmplitudes(charge, quarks, leptons, couplingsAt(t));
  const a0 = at([0, 0, 0]);
  const total = a0.map((x) => [...x] as C);
  for (let p = 0; p < 3; p++) {
    const e = (h: number) => at([0, 1, 2].map((q) => (q === p ? h : 0)));
    const [m2, m1, p1, p2] = [e(-2), e(-1), e(1), e(2)];
    for (let i = 0; i < total.length; i++) {
      const deriv = scale(add(add(m2[i], scale(m1[i], -8)), add(scale(p1[i], 8), scale(p2[i], -1))), 1 / 12);
      total[i] = add(total[i], scale(deriv, theta[p]));
    }
  }
  return total.reduce((s, x) => s + abs2(x), 0);
}

export { GAMMA_W, GAMMA_Z };
