/**
 * The pyhf importer and exporter: schema validation with clear errors, pyhf's ordering and
 * measurement configuration, patchsets with pyhf's sha256 digest, and export (exact for
 * workspaces; at a point for polynomial yields).
 */
import { describe, expect, it } from 'vitest';
import { createLikelihood } from '../../../models/likelihood/likelihood.js';
import {
  exportWorkspace,
  findPatch,
  importFromPatchSet,
  importWorkspace,
  parsePatchSet,
  PatchSetVerificationError,
  pyhfDigest,
  pyhfLikelihood,
  pythonCanonicalJson,
  pythonFloatRepr,
} from '../../../models/pyhf/import.js';
import { InvalidPyhfDocumentError } from '../../../models/pyhf/workspace-schema.js';
import { compileBinnedModel, InvalidBinnedModelError } from '../../../models/terms/binned-template.js';
import { createRandom } from '../../../models/random.js';
import { DIGESTS, patchSetOf, POLYNOMIAL_EXPORT_POINT, POLYNOMIAL_OBSERVATIONS, polynomialSpec, reference, workspaceText } from './fixtures.js';

/** A small workspace with every modifier kind; channels and samples deliberately unsorted. */
function small(): any {
  return {
    channels: [
      {
        name: 'SR',
        samples: [
          { name: 'sig', data: [5, 10], modifiers: [{ name: 'mu', type: 'normfactor', data: null }, { name: 'lumi', type: 'lumi', data: null }] },
          {
            name: 'bkg',
            data: [50, 60],
            modifiers: [
              { name: 'shape', type: 'shapesys', data: [5, 12] },
              { name: 'jes', type: 'normsys', data: { hi: 1.1, lo: 0.9 } },
              { name: 'jes', type: 'histosys', data: { hi_data: [52, 63], lo_data: [49, 58] } },
              { name: 'stat', type: 'staterror', data: [2, 3] },
            ],
          },
        ],
      },
      { name: 'CR', samples: [{ name: 'bkg', data: [100], modifiers: [{ name: 'mu_b', type: 'normfactor', data: null }, { name: 'sf', type: 'shapefactor', data: null }] }] },
    ],
    observations: [
      { name: 'SR', data: [55, 65] },
      { name: 'CR', data: [105] },
    ],
    measurements: [
      { name: 'first', config: { poi: 'mu', parameters: [{ name: 'lumi', auxdata: [1], sigmas: [0.02], bounds: [[0.9, 1.1]], inits: [1] }] } },
      { name: 'second', config: { poi: 'mu_b', parameters: [{ name: 'lumi', auxdata: [1], sigmas: [0.05], bounds: [[0.8, 1.2]], inits: [1] }] } },
    ],
    version: '1.0.0',
  };
}

describe("pyhf's digest (utils.digest: sha256 of json.dumps(sort_keys=True, ensure_ascii=False))", () => {
  it("formats floats as Python's repr", () => {
    const xs = [1.0, 0.1, 1e-5, 0.0001, 1e16, 1234567890123456.0, 1.5e-7, 123.456, -0.0, 1e22, 5e-324, 1.7976931348623157e308, 0.30000000000000004, 100.0, 2.5e25, 0.00012345, 9999999999999998.0];
    // python3 -c "print([repr(x) for x in xs])"
    const python = ['1.0', '0.1', '1e-05', '0.0001', '1e+16', '1234567890123456.0', '1.5e-07', '123.456', '-0.0', '1e+22', '5e-324', '1.7976931348623157e+308', '0.30000000000000004', '100.0', '2.5e+25', '0.00012345', '9999999999999998.0'];
    expect(xs.map(pythonFloatRepr)).toEqual(python);
  });

  it('serialises as Python does: ints and floats as written, sorted keys by code point, escapes', () => {
    const text = String.raw`{"z": [1, 1.0, -0, -0.0, 1E3, 2.50e-3, 12345678901234567890], "a\u00e9": "tab\there \\ \"q\" \u0001 \u2028 \ud83d\ude00 \u00ff", "\u00e9": null, "b": {"y": true, "x": false, "": []}, "A": {}, "\ud83d\ude00": 1, "\uffff": 2}`;
    // json.dumps(json.loads(text), sort_keys=True, ensure_ascii=False) in Python 3.11
    const python = '{"A": {}, "aé": "tab\\there \\\\ \\"q\\" \\u0001 \u2028 \ud83d\ude00 ÿ", "b": {"": [], "x": false, "y": true}, "z": [1, 1.0, 0, -0.0, 1000.0, 0.0025, 12345678901234567890], "é": null, "\uffff": 2, "\ud83d\ude00": 1}';
    expect(pythonCanonicalJson(text)).toBe(python);
  });

  it("reproduces pyhf's documented digest and is blind to layout, not to content", async () => {
    // pyhf.utils.digest({'a': 2.0, 'b': 3.0, 'c': 1.0}) (pyhf's documentation; reference/digests.json)
    const expected = 'a38f6093800189b79bc22ef677baf90c75705af2cfc7ff594159eca54eaa7928';
    expect(DIGESTS.example.sha256).toBe(expected);
    expect(await pyhfDigest('{"a": 2.0, "b": 3.0, "c": 1.0}')).toBe(expected);
    expect(await pyhfDigest('\n{ "c":1.0,\n  "b" : 3.0, "a":2.0 }\n')).toBe(expected);
    expect(await pyhfDigest('{"a": 2, "b": 3.0, "c": 1.0}')).not.toBe(expected); // 2 is an int for Python
  });

  it('matches the digests pyhf computed for the published workspaces', async () => {
    for (const name of ['atlas_sbottom_RegionA', 'atlas_1Lbb', 'pyhf_2bin_1channel_shapesys', 'pyhf_validation_2bin_2channel_coupledshapefactor']) {
      expect(await pyhfDigest(workspaceText(`${name}.json`)), name).toBe(DIGESTS[name]);
    }
  });
});

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
    const imp = importWorkspace(small());
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
    expect(importWorkspace(small(), { measurement: 'second' }).poi).toBe('mu_b');
    expect(importWorkspace(small(), { measurement: 1 }).spec.parameterSettings).toEqual([{ name: 'lumi', init: 1, bounds: [0.8, 1.2], auxdata: [1], sigmas: [0.05] }]);
    expect(importWorkspace(small(), { poi: null }).interest).toEqual([]);
    expect(() => importWorkspace(small(), { measurement: 'third' })).toThrow(/no measurement "third" in the workspace \(it has: first, second\)/);
    expect(() => importWorkspace(small(), { poi: 'mu_SIG' })).toThrow(/'mu_SIG' is not a parameter of the model/);
    expect(() => importWorkspace(small(), { poi: 'shape' })).toThrow(/2 components; pyhf supports only scalar POIs/);
  });

  it('maps the measurement configuration: per-component values, fixed, and what pyhf ignores or refuses', () => {
    const ws = small();
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
      const w = small();
      w.measurements[0].config.parameters.push(config);
      expect(() => importWorkspace(w)).toThrow(message);
    };
    refuse({ name: 'mu', sigmas: [1] }, /'mu': a normfactor parameter does not use the sigmas attribute/);
    refuse({ name: 'shape', factors: [1, 2] }, /shapesys factors are not supported/);
    refuse({ name: 'shape', inits: [1] }, /inits has 1 values, expected 2/);
  });

  it("rejects what pyhf's schema and model builder reject, with the path of the problem", () => {
    const expectError = (mutate: (ws: any) => void, pattern: RegExp, kind: new (...a: any[]) => Error = InvalidPyhfDocumentError) => {
      const ws = small();
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
    const imp = importWorkspace(small());
    expect(() => exportWorkspace({ ...imp.spec, interpolation: { normsys: 'code1' } }, imp.observations, 'mu')).toThrow(/interpolation codes/);
    const perComponent = { ...imp.spec, parameterSettings: [...(imp.spec.parameterSettings ?? []), { name: 'shape[0]', fixed: true }] };
    expect(() => exportWorkspace(perComponent, imp.observations, 'mu')).toThrow(/one 'fixed' flag per parameter set/);
    expect(() => exportWorkspace(imp.spec, { SR: [1, 2] }, 'mu')).toThrow(/no observations for channel 'CR'/);
    expect(() => exportWorkspace(imp.spec, imp.observations, 'nope')).toThrow(/'nope' is not a parameter/);
  });
});
