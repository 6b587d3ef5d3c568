/**
 * Hostile requests, shared by the fuzz test (test/functions/fuzz.test.ts, through
 * `app.request()`) and the hostile bench (scripts/bench/hostile.ts, against `wrangler dev`):
 *
 * - structure-aware fast-check arbitraries of requests to every route: nll, ratio, fit and
 *   interval bodies (valid ones with the extremes the schemas let through, and adversarial
 *   ones: wrong types, NaN/Infinity in every disguise, typed arrays, junk), truncated and
 *   bit-flipped bodies under odd content types, odd ids, methods and Accept headers, inline
 *   pyhf workspaces mutated at random (JSON, gzip, MessagePack) and published ones asked for
 *   CLs, limits and reinterpretations with adversarial fields;
 * - the costly cases of issue 24 and their builders (scripts/bench/costly-requests.ts,
 *   re-exported here): each a request that once took minutes, gigabytes or a 500, with what
 *   it is and what it should get.
 *
 * The arbitraries are seeded by whoever samples them (fast-check's `seed`), so a sequence is
 * replayable. Nothing here imports functions/ (scripts/ never does; test/architecture.test.ts).
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { encodeMessagePack } from '../../models/artifact/codec.js';

export * from './costly-requests.js';

/** The likelihood the fuzz targets: the exact toy, cheap enough for thousands of requests. */
export const FUZZ_ID = 'gaussian-toy-truth';
const ID = FUZZ_ID;

/** One request as sent: method, path, headers and body (bytes or a stream). */
export interface HostileRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array | ReadableStream<Uint8Array>;
  /** what the body was before encoding, for the failure message */
  about?: unknown;
}
type Sent = HostileRequest;

// ---------------------------------------------------------------------------------------
// encodings: JSON cannot carry NaN/±Infinity, so they travel as strings, as literal
// (malformed) tokens, or as null; MessagePack carries them and typed arrays as they are.

export type Encoding = 'json' | 'json-literal' | 'json-null' | 'msgpack';

export function toJson(value: unknown, mode: 'string' | 'literal' | 'null'): string {
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number | bigint>, (x) => (typeof x === 'bigint' ? Number(x) : x));
    if (typeof v === 'bigint') return Number(v);
    if (typeof v === 'number' && !Number.isFinite(v)) return mode === 'null' ? null : mode === 'string' ? String(v) : `\u0000${v}\u0000`;
    return v;
  });
  if (text === undefined) return '';
  return mode === 'literal' ? text.replace(/"\\u0000(NaN|-?Infinity)\\u0000"/g, '$1') : text;
}

export const utf8 = (text: string) => new TextEncoder().encode(text);

export function encode(value: unknown, encoding: Encoding): Uint8Array {
  switch (encoding) {
    case 'json':
      return utf8(toJson(value, 'string'));
    case 'json-literal':
      return utf8(toJson(value, 'literal'));
    case 'json-null':
      return utf8(toJson(value, 'null'));
    case 'msgpack':
      try {
        return encodeMessagePack(value);
      } catch (error) {
        // msgpackr packs recursively: a value nested ~2 000 deep (junk's `nest`) overflows a
        // main thread's stack (the bench), not always a worker thread's (vitest)
        if (error instanceof RangeError) return deepMessagePack(value);
        throw error;
      }
  }
}

/** A MessagePack array or map header for `n` items: the fix form, else 16 or 32 bits. */
function containerHeader(fix: number, wide16: number, wide32: number, n: number): Uint8Array {
  if (n < 16) return Uint8Array.of(fix | n);
  if (n < 65_536) return Uint8Array.of(wide16, n >> 8, n & 255);
  return Uint8Array.of(wide32, (n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
}

/** MessagePack without recursion: arrays and plain objects walked with an explicit stack, every other value packed by msgpackr. */
function deepMessagePack(value: unknown): Uint8Array {
  const parts: Uint8Array[] = [];
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      parts.push(containerHeader(0x90, 0xdc, 0xdd, v.length));
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
    } else if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v)) {
      const entries = Object.entries(v);
      parts.push(containerHeader(0x80, 0xde, 0xdf, entries.length));
      for (let i = entries.length - 1; i >= 0; i--) stack.push(entries[i][1], entries[i][0]);
    } else parts.push(encodeMessagePack(v));
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// arbitraries

const SPECIAL_NUMBERS = [NaN, Infinity, -Infinity, -0, 0, 1, -1, 0.5, 2, -2, 2.0000000001, -2.0000000001, 1e308, -1e308, 1e307, Number.MAX_VALUE, -Number.MAX_VALUE, 5e-324, -5e-324, 1e-300, 1e300, 2 ** 53 + 2, -(2 ** 53), 1e21];
const special = fc.constantFrom(...SPECIAL_NUMBERS);

const trickyString = fc.constantFrom('', ' ', 'NaN', 'Infinity', '-Infinity', '1e308', '-0', '0x10', '1_000', 'null', 'true', 'theta', 'asimov', '\u0000', '\ud800', '\u202e', '../', '%00', '<script>alert(1)</script>', '🙂', 'a@b@c');
const longString = fc.integer({ min: 1_000, max: 100_000 }).map((n) => 'x'.repeat(n));

const numberish = fc.oneof(
  { arbitrary: fc.double({ min: -3, max: 3, noNaN: true }), weight: 5 },
  { arbitrary: special, weight: 3 },
  { arbitrary: fc.double(), weight: 1 },
  { arbitrary: fc.integer(), weight: 1 },
);

function nest(depth: number, asArray: boolean, leaf: unknown): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = asArray ? [v] : { a: v };
  return v;
}

const leaf = fc.oneof(numberish, fc.boolean(), fc.constant(null), fc.string({ maxLength: 12 }), trickyString);
const { junk } = fc.letrec<{ junk: unknown }>((tie) => ({
  junk: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { arbitrary: leaf, weight: 6 },
    { arbitrary: fc.array(tie('junk'), { maxLength: 4 }), weight: 2 },
    { arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), tie('junk'), { maxKeys: 4 }), weight: 2 },
    { arbitrary: fc.tuple(fc.integer({ min: 20, max: 2_000 }), fc.boolean()).map(([d, a]) => nest(d, a, 1)), weight: 1 },
    { arbitrary: longString, weight: 1 },
  ),
}));
const wrongType = fc.oneof(trickyString, fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}), fc.array(numberish, { maxLength: 2 }), fc.string({ maxLength: 6 }));
const num = fc.oneof({ arbitrary: numberish, weight: 9 }, { arbitrary: wrongType, weight: 1 });

const paramName = fc.oneof(
  { arbitrary: fc.constant('theta'), weight: 8 },
  { arbitrary: fc.constantFrom('thetta', 'Theta', 'theta ', '', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'x', 'θ', 'theta\u0000', 'a'.repeat(10_000)), weight: 2 },
  { arbitrary: fc.string({ maxLength: 12 }), weight: 1 },
);
const point = fc.oneof({ arbitrary: fc.dictionary(paramName, num, { maxKeys: 3 }), weight: 9 }, { arbitrary: junk, weight: 1 });
const points = fc.oneof({ arbitrary: fc.array(point, { minLength: 1, maxLength: 5 }), weight: 8 }, { arbitrary: fc.constant([]), weight: 1 }, { arbitrary: junk, weight: 1 });

type TypedKind = 'plain' | 'f32' | 'f64' | 'i8' | 'u8' | 'i16' | 'u32' | 'clamped' | 'big64';
const typedKind = fc.constantFrom<TypedKind>('plain', 'plain', 'f32', 'f32', 'f64', 'f64', 'i8', 'u8', 'i16', 'u32', 'clamped', 'big64');
function typed(kind: TypedKind, values: number[]): unknown {
  switch (kind) {
    case 'plain':
      return values;
    case 'f32':
      return Float32Array.from(values);
    case 'f64':
      return Float64Array.from(values);
    case 'i8':
      return Int8Array.from(values);
    case 'u8':
      return Uint8Array.from(values);
    case 'i16':
      return Int16Array.from(values);
    case 'u32':
      return Uint32Array.from(values);
    case 'clamped':
      return Uint8ClampedArray.from(values);
    case 'big64':
      return BigInt64Array.from(values, (v) => (Number.isFinite(v) ? BigInt(Math.trunc(Math.max(-1e18, Math.min(1e18, v)))) : 0n));
  }
}

const eventNumber = fc.oneof({ arbitrary: fc.double({ min: -6, max: 6, noNaN: true }), weight: 6 }, { arbitrary: special, weight: 2 }, { arbitrary: fc.double(), weight: 1 });
const eventValue = fc.oneof({ arbitrary: eventNumber, weight: 9 }, { arbitrary: wrongType, weight: 1 });

/** well-formed width-1 rows (the toy has one observable) */
const goodRows = fc.array(fc.double({ min: -6, max: 6, noNaN: true }).map((x) => [x]), { minLength: 1, maxLength: 30 });
/** wrong widths, ragged rows, non-numbers */
const badRows = fc.array(fc.array(eventValue, { maxLength: 4 }), { maxLength: 10 });
/** {shape, values}: mostly consistent, sometimes off by one, of any typed-array kind */
const shaped = fc
  .tuple(fc.nat(30), fc.constantFrom(1, 1, 1, 2, 64, 65, 0), fc.oneof({ arbitrary: fc.constant(0), weight: 4 }, { arbitrary: fc.constantFrom(-1, 1), weight: 1 }), typedKind, fc.array(eventNumber, { minLength: 1, maxLength: 40 }))
  .map(([n, w, off, kind, pool]) => {
    const length = Math.max(0, n * w + off);
    return { shape: [n, w], values: typed(kind, Array.from({ length }, (_, i) => pool[i % pool.length])) };
  });
const weirdShape = fc.record({ shape: fc.oneof(fc.tuple(num, num), fc.array(num, { maxLength: 3 }), junk), values: fc.oneof(fc.array(eventValue, { maxLength: 10 }), junk) });
const events = fc.oneof({ arbitrary: goodRows, weight: 4 }, { arbitrary: badRows, weight: 2 }, { arbitrary: shaped, weight: 3 }, { arbitrary: weirdShape, weight: 1 }, { arbitrary: junk, weight: 1 });

const weightValue = fc.oneof({ arbitrary: fc.double({ min: 0, max: 10, noNaN: true }), weight: 6 }, { arbitrary: special, weight: 2 });
/** events with a weight each, the weights sometimes enormous, negative or NaN */
const weighted = fc
  .tuple(fc.array(fc.tuple(fc.double({ min: -6, max: 6, noNaN: true }), weightValue), { minLength: 1, maxLength: 20 }), typedKind, fc.integer({ min: -1, max: 1 }))
  .map(([rows, kind, off]) => ({ events: rows.map(([x]) => [x]), weights: typed(kind, rows.map(([, w]) => w).slice(0, Math.max(0, rows.length + Math.min(0, off)))) }));

const counts = fc.dictionary(fc.oneof(fc.constant('toy'), fc.string({ maxLength: 6 })), fc.oneof(fc.array(num, { maxLength: 5 }), junk), { maxKeys: 2 });
const dataset = fc.oneof(
  { arbitrary: fc.constantFrom('asimov', 'observed'), weight: 4 },
  { arbitrary: fc.constantFrom('Asimov', 'OBSERVED', '', 'expected', 'binned', 'events'), weight: 1 },
  { arbitrary: fc.record({ binned: counts }), weight: 1 },
  { arbitrary: fc.record({ events, weights: fc.oneof(fc.array(weightValue, { maxLength: 30 }), junk), binned: counts }, { requiredKeys: ['events'] }), weight: 4 },
  { arbitrary: weighted, weight: 3 },
  { arbitrary: junk, weight: 1 },
);

const luminosity = fc.oneof({ arbitrary: fc.double({ min: 1e-3, max: 1e5, noNaN: true }), weight: 4 }, { arbitrary: special, weight: 2 }, { arbitrary: wrongType, weight: 1 });
const flag = fc.oneof({ arbitrary: fc.boolean(), weight: 6 }, { arbitrary: wrongType, weight: 1 });
const extras = fc.dictionary(fc.oneof(fc.constantFrom('point', 'Points', 'extra', '__proto__', 'dataset', 'lumi', 'profile '), fc.string({ maxLength: 8 })), junk, { minKeys: 1, maxKeys: 2 });

/** a body, sometimes with unknown top-level fields, sometimes replaced by junk altogether */
function withNoise<T>(body: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: body, weight: 12 },
    { arbitrary: fc.tuple(body, extras).map(([b, e]) => ({ ...(b as object), ...e })), weight: 2 },
    { arbitrary: junk, weight: 1 },
  );
}

const dataFields = { data: dataset, at: point, luminosity, rate: flag };
const adversarialNll = withNoise(fc.record({ points, ...dataFields, profile: flag, gradient: flag }, { requiredKeys: ['points'] }));
const adversarialRatio = withNoise(fc.record({ events, points }, { requiredKeys: ['events', 'points'] }));
const adversarialFit = withNoise(fc.record({ ...dataFields, fixed: point }, { requiredKeys: [] }));
const intervalParameters = fc.oneof(
  { arbitrary: fc.constant(['theta']), weight: 6 },
  { arbitrary: fc.constantFrom(['theta', 'theta'], ['theta', 'x'], [], ['a', 'b', 'c'], ['Theta']), weight: 2 },
  { arbitrary: fc.array(paramName, { maxLength: 3 }), weight: 1 },
  { arbitrary: junk, weight: 1 },
);
const cl = fc.oneof(
  { arbitrary: fc.array(fc.double({ min: 0.01, max: 0.999, noNaN: true }), { minLength: 1, maxLength: 3 }), weight: 5 },
  { arbitrary: fc.array(fc.oneof(special, fc.constantFrom(1e-300, 1 - 1e-16, 0.999999999999)), { minLength: 0, maxLength: 6 }), weight: 2 },
  { arbitrary: junk, weight: 1 },
);
/** small scans only: each interval request runs a fit per scan point */
const scanPoints = fc.oneof({ arbitrary: fc.integer({ min: 5, max: 11 }), weight: 8 }, { arbitrary: fc.constantFrom(4, 0, -5, 5.5, 1e308, NaN, Infinity, '7', null, [7]), weight: 1 });
const adversarialInterval = withNoise(fc.record({ parameters: intervalParameters, cl, ...dataFields, points: scanPoints }, { requiredKeys: ['parameters', 'points'] }));

// Requests that pass validation, with the extreme values the schema lets through (θ at
// the edges of its range, denormals, luminosities and weights up to MAX_VALUE, events far
// out): these reach the likelihood itself.

const thetaValue = fc.oneof({ arbitrary: fc.double({ min: -2, max: 2, noNaN: true }), weight: 4 }, { arbitrary: fc.constantFrom(-2, 2, 0, -0, 5e-324, -5e-324, 1e-300, 1.9999999999999998, -1.9999999999999998), weight: 1 });
const validPoint = fc.oneof({ arbitrary: fc.constant({}), weight: 1 }, { arbitrary: fc.record({ theta: thetaValue }), weight: 4 });
const validPoints = fc.array(validPoint, { minLength: 1, maxLength: 5 });
const validLuminosity = fc.oneof({ arbitrary: fc.double({ min: 1e-6, max: 1e6, noNaN: true }).filter((x) => x > 0), weight: 4 }, { arbitrary: fc.constantFrom(5e-324, 1e-300, 1e-10, 1e10, 1e300, 1e307, 1e308, Number.MAX_VALUE), weight: 1 });
const farValue = fc.oneof({ arbitrary: fc.double({ min: -8, max: 8, noNaN: true }), weight: 8 }, { arbitrary: fc.constantFrom(-0, 5e-324, 30, -30, 1e3, -1e5, 1e150, -1e154, 1e200, 1e308, -Number.MAX_VALUE), weight: 1 });
const validWeight = fc.oneof({ arbitrary: fc.double({ min: 0, max: 10, noNaN: true }), weight: 6 }, { arbitrary: fc.constantFrom(0, -0, 5e-324, 1e-300, 1e10, 1e300, 1e308, Number.MAX_VALUE), weight: 1 });
const validEventSet = fc
  .tuple(fc.array(fc.tuple(farValue, validWeight), { minLength: 0, maxLength: 25 }), fc.constantFrom('rows', 'plain', 'f32', 'f64'), fc.boolean())
  .map(([rows, form, withWeights]) => {
    const xs = rows.map(([x]) => x);
    const events = form === 'rows' ? xs.map((x) => [x]) : { shape: [xs.length, 1], values: typed(form as TypedKind, xs) };
    return withWeights ? { events, weights: typed(form === 'f32' ? 'f32' : form === 'f64' ? 'f64' : 'plain', rows.map(([, w]) => w)) } : { events };
  });
/** Asimov datasets reweight the 100 000-event reference sample: a fit or a scan on them takes 0.1-0.5 s, so they are rarer there */
const validData = (weights: { asimov: number; observed: number; events: number }) =>
  fc.oneof(
    { arbitrary: fc.record({ data: fc.constant('asimov'), at: validPoint }, { requiredKeys: ['data'] }), weight: weights.asimov },
    { arbitrary: fc.record({ data: fc.constant('observed') }, { requiredKeys: [] }), weight: weights.observed },
    { arbitrary: validEventSet.map((data) => ({ data })), weight: weights.events },
  );
const validDataFields = (weights: { asimov: number; observed: number; events: number }) =>
  fc.tuple(validData(weights), fc.record({ luminosity: validLuminosity, rate: fc.boolean() }, { requiredKeys: [] })).map(([d, f]) => ({ ...d, ...f }));
const cheapData = validDataFields({ asimov: 1, observed: 5, events: 9 });
const validNll = fc.tuple(validPoints, validDataFields({ asimov: 1, observed: 2, events: 3 }), fc.record({ profile: fc.boolean(), gradient: fc.boolean() }, { requiredKeys: [] })).map(([p, d, f]) => ({ points: p, ...d, ...f }));
const validRatio = fc.tuple(validEventSet, validPoints).map(([{ events }, p]) => ({ events, points: p }));
const validFit = fc.tuple(cheapData, fc.option(validPoint, { nil: undefined })).map(([d, fixed]) => ({ ...d, ...(fixed ? { fixed } : {}) }));
const validInterval = fc
  .tuple(cheapData, fc.array(fc.oneof(fc.double({ min: 1e-3, max: 0.999, noNaN: true }), fc.constantFrom(1e-300, 0.5, 1 - 1e-16)), { minLength: 1, maxLength: 3 }), fc.integer({ min: 5, max: 11 }))
  .map(([d, levels, n]) => ({ parameters: ['theta'], cl: levels, points: n, ...d }));
const validPosterior = fc
  .tuple(cheapData, fc.option(fc.tuple(fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true })), { nil: undefined }), fc.integer({ min: 11, max: 201 }), fc.array(fc.double({ min: 1e-3, max: 0.999, noNaN: true }), { minLength: 1, maxLength: 3 }))
  .map(([d, prior, points, cl]) => ({ ...d, ...(prior ? { prior } : {}), points, cl }));

const mixed = (valid: fc.Arbitrary<unknown>, adversarial: fc.Arbitrary<unknown>) => fc.oneof(valid, adversarial);
export const nllBody = mixed(validNll, adversarialNll);
export const ratioBody = mixed(validRatio, adversarialRatio);
export const fitBody = mixed(validFit, adversarialFit);
export const intervalBody = mixed(validInterval, adversarialInterval);
/** points for eeec-top-mass's EEEC density: ζ's around its region [0.005, 0.06], ordered or not, m_t around [170, 180], names missing or extra; the fit's junk otherwise */
export const densityBody = mixed(
  fc
    .array(
      fc.record(
        { zeta1: fc.double({ min: -0.01, max: 0.08 }), zeta2: fc.double({ min: -0.01, max: 0.08 }), zeta3: fc.double({ min: -0.01, max: 0.08 }), mt: fc.double({ min: 160, max: 190 }), theta: fc.double() },
        { requiredKeys: [] },
      ),
      { minLength: 1, maxLength: 20 },
    )
    .map((points) => ({ points })),
  adversarialFit,
);
/** a prior's range anywhere around the allowed [−2, 2], inside or not, increasing or not; the fit's junk otherwise */
export const posteriorBody = mixed(validPosterior, adversarialFit);

const specOf = (id: string) => fc.oneof({ arbitrary: fc.constant(id), weight: 12 }, { arbitrary: fc.constantFrom(`${id}@1.0.0`, `${id}@9.9.9`, 'nope', `${id}@`, '%00', 'a@b@c'), weight: 1 });
const spec = specOf(ID);

const jsonType = fc.oneof({ arbitrary: fc.constant('application/json'), weight: 8 }, { arbitrary: fc.constantFrom('application/json; charset=utf-8', 'Application/JSON', ' application/json ; x=y'), weight: 1 });
const msgpackType = fc.oneof({ arbitrary: fc.constant('application/msgpack'), weight: 8 }, { arbitrary: fc.constantFrom('application/msgpack; foo=bar', 'APPLICATION/MSGPACK'), weight: 1 });
const accept = fc.option(
  fc.constantFrom('application/json', 'application/msgpack', '*/*', 'text/html', 'application/problem+json', 'application/json, application/msgpack', 'application/msgpack;q=0, application/json', 'image/png', '', 'x'.repeat(5_000)),
  { nil: undefined, freq: 2 },
);
const encoding = fc.constantFrom<Encoding>('json', 'json', 'json-literal', 'json-null', 'msgpack', 'msgpack');

export function postRequest(endpoint: string, body: fc.Arbitrary<unknown>, likelihood?: string): fc.Arbitrary<Sent> {
  return fc.tuple(likelihood ? specOf(likelihood) : spec, body, encoding, jsonType, msgpackType, accept).map(([id, value, enc, jt, mt, acc]) => {
    const headers: Record<string, string> = { 'content-type': enc === 'msgpack' ? mt : jt };
    if (acc !== undefined) headers.accept = acc;
    return { method: 'POST', path: `/v1/likelihoods/${id}/${endpoint}`, headers, body: encode(value, enc), about: value };
  });
}

// raw bytes: truncated, bit-flipped or random MessagePack and JSON, odd content types

const anyBody = fc.oneof(nllBody, ratioBody, fitBody);
const rawJson = fc.constantFrom(
  '',
  ' ',
  '{}',
  '[]',
  'null',
  '1',
  '"x"',
  'true',
  '{"points":',
  '\ufeff{"points":[{}]}',
  '{"points":[{}]}garbage',
  '{"points":[{"theta":1e999}]}',
  '{"points":[{"theta":-1e999}]}',
  '{"points":[{}],"luminosity":1e999}',
  '{"points":[{"theta":NaN}]}',
  '{"points":[{"theta":Infinity}]}',
  '{"points":[{"theta":-Infinity}]}',
  '{"points":[{"theta":0x10}]}',
  '{"points":[{"theta":.5}]}',
  '{"points":[{"theta":1,}]}',
  "{'points':[{}]}",
  '{"points":[{}],"points":[]}',
  '{"__proto__":{"points":[{}]}}',
  '{"points":[{"__proto__":{"theta":1}}]}',
  '{"events":{"shape":[1,1],"values":{"0":1}},"points":[{}]}',
  '{"events":{"shape":[1,1],"values":{"length":1,"0":1}},"points":[{}]}',
);
const rawBytes = fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 300 }), weight: 3 },
  { arbitrary: fc.tuple(anyBody, fc.constantFrom<Encoding>('json', 'msgpack'), fc.double({ min: 0, max: 1, noNaN: true })).map(([b, e, f]) => { const bytes = encode(b, e); return bytes.subarray(0, Math.floor(bytes.length * f)); }), weight: 3 },
  { arbitrary: fc.tuple(anyBody, fc.constantFrom<Encoding>('json', 'msgpack'), fc.nat(), fc.integer({ min: 1, max: 255 })).map(([b, e, at, x]) => { const bytes = encode(b, e).slice(); if (bytes.length) bytes[at % bytes.length] ^= x; return bytes; }), weight: 3 },
  { arbitrary: fc.string({ maxLength: 200 }).map(utf8), weight: 1 },
  { arbitrary: rawJson.map(utf8), weight: 2 },
  { arbitrary: fc.constantFrom(Uint8Array.of(0x7b, 0xff, 0x7d), Uint8Array.of(0xc1), Uint8Array.of(0xd4, 0x01, 0x00), Uint8Array.of(0xdd, 0xff, 0xff, 0xff, 0xff), Uint8Array.of(0xdf, 0x7f, 0xff, 0xff, 0xff), new Uint8Array(100_000).fill(0x91), new Uint8Array(100_000).fill(0x5b)), weight: 1 },
);
const anyContentType = fc.option(
  fc.constantFrom('application/json', 'application/msgpack', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', 'application/msgpack+json', 'application/x-msgpack', '', ';;;', 'application/', 'APPLICATION/MSGPACK', 'application/problem+json'),
  { nil: undefined, freq: 6 },
);

// GET and odd methods on every path, with odd ids

const oddId = fc.oneof(
  fc.constantFrom(ID, `${ID}@1.0.0`, `${ID}@`, '@', '@1.0.0', `${ID}@1.0`, `${ID}@1.0.0.0`, `${ID}@latest`, `${ID}@01.0.0`, `${ID}@1.0.0@1.0.0`, '..', '../', '..%2F..%2Findex.json', '..%2Findex.json', '%2e%2e', 'index.json', '%00', 'a%00b', 'a@b@c', '%', '%zz', '%E0%A4%A', 'constructor', '__proto__', 'toString', 'GAUSSIAN-TOY-TRUTH', '%20', `${ID}%401.0.0`, `${ID}%00`, `${ID}%2F1.0.0%2Fmanifest.json`),
  fc.string({ maxLength: 30 }).map(encodeURIComponent),
  fc.integer({ min: 300, max: 20_000 }).map((n) => 'a'.repeat(n)),
);
const getPath = fc.oneof(
  { arbitrary: oddId.map((id) => `/v1/likelihoods/${id}`), weight: 6 },
  { arbitrary: oddId.map((id) => `/likelihoods/${id}`), weight: 1 },
  { arbitrary: fc.tuple(oddId, fc.constantFrom('nll', 'ratio', 'fit', 'interval', 'nll/extra', 'NLL', '', 'manifest.json', 'truth-ratio.msgpack')).map(([id, e]) => `/v1/likelihoods/${id}/${e}`), weight: 2 },
  { arbitrary: fc.constantFrom('/v1/likelihoods', '/v1/likelihoods/', '/v1', '/v1/', '/', '//v1/likelihoods', '/v1//likelihoods', '/v2/likelihoods', '/docs', '/openapi.json', '/schema/manifest.json', '/v1/likelihoods?x=1&x=2', `/v1/likelihoods/${ID}?version=1.0.0`, '/index.json', `/${ID}/1.0.0/manifest.json`), weight: 2 },
);
const method = fc.oneof({ arbitrary: fc.constant('GET'), weight: 6 }, { arbitrary: fc.constantFrom('HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND', 'FOO'), weight: 3 });


// pyhf: workspaces mutated at random leaves and keys, sent inline; published binned likelihoods
// asked for CLs, limits and reinterpretations with adversarial fields

export const TOY_WORKSPACE = {
  channels: [{ name: 'singlechannel', samples: [
    { name: 'signal', data: [5.0, 10.0], modifiers: [{ name: 'mu', type: 'normfactor', data: null }] },
    { name: 'background', data: [50.0, 60.0], modifiers: [{ name: 'uncorr_bkguncrt', type: 'shapesys', data: [5.0, 12.0] }] },
  ] }],
  observations: [{ name: 'singlechannel', data: [50.0, 60.0] }],
  measurements: [{ name: 'Measurement', config: { poi: 'mu', parameters: [] as unknown[] } }],
  version: '1.0.0',
};

/** Every path (keys and indices) into a JSON value. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => pathsOf(v, [...prefix, k]))];
}
const WORKSPACE_PATHS = pathsOf(TOY_WORKSPACE).filter((p) => p.length > 0);

const workspaceMutation = fc.tuple(fc.constantFrom(...WORKSPACE_PATHS), fc.oneof(junk, numberish, fc.constantFrom('normfactor', 'shapesys', 'histosys', 'lumi', 'staterror', 'mu', 'signal', 'singlechannel', '1.0.0', -1, 0, 1e308)), fc.boolean());
const mutatedWorkspace = fc.oneof({ arbitrary: fc.constant([] as fc.Arbitrary<unknown>[]).map(() => []), weight: 1 }, { arbitrary: fc.array(workspaceMutation, { maxLength: 3 }), weight: 2 }).map((mutations) => {
  const ws = structuredClone(TOY_WORKSPACE) as unknown as Record<string, unknown>;
  for (const [path, value, remove] of mutations) {
    let node = ws as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) {
      const next = node?.[key];
      if (next === null || typeof next !== 'object') break;
      node = next as Record<string | number, unknown>;
    }
    const last = path[path.length - 1];
    if (node === null || typeof node !== 'object') continue;
    if (remove) {
      if (Array.isArray(node) && typeof last === 'number') node.splice(last, 1);
      else delete node[last];
    } else node[last] = value;
  }
  return ws;
});
const poiValues = fc.oneof({ arbitrary: fc.array(fc.double({ min: -1, max: 12, noNaN: true }), { minLength: 1, maxLength: 3 }), weight: 4 }, { arbitrary: fc.array(numberish, { maxLength: 3 }), weight: 2 }, { arbitrary: junk, weight: 1 });
const signalField = fc.oneof(
  { arbitrary: fc.record({ yields: fc.record({ singlechannel: fc.array(fc.double({ min: 0, max: 20, noNaN: true }), { minLength: 2, maxLength: 2 }) }) }), weight: 6 },
  { arbitrary: fc.record({ yields: fc.dictionary(fc.constantFrom('singlechannel', 'other', ''), fc.oneof(fc.array(numberish, { maxLength: 3 }), junk), { maxKeys: 2 }) }), weight: 2 },
  { arbitrary: fc.record({ sample: fc.oneof(fc.constantFrom('signal', 'background', 'new'), trickyString), yields: fc.constant({ singlechannel: [1, 2] }) }), weight: 2 },
  { arbitrary: junk, weight: 1 },
);
/** mostly valid (weight 8), sometimes adversarial (weight 1) */
const mostly = <T>(valid: fc.Arbitrary<T>, bad: fc.Arbitrary<unknown>) => fc.oneof({ arbitrary: valid as fc.Arbitrary<unknown>, weight: 8 }, { arbitrary: bad, weight: 1 });
const pyhfFields = fc.record(
  {
    values: mostly(fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 1, maxLength: 3 }), poiValues),
    poi: mostly(fc.constantFrom('mu', 'mu', 'mu', 'uncorr_bkguncrt', 'uncorr_bkguncrt[0]'), trickyString),
    testStatistic: mostly(fc.constantFrom('q', 'qtilde'), wrongType),
    level: mostly(fc.double({ min: 0.001, max: 0.5, noNaN: true }), fc.oneof(fc.double({ min: -0.5, max: 1.5, noNaN: true }), special)),
    range: mostly(fc.tuple(fc.double({ min: 0, max: 2, noNaN: true }), fc.double({ min: 2, max: 10, noNaN: true })), fc.oneof(fc.tuple(numberish, numberish), junk)),
    signal: signalField,
    parameters: mostly(fc.constantFrom(['mu'], ['uncorr_bkguncrt[1]'], ['mu', 'uncorr_bkguncrt[0]']), junk),
    points: mostly(fc.array(fc.record({ mu: fc.double({ min: 0, max: 10, noNaN: true }) }), { minLength: 1, maxLength: 3 }), points),
    data: mostly(fc.oneof(fc.constantFrom('observed', 'asimov'), fc.record({ binned: fc.dictionary(fc.constantFrom('singlechannel', 'singlechannel', 'x'), fc.array(fc.oneof(fc.nat(100), numberish), { minLength: 2, maxLength: 3 }), { maxKeys: 2 }) })), junk),
    measurement: mostly(fc.constantFrom('Measurement', 0), fc.oneof(fc.constantFrom(3, 'nope'), wrongType)),
    jsonPatch: fc.oneof(fc.constant([{ op: 'replace', path: '/observations/0/data/0', value: 40 }]), fc.array(fc.record({ op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test', 'x'), path: fc.constantFrom('', '/', '/channels/0', '/channels/-', '/observations/0/data/1', '/a~1b', '/channels/9/name'), value: junk, from: fc.constantFrom('/channels/0', '/measurements') }), { maxLength: 2 })),
  },
  { requiredKeys: [] },
);
export const PYHF_ENDPOINTS = ['nll', 'fit', 'interval', 'cls', 'upper-limit', 'reinterpret'] as const;
/** the fields each endpoint takes (beyond the workspace's): mostly only these are sent, so the fuzz gets past validation */
const PYHF_FIELDS: Record<(typeof PYHF_ENDPOINTS)[number], string[]> = {
  nll: ['points', 'data'],
  fit: ['data'],
  interval: ['parameters', 'data', 'range'],
  cls: ['values', 'poi', 'testStatistic', 'data'],
  'upper-limit': ['level', 'range', 'poi', 'testStatistic', 'data'],
  reinterpret: ['signal', 'values', 'level', 'poi', 'testStatistic'],
};
function fieldsFor(endpoint: (typeof PYHF_ENDPOINTS)[number], fields: Record<string, unknown>, strict: boolean, inline: boolean): Record<string, unknown> {
  const allowed = new Set([...PYHF_FIELDS[endpoint], ...(inline ? ['measurement', 'jsonPatch'] : [])]);
  return Object.fromEntries(Object.entries(fields).filter(([k]) => !strict || allowed.has(k)));
}

// ---------------------------------------------------------------------------------------
// requests: the bodies above put on the wire (the fuzz test's properties, one builder each)

/** Truncated, bit-flipped and random bodies under every content type, to the four evaluation endpoints. */
export const rawBodyRequest: fc.Arbitrary<Sent> = fc.tuple(fc.constantFrom('nll', 'ratio', 'fit', 'interval'), spec, rawBytes, anyContentType, accept).map(([endpoint, id, body, type, acc]): Sent => {
  const headers: Record<string, string> = {};
  if (type !== undefined) headers['content-type'] = type;
  if (acc !== undefined) headers.accept = acc;
  return { method: 'POST', path: `/v1/likelihoods/${id}/${endpoint}`, headers, body };
});

/** GET and unusual methods on every path, odd ids and Accept headers; `etag` is the manifest's, for conditional requests. */
export function methodRequest(etag: string): fc.Arbitrary<Sent> {
  const ifNoneMatch = fc.option(fc.constantFrom('*', etag, `W/${etag}`, '"x"', `${etag}, "y"`, ''), { nil: undefined, freq: 4 });
  return fc.tuple(method, getPath, accept, ifNoneMatch, fc.option(rawBytes, { nil: undefined }), anyContentType).map(([m, path, acc, inm, body, type]): Sent => {
    const headers: Record<string, string> = {};
    if (acc !== undefined) headers.accept = acc;
    if (inm !== undefined) headers['if-none-match'] = inm;
    const withBody = m !== 'GET' && m !== 'HEAD' && body !== undefined;
    if (withBody && type !== undefined) headers['content-type'] = type;
    return { method: m, path, headers, ...(withBody ? { body } : {}) };
  });
}

/** Inline workspaces mutated at random, with adversarial fields, in JSON, gzip and MessagePack. */
export const inlinePyhfRequest: fc.Arbitrary<Sent> = fc.tuple(fc.constantFrom(...PYHF_ENDPOINTS), mutatedWorkspace, pyhfFields, fc.constantFrom<Encoding | 'gzip'>('json', 'json-null', 'msgpack', 'gzip'), fc.double({ min: 0, max: 1 })).map(([endpoint, workspace, fields, enc, u]): Sent => {
  const value = { workspace, ...fieldsFor(endpoint, fields, u < 0.9, true) };
  const body = enc === 'gzip' ? new Uint8Array(gzipSync(encode(value, 'json'))) : encode(value, enc);
  const headers: Record<string, string> = { 'content-type': enc === 'msgpack' ? 'application/msgpack' : 'application/json', ...(enc === 'gzip' ? { 'content-encoding': 'gzip' } : {}) };
  return { method: 'POST', path: `/v1/pyhf/${endpoint}`, headers, body, about: value };
});

/** CLs, limits, intervals, fits and reinterpretation of the published two-bin workspace, with adversarial fields. */
export const publishedPyhfRequest: fc.Arbitrary<Sent> = fc.tuple(fc.constantFrom('cls', 'upper-limit', 'reinterpret', 'interval', 'fit') as fc.Arbitrary<(typeof PYHF_ENDPOINTS)[number]>, pyhfFields, fc.constantFrom<Encoding>('json', 'msgpack'), fc.double({ min: 0, max: 1 })).map(([endpoint, fields, enc, u]): Sent => {
  const rest = fieldsFor(endpoint, fields, u < 0.9, false);
  return { method: 'POST', path: `/v1/likelihoods/pyhf-2bin-shapesys/${endpoint}`, headers: { 'content-type': enc === 'msgpack' ? 'application/msgpack' : 'application/json' }, body: encode(rest, enc), about: rest };
});

/** Every fuzz property of the test with its number of runs there: the bench multiplies them. */
export function fuzzSuites(etag: string): { name: string; request: fc.Arbitrary<Sent>; runs: number }[] {
  return [
    { name: 'POST nll', request: postRequest('nll', nllBody), runs: 1_500 },
    { name: 'POST ratio', request: postRequest('ratio', ratioBody), runs: 1_000 },
    { name: 'POST fit', request: postRequest('fit', fitBody), runs: 600 },
    { name: 'POST interval', request: postRequest('interval', intervalBody), runs: 400 },
    { name: 'raw bodies', request: rawBodyRequest, runs: 800 },
    { name: 'methods and paths', request: methodRequest(etag), runs: 700 },
    { name: 'inline pyhf', request: inlinePyhfRequest, runs: 400 },
    { name: 'published pyhf', request: publishedPyhfRequest, runs: 300 },
  ];
}
