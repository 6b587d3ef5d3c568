/**
 * The Drell–Yan baselines of issue 6: the m_ℓℓ histogram's templates against direct sums over
 * the selected events at any Wilson coefficients, and the background's normalisation.
 */
import { describe, expect, it } from 'vitest';
import { evaluateMonomials } from '../../models/basis/monomial-basis.js';
import { createRandom } from '../../models/random.js';
import { compileBinnedModel } from '../../models/terms/binned/term.js';
import { createLikelihood } from '../../models/likelihood/likelihood.js';
import { DEFAULT_BASELINE_CONFIG, histogramSpec, LUMINOSITY_PB, MLL_EDGES, selectedBackground, selectedSignal } from '../../scripts/drell-yan/baselines.js';
import { BASIS, PARAMETERS, RECO_OBSERVABLES } from '../../scripts/simulators/drell-yan-physics.js';

describe('Drell–Yan baselines', () => {
  const config = { ...DEFAULT_BASELINE_CONFIG, events: 20_000, backgroundEvents: 8000 };
  const signal = selectedSignal(config);
  const background = selectedBackground(config, signal);
  const D = RECO_OBSERVABLES.length;
  const mll = RECO_OBSERVABLES.indexOf('m_ll');

  it('normalises the background to a tenth of the selected signal above 200 GeV', () => {
    const above = (s: typeof signal) => {
      let w = 0;
      for (let r = 0; r < s.count; r++) if (s.reco[r * D + mll] > 200) w += s.weights[r];
      return w;
    };
    expect(above(background) / above(signal)).toBeCloseTo(0.1, 12);
  });

  it('the histogram’s expected counts at any θ are Σ w L dσ(θ)/dσ(θ0) over the events in each bin, plus the background', () => {
    const spec = histogramSpec(signal, background);
    const term = compileBinnedModel('t', spec);
    const interest = PARAMETERS.map((p) => ({ name: p.name, init: 0, bounds: [-2, 2] as [number, number], kind: 'interest' as const, fixed: false, constraint: 'none' as const }));
    const likelihood = createLikelihood(interest, [term], LUMINOSITY_PB);
    const rng = createRandom(2);
    for (let t = 0; t < 3; t++) {
      const theta = [0.01 * rng.normal(), 0.01 * rng.normal(), 0.01 * rng.normal()];
      const params = Float64Array.from(theta);
      const expected = term.expected(params, likelihood.termIndex(term));
      const m = evaluateMonomials(BASIS, theta);
      const direct = new Float64Array(MLL_EDGES.length - 1);
      const add = (s: typeof signal, full: boolean) => {
        for (let r = 0; r < s.count; r++) {
          const v = s.reco[r * D + mll];
          const b = MLL_EDGES.findIndex((e, k) => v >= e && v < MLL_EDGES[k + 1]);
          let ratio = 1;
          if (full) {
            ratio = 0;
            for (let k = 0; k < BASIS.size; k++) ratio += s.coefficients[r * BASIS.size + k] * m[k];
          }
          direct[b] += s.weights[r] * LUMINOSITY_PB * ratio;
        }
      };
      add(signal, true);
      add(background, false);
      direct.forEach((v, b) => expect(expected[b]).toBeCloseTo(v, 6));
    }
  });
});
