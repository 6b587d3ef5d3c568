/**
 * pyhf's digest of a workspace: sha256 of `json.dumps(obj, sort_keys=True, ensure_ascii=False)`,
 * UTF-8 (`pyhf.utils.digest`). A patchset names the background-only workspace it was made for
 * by this digest, and pyhf checks it before applying a patch. Python tells 1.0 from 1 (a float
 * from an int) and writes them differently, so the digest is computed from the JSON *text*: a
 * parser that keeps each number's literal, and Python's `json.dumps` and float repr re-written
 * here. Python's order of str (by code point) is also the order pyhf sorts channels and samples in.
 */
import { sha256Hex } from '../artifact/codec.js';

type RawJson = { t: 'object'; entries: [string, RawJson][] } | { t: 'array'; items: RawJson[] } | { t: 'string'; v: string } | { t: 'number'; raw: string } | { t: 'literal'; v: 'true' | 'false' | 'null' };

const NUMBER = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;

/** A JSON parser that keeps each number's literal text (Python tells ints from floats by it). */
function parseRawJson(text: string): RawJson {
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`invalid JSON at position ${i}: ${what}`);
  };
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const stringToken = (): string => {
    const start = i;
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      i++;
    }
    if (i >= text.length) fail('unterminated string');
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): RawJson => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: [string, RawJson][] = [];
      ws();
      if (text[i] === '}') {
        i++;
        return { t: 'object', entries };
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const key = stringToken();
        ws();
        if (text[i] !== ':') fail("expected ':'");
        i++;
        entries.push([key, value()]);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return { t: 'object', entries };
        } else fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const items: RawJson[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return { t: 'array', items };
      }
      for (;;) {
        items.push(value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return { t: 'array', items };
        } else fail("expected ',' or ']'");
      }
    }
    if (c === '"') return { t: 'string', v: stringToken() };
    for (const lit of ['true', 'false', 'null'] as const) {
      if (text.startsWith(lit, i)) {
        i += lit.length;
        return { t: 'literal', v: lit };
      }
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) fail('unexpected character');
    i += m![0].length;
    return { t: 'number', raw: m![0] };
  };
  const result = value();
  ws();
  if (i !== text.length) fail('trailing characters');
  return result;
}

/** Python's repr of a float (the 'r' format: shortest round-trip digits, exponent if decpt ≤ −4 or > 16). */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const abs = Math.abs(x);
  if (abs >= 1e-4 && abs < 1e16) {
    // both print the shortest round-trip digits in fixed notation here; JavaScript omits ".0"
    const js = String(abs);
    return sign + (js.includes('.') ? js : `${js}.0`);
  }
  const [mantissa, exp] = abs.toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const decpt = Number(exp) + 1;
  if (decpt <= -4 || decpt > 16) {
    const e = decpt - 1;
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  if (decpt < digits.length) return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
}

function pythonString(s: string): string {
  let out = '"';
  for (let k = 0; k < s.length; k++) {
    const ch = s[k];
    const code = s.charCodeAt(k);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (code < 0x20) out += '\\u' + code.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

/**
 * Python compares str by code point; JavaScript's < compares UTF-16 code units, which differs
 * only where a surrogate pair (a code point above U+FFFF) meets a code unit in U+E000–U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let k = 0; k < n; k++) {
    const x = a.charCodeAt(k);
    const y = b.charCodeAt(k);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs === ys) return x - y;
    return xs ? 1 : -1; // a surrogate (code point ≥ U+10000) sorts after any other code unit that differs
  }
  return a.length - b.length;
}

function pythonDumps(node: RawJson): string {
  switch (node.t) {
    case 'literal':
      return node.v;
    case 'string':
      return pythonString(node.v);
    case 'number': {
      if (/[.eE]/.test(node.raw)) return pythonFloatRepr(Number(node.raw));
      return node.raw === '-0' ? '0' : node.raw; // a Python int
    }
    case 'array':
      return `[${node.items.map(pythonDumps).join(', ')}]`;
    case 'object': {
      const last = new Map<string, RawJson>(); // json.loads keeps the last of duplicate keys
      for (const [k, v] of node.entries) last.set(k, v);
      const keys = [...last.keys()].sort(compareCodePoints);
      return `{${keys.map((k) => `${pythonString(k)}: ${pythonDumps(last.get(k)!)}`).join(', ')}}`;
    }
  }
}

/**
 * `json.dumps(json.loads(text), sort_keys=True, ensure_ascii=False)` as Python writes it
 * (separators ', ' and ': ', ints as written, floats by Python's repr). The JSON *text* is
 * needed: after JSON.parse, 1.0 and 1 are the same number, but not for Python.
 */
export function pythonCanonicalJson(text: string): string {
  return pythonDumps(parseRawJson(text));
}

/** pyhf's `utils.digest(workspace, 'sha256')` of a JSON text. */
export async function pyhfDigest(text: string): Promise<string> {
  return sha256Hex(new TextEncoder().encode(pythonCanonicalJson(text)));
}

/**
 * pyhf's digest of one member of a JSON object text (e.g. the `workspace` of a request body),
 * computed from the member's own text so that Python's ints and floats are told apart.
 */
export async function pyhfDigestOfMember(text: string, member: string): Promise<string> {
  const root = parseRawJson(text);
  const node = root.t === 'object' ? root.entries.filter(([k]) => k === member).pop()?.[1] : undefined;
  if (!node) throw new SyntaxError(`the JSON text has no member '${member}'`);
  return sha256Hex(new TextEncoder().encode(pythonDumps(node)));
}
