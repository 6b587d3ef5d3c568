/**
 * HS3 (issue 25 item 4): pyhf → ours → HS3 → ours keeps the likelihood, parameters, ranges,
 * constraints and data, and the NLL to 1e-10; what pyhf cannot express is refused by name.
 */
import { describe, expect, it } from 'vitest';
import { exportWorkspace } from '../../../models/pyhf/export.js';
import { Hs3DocumentSchema, hs3ToWorkspace, Hs3ModelError, workspaceToHs3 } from '../../../models/pyhf/hs3.js';
import { importFromPatchSet, importWorkspace, pyhfLikelihood } from '../../../models/pyhf/import.js';
import { createRandom } from '../../../models/random.js';
import { patchSetOf, workspaceText } from './fixtures.js';

const PRODUCER = { name: 'likelihood-service', version: 'test' };

describe('HS3', () => {
  it('round-trips published workspaces through HS3: parameters, constraints, data and the NLL to 1e-10', async () => {
    const random = createRandom(11);
    const cases = [
      importWorkspace(JSON.parse(workspaceText('pyhf_2bin_1channel_shapesys.json'))),
      importWorkspace(JSON.parse(workspaceText('pyhf_validation_2bin_2channel_coupledshapefactor.json'))),
      await importFromPatchSet(workspaceText('atlas_sbottom_RegionA.json'), patchSetOf('atlas_sbottom_RegionA', 'sbottom_1300_205_60'), 'sbottom_1300_205_60'),
    ];
    for (const original of cases) {
      const hs3 = workspaceToHs3(exportWorkspace(original.spec, original.observations, original.poi), 'model', PRODUCER);
      expect(hs3.metadata.hs3_version).toBe('0.2');
      // through text, as a file would carry it
      const again = importWorkspace(hs3ToWorkspace(JSON.parse(JSON.stringify(hs3))));
      expect(again.poi).toBe(original.poi);
      expect(again.observations).toEqual(original.observations);
      const a = pyhfLikelihood(original);
      const b = pyhfLikelihood(again);
      expect(b.likelihood.names).toEqual(a.likelihood.names);
      b.likelihood.parameters.forEach((p, i) => {
        expect(p.bounds[0]).toBeCloseTo(a.likelihood.parameters[i].bounds[0], 12);
        expect(p.bounds[1]).toBeCloseTo(a.likelihood.parameters[i].bounds[1], 12);
        expect(p.init).toBeCloseTo(a.likelihood.parameters[i].init, 12);
        expect(p.fixed).toBe(a.likelihood.parameters[i].fixed);
      });
      expect(b.term.constraints.map((c) => [c.parameter, c.kind])).toEqual(a.term.constraints.map((c) => [c.parameter, c.kind]));
      for (let k = 0; k < 5; k++) {
        const x = Float64Array.from(a.likelihood.parameters, (p) => Math.min(p.bounds[1], Math.max(p.bounds[0] + 1e-3, p.init + 0.2 * (random.uniform() - 0.5))));
        const ours = a.likelihood.nll(x, a.data);
        expect(Math.abs(b.likelihood.nll(x, b.data) - ours) / Math.abs(ours)).toBeLessThan(1e-10);
      }
    }
  });

  it('writes ROOT’s layout: one histfactory_dist per channel, unit Gaussian constraints for α, the luminosity as a constrained normfactor', async () => {
    const sbottom = await importFromPatchSet(workspaceText('atlas_sbottom_RegionA.json'), patchSetOf('atlas_sbottom_RegionA', 'sbottom_1300_205_60'), 'sbottom_1300_205_60');
    const hs3 = workspaceToHs3(exportWorkspace(sbottom.spec, sbottom.observations, sbottom.poi), 'sbottom', PRODUCER);
    const types = hs3.distributions.map((d) => d.type);
    expect(types.filter((t) => t === 'histfactory_dist')).toHaveLength(sbottom.spec.channels.length);
    const lumi = hs3.distributions.find((d) => d.name === 'lumi_constraint') as { x: string; sigma: number };
    expect(lumi).toMatchObject({ type: 'gaussian_dist', x: 'lumi', mean: 'nominal_lumi' });
    expect(lumi.sigma).toBeGreaterThan(0);
    expect(hs3.likelihoods[0].aux_distributions).toContain('lumi_constraint');
    expect(hs3.analyses[0].parameters_of_interest).toEqual(['mu_SIG']);
  });

  it('refuses what pyhf cannot express, by name', () => {
    const hs3 = workspaceToHs3(JSON.parse(workspaceText('pyhf_2bin_1channel_shapesys.json')), 'm', PRODUCER);
    const other = { ...hs3, distributions: [{ type: 'generic_dist', name: 'model_singlechannel', expression: 'x' }] };
    expect(() => hs3ToWorkspace(other)).toThrow(Hs3ModelError);
    expect(() => hs3ToWorkspace(other)).toThrow(/'model_singlechannel' is not a histfactory_dist/);
    const noPoi = { ...hs3, analyses: [{ ...hs3.analyses[0], parameters_of_interest: [] }] };
    expect(() => hs3ToWorkspace(noPoi)).toThrow(/names no parameter of interest/);
  });
});

describe('GET /v1/likelihoods/{id}/hs3', () => {
  it('serves a published binned likelihood as HS3 that reads back to the same NLL; import refuses a learned one’s', async () => {
    const { createApp } = await import('../../../functions/app.js');
    const { fileStore } = await import('../../../functions/node.js');
    const app = createApp(fileStore('likelihoods'));
    const res = await app.request('/v1/likelihoods/atlas-sbottom-regiona@1.0.1/hs3');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-observations')).toBe('published');
    const hs3 = await res.json();
    const workspace = await (await app.request('/v1/likelihoods/atlas-sbottom-regiona@1.0.1/workspace')).json();
    const a = pyhfLikelihood(importWorkspace(workspace));
    const b = pyhfLikelihood(importWorkspace(hs3ToWorkspace(hs3)));
    const x = a.likelihood.initial();
    x[0] = 0.7;
    expect(Math.abs(b.likelihood.nll(x, b.data) / a.likelihood.nll(x, a.data) - 1)).toBeLessThan(1e-10);
    // a learned likelihood's HS3 (the onnx_ratio_dist extension, test/functions/onnx.test.ts) is no HistFactory model
    const learned = Hs3DocumentSchema.parse(await (await app.request('/v1/likelihoods/gaussian-toy-a3/hs3')).json());
    expect(() => hs3ToWorkspace(learned)).toThrow(Hs3ModelError);
  });
});
