/**
 * Binary components: MessagePack (msgpackr) with typed arrays kept as typed arrays, and
 * sha256 integrity by Web Crypto. Runs unchanged in Node and in workerd.
 *
 * msgpackr needs `moreTypes: true` for Float32Array/Float64Array to round-trip; with
 * records disabled the output is plain MessagePack that any client can read
 * (typed arrays travel as msgpackr's typed-array extension).
 */
import { Packr } from 'msgpackr';

const packr = new Packr({ useRecords: false, moreTypes: true, mapsAsObjects: true, int64AsType: 'number' });

export function encodeMessagePack(value: unknown): Uint8Array {
  return packr.pack(value);
}

/** Decodes MessagePack; throws on truncated or malformed input. */
export function decodeMessagePack(bytes: Uint8Array): unknown {
  return packr.unpack(bytes);
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  const view = new Uint8Array(digest);
  let hex = '';
  for (let i = 0; i < view.length; i++) hex += view[i].toString(16).padStart(2, '0');
  return hex;
}
