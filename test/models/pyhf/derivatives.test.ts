/**
 * The binned term's analytic gradient and Hessian on real published workspaces (hundreds of
 * modifiers sharing parameters across samples and channels, normsys and histosys of one
 * name, staterror across samples, histosys templates equal to the nominal that the term
 * leaves out) against central finite differences.
 */
import { describe, expect, it } from 'vitest';
import { importWorkspace, pyhfLikelihood } from '../../../models/pyhf/import.js';
import { createRandom } from '../../../models/random.js';
import { readFileSync } from 'node:fs';

/** The published workspaces and their signal patch in ../shared/workspaces (beside the repository, as in CI). */
function sharedWorkspace(file: string): unknown {
  return JSON.parse(readFileSync(new URL(`../../../../shared/workspaces/${file}`, import.meta.url), 'utf8'));
}

function checkDerivatives(m: ReturnType<typeof pyhfLikelihood>, seed: number) {
  const { likelihood, data } = m;
  const n = likelihood.parameters.length;
  const random = createRandom(seed);
  const x = Float64Array.from(likelihood.parameters, (p) => {
    // away from α = 0 and ±1 (code4/code4p switch there), inside the bounds
    const shift = p.init === 0 ? 0.6 * (random.uniform() - 0.5) + 0.05 : 0.05 * (random.uniform() - 0.5);
    return Math.min(p.bounds[1], Math.max(p.bounds[0], p.init + shift));
  });
  const g = new Float64Array(n);
  const H = new Float64Array(n * n);
  const value = likelihood.nll(x, data, 0, { gradient: g, hessian: H });
  // the value-only path (line searches, the NLL endpoint) gives the same bits, here and with α beyond ±1
  expect(likelihood.nll(x, data)).toBe(value);
  const far = x.map((v, i) => (likelihood.parameters[i].init === 0 ? 3 * v : v));
  expect(likelihood.nll(far, data)).toBe(likelihood.nll(far, data, 0, { gradient: new Float64Array(n) }));
  let worstG = 0;
  let worstH = 0;
  for (let i = 0; i < n; i++) {
    const h = 1e-5 * Math.max(1, Math.abs(x[i]));
    const xp = Float64Array.from(x);
    const xm = Float64Array.from(x);
    xp[i] += h;
    xm[i] -= h;
    const fd = (likelihood.nll(xp, data) - likelihood.nll(xm, data)) / (2 * h);
    worstG = Math.max(worstG, Math.abs(fd - g[i]) / Math.max(1, Math.abs(fd)));
    const gp = new Float64Array(n);
    const gm = new Float64Array(n);
    likelihood.nll(xp, data, 0, { gradient: gp });
    likelihood.nll(xm, data, 0, { gradient: gm });
    for (let j = 0; j < n; j++) {
      const fdh = (gp[j] - gm[j]) / (2 * h);
      worstH = Math.max(worstH, Math.abs(fdh - H[i * n + j]) / Math.max(1, Math.abs(fdh)));
      expect(Math.abs(H[i * n + j] - H[j * n + i])).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(H[i * n + j])));
    }
  }
  expect(worstG).toBeLessThan(1e-6);
  expect(worstH).toBeLessThan(1e-5);
}

describe('analytic derivatives on published workspaces', () => {
  it('ATLAS sbottom RegionA + a signal patch', async () => {
    const imp = importWorkspace(sharedWorkspace('atlas_sbottom_RegionA.json'), { jsonPatch: sharedWorkspace('atlas_sbottom_RegionA.patch.json') });
    checkDerivatives(pyhfLikelihood(imp), 1);
  });

  it('ATLAS 1Lbb + a signal patch', async () => {
    const imp = importWorkspace(sharedWorkspace('atlas_1Lbb.json'), { jsonPatch: sharedWorkspace('atlas_1Lbb.patch.json') });
    checkDerivatives(pyhfLikelihood(imp), 2);
  });

  it('a histosys equal to the nominal changes nothing (value, gradient, Hessian) though the term skips it', () => {
    const workspace = (withZero: boolean) => ({
      channels: [
        {
          name: 'SR',
          samples: [
            {
              name: 'bkg',
              data: [50, 60],
              modifiers: [
                { name: 'jes', type: 'histosys', data: { hi_data: [52, 63], lo_data: [49, 58] } },
                { name: 'stat', type: 'staterror', data: [2, 3] },
              ],
            },
            {
              name: 'sig',
              data: [5, 10],
              modifiers: [
                { name: 'mu', type: 'normfactor', data: null },
                { name: 'stat', type: 'staterror', data: [0.5, 0.7] },
                ...(withZero ? [{ name: 'jes', type: 'histosys', data: { hi_data: [5, 10], lo_data: [5, 10] } }] : []),
              ],
            },
          ],
        },
      ],
      observations: [{ name: 'SR', data: [57, 66] }],
      measurements: [{ name: 'm', config: { poi: 'mu', parameters: [] } }],
      version: '1.0.0',
    });
    const a = pyhfLikelihood(importWorkspace(workspace(true)));
    const b = pyhfLikelihood(importWorkspace(workspace(false)));
    expect(a.likelihood.names).toEqual(b.likelihood.names);
    const n = a.likelihood.names.length;
    const x = Float64Array.from([1.3, 0.4, 1.02, 0.97].slice(0, n));
    const ga = new Float64Array(n);
    const gb = new Float64Array(n);
    const Ha = new Float64Array(n * n);
    const Hb = new Float64Array(n * n);
    expect(a.likelihood.nll(x, a.data, 0, { gradient: ga, hessian: Ha })).toBe(b.likelihood.nll(x, b.data, 0, { gradient: gb, hessian: Hb }));
    expect(ga).toEqual(gb);
    expect(Ha).toEqual(Hb);
  });
});
