/**
 * Synthetic pyhf workspaces of the class issue 14 found in a real three-lepton search: a
 * shapesys whose Poisson constraint has τ = (b/δ)² of 10⁶ … 10¹⁴ (a background known to a
 * relative `precision` of 1e-3 … 1e-7 in one bin), next to ordinary modifiers. Their NLL is
 * also written out here in 60-digit arithmetic from the modifiers' definitions (pyhf docs,
 * "Modifiers"), as the exact reference.
 */
import type Decimal from 'decimal.js';
import { ExactDecimal as D, exact, exactNormalNll, exactPoissonNll } from '../../scripts/reference/exact-poisson.js';

const SIGNAL = [5, 10, 3];
const BACKGROUND = [50, 40, 20];
const CONTROL = [200, 150];
const CONTROL_STAT = [12, 9];
const OBSERVED_SR = [61, 47, 22];
const OBSERVED_CR = [212, 139];
const LUMI_SIGMA = 0.017;
const NORMSYS = { hi: 1.1, lo: 0.92 };

/**
 * Signal region (3 bins): signal × mu, background with shapesys δ = [6, 40·precision, 2.5] (the
 * middle bin is the extreme one) and, with `normsys`, a normsys (hi 1.1, lo 0.92); control region
 * (2 bins): background with staterror. lumi (σ 0.017) on every sample.
 */
export function extremeWorkspace(precision: number, options: { normsys?: boolean } = {}) {
  const lumi = { name: 'lumi', type: 'lumi', data: null };
  const backgroundModifiers: object[] = [{ name: 'bkg_shape', type: 'shapesys', data: [6, BACKGROUND[1] * precision, 2.5] }, lumi];
  if (options.normsys) backgroundModifiers.push({ name: 'bkg_norm', type: 'normsys', data: NORMSYS });
  return {
    channels: [
      {
        name: 'SR',
        samples: [
          { name: 'signal', data: SIGNAL, modifiers: [{ name: 'mu', type: 'normfactor', data: null }, lumi] },
          { name: 'background', data: BACKGROUND, modifiers: backgroundModifiers },
        ],
      },
      { name: 'CR', samples: [{ name: 'background', data: CONTROL, modifiers: [{ name: 'stat_CR', type: 'staterror', data: CONTROL_STAT }, lumi] }] },
    ],
    observations: [
      { name: 'SR', data: OBSERVED_SR },
      { name: 'CR', data: OBSERVED_CR },
    ],
    measurements: [
      {
        name: 'extreme',
        config: { poi: 'mu', parameters: [{ name: 'lumi', auxdata: [1], sigmas: [LUMI_SIGMA], bounds: [[0.9, 1.1]], inits: [1] }] },
      },
    ],
    version: '1.0.0',
  };
}

/** A parameter point: doubles, or decimals (for derivatives taken in decimal arithmetic). */
export interface ExtremePoint {
  mu: Decimal.Value;
  lumi: Decimal.Value;
  /** bkg_shape[0..2] */
  shape: [Decimal.Value, Decimal.Value, Decimal.Value];
  /** stat_CR[0..1] */
  stat: [Decimal.Value, Decimal.Value];
  /** bkg_norm, for a workspace with the normsys: only where its factor is a plain power (|α| ≥ 1 or α = 0) */
  alpha?: number;
}

/** The shapesys constraint's τ_b = (b/δ)², computed as the engine computes it. */
export function shapeTau(precision: number): number[] {
  const deltas = [6, BACKGROUND[1] * precision, 2.5];
  return BACKGROUND.map((b, i) => (b * b) / (deltas[i] * deltas[i]));
}

/** −ln L of `extremeWorkspace(precision, { normsys: point.alpha !== undefined })` at `point` with its observed data, to about 50 digits. */
export function exactExtremeNll(precision: number, point: ExtremePoint): Decimal {
  const { mu, lumi, shape, stat, alpha } = point;
  let normsys = new D(1);
  if (alpha !== undefined && alpha !== 0) {
    if (Math.abs(alpha) < 1) throw new RangeError('the reference covers normsys only where code 4 is a plain power, |α| ≥ 1');
    normsys = alpha > 0 ? D.pow(exact(NORMSYS.hi), exact(alpha)) : D.pow(exact(NORMSYS.lo), exact(-alpha));
  }
  const L = exact(lumi);
  let total = new D(0);
  for (let b = 0; b < 3; b++) {
    const nu = L.mul(exact(mu)).mul(SIGNAL[b]).plus(L.mul(exact(shape[b])).mul(BACKGROUND[b]).mul(normsys));
    total = total.plus(exactPoissonNll(OBSERVED_SR[b], nu));
  }
  for (let b = 0; b < 2; b++) total = total.plus(exactPoissonNll(OBSERVED_CR[b], L.mul(exact(stat[b])).mul(CONTROL[b])));
  const tau = shapeTau(precision);
  for (let b = 0; b < 3; b++) total = total.plus(exactPoissonNll(tau[b], exact(shape[b]).mul(exact(tau[b]))));
  // staterror: one sample per bin, so σ_b = δ_b / b_b (pyhf: sqrt(Σ δ²) / Σ nominal)
  for (let b = 0; b < 2; b++) total = total.plus(exactNormalNll(1, stat[b], exact(CONTROL_STAT[b]).div(CONTROL[b])));
  total = total.plus(exactNormalNll(1, lumi, LUMI_SIGMA));
  if (alpha !== undefined) total = total.plus(exactNormalNll(0, alpha, 1));
  return total;
}
