/**
 * The pyhf importer (`import.ts`): schema validation with clear errors, pyhf's ordering and
 * measurement configuration, and patchsets verified by pyhf's sha256 digest.
 */
import { describe, expect, it } from 'vitest';
import { findPatch, importFromPatchSet, importWorkspace, PatchSetVerificationError, pyhfLikelihood } from '../../../models/pyhf/import.js';
import { InvalidPyhfDocumentError, parsePatchSet } from '../../../models/pyhf/workspace-schema.js';
import { InvalidBinnedModelError } from '../../../models/terms/binned/schema.js';
import { patchSetOf, smallWorkspace, workspaceText } from './fixtures.js';

describe('patchsets', () => {
  const text = workspaceText('atlas_sbottom_RegionA.json');
  const patchset = patchSetOf('atlas_sbottom_RegionA', 'sbottom_1300_205_60', [1300, 205, 60]);

  it('finds patches by name or label values, and says which exist', () => {
    const ps = parsePatchSet(patchset);
    expect(findPatch(ps, 'sbottom_1300_205_60').metadata.values).toEqual([1300, 205, 60]);
    expect(findPatch(ps, [1300, 205, 60]).metadata.name).toBe('sbottom_1300_205_60');
    expect(() => findPatch(ps, 'sbottom_9_9_9')).toThrow(/no patch "sbottom_9_9_9".*it has 1: sbottom_1300_205_60/);
    expect(() => findPatch(ps, [1300, 205])).toThrow(/no patch \[1300,205\]/);
  });

  it('applies a patch after verifying the digest, like applying the raw JSON patch', async () => {
    const viaSet = await importFromPatchSet(text, patchset, 'sbottom_1300_205_60');
    const raw = importWorkspace(JSON.parse(text), { jsonPatch: JSON.parse(workspaceText('atlas_sbottom_RegionA.patch.json')) });
    expect(viaSet.patch).toEqual({ name: 'sbottom_1300_205_60', values: [1300, 205, 60] });
    expect(viaSet.spec).toEqual(raw.spec);
    expect(viaSet.poi).toBe('mu_SIG');
    // the patch removes a channel (VRtt_meff) whose observation stays, as pyhf allows
    expect(Object.keys(viaSet.observations)).toEqual(['CRtt_meff', 'SR_meff']);
  });

  it('refuses a workspace the patchset was not made for (one number changed), unless told not to verify', async () => {
    const tampered = text.replace(/("data": \[\s*)(\d)/, '$19$2');
    expect(tampered).not.toBe(text);
    await expect(importFromPatchSet(tampered, patchset, 'sbottom_1300_205_60')).rejects.toThrow(PatchSetVerificationError);
    await expect(importFromPatchSet(tampered, patchset, 'sbottom_1300_205_60', { verify: false })).resolves.toBeDefined();
    const md5Only = { ...patchset, metadata: { ...patchset.metadata, digests: { md5: '0'.repeat(32) } } };
    await expect(importFromPatchSet(text, md5Only, 'sbottom_1300_205_60')).rejects.toThrow(/only an md5 digest/);
  });

  it('validates patchsets as pyhf does', () => {
    const bad = structuredClone(patchset) as any;
    const one = bad.patches[0];
    bad.patches = [one, structuredClone(one), { ...structuredClone(one), metadata: { name: 'other', values: [1] } }];
    bad.metadata.digests = { sha256: 'xyz' };
    bad.metadata.references = { hepdata: 'ins12' };
    try {
      parsePatchSet(bad);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidPyhfDocumentError);
      const message = (error as Error).message;
      expect(message).toMatch(/patch name 'sbottom_1300_205_60' is used twice/);
      expect(message).toMatch(/patch values \[1300,205,60\] are used twice/);
      expect(message).toMatch(/has 1 values but the patchset has 3 labels/);
      expect(message).toMatch(/64 hex digits/);
      expect(message).toMatch(/ins' \+ 7 digits/);
    }
  });
});

describe('import: pyhf semantics', () => {
  it("orders channels and samples as pyhf (sorted by name) and maps the POI's configuration", () => {
    const imp = importWorkspace(smallWorkspace());
    expect(imp.spec.channels.map((c) => c.name)).toEqual(['CR', 'SR']);
    expect(imp.spec.channels[1].samples.map((s) => s.name)).toEqual(['bkg', 'sig']);
    expect(imp.observations).toEqual({ CR: [105], SR: [55, 65] });
    expect(imp.poi).toBe('mu');
    expect(imp.measurement).toBe('first');
    expect(imp.interest).toEqual([{ name: 'mu', init: 1, bounds: [0, 10], kind: 'interest', fixed: false, constraint: 'none' }]);
    const { likelihood, data, poiIndex } = pyhfLikelihood(imp);
    expect(likelihood.names[poiIndex]).toBe('mu');
    expect([...(data.terms.pyhf as { counts: Float64Array }).counts]).toEqual([105, 55, 65]);
    // normsys and histosys of one name share one α; per-bin parameters are name[b]
    expect([...likelihood.names].sort()).toEqual(['jes', 'lumi', 'mu', 'mu_b', 'sf[0]', 'shape[0]', 'shape[1]', 'stat[0]', 'stat[1]']);
  });

  it("imports a background-only workspace without POI, ignoring the measurement's configuration of the absent signal strength", () => {
    const ws = JSON.parse(workspaceText('atlas_1Lbb.json'));
    expect(() => importWorkspace(ws)).toThrow(/'mu_SIG' is not a parameter of the model/);
    const imp = importWorkspace(ws, { poi: null });
    expect(imp.poi).toBeNull();
    expect(imp.warnings).toEqual(["the measurement configures 'mu_SIG', which no modifier of the model uses: ignored (as pyhf)"]);
    const { likelihood } = pyhfLikelihood(imp);
    expect(likelihood.parameters[likelihood.indexOf('lumi')].fixed).toBe(true); // "fixed": true in the measurement
    expect(likelihood.parameters[likelihood.indexOf('mu_Top')].bounds).toEqual([0, 5]);
  });

  it('selects measurements and POIs as pyhf, and refuses unknown ones', () => {
    expect(importWorkspace(smallWorkspace(), { measurement: 'second' }).poi).toBe('mu_b');
    expect(importWorkspace(smallWorkspace(), { measurement: 1 }).spec.parameterSettings).toEqual([{ name: 'lumi', init: 1, bounds: [0.8, 1.2], auxdata: [1], sigmas: [0.05] }]);
    expect(importWorkspace(smallWorkspace(), { poi: null }).interest).toEqual([]);
    expect(() => importWorkspace(smallWorkspace(), { measurement: 'third' })).toThrow(/no measurement "third" in the workspace \(it has: first, second\)/);
    expect(() => importWorkspace(smallWorkspace(), { poi: 'mu_SIG' })).toThrow(/'mu_SIG' is not a parameter of the model/);
    expect(() => importWorkspace(smallWorkspace(), { poi: 'shape' })).toThrow(/2 components; pyhf supports only scalar POIs/);
  });

  it('maps the measurement configuration: per-component values, fixed, and what pyhf ignores or refuses', () => {
    const ws = smallWorkspace();
    ws.measurements[0].config.parameters.push(
      { name: 'shape', inits: [1, 1.2], bounds: [[0.5, 2], [0.6, 3]] },
      { name: 'jes', fixed: true, inits: [0.5] },
      { name: 'ghost', inits: [3] },
    );
    const imp = importWorkspace(ws);
    expect(imp.warnings).toEqual(["the measurement configures 'ghost', which no modifier of the model uses: ignored (as pyhf)"]);
    const { likelihood } = pyhfLikelihood(imp);
    const p = (name: string) => likelihood.parameters[likelihood.indexOf(name)];
    expect([p('shape[0]').init, p('shape[0]').bounds]).toEqual([1, [0.5, 2]]);
    expect([p('shape[1]').init, p('shape[1]').bounds]).toEqual([1.2, [0.6, 3]]);
    expect([p('jes').init, p('jes').fixed]).toEqual([0.5, true]);
    expect([p('lumi').init, p('lumi').bounds]).toEqual([1, [0.9, 1.1]]);

    const refuse = (config: object, message: RegExp) => {
      const w = smallWorkspace();
      w.measurements[0].config.parameters.push(config);
      expect(() => importWorkspace(w)).toThrow(message);
    };
    refuse({ name: 'mu', sigmas: [1] }, /'mu': a normfactor parameter does not use the sigmas attribute/);
    refuse({ name: 'shape', factors: [1, 2] }, /shapesys factors are not supported/);
    refuse({ name: 'shape', inits: [1] }, /inits has 1 values, expected 2/);
  });

  it("rejects what pyhf's schema and model builder reject, with the path of the problem", () => {
    const expectError = (mutate: (ws: any) => void, pattern: RegExp, kind: new (...a: any[]) => Error = InvalidPyhfDocumentError) => {
      const ws = smallWorkspace();
      mutate(ws);
      let caught: unknown;
      try {
        importWorkspace(ws);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(kind);
      expect((caught as Error).message).toMatch(pattern);
    };
    expectError((ws) => (ws.channels[0].samples[0].modifiers[1].name = 'luminosity'), /channels\[0\]\.samples\[0\]\.modifiers\[1\]/);
    expectError((ws) => ws.channels[0].samples[1].modifiers[3].data.pop(), /staterror modifier 'stat': data has 1 values but sample 'bkg' has 2 bins/);
    expectError((ws) => ws.observations.pop(), /channel 'CR' has no observation/);
    expectError((ws) => (ws.observations[0].data = [1]), /observation 'SR' has 1 counts but the channel has 2 bins/);
    expectError((ws) => (ws.version = '1.0.1'), /version/);
    expectError((ws) => (ws.extra = 1), /extra/);
    expectError((ws) => ws.channels.push(structuredClone(ws.channels[1])), /channel 'CR' is defined twice/);
    // pyhf's InvalidNameReuse: one name, two kinds of parameter
    expectError((ws) => (ws.channels[1].samples[0].modifiers[1].name = 'mu'), /already used by a modifier of another kind/, InvalidBinnedModelError);
  });
});
