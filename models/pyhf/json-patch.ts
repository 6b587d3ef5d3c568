/**
 * RFC 6902 JSON Patch (with RFC 6901 JSON Pointers), as pyhf applies it with Python's
 * `jsonpatch` package: a raw patch sent with a workspace, or one patch of a patchset (a signal
 * hypothesis added to the background-only workspace). Kept apart from the import so that the
 * patch semantics (atomic, operation by operation, failures naming the operation) can be read
 * and tested on their own.
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
 * and the patch is atomic: any failing operation throws `JsonPatchError` naming it.
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
    else parent[key] = value as Json;
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
          add(path, structuredClone(resolve(pointerTokens(op.from))));
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
