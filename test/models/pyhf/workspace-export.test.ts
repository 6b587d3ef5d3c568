/**
 * The pyhf exporter (`export.ts`): exact round trips of published workspaces, polynomial yields
 * frozen at a point (checked against pyhf's own −logpdf), and refusal of what pyhf cannot say.
 */
import { describe, expect, it } from 'vitest';
import { createLikelihood } from '../../../models/likelihood/likelihood.js';
import { exportWorkspace } from '../../../models/pyhf/export.js';
import { importFromPatchSet, importWorkspace, pyhfLikelihood } from '../../../models/pyhf/import.js';
import { compileBinnedModel } from '../../../models/terms/binned/term.js';
import { createRandom } from '../../../models/random.js';
import { patchSetOf, POLYNOMIAL_EXPORT_POINT, POLYNOMIAL_OBSERVATIONS, polynomialSpec, reference, smallWorkspace, workspaceText } from './fixtures.js';

describe('export', () => {
  const random = createRandom(7);
  const jitter = (names: readonly string[], likelihood: ReturnType<typeof createLikelihood>) =>
    Float64Array.from(names, (n) => {
      const p = likelihood.parameters[likelihood.indexOf(n)];
      const span = Math.min(p.bounds[1] - p.bounds[0], 2);
      return Math.min(p.bounds[1], Math.max(p.bounds[0] + 1e-3, p.init + 0.1 * span * (random.uniform() - 0.5)));
    });

  it('round-trips published workspaces exactly (parameters, configuration, data, NLL)', async () => {
    const cases = [
      importWorkspace(JSON.parse(workspaceText('pyhf_2bin_1channel_shapesys.json'))),
      importWorkspace(JSON.parse(workspaceText('pyhf_validation_2bin_2channel_coupledshapefactor.json'))),
      await importFromPatchSet(workspaceText('atlas_sbottom_RegionA.json'), patchSetOf('atlas_sbottom_RegionA', 'sbottom_1300_205_60'), 'sbottom_1300_205_60'),
      await importFromPatchSet(workspaceText('atlas_1Lbb.json'), patchSetOf('atlas_1Lbb', 'C1N2_Wh_hbb_700_150'), 'C1N2_Wh_hbb_700_150'),
    ];
    for (const original of cases) {
      const exported = exportWorkspace(original.spec, original.observations, original.poi);
      const again = importWorkspace(JSON.parse(JSON.stringify(exported)));
      expect(again.poi).toBe(original.poi);
      expect(again.observations).toEqual(original.observations);
      const a = pyhfLikelihood(original);
      const b = pyhfLikelihood(again);
      expect(b.likelihood.parameters).toEqual(a.likelihood.parameters);
      expect(b.term.constraints).toEqual(a.term.constraints);
      for (let k = 0; k < 3; k++) {
        const x = jitter(a.likelihood.names, a.likelihood);
        expect(b.likelihood.nll(x, b.data)).toBe(a.likelihood.nll(x, a.data));
      }
    }
  });

  it('exports polynomial yields at a point: the workspace is our model there, to rounding — for us and for pyhf', () => {
    const spec = polynomialSpec();
    const k = POLYNOMIAL_EXPORT_POINT.k;
    const exported = exportWorkspace(spec, POLYNOMIAL_OBSERVATIONS, 'k', { at: POLYNOMIAL_EXPORT_POINT });
    expect(exported.measurements[0].config.poi).toBe(''); // a polynomial POI is no pyhf modifier
    const imported = importWorkspace(exported);
    expect(imported.poi).toBeNull();
    const theirs = pyhfLikelihood(imported);

    const term = compileBinnedModel('poly', spec);
    const ours = createLikelihood([{ name: 'k', init: 1, bounds: [0, 3], kind: 'interest', fixed: false, constraint: 'none' }], [term], 1);
    const data = { luminosity: 1, rate: true, terms: { poly: { counts: Float64Array.from(POLYNOMIAL_OBSERVATIONS.SR), aux: term.nominalAux() } } };
    expect([...theirs.likelihood.names].sort()).toEqual(ours.names.filter((n) => n !== 'k').sort());
    for (const n of theirs.likelihood.names) {
      const p = ours.parameters[ours.indexOf(n)];
      const q = theirs.likelihood.parameters[theirs.likelihood.indexOf(n)];
      expect([n, q.init, q.bounds, q.fixed]).toEqual([n, p.init, p.bounds, p.fixed]);
    }
    const at = (pars: Record<string, number>) => Float64Array.from(ours.names, (n) => (n === 'k' ? k : pars[n]));
    for (let r = 0; r < 5; r++) {
      const x = jitter(theirs.likelihood.names, theirs.likelihood);
      const pars = Object.fromEntries(theirs.likelihood.names.map((n, i) => [n, x[i]]));
      const a = ours.nll(at(pars), data);
      expect(Math.abs(a - theirs.likelihood.nll(x, theirs.data)) / Math.abs(a)).toBeLessThan(1e-13);
    }
    // pyhf's −logpdf of the exported workspace equals our polynomial model's NLL at k = 1.7
    const ref = reference('exported_polynomial')!;
    for (const point of ref.nll_points) expect(Math.abs(ours.nll(at(point.pars), data) - point.nll) / Math.abs(point.nll), point.label).toBeLessThan(1e-12);
  });

  it('refuses what a pyhf workspace cannot say', () => {
    const imp = importWorkspace(smallWorkspace());
    expect(() => exportWorkspace({ ...imp.spec, interpolation: { normsys: 'code1' } }, imp.observations, 'mu')).toThrow(/interpolation codes/);
    const perComponent = { ...imp.spec, parameterSettings: [...(imp.spec.parameterSettings ?? []), { name: 'shape[0]', fixed: true }] };
    expect(() => exportWorkspace(perComponent, imp.observations, 'mu')).toThrow(/one 'fixed' flag per parameter set/);
    expect(() => exportWorkspace(imp.spec, { SR: [1, 2] }, 'mu')).toThrow(/no observations for channel 'CR'/);
    expect(() => exportWorkspace(imp.spec, imp.observations, 'nope')).toThrow(/'nope' is not a parameter/);
  });
});
