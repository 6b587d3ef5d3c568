/**
 * pyhf's digest of a workspace (`python-json.ts`): Python's float repr and `json.dumps` written
 * again, checked against Python's output and against the digests pyhf computed.
 */
import { describe, expect, it } from 'vitest';
import { pyhfDigest, pythonCanonicalJson, pythonFloatRepr } from '../../../models/pyhf/python-json.js';
import { DIGESTS, workspaceText } from './fixtures.js';

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
