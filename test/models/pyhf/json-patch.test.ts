/**
 * Our RFC 6902 JSON Patch applier against the RFC's own examples (Appendix A) and the rules
 * of RFC 6901 pointers; failures name the operation and leave the input untouched.
 */
import { describe, expect, it } from 'vitest';
import { applyJsonPatch, JSON_PATCH_COPY_BUDGET, JsonPatchError } from '../../../models/pyhf/json-patch.js';
import { InvalidPyhfDocumentError } from '../../../models/pyhf/workspace-schema.js';

const apply = (doc: unknown, patch: unknown) => applyJsonPatch(doc, patch);

describe('RFC 6902 Appendix A', () => {
  it('A.1 adds an object member', () => {
    expect(apply({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }])).toEqual({ baz: 'qux', foo: 'bar' });
  });
  it('A.2 adds an array element', () => {
    expect(apply({ foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }])).toEqual({ foo: ['bar', 'qux', 'baz'] });
  });
  it('A.3 removes an object member', () => {
    expect(apply({ baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }])).toEqual({ foo: 'bar' });
  });
  it('A.4 removes an array element', () => {
    expect(apply({ foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }])).toEqual({ foo: ['bar', 'baz'] });
  });
  it('A.5 replaces a value', () => {
    expect(apply({ baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }])).toEqual({ baz: 'boo', foo: 'bar' });
  });
  it('A.6 moves a value', () => {
    const doc = { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } };
    expect(apply(doc, [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }])).toEqual({ foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } });
  });
  it('A.7 moves an array element', () => {
    expect(apply({ foo: ['all', 'grass', 'cows', 'eat'] }, [{ op: 'move', from: '/foo/1', path: '/foo/3' }])).toEqual({ foo: ['all', 'cows', 'eat', 'grass'] });
  });
  it('A.8 tests a value: success', () => {
    const doc = { baz: 'qux', foo: ['a', 2, 'c'] };
    expect(apply(doc, [{ op: 'test', path: '/baz', value: 'qux' }, { op: 'test', path: '/foo/1', value: 2 }])).toEqual(doc);
  });
  it('A.9 tests a value: error', () => {
    expect(() => apply({ baz: 'qux' }, [{ op: 'test', path: '/baz', value: 'bar' }])).toThrow(JsonPatchError);
  });
  it('A.10 adds a nested member object', () => {
    expect(apply({ foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }])).toEqual({ foo: 'bar', child: { grandchild: {} } });
  });
  it('A.11 ignores unrecognised elements of an operation', () => {
    expect(apply({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux', xyz: 123 }])).toEqual({ foo: 'bar', baz: 'qux' });
  });
  it('A.12 refuses to add to a nonexistent target', () => {
    expect(() => apply({ foo: 'bar' }, [{ op: 'add', path: '/baz/bat', value: 'qux' }])).toThrow(/operation 0: add '\/baz\/bat'/);
  });
  it('A.14 unescapes ~01 to ~1, not to /', () => {
    const doc = { '/': 9, '~1': 10 };
    expect(apply(doc, [{ op: 'test', path: '/~01', value: 10 }])).toEqual(doc);
  });
  it('A.15 compares strings and numbers as different', () => {
    expect(() => apply({ '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: '10' }])).toThrow(JsonPatchError);
  });
  it('A.16 adds an array value as one element with "-"', () => {
    expect(apply({ foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }])).toEqual({ foo: ['bar', ['abc', 'def']] });
  });
});

describe('JSON Patch: further rules', () => {
  it('copies values (deeply), replaces and adds at the root, and reads ~1 as /', () => {
    const doc = { a: { b: [1, 2] }, 'x/y': 1 };
    const out = apply(doc, [
      { op: 'copy', from: '/a', path: '/c' },
      { op: 'add', path: '/c/b/-', value: 3 },
      { op: 'replace', path: '/x~1y', value: 2 },
    ]) as Record<string, unknown>;
    expect(out).toEqual({ a: { b: [1, 2] }, c: { b: [1, 2, 3] }, 'x/y': 2 });
    expect(apply(doc, [{ op: 'replace', path: '', value: [1] }])).toEqual([1]);
    expect(apply(doc, [{ op: 'add', path: '', value: { z: 1 } }])).toEqual({ z: 1 });
  });

  it('never modifies its input, and is atomic: a failing operation throws and names itself', () => {
    const doc = { list: [1, 2, 3] };
    const before = structuredClone(doc);
    expect(() => apply(doc, [{ op: 'remove', path: '/list/0' }, { op: 'remove', path: '/list/7' }])).toThrow(/operation 1: remove '\/list\/7': index 7 is out of range/);
    expect(doc).toEqual(before);
    apply(doc, [{ op: 'add', path: '/list/0', value: 0 }]);
    expect(doc).toEqual(before);
  });

  it('refuses malformed indices, missing members, moves into a child and malformed operations', () => {
    expect(() => apply({ a: [1] }, [{ op: 'add', path: '/a/01', value: 0 }])).toThrow(/not an array index/);
    expect(() => apply({ a: [1] }, [{ op: 'add', path: '/a/2', value: 0 }])).toThrow(/out of range/);
    expect(() => apply({ a: [1] }, [{ op: 'replace', path: '/b', value: 0 }])).toThrow(/does not exist/);
    expect(() => apply({ a: [1] }, [{ op: 'remove', path: '/b' }])).toThrow(/does not exist/);
    expect(() => apply({ a: { b: {} } }, [{ op: 'move', from: '/a', path: '/a/b/c' }])).toThrow(/own child/);
    expect(() => apply({}, [{ op: 'frobnicate', path: '/a' }])).toThrow(InvalidPyhfDocumentError);
    expect(() => apply({}, [{ op: 'add', path: 'a', value: 1 }])).toThrow(InvalidPyhfDocumentError);
    expect(() => apply({}, [{ op: 'add', path: '/a' }])).toThrow(/invalid pyhf JSON patch[\s\S]*at \[0\]\.value/);
    expect(() => apply({}, [{ op: 'copy', path: '/a' }])).toThrow(InvalidPyhfDocumentError);
  });

  it('moving a value onto itself changes nothing; test compares objects regardless of key order', () => {
    expect(apply({ a: 1 }, [{ op: 'move', from: '/a', path: '/a' }])).toEqual({ a: 1 });
    expect(apply({ a: { x: 1, y: [1, { z: null }] } }, [{ op: 'test', path: '/a', value: { y: [1, { z: null }], x: 1 } }])).toEqual({ a: { x: 1, y: [1, { z: null }] } });
    expect(() => apply({ a: { x: 1 } }, [{ op: 'test', path: '/a', value: { x: 1, y: 2 } }])).toThrow(/test failed/);
  });
});

describe('JSON Patch: safety', () => {
  const pristine = () => {
    const probe = {} as Record<string, unknown>;
    return probe.polluted === undefined && !('x' in Object) && !('x' in Object.prototype.toString) && Object.getPrototypeOf(probe) === Object.prototype;
  };

  it('never reaches Object.prototype or a built-in: pointers walk own members, and __proto__ is an own member like any other', () => {
    const attacks: [unknown, unknown[]][] = [
      [{}, [{ op: 'add', path: '/__proto__/polluted', value: 1 }]],
      [{}, [{ op: 'add', path: '/constructor/prototype/polluted', value: 1 }]],
      [{ a: {} }, [{ op: 'add', path: '/a/__proto__/polluted', value: 1 }]],
      [{ a: [] }, [{ op: 'add', path: '/a/__proto__/polluted', value: 1 }]],
      [{}, [{ op: 'replace', path: '/__proto__/toString', value: 1 }]],
      [{}, [{ op: 'add', path: '/constructor/x', value: 1 }]],
      [{}, [{ op: 'add', path: '/toString/x', value: 1 }]],
      [{ a: 1 }, [{ op: 'copy', from: '/a', path: '/__proto__/polluted' }]],
      [{ a: 1 }, [{ op: 'move', from: '/a', path: '/constructor/prototype/polluted' }]],
      [{}, [{ op: 'copy', from: '/constructor', path: '/c' }]],
      [{}, [{ op: 'test', path: '/toString', value: {} }]],
    ];
    for (const [doc, patch] of attacks) {
      expect(() => apply(doc, patch), JSON.stringify(patch)).toThrow(/path does not exist|is not an array index/);
      expect(pristine(), JSON.stringify(patch)).toBe(true);
    }
    // '__proto__' names a member: the result keeps Object.prototype, and JSON writes the member
    const out = apply({}, [{ op: 'add', path: '/__proto__', value: { polluted: 1 } }]) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(out.polluted).toBeUndefined();
    expect(JSON.stringify(out)).toBe('{"__proto__":{"polluted":1}}');
    const parsed = JSON.parse('{"__proto__": {"a": 1}}');
    expect(JSON.stringify(apply(parsed, [{ op: 'add', path: '/__proto__/b', value: 2 }]))).toBe('{"__proto__":{"a":1,"b":2}}');
    expect(pristine()).toBe(true);
  });

  it('copies up to the budget of copied values, and refuses the copy that passes it', () => {
    const half = JSON_PATCH_COPY_BUDGET / 2; // the array and its elements: `half` values
    const doc = { a: new Array(half - 1).fill(0) };
    const twice = [
      { op: 'copy', from: '/a', path: '/b' },
      { op: 'copy', from: '/a', path: '/c' },
    ];
    expect((apply(doc, twice) as { c: number[] }).c).toHaveLength(half - 1);
    expect(() => apply(doc, [...twice, { op: 'copy', from: '/a/0', path: '/d' }])).toThrow(/operation 2: copy '\/d': copying '\/a\/0' would take the patch past 1000000 copied JSON values/);
  });

  it('refuses k = 40 doubling copies quickly (the document would double 40 times), naming the operation', () => {
    const patch = Array.from({ length: 40 }, () => ({ op: 'copy', from: '/a', path: '/a/-' }));
    const start = performance.now();
    let error: unknown;
    try {
      apply({ a: [0] }, patch);
    } catch (e) {
      error = e;
    }
    const elapsed = performance.now() - start;
    expect(error).toBeInstanceOf(JsonPatchError);
    const { index, message } = error as JsonPatchError;
    expect(2 ** index).toBeLessThanOrEqual(JSON_PATCH_COPY_BUDGET); // the copies before it fit
    expect(2 ** (index + 2)).toBeGreaterThan(JSON_PATCH_COPY_BUDGET); // it would pass the budget
    expect(message).toMatch(new RegExp(`^JSON patch operation ${index}: copy '/a/-': copying '/a' would take the patch past`));
    expect(elapsed).toBeLessThan(5000);
  });
});
