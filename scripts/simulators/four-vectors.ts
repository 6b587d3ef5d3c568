/** Four-momenta (E, px, py, pz) in GeV for the event generators: boosts, two-body decays, η, φ, ΔR. */
import type { Random } from '../../models/random.js';

export type FourVector = [number, number, number, number];

export const ptOf = (p: FourVector) => Math.hypot(p[1], p[2]);
export const etaOf = (p: FourVector) => Math.asinh(p[3] / ptOf(p));
export const phiOf = (p: FourVector) => Math.atan2(p[2], p[1]);
export const fromPtEtaPhi = (pt: number, eta: number, phi: number): FourVector => [pt * Math.cosh(eta), pt * Math.cos(phi), pt * Math.sin(phi), pt * Math.sinh(eta)];

export function add(...vectors: FourVector[]): FourVector {
  const s: FourVector = [0, 0, 0, 0];
  for (const v of vectors) for (let k = 0; k < 4; k++) s[k] += v[k];
  return s;
}

/** The invariant mass, 0 where rounding makes m² slightly negative. */
export function massOf(p: FourVector): number {
  return Math.sqrt(Math.max(0, p[0] ** 2 - p[1] ** 2 - p[2] ** 2 - p[3] ** 2));
}

/** ΔR = √(Δη² + Δφ²), Δφ wrapped into [−π, π]. */
export function deltaR(a: FourVector, b: FourVector): number {
  let dphi = Math.abs(phiOf(a) - phiOf(b));
  if (dphi > Math.PI) dphi = 2 * Math.PI - dphi;
  return Math.hypot(etaOf(a) - etaOf(b), dphi);
}

/** p boosted from the rest frame of a particle with four-momentum `frame` into the frame where it has that momentum. */
export function boost(p: FourVector, frame: FourVector): FourVector {
  const m = massOf(frame);
  const bx = frame[1] / frame[0];
  const by = frame[2] / frame[0];
  const bz = frame[3] / frame[0];
  const b2 = bx * bx + by * by + bz * bz;
  if (b2 === 0) return [...p];
  const gamma = frame[0] / m;
  const bp = bx * p[1] + by * p[2] + bz * p[3];
  const k = ((gamma - 1) * bp) / b2 + gamma * p[0];
  return [gamma * (p[0] + bp), p[1] + k * bx, p[2] + k * by, p[3] + k * bz];
}

/** p boosted in the transverse plane so that a system of mass m at rest transversely gets transverse momentum pt along φ. */
export function boostTransverse(p: FourVector, m: number, pt: number, phi: number): FourVector {
  if (pt === 0) return p;
  const mt = Math.hypot(m, pt);
  const gamma = mt / m;
  const beta = pt / mt;
  const nx = Math.cos(phi);
  const ny = Math.sin(phi);
  const along = p[1] * nx + p[2] * ny;
  const e = gamma * (p[0] + beta * along);
  const alongPrime = gamma * (along + beta * p[0]);
  return [e, p[1] + (alongPrime - along) * nx, p[2] + (alongPrime - along) * ny, p[3]];
}

/**
 * A decay M → a b of a parent with four-momentum `parent`, isotropic in its rest frame, with
 * daughter masses ma, mb: the daughters in the parent's frame of reference (the lab).
 */
export function twoBodyDecay(parent: FourVector, ma: number, mb: number, random: Random): [FourVector, FourVector] {
  const M = massOf(parent);
  const q = Math.sqrt(Math.max(0, (M * M - (ma + mb) ** 2) * (M * M - (ma - mb) ** 2))) / (2 * M);
  const cos = 2 * random.uniform() - 1;
  const sin = Math.sqrt(1 - cos * cos);
  const phi = 2 * Math.PI * random.uniform();
  const dir = [sin * Math.cos(phi), sin * Math.sin(phi), cos];
  const a: FourVector = [Math.hypot(q, ma), q * dir[0], q * dir[1], q * dir[2]];
  const b: FourVector = [Math.hypot(q, mb), -q * dir[0], -q * dir[1], -q * dir[2]];
  return [boost(a, parent), boost(b, parent)];
}

/** A Breit–Wigner (Cauchy) mass, redrawn until within `window` widths of the pole. */
export function breitWigner(mass: number, width: number, window: number, random: Random): number {
  for (;;) {
    const m = mass + (width / 2) * Math.tan(Math.PI * (random.uniform() - 0.5));
    if (Math.abs(m - mass) <= window * width) return m;
  }
}
