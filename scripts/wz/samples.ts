/**
 * Issue 17: the W±Z samples every part of the study draws, through the one simulator
 * (scripts/simulators/wz.ts): selected reco-level events with their exact coefficients,
 * drawn in batches so memory stays flat, and their exact cross section σ(θ) = σ0 s·m(θ).
 */
import { WZ_RECO_OBSERVABLES } from '../simulators/wz-detector.js';
import { BASIS, crossSectionCoefficients } from '../simulators/wz-physics.js';
import { wzSimulator } from '../simulators/wz.js';
import { deriveSeed } from '../simulators/types.js';

export const C = BASIS.size;
export const D = WZ_RECO_OBSERVABLES.length;
/** pb → fb: artifacts state cross sections in fb and the luminosity in fb⁻¹ */
export const PB = 1000;
export const LUMINOSITY_FB = 300;

/** Selected events: reco features, exact coefficients c(z), weights (pb, summing to σ × acceptance). */
export interface SelectedSample {
  count: number;
  reco: Float64Array;
  coefficients: Float64Array;
  weights: Float64Array;
}

/** `events` parton-level events at θ0 through the detector, in batches of `batch`, weights rescaled to the whole run. */
export function selectedSample(events: number, seed: number, batch = 200_000): SelectedSample {
  const simulator = wzSimulator();
  const parts: SelectedSample[] = [];
  for (let start = 0, b = 0; start < events; start += batch, b++) {
    const n = Math.min(batch, events - start);
    const s = simulator.simulate({ events: n, seed: deriveSeed(seed, `batch-${b}`) });
    const scale = n / events;
    parts.push({ count: s.count, reco: s.reco, coefficients: s.coefficients, weights: s.weights.map((w) => w * scale) });
  }
  return concatenated(parts);
}

/** Samples as one, in order. */
export function concatenated(parts: readonly SelectedSample[]): SelectedSample {
  const count = parts.reduce((n, p) => n + p.count, 0);
  const out: SelectedSample = { count, reco: new Float64Array(count * D), coefficients: new Float64Array(count * C), weights: new Float64Array(count) };
  let at = 0;
  for (const p of parts) {
    out.reco.set(p.reco.subarray(0, p.count * D), at * D);
    out.coefficients.set(p.coefficients.subarray(0, p.count * C), at * C);
    out.weights.set(p.weights.subarray(0, p.count), at);
    at += p.count;
  }
  return out;
}

/** σ × acceptance (pb) of a selected sample, its coefficients s (s_0 = 1) and their Monte Carlo errors. */
export function crossSectionOf(sample: SelectedSample): { sigma: number; sigmaError: number; coefficients: Float64Array; errors: Float64Array } {
  const { value, error } = crossSectionCoefficients(sample);
  const sigma = value[0];
  return { sigma, sigmaError: error[0], coefficients: value.map((v) => v / sigma), errors: error.map((e) => e / sigma) };
}

/** One column of a selected sample's reco features. */
export function recoColumn(sample: Pick<SelectedSample, 'count' | 'reco'>, name: (typeof WZ_RECO_OBSERVABLES)[number]): Float64Array {
  const k = WZ_RECO_OBSERVABLES.indexOf(name);
  return Float64Array.from({ length: sample.count }, (_, i) => sample.reco[i * D + k]);
}
