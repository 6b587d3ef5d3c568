/**
 * RFC 6902 JSON Patch (with RFC 6901 JSON Pointers), as pyhf applies it with Python's
 * `jsonpatch` (compared with jsonpatch 1.33 and jsonpointer 3.1.1): a raw patch sent with a
 * workspace, or one patch of a patchset (a signal hypothesis added to the background-only
 * workspace). Operations apply in order to a copy of the document, so a patch is atomic and
 * never modifies its input or the patch; a failure names its operation (`JsonPatchError.index`,
 * which the API reports as the field `jsonPatch[i]`). As in Python: an index with a leading
 * zero, an index past the end, '-' other than to add, a move into its own child and a missing
 * member are refused.
 *
 * Why ours and not a package: each npm package tried breaks a rule our tests hold, and no thin
 * adapter mends it (test/models/pyhf/json-patch.test.ts and the checks named here, run on each):
 * - fast-json-patch 3.1.2: its validator reports index 0 whichever operation it refuses; it reads
 *   '/a/01' as index 1 (RFC 6901 and Python's jsonpointer refuse a leading zero); a move into
 *   its own child fails with a bare TypeError; added values go in by reference, so a later
 *   operation writes into the caller's patch; a copy from an inherited name ('/constructor')
 *   succeeds; and its copies cannot be budgeted (below) without resolving pointers again.
 * - rfc6902 5.4.0: cannot add, replace or copy at the root (''); skips the tokens `__proto__`,
 *   `constructor` and `prototype`, so '/a/__proto__/b' means '/a/b' and '/constructor/x' means
 *   '/x'; '/toString/x' writes onto the shared built-in Object.prototype.toString; `add` at
 *   '/__proto__' replaces the node's prototype; and it applies in place, going on after a
 *   failed operation.
 * - immutable-json-patch 6.0.3: replace, remove and copy of a missing path and indices out of
 *   range succeed silently; its test compares key order; the result shares values with the patch.
 * - json-joy 18.30.0: does not install here (its @jsonjoy.com/diff and @jsonjoy.com/json-hash
 *   are not served by the registry).
 *
 * `test` compares JSON values: numbers by value (1 equals 1.0, as in Python, and as it must be
 * after JSON.parse), objects regardless of key order, arrays in order. Python's `==` also
 * takes true for 1; JSON does not, and neither does this.
 *
 * Safety. A pointer walks own members only, and a member named `__proto__` is an own member
 * like any other (as a key is in Python), never the prototype: no patch reaches
 * Object.prototype or a built-in. A patch may copy at most `JSON_PATCH_COPY_BUDGET` JSON
 * values: `copy` is the one operation that creates values the patch does not carry (add and
 * replace insert the patch's own values, which the request's size bounds), and k copies of a
 * growing subtree double the document k times (a 1.6 KB patch with k = 24 took 13 s and
 * 1.4 GB before this budget).
 */
import { parseJsonPatch, type JsonPatchOperation } from './workspace-schema.js';

/** A JSON Patch operation that cannot be applied; `index` is the operation's position. */
export class JsonPatchError extends Error {
  constructor(
    readonly index: number,
    message: string,
  ) {
    super(`JSON patch operation ${index}: ${message}`);
    this.name = 'JsonPatchError';
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * The most JSON values one patch may create by `copy` (each object, array, string, number,
 * boolean and null counts one): less than a request can carry itself (a 16 MiB body holds up
 * to 8 million), and far more than pyhf's patches copy (they add samples; copies are rare).
 */
export const JSON_PATCH_COPY_BUDGET = 1_000_000;

function pointerTokens(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`'${pointer}' is not a JSON Pointer`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function isContainer(v: unknown): v is Json[] | Record<string, Json> {
  return typeof v === 'object' && v !== null;
}

function arrayIndex(token: string, length: number, allowEnd: boolean): number {
  if (allowEnd && token === '-') return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new Error(`'${token}' is not an array index`);
  const i = Number(token);
  if (i > length || (!allowEnd && i === length)) throw new Error(`index ${i} is out of range (length ${length})`);
  return i;
}

/**
 * The number of JSON values in `value`, or `limit + 1` as soon as it is known to pass `limit`
 * (an iterative walk, so no recursion depth; the values still to visit each count one).
 */
function countJsonValues(value: unknown, limit: number): number {
  let count = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const v = pending.pop();
    count++;
    const children: readonly unknown[] = Array.isArray(v) ? v : isContainer(v) ? Object.values(v) : [];
    if (count + pending.length + children.length > limit) return limit + 1;
    for (const x of children) pending.push(x);
  }
  return count;
}

/** JSON equality (RFC 6902 `test`): same type, numbers by value, arrays in order, objects by key set. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isContainer(a) && isContainer(b) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

/**
 * Applies an RFC 6902 JSON Patch (add, remove, replace, move, copy, test) to a copy of
 * `document` and returns the result; the input is never modified. Operations apply in order
 * and the patch is atomic: any failing operation throws `JsonPatchError` naming it, and so
 * does the copy that would take the patch past `JSON_PATCH_COPY_BUDGET` copied values.
 */
export function applyJsonPatch(document: unknown, patch: readonly JsonPatchOperation[] | unknown): unknown {
  const ops = parseJsonPatch(patch);
  let root: unknown = structuredClone(document);

  const resolve = (tokens: string[]): unknown => {
    let node = root;
    for (const t of tokens) {
      if (Array.isArray(node)) node = node[arrayIndex(t, node.length, false)];
      else if (isContainer(node) && Object.prototype.hasOwnProperty.call(node, t)) node = (node as Record<string, Json>)[t];
      else throw new Error(`path does not exist (at '${t}')`);
    }
    return node;
  };
  const parentOf = (tokens: string[]) => {
    const parent = resolve(tokens.slice(0, -1));
    if (!isContainer(parent)) throw new Error('the parent of the target is not an object or array');
    return { parent, key: tokens[tokens.length - 1] };
  };
  const add = (tokens: string[], value: unknown) => {
    if (tokens.length === 0) {
      root = value;
      return;
    }
    const { parent, key } = parentOf(tokens);
    if (Array.isArray(parent)) parent.splice(arrayIndex(key, parent.length, true), 0, value as Json);
    else Object.defineProperty(parent, key, { value, writable: true, enumerable: true, configurable: true }); // an own member, even '__proto__'
  };
  let copyRoom = JSON_PATCH_COPY_BUDGET;
  const copyOf = (from: string): unknown => {
    const value = resolve(pointerTokens(from));
    const size = countJsonValues(value, copyRoom);
    if (size > copyRoom) throw new Error(`copying '${from}' would take the patch past ${JSON_PATCH_COPY_BUDGET} copied JSON values (copies of copies double the document); refused`);
    copyRoom -= size;
    return structuredClone(value);
  };
  const remove = (tokens: string[]): unknown => {
    if (tokens.length === 0) throw new Error('cannot remove the whole document');
    const { parent, key } = parentOf(tokens);
    if (Array.isArray(parent)) return parent.splice(arrayIndex(key, parent.length, false), 1)[0];
    if (!Object.prototype.hasOwnProperty.call(parent, key)) throw new Error(`path does not exist (no member '${key}')`);
    const value = parent[key];
    delete parent[key];
    return value;
  };

  ops.forEach((op, i) => {
    try {
      const path = pointerTokens(op.path);
      switch (op.op) {
        case 'add':
          add(path, structuredClone(op.value));
          break;
        case 'remove':
          remove(path);
          break;
        case 'replace':
          resolve(path); // must exist
          if (path.length === 0) root = structuredClone(op.value);
          else {
            remove(path);
            add(path, structuredClone(op.value));
          }
          break;
        case 'move': {
          if (op.path !== op.from && op.path.startsWith(op.from + '/')) throw new Error(`cannot move '${op.from}' into its own child '${op.path}'`);
          if (op.path === op.from) break;
          const value = remove(pointerTokens(op.from));
          add(path, value);
          break;
        }
        case 'copy':
          add(path, copyOf(op.from));
          break;
        case 'test':
          if (!jsonEqual(resolve(path), op.value)) throw new Error(`test failed: the value at '${op.path}' differs`);
          break;
      }
    } catch (error) {
      if (error instanceof JsonPatchError) throw error;
      throw new JsonPatchError(i, `${op.op} '${op.path}': ${(error as Error).message}`);
    }
  });
  return root;
}
